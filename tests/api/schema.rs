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
