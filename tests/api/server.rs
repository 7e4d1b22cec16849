//! The HTTP surface around GraphQL.

use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn health_readiness_and_graphiql() {
    let app = spawn_app().await;
    let health = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    let ready = app
        .client
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.expect("body"), "ready");
    let page = app
        .client
        .get(format!("{}/graphql", app.base))
        .send()
        .await
        .expect("graphiql");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("graphiql"), "GraphiQL page expected");
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.db.clone().close().await.expect("close pool");
    let ready = app
        .client
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 503);
    let health = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200, "the process is still up");
}

#[tokio::test]
async fn batched_requests_are_refused_and_the_server_keeps_serving() {
    let app = spawn_app().await;
    let batch = json!([{ "query": "{ ministries { totalCount } }" }, { "query": "{ ministries { totalCount } }" }]);
    let res = app.post(Some(&app.admin), &batch).await;
    assert!(res.status().is_client_error(), "status {}", res.status());
    let data = app.data("{ ministries { totalCount } }", json!({})).await;
    assert_eq!(data["ministries"]["totalCount"], 0);
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let app = spawn_app().await;
    let query = format!(
        "{{ ministries(filter: {{ search: \"{}\" }}) {{ totalCount }} }}",
        "x".repeat(2 * 1024 * 1024)
    );
    let res = app.post(Some(&app.admin), &json!({ "query": query })).await;
    assert_eq!(res.status(), 413);
    let data = app.data("{ ministries { totalCount } }", json!({})).await;
    assert_eq!(data["ministries"]["totalCount"], 0);
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    let app = spawn_app().await;
    let res = app
        .post(
            Some(&app.admin),
            &json!({ "query": "{ ministries { totalCount } }" }),
        )
        .await;
    let id = res
        .headers()
        .get("x-request-id")
        .expect("x-request-id header");
    assert!(uuid::Uuid::parse_str(id.to_str().expect("ascii")).is_ok());
}

#[tokio::test]
async fn deep_and_wide_queries_are_refused_before_any_resolver_runs() {
    let app = spawn_app().await;
    app.ministry("KEMLU").await;
    for (levels, says) in [(50, "recursion depth"), (20, "nested too deep")] {
        let deep = format!(
            "{{ ministries {{ nodes {{ {} code {} }} }} }}",
            "parent { ".repeat(levels),
            "}".repeat(levels)
        );
        let err = app
            .expect_error(&deep, json!({}), "BAD_USER_INPUT", None)
            .await;
        assert!(
            err["message"].as_str().expect("message").contains(says),
            "{err:#}"
        );
    }

    let wide = format!(
        "{{ ministries {{ nodes {{ {} }} }} }}",
        (0..10_000)
            .map(|i| format!("f{i}: code"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let err = app
        .expect_error(&wide, json!({}), "BAD_USER_INPUT", None)
        .await;
    assert!(
        err["message"]
            .as_str()
            .expect("message")
            .contains("too complex"),
        "{err:#}"
    );

    let data = app.data("{ ministries { totalCount } }", json!({})).await;
    assert_eq!(
        data["ministries"]["totalCount"], 1,
        "the server keeps serving"
    );
}

#[tokio::test]
async fn playground_and_introspection_can_be_switched_off() {
    let app = spawn_app_with(|s| s.playground = false).await;
    let page = app
        .client
        .get(format!("{}/graphql", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(page.status(), 405, "no GraphiQL page");
    let hidden = app.data("{ __schema { types { name } } }", json!({})).await;
    assert!(
        hidden["__schema"].is_null(),
        "introspection answers nothing"
    );
    let data = app.data("{ ministries { totalCount } }", json!({})).await;
    assert_eq!(data["ministries"]["totalCount"], 0);

    let open = spawn_app().await;
    let schema = open
        .data("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(schema["__schema"]["queryType"]["name"], "Query");
}

#[tokio::test]
async fn a_panic_becomes_a_generic_internal_error_with_a_request_id() {
    let res = tindak::app::panic_response(Box::new("secret detail: boom"));
    assert_eq!(res.status(), 500);
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 16)
        .await
        .expect("body");
    let body: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    let err = &body["errors"][0];
    assert_eq!(err["extensions"]["code"], "INTERNAL");
    let id = err["extensions"]["requestId"].as_str().expect("request id");
    assert!(err["message"].as_str().expect("message").contains(id));
    assert!(
        !body.to_string().contains("boom"),
        "details stay in the log"
    );
}
