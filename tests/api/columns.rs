//! A page of actions reads only the columns its fields need: every field of `Action`, asked
//! alone in a page, says what the same action read whole says.

use serde_json::{Map, Value, json};

use crate::helpers::spawn_app;

/// Each field of `Action` as a selection: objects and lists of objects by their id.
async fn fields(app: &crate::helpers::TestApp) -> Vec<(String, String)> {
    let data = app
        .data(
            "{ __type(name: \"Action\") { fields { name type { kind name ofType { kind name \
             ofType { kind name ofType { kind name } } } } } } }",
            json!({}),
        )
        .await;
    let mut out = Vec::new();
    for f in data["__type"]["fields"].as_array().expect("fields") {
        let name = f["name"].as_str().expect("name").to_owned();
        let mut ty = &f["type"];
        while ty["ofType"].is_object() {
            ty = &ty["ofType"];
        }
        let selection = if ty["kind"] == "OBJECT" || ty["kind"] == "INTERFACE" {
            format!("{name} {{ id }}")
        } else {
            name.clone()
        };
        out.push((name, selection));
    }
    out
}

#[tokio::test]
async fn each_field_of_a_page_of_actions_reads_what_the_whole_action_says() {
    let app = spawn_app().await;
    app.load_demo().await;
    // Beside the demo's actions: one overdue, with a description, an issue, a supporter and
    // a priority; one done, with a note in its timeline.
    let demo = app
        .data(
            "{ actions(first: 50) { nodes { meeting { id } issue { id } leadMinistry { code } } } }",
            json!({}),
        )
        .await;
    let nodes = demo["actions"]["nodes"].as_array().expect("nodes");
    let with_issue = nodes
        .iter()
        .find(|n| n["issue"].is_object())
        .expect("a demo action with an issue");
    let other = nodes
        .iter()
        .map(|n| &n["leadMinistry"]["code"])
        .find(|c| **c != with_issue["leadMinistry"]["code"])
        .expect("another ministry");
    let create = "mutation($input: CreateActionInput!) { createAction(input: $input) { id } }";
    app.data(
        create,
        json!({ "input": {
            "meetingId": with_issue["meeting"]["id"], "issueId": with_issue["issue"]["id"],
            "title": "Menyusun peta jalan", "description": "Baris satu\nBaris dua",
            "leadMinistry": { "code": with_issue["leadMinistry"]["code"] },
            "supportingMinistries": [{ "code": other }],
            "dueOn": "2026-01-15", "priority": "URGENT" } }),
    )
    .await;
    let done = app
        .data(
            create,
            json!({ "input": {
                "meetingId": with_issue["meeting"]["id"], "title": "Rapat teknis",
                "leadMinistry": { "code": other }, "dueOn": "2026-02-01" } }),
        )
        .await;
    app.data(
        "mutation($id: ID!) { changeActionStatus(id: $id, status: DONE, note: \"Selesai\") { id } }",
        json!({ "id": done["createAction"]["id"] }),
    )
    .await;
    let fields = fields(&app).await;
    assert!(fields.len() >= 19, "the fields of Action: {fields:?}");
    let ids: Vec<String> = app
        .data("{ actions(first: 40) { nodes { id } } }", json!({}))
        .await["actions"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["id"].as_str().expect("id").to_owned())
        .collect();
    assert!(ids.len() >= 10, "the demo has actions: {}", ids.len());

    // Each action read whole, one at a time (`action(id)` reads every column).
    let all: Vec<&str> = fields.iter().map(|(_, s)| s.as_str()).collect();
    let lookups: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| format!("a{i}: action(id: \"{id}\") {{ {} }}", all.join(" ")))
        .collect();
    let whole = app
        .data(&format!("{{ {} }}", lookups.join(" ")), json!({}))
        .await;
    let whole: Vec<&Map<String, Value>> = (0..ids.len())
        .map(|i| whole[format!("a{i}")].as_object().expect("an action"))
        .collect();
    let values = |name: &str| -> Vec<Value> { whole.iter().map(|a| a[name].clone()).collect() };
    assert!(
        values("description").iter().any(Value::is_string)
            && values("issue").iter().any(Value::is_object)
            && values("completedOn").iter().any(Value::is_string)
            && values("isOverdue").iter().any(|v| v == true),
        "the demo's actions differ in what they hold"
    );

    for (name, selection) in &fields {
        // Through `nodes`, and through `edges { node }` with a fragment.
        let by_nodes = app
            .data(
                &format!("{{ actions(first: 40) {{ nodes {{ {selection} }} }} }}"),
                json!({}),
            )
            .await;
        let by_edges = app
            .data(
                &format!(
                    "query {{ actions(first: 40) {{ edges {{ node {{ ...F }} }} }} }} \
                     fragment F on Action {{ {selection} }}"
                ),
                json!({}),
            )
            .await;
        let nodes: Vec<Value> = by_nodes["actions"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n[name].clone())
            .collect();
        let edges: Vec<Value> = by_edges["actions"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"][name].clone())
            .collect();
        assert_eq!(nodes, values(name), "`{name}` alone in a page");
        assert_eq!(edges, values(name), "`{name}` alone in an edge");
    }
}
