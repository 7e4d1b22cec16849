//! A page's rows resolve to the same answer whether their fields are resolved one after the
//! other (what the query selects of a row is at hand) or side by side (more than one selected
//! field may wait): values, aliases, nested lists read through loaders, errors and their paths.

use serde_json::{Value, json};
use tindak::auth::service::Role;

use crate::helpers::spawn_app;

/// Pairs of selections of a node: each pair asked as one selection set (resolved in turn
/// where its fields are at hand) and split into two inline fragments (which always resolve
/// side by side) must answer the same.
const SELECTIONS: &[(&str, &str)] = &[
    // Every field at hand: the action's own columns, its joined ministry and meeting.
    (
        "__typename id t: title dueOn status isOverdue daysOverdue",
        "leadMinistry { __typename code name n: shortName } meeting { title startsAt }",
    ),
    // One field that waits (the ministry's liaisons, through the loader).
    ("id title", "leadMinistry { code liaisons { name email } }"),
    // Several that wait: supporters, the timeline, the issue, the meeting's attendees.
    (
        "id supportingMinistries { code } updates { note toStatus }",
        "issue { title } meeting { attendees { ministry { code } representatives } }",
    ),
    // Skipped and included by directives.
    (
        "id title @skip(if: true) dueOn @include(if: true)",
        "leadMinistry @include(if: false) { code } meeting { title @skip(if: false) }",
    ),
];

#[tokio::test]
async fn a_page_resolved_in_turn_answers_as_the_same_page_resolved_side_by_side() {
    let app = spawn_app().await;
    app.load_demo().await;
    let updated = app
        .data("{ actions(first: 1) { nodes { id } } }", json!({}))
        .await["actions"]["nodes"][0]["id"]
        .clone();
    app.data(
        "mutation($id: ID!) { changeActionStatus(id: $id, status: IN_PROGRESS, note: \"Mulai\") { id } }",
        json!({ "id": updated }),
    )
    .await;

    for (one, two) in SELECTIONS {
        let in_turn = app
            .data(
                &format!("{{ actions(first: 30) {{ nodes {{ {one} {two} }} }} }}"),
                json!({}),
            )
            .await;
        let side_by_side = app
            .data(
                &format!(
                    "{{ actions(first: 30) {{ nodes {{ ... on Action {{ {one} }} \
                     ... on Action {{ {two} }} }} }} }}"
                ),
                json!({}),
            )
            .await;
        let nodes = in_turn["actions"]["nodes"].as_array().expect("nodes");
        assert!(nodes.len() >= 10, "the demo's actions: {}", nodes.len());
        assert_eq!(in_turn, side_by_side, "`{one} {two}`");
    }

    // What the values are, read as a user would check them.
    let page = app
        .data(
            "{ actions(first: 30) { nodes { id t: title leadMinistry { code liaisons { email } } \
             updates { note } } } }",
            json!({}),
        )
        .await;
    let nodes = page["actions"]["nodes"].as_array().expect("nodes");
    let first = nodes
        .iter()
        .find(|n| n["id"] == updated)
        .expect("the action");
    assert_eq!(first["updates"][0]["note"], "Mulai");
    assert!(
        nodes
            .iter()
            .all(|n| n["t"].as_str().is_some_and(|t| !t.is_empty()))
    );
    assert!(
        nodes.iter().any(|n| n["leadMinistry"]["liaisons"]
            .as_array()
            .is_some_and(|l| !l.is_empty())),
        "the demo's ministries have liaisons: {page:#}"
    );
}

