//! The committed `schema.graphql` is the contract clients are written against.

#[test]
fn committed_schema_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql at the repository root");
    let actual = tindak::graphql::sdl();
    assert!(
        committed == actual,
        "schema.graphql is out of date: run `cargo run -- schema > schema.graphql`"
    );
}

#[test]
fn schema_keeps_the_contract_names() {
    let sdl = tindak::graphql::sdl();
    for needle in [
        "input MinistryRef @oneOf",
        "node(id: ID!): Node",
        "ministries(first: Int, after: String, filter: MinistryFilter): MinistryConnection!",
        "ministry(id: ID, code: String): Ministry",
        "meetings(first: Int, after: String, filter: MeetingFilter, orderBy: MeetingOrder): MeetingConnection!",
        "actions(first: Int, after: String, filter: ActionFilter, orderBy: ActionOrder): ActionConnection!",
        "recordMeeting(input: RecordMeetingInput!): Meeting!",
        "changeActionStatus(id: ID!, status: ActionStatus!, note: String, expectedVersion: Int): Action!",
        "addActionUpdate(actionId: ID!, note: String!): ActionUpdate!",
        "scalar Date",
        "totalCount: Int!",
    ] {
        assert!(sdl.contains(needle), "the schema lacks `{needle}`");
    }
}

/// Every type, field, input, input field, enum, enum value and scalar of the API says what it
/// is, so that GraphiQL's docs are complete. The generic connection types async-graphql
/// generates (`…Connection`) cannot carry one and are exempt, exactly those.
#[test]
fn everything_in_the_schema_is_described() {
    let sdl = tindak::graphql::sdl();
    let mut missing = Vec::new();
    let mut described = false;
    let mut in_description = false;
    let mut current: Option<String> = None;
    for line in sdl.lines().map(str::trim) {
        if line.starts_with("\"\"\"") {
            let one_line =
                line.len() > 3 && line.ends_with("\"\"\"") && line.matches("\"\"\"").count() == 2;
            if one_line {
                described = true;
            } else {
                in_description = !in_description;
                described = !in_description;
            }
            continue;
        }
        if in_description || line.is_empty() {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [kind, name, ..]
                if ["type", "input", "enum", "interface", "scalar", "union"].contains(kind) =>
            {
                let name = name.trim_end_matches('{').to_owned();
                let exempt = *kind == "type" && name.ends_with("Connection");
                if !described && !exempt {
                    missing.push(format!("{kind} {name}"));
                }
                current = line.ends_with('{').then_some(name);
            }
            ["}"] => current = None,
            _ if line.starts_with("schema") || line.starts_with("directive") => {}
            [first, ..] => {
                if let Some(owner) = &current {
                    let field: String = first
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !described && !owner.ends_with("Connection") {
                        missing.push(format!("{owner}.{field}"));
                    }
                }
            }
            [] => {}
        }
        described = false;
    }
    assert!(missing.is_empty(), "without a description: {missing:#?}");
}
