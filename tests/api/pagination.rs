//! Relay connections: pages, cursors and limits.

use serde_json::json;

use crate::helpers::spawn_app;

const PAGE: &str = "query($first: Int, $after: String) { ministries(first: $first, after: $after) {
  totalCount edges { cursor node { code } } nodes { code }
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";

#[tokio::test]
async fn walking_across_pages_sees_every_item_once() {
    let app = spawn_app().await;
    let codes: Vec<String> = (1..=7).map(|i| format!("K{i:02}")).collect();
    for code in &codes {
        app.ministry(code).await;
    }
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = Vec::new();
    loop {
        let data = app.data(PAGE, json!({ "first": 3, "after": after })).await;
        let conn = &data["ministries"];
        assert_eq!(conn["totalCount"], 7);
        let nodes: Vec<String> = conn["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["code"].as_str().expect("code").to_owned())
            .collect();
        assert_eq!(conn["edges"].as_array().expect("edges").len(), nodes.len());
        assert_eq!(conn["pageInfo"]["hasPreviousPage"], after.is_some());
        pages.push(nodes.len());
        seen.extend(nodes);
        if conn["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = Some(
            conn["pageInfo"]["endCursor"]
                .as_str()
                .expect("cursor")
                .to_owned(),
        );
    }
    assert_eq!(pages, [3, 3, 1]);
    assert_eq!(seen, codes);
}

#[tokio::test]
async fn twenty_by_default_and_at_most_a_hundred() {
    let app = spawn_app().await;
    for i in 0..25 {
        app.ministry(&format!("M{i:02}")).await;
    }
    let data = app.data(PAGE, json!({})).await;
    assert_eq!(
        data["ministries"]["nodes"].as_array().expect("nodes").len(),
        20
    );
    assert_eq!(data["ministries"]["pageInfo"]["hasNextPage"], true);
    let hundred = app.data(PAGE, json!({ "first": 100 })).await;
    assert_eq!(
        hundred["ministries"]["nodes"]
            .as_array()
            .expect("nodes")
            .len(),
        25
    );
    let none = app.data(PAGE, json!({ "first": 0 })).await;
    assert_eq!(none["ministries"]["nodes"], json!([]));
    assert_eq!(none["ministries"]["totalCount"], 25);

    let err = app
        .expect_error(
            PAGE,
            json!({ "first": 101 }),
            "BAD_USER_INPUT",
            Some("first"),
        )
        .await;
    assert!(err["message"].as_str().expect("message").contains("100"));
    app.expect_error(
        PAGE,
        json!({ "first": -1 }),
        "BAD_USER_INPUT",
        Some("first"),
    )
    .await;
    app.expect_error(
        PAGE,
        json!({ "after": "not-a-cursor" }),
        "BAD_USER_INPUT",
        Some("after"),
    )
    .await;
    app.expect_error(
        "{ actions(first: 500) { totalCount } }",
        json!({}),
        "BAD_USER_INPUT",
        Some("first"),
    )
    .await;
}
