//! GraphQL over HTTP: media types, status codes, GET, and requests refused before they run.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

async fn post(app: &TestApp, accept: Option<&str>, body: Value) -> (u16, String, Value) {
    let mut req = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&app.admin)
        .json(&body);
    if let Some(accept) = accept {
        req = req.header(ACCEPT, accept);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let ct = res.headers()[CONTENT_TYPE].to_str().expect("ct").to_owned();
    (status, ct, res.json().await.expect("JSON"))
}

#[tokio::test]
async fn answers_in_the_media_type_asked_for() {
    let app = spawn_app().await;
    let query = json!({ "query": "{ __typename }" });
    for accept in [None, Some("application/json"), Some("*/*")] {
        let (status, ct, body) = post(&app, accept, query.clone()).await;
        assert_eq!(status, 200);
        assert!(ct.starts_with("application/json"), "{accept:?}: {ct}");
        assert_eq!(body["data"]["__typename"], "Query");
    }
    let (status, ct, _) = post(&app, Some(GRAPHQL_RESPONSE), query).await;
    assert_eq!(status, 200);
    assert!(ct.starts_with(GRAPHQL_RESPONSE), "{ct}");
}

#[tokio::test]
async fn requests_that_cannot_run_are_400_without_data_under_graphql_response_json() {
    let app = spawn_app().await;
    let cases = [
        json!({ "query": "{" }),
        json!({ "query": "{ nope }" }),
        json!({ "query": "query($id: ID!) { action(id: $id) { id } }", "variables": { "id": null } }),
        json!({ "query": format!("{{ ministries(first: 1) {{ nodes {{ {}id{} }} }} }}", "parent { ".repeat(20), " }".repeat(20)) }),
    ];
    for body in cases {
        let (status, ct, value) = post(&app, Some(GRAPHQL_RESPONSE), body.clone()).await;
        assert_eq!(status, 400, "{body}: {value}");
        assert!(ct.starts_with(GRAPHQL_RESPONSE));
        assert!(value.get("data").is_none(), "no data entry: {value}");
        assert_eq!(value["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        // The same request accepting JSON is a 200 with the errors in the body.
        let (status, _, value) = post(&app, Some("application/json"), body).await;
        assert_eq!(status, 200);
        assert!(value["errors"].as_array().is_some_and(|e| !e.is_empty()));
    }
    // Errors in fields that ran are not request errors: 200, with data.
    let (status, _, value) = post(
        &app,
        Some(GRAPHQL_RESPONSE),
        json!({ "query": "{ ministries(first: 500) { totalCount } }" }),
    )
    .await;
    assert_eq!(status, 200);
    assert!(value.get("data").is_some());
}

#[tokio::test]
async fn malformed_posts_are_refused_before_anything_runs() {
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.base);
    let send = |ct: Option<&'static str>, body: &'static str| {
        let mut req = app.client.post(&url).bearer_auth(&app.admin).body(body);
        if let Some(ct) = ct {
            req = req.header(CONTENT_TYPE, ct);
        }
        req.send()
    };
    let q = r#"{"query":"{ __typename }"}"#;
    assert_eq!(send(None, q).await.expect("send").status(), 415);
    assert_eq!(
        send(Some("application/xml"), q)
            .await
            .expect("send")
            .status(),
        415
    );
    assert_eq!(
        send(Some("text/plain;charset=UTF-8"), q)
            .await
            .expect("send")
            .status(),
        400
    );
    assert_eq!(
        send(Some("application/json; charset=utf-8"), q)
            .await
            .expect("send")
            .status(),
        200
    );
    for bad in [
        "",
        "{ \"not a JSON",
        r#"{"qeury":"{ __typename }"}"#,
        r#"{"query":1}"#,
        r#"{"query":"{ __typename }","variables":"x"}"#,
        r#"{"query":"{ __typename }","operationName":false}"#,
        r#"{"query":"{ __typename }","extensions":[1]}"#,
    ] {
        let res = send(Some("application/json"), bad).await.expect("send");
        assert_eq!(res.status(), 400, "{bad}");
        let body: Value = res.json().await.expect("JSON");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{bad}"
        );
    }
}

#[tokio::test]
async fn queries_run_over_get_and_mutations_do_not() {
    let app = spawn_app().await;
    let get = |params: &[(&str, &str)]| {
        let query = serde_urlencoded::to_string(params).expect("query string");
        app.client
            .get(format!("{}/graphql?{query}", app.base))
            .bearer_auth(&app.admin)
            .send()
    };
    let res = get(&[
        ("query", "query($c: String) { ministry(code: $c) { code } }"),
        ("variables", r#"{"c":"NOPE"}"#),
    ])
    .await
    .expect("get");
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("JSON");
    assert_eq!(body, json!({ "data": { "ministry": null } }));
    let res = get(&[(
        "query",
        "mutation { createMinistry(input: { code: \"GET\", name: \"x\", kind: MINISTRY }) { id } }",
    )])
    .await
    .expect("get");
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "POST");
    assert_eq!(app.count("ministries").await, 0, "nothing was created");
    let page = app
        .client
        .get(format!("{}/graphql", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(page.status(), 200, "GraphiQL without a query");
}

#[tokio::test]
async fn a_query_nested_thousands_deep_is_refused_and_the_server_lives() {
    let app = spawn_app().await;
    app.ministry("KEMLU").await;
    let liaison = app
        .token(
            "Liaison",
            tindak::auth::service::Role::Liaison,
            Some("KEMLU"),
        )
        .await;
    for depth in [100, 5_000, 100_000] {
        let query = format!(
            "{{ actions(filter: {{ status: {}OPEN{} }}) {{ totalCount }} }}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let body = app.gql_as(&liaison, &query, json!({})).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{depth}"
        );
        assert_eq!(body["errors"][0]["extensions"]["field"], "query");
    }
    let data = app.data("{ ministries { totalCount } }", json!({})).await;
    assert_eq!(data["ministries"]["totalCount"], 1, "still serving");
}

#[tokio::test]
async fn cursors_beyond_the_data_are_bad_input() {
    let app = spawn_app().await;
    app.ministry("KEMLU").await;
    let query = "query($a: String) { ministries(first: 5, after: $a) { nodes { code } } }";
    let cursor = |s: &str| URL_SAFE_NO_PAD.encode(s);
    let last = app.data(query, json!({ "a": cursor("pos:0") })).await;
    assert_eq!(
        last["ministries"]["nodes"],
        json!([]),
        "just past the last item"
    );
    for beyond in [
        "pos:5",
        "pos:999999999",
        "pos:18446744073709551615",
        "pos:-1",
    ] {
        app.expect_error(
            query,
            json!({ "a": cursor(beyond) }),
            "BAD_USER_INPUT",
            Some("after"),
        )
        .await;
    }
}
