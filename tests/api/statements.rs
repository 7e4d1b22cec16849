//! Nested fields of a list are batched: the number of SQL statements does not grow with the
//! page.

use serde_json::{Value, json};

use crate::helpers::spawn_app;

const NESTED: &str = "query($first: Int) { actions(first: $first) { nodes {
  title leadMinistry { code } supportingMinistries { code } meeting { title } issue { title } } } }";

#[tokio::test]
async fn a_page_of_actions_with_nested_fields_takes_a_fixed_number_of_statements() {
    let app = spawn_app().await;
    let codes: Vec<String> = (0..10).map(|i| format!("KL{i}")).collect();
    for code in &codes {
        app.ministry(code).await;
    }
    let action = |i: usize| {
        json!({
            "title": format!("Tindak lanjut {i}"),
            "leadMinistry": { "code": codes[i % 10] },
            "supportingMinistries": [{ "code": codes[(i + 1) % 10] }, { "code": codes[(i + 2) % 10] }],
            "dueOn": format!("2026-03-{:02}", 1 + i % 28),
        })
    };
    let issues: Vec<Value> = (0..5)
        .map(|k| json!({ "title": format!("Isu {k}"), "actions": (0..20).map(|j| action(k * 20 + j)).collect::<Vec<_>>() }))
        .collect();
    app.data(
        "mutation($input: RecordMeetingInput!) { recordMeeting(input: $input) { id } }",
        json!({ "input": { "title": "Rakor besar", "startsAt": "2026-02-02T09:00:00+07:00", "convenedBy": { "code": "KL0" }, "issues": issues } }),
    )
    .await;

    let mut counts = Vec::new();
    for first in [10, 100] {
        app.reset_statements();
        let data = app.data(NESTED, json!({ "first": first })).await;
        counts.push(app.statements());
        let nodes = data["actions"]["nodes"].as_array().expect("nodes");
        assert_eq!(nodes.len(), first);
        assert!(
            nodes
                .iter()
                .all(|n| n["supportingMinistries"].as_array().expect("list").len() == 2)
        );
        assert!(
            nodes
                .iter()
                .all(|n| n["meeting"]["title"] == "Rakor besar" && n["issue"]["title"].is_string())
        );
    }
    println!("SQL statements for a nested page of 10 and of 100 actions: {counts:?}");
    // The page, then one statement per kind of nested data: supporter rows, ministries (lead
    // and supporting together), meetings, issues. The token was checked by an earlier
    // request and is in the server's token cache.
    assert_eq!(
        counts,
        [5, 5],
        "a fixed number of statements, whatever the page size"
    );
}
