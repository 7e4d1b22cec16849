//! The HTTP surface around GraphQL.

use serde_json::json;

use crate::helpers::spawn_app;

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
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .json(&json!([{ "query": "{ ministries { totalCount } }" }, { "query": "{ ministries { totalCount } }" }]))
        .send()
        .await
        .expect("request");
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
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 413);
    let data = app.data("{ ministries { totalCount } }", json!({})).await;
    assert_eq!(data["ministries"]["totalCount"], 0);
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .json(&json!({ "query": "{ ministries { totalCount } }" }))
        .send()
        .await
        .expect("request");
    let id = res
        .headers()
        .get("x-request-id")
        .expect("x-request-id header");
    assert!(uuid::Uuid::parse_str(id.to_str().expect("ascii")).is_ok());
}