#[tokio::test]
async fn a_refused_field_in_a_page_resolved_in_turn_is_reported_on_every_row_as_side_by_side() {
    let app = spawn_app().await;
    app.load_demo().await;
    // LEADERSHIP reads actions but not their reminders.
    let leadership = app.token("Pimpinan", Role::Leadership, None).await;
    let in_turn = app
        .gql_as(
            &leadership,
            "{ actions(first: 3) { nodes { id title reminders { id } } } }",
            json!({}),
        )
        .await;
    let side_by_side = app
        .gql_as(
            &leadership,
            "{ actions(first: 3) { nodes { ... on Action { id title } \
             ... on Action { reminders { id } } } } }",
            json!({}),
        )
        .await;
    // The same answer but for where in the query text the field stands, and for the order
    // of the rows' errors (the rows resolve side by side either way).
    let without_locations = |mut body: Value| {
        let errors = body["errors"].as_array_mut().expect("errors");
        for error in errors.iter_mut() {
            error.as_object_mut().expect("an error").remove("locations");
        }
        errors.sort_by_key(|e| e["path"].to_string());
        body
    };
    assert_eq!(
        without_locations(in_turn.clone()),
        without_locations(side_by_side)
    );
    let in_turn = without_locations(in_turn);
    let errors = in_turn["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 3, "one error a row: {in_turn:#}");
    for (i, error) in errors.iter().enumerate() {
        assert_eq!(error["extensions"]["code"], "FORBIDDEN", "{error:#}");
        assert_eq!(error["path"], json!(["actions", "nodes", i, "reminders"]));
    }
    // The rest of each row is there.
    let nodes = in_turn["data"]["actions"]["nodes"]
        .as_array()
        .expect("nodes");
    assert_eq!(nodes.len(), 3, "{in_turn:#}");
    for node in nodes {
        assert!(
            node["id"].is_string() && node["title"].is_string(),
            "{node:#}"
        );
    }
}

/// Rows and their lead ministries and meetings whose selections are plain fields are resolved
/// by Tindak's own loop; the same selections with a key asked twice, or a directive, go
/// through async-graphql's. Both must answer the same at every level.
#[tokio::test]
async fn plain_selections_answer_as_async_graphql_resolves_them_at_every_level() {
    let app = spawn_app().await;
    app.load_demo().await;
    let cases = [
        (
            "id __typename t: title dueOn status isOverdue \
             leadMinistry { __typename code name n: shortName } meeting { title startsAt }",
            "id id __typename t: title dueOn status isOverdue \
             leadMinistry { __typename code code name n: shortName } \
             meeting { title title startsAt }",
        ),
        (
            "title leadMinistry { code liaisons { name email } } meeting { title }",
            "title leadMinistry { code @include(if: true) liaisons { name name email } } \
             meeting { title @skip(if: false) }",
        ),
    ];
    for (plain, through_async_graphql) in cases {
        let ours = app
            .data(
                &format!("{{ actions(first: 30) {{ nodes {{ {plain} }} }} }}"),
                json!({}),
            )
            .await;
        let theirs = app
            .data(
                &format!("{{ actions(first: 30) {{ nodes {{ {through_async_graphql} }} }} }}"),
                json!({}),
            )
            .await;
        let nodes = ours["actions"]["nodes"].as_array().expect("nodes");
        assert!(nodes.len() >= 10, "the demo's actions: {}", nodes.len());
        assert!(
            nodes.iter().all(|n| n["leadMinistry"]["code"].is_string()
                && n["meeting"]["title"]
                    .as_str()
                    .is_some_and(|t| !t.is_empty())),
            "{ours:#}"
        );
        assert_eq!(ours, theirs, "`{plain}`");
    }

    // A key asked twice with different selections under it is merged, as async-graphql does.
    let merged = app
        .data(
            "{ actions(first: 30) { nodes { leadMinistry { code } leadMinistry { name } } } }",
            json!({}),
        )
        .await;
    let nodes = merged["actions"]["nodes"].as_array().expect("nodes");
    assert!(nodes.len() >= 10, "{merged:#}");
    for node in nodes {
        assert!(
            node["leadMinistry"]["code"].is_string() && node["leadMinistry"]["name"].is_string(),
            "{node:#}"
        );
    }
}
