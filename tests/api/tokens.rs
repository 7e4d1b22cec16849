//! Bearer tokens: nothing runs without one; they expire, can be revoked, and are never
//! stored in clear.

use sea_orm::{ConnectionTrait, FromQueryResult, JsonValue, Statement};
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn without_a_valid_token_nothing_runs() {
    let app = spawn_app().await;
    let mutation = json!({ "query": "mutation { createMinistry(input: { code: \"X\", name: \"X\", kind: AGENCY }) { id } }" });
    let query = json!({ "query": "{ ministries { totalCount } }" });
    for header in [
        None,
        Some("Bearer tdk_unknown"),
        Some("Bearer nonsense"),
        Some("Basic YWRtaW46YWRtaW4="),
    ] {
        for body in [&query, &mutation] {
            let mut req = app.client.post(format!("{}/graphql", app.base)).json(body);
            if let Some(h) = header {
                req = req.header("authorization", h);
            }
            let res = req.send().await.expect("request");
            assert_eq!(res.status(), 401, "{header:?}");
            assert_eq!(
                res.headers().get("www-authenticate").expect("challenge"),
                "Bearer"
            );
            let body: serde_json::Value = res.json().await.expect("json");
            assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
            assert!(body["data"].is_null());
        }
    }
    assert_eq!(app.count("ministries").await, 0);
    let page = app
        .client
        .get(format!("{}/graphql", app.base))
        .send()
        .await
        .expect("graphiql");
    assert_eq!(page.status(), 200, "GraphiQL's page stays open");
    let health = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn a_token_is_issued_once_used_expires_and_is_revoked() {
    let app = spawn_app().await;
    let user = app
        .data("mutation { createUser(input: { name: \"Sekretariat\", email: \"sek@polkam.go.id\", role: SECRETARIAT }) { id role } }", json!({}))
        .await["createUser"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let issued = app
        .data(
            "mutation($u: ID!) { issueToken(userId: $u, name: \"laptop\", expiresInDays: 30) { token apiToken { id prefix expiresAt lastUsedAt revokedAt } } }",
            json!({ "u": user }),
        )
        .await["issueToken"]
        .clone();
    let token = issued["token"].as_str().expect("token").to_owned();
    assert!(
        token.starts_with("tdk_") && token.len() >= 4 + 43,
        "256 random bits behind the prefix"
    );
    assert!(token.starts_with(issued["apiToken"]["prefix"].as_str().expect("prefix")));
    assert!(issued["apiToken"]["expiresAt"].is_string());
    assert!(issued["apiToken"]["lastUsedAt"].is_null());

    let me = app
        .gql_as(
            &token,
            "{ me { id name role tokens { id lastUsedAt } } }",
            json!({}),
        )
        .await;
    assert_eq!(me["data"]["me"]["id"], user.as_str());
    assert_eq!(me["data"]["me"]["role"], "SECRETARIAT");
    assert!(
        me["data"]["me"]["tokens"][0]["lastUsedAt"].is_string(),
        "last use is recorded"
    );

    // Expiry: move the expiry into the past, as time would.
    app.db
        .execute_raw(Statement::from_sql_and_values(
            app.db.get_database_backend(),
            "UPDATE api_tokens SET expires_at = $1 WHERE prefix = $2",
            [
                (chrono::Utc::now() - chrono::Duration::minutes(1)).into(),
                issued["apiToken"]["prefix"]
                    .as_str()
                    .expect("prefix")
                    .into(),
            ],
        ))
        .await
        .expect("expire");
    // Written behind the server's back (as another replica would): the server's token cache
    // notices within its bound.
    tokio::time::sleep(tindak::auth::cache::TTL).await;
    let res = app
        .post(Some(&token), &json!({ "query": "{ me { id } }" }))
        .await;
    assert_eq!(res.status(), 401, "an expired token is refused");

    let second = app
        .data("mutation($u: ID!) { issueToken(userId: $u, name: \"ponsel\") { token apiToken { id expiresAt } } }", json!({ "u": user }))
        .await["issueToken"]
        .clone();
    assert!(
        second["apiToken"]["expiresAt"].is_null(),
        "no expiry unless asked"
    );
    let second_token = second["token"].as_str().expect("token").to_owned();
    assert_eq!(
        app.post(Some(&second_token), &json!({ "query": "{ me { id } }" }))
            .await
            .status(),
        200
    );
    let revoked = app
        .data(
            "mutation($id: ID!) { revokeToken(id: $id) { revokedAt } }",
            json!({ "id": second["apiToken"]["id"] }),
        )
        .await;
    assert!(revoked["revokeToken"]["revokedAt"].is_string());
    assert_eq!(
        app.post(Some(&second_token), &json!({ "query": "{ me { id } }" }))
            .await
            .status(),
        401,
        "revoked at once"
    );
    app.expect_error(
        "mutation($id: ID!) { revokeToken(id: $id) { id } }",
        json!({ "id": second["apiToken"]["id"] }),
        "BAD_USER_INPUT",
        Some("id"),
    )
    .await;
    app.expect_error(
        "mutation($u: ID!) { issueToken(userId: $u, name: \"x\", expiresInDays: 0) { token } }",
        json!({ "u": user }),
        "BAD_USER_INPUT",
        Some("expiresInDays"),
    )
    .await;
    app.expect_error("mutation { issueToken(userId: \"0190a0b0-0000-7000-8000-000000000000\", name: \"x\") { token } }", json!({}), "NOT_FOUND", Some("userId"))
        .await;

    let users = app
        .data(
            "{ users { totalCount nodes { name tokens { id revokedAt } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        users["users"]["totalCount"], 2,
        "the test's admin and the new user"
    );
}

#[tokio::test]
async fn the_database_holds_no_token_in_clear() {
    let app = spawn_app().await;
    let user = app
        .data(
            "mutation { createUser(input: { name: \"Pimpinan\", role: LEADERSHIP }) { id } }",
            json!({}),
        )
        .await["createUser"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mut tokens = vec![app.admin.clone()];
    for name in ["satu", "dua"] {
        let t = app
            .data(
                "mutation($u: ID!, $n: String!) { issueToken(userId: $u, name: $n) { token } }",
                json!({ "u": user, "n": name }),
            )
            .await["issueToken"]["token"]
            .as_str()
            .expect("token")
            .to_owned();
        tokens.push(t);
    }
    let mut dump = String::new();
    for table in ["users", "api_tokens", "audit_events"] {
        let rows = JsonValue::find_by_statement(Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT * FROM {table}"),
        ))
        .all(&app.db)
        .await
        .expect("dump");
        dump.push_str(&serde_json::to_string(&rows).expect("json"));
    }
    assert!(dump.contains("tdk_"), "the recognisable prefix is kept");
    for token in &tokens {
        let secret = &token[10..];
        assert!(
            !dump.contains(secret),
            "a token's secret part is in the database"
        );
        assert!(
            dump.contains(&tindak::auth::tokens::hash(token)),
            "its hash is"
        );
    }
}

#[tokio::test]
async fn users_are_checked_on_creation() {
    let app = spawn_app().await;
    app.ministry("KEMLU").await;
    app.expect_error(
        "mutation { createUser(input: { name: \"L\", role: LIAISON }) { id } }",
        json!({}),
        "BAD_USER_INPUT",
        Some("input.ministry"),
    )
    .await;
    app.expect_error("mutation { createUser(input: { name: \"S\", role: SECRETARIAT, ministry: { code: \"KEMLU\" } }) { id } }", json!({}), "BAD_USER_INPUT", Some("input.ministry"))
        .await;
    app.expect_error("mutation { createUser(input: { name: \"S\", role: SECRETARIAT, email: \"nope\" }) { id } }", json!({}), "BAD_USER_INPUT", Some("input.email"))
        .await;
    let ok = app
        .data("mutation { createUser(input: { name: \"Liaison Kemlu\", role: LIAISON, ministry: { code: \"kemlu\" } }) { role ministry { code } } }", json!({}))
        .await;
    assert_eq!(
        ok["createUser"],
        json!({ "role": "LIAISON", "ministry": { "code": "KEMLU" } })
    );
}

#[tokio::test]
async fn a_deactivated_user_is_locked_out_until_reactivated() {
    let app = spawn_app().await;
    app.ministry("KEMLU").await;
    let token = app
        .token("Rina", tindak::auth::service::Role::Liaison, Some("KEMLU"))
        .await;
    let me = app.gql_as(&token, "{ me { id } }", json!({})).await;
    let id = me["data"]["me"]["id"].as_str().expect("id").to_owned();
    const UPDATE: &str = "mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { name role active ministry { code } } }";
    let off = app
        .data(UPDATE, json!({ "id": id, "input": { "active": false } }))
        .await;
    assert_eq!(off["updateUser"]["active"], false);
    assert_eq!(
        app.post(Some(&token), &json!({ "query": "{ me { id } }" }))
            .await
            .status(),
        401,
        "every token stops at once"
    );
    app.data(UPDATE, json!({ "id": id, "input": { "active": true } }))
        .await;
    assert_eq!(
        app.post(Some(&token), &json!({ "query": "{ me { id } }" }))
            .await
            .status(),
        200
    );
    app.expect_error(
        UPDATE,
        json!({ "id": id, "input": { "ministry": null } }),
        "BAD_USER_INPUT",
        Some("input.ministry"),
    )
    .await;
    let promoted = app.data(UPDATE, json!({ "id": id, "input": { "role": "SECRETARIAT", "ministry": null, "name": "Rina S." } })).await;
    assert_eq!(
        promoted["updateUser"],
        json!({ "name": "Rina S.", "role": "SECRETARIAT", "active": true, "ministry": null })
    );
    let me = app.gql_as(&token, "{ me { role } }", json!({})).await;
    assert_eq!(
        me["data"]["me"]["role"], "SECRETARIAT",
        "the new role applies to the same token"
    );
}

#[tokio::test]
async fn a_revocation_made_elsewhere_acts_within_the_cache_bound() {
    let app = spawn_app().await;
    let token = app
        .token("Staf", tindak::auth::service::Role::Secretariat, None)
        .await;
    let me = json!({ "query": "{ me { id } }" });
    assert_eq!(app.post(Some(&token), &me).await.status(), 200);
    // Another replica (or `tindak token revoke`) revokes it in the shared database.
    app.db
        .execute_unprepared("UPDATE api_tokens SET revoked_at = created_at")
        .await
        .expect("revoke");
    let started = std::time::Instant::now();
    loop {
        let status = app.post(Some(&token), &me).await.status();
        if status == 401 {
            break;
        }
        assert_eq!(status, 200);
        assert!(
            started.elapsed() <= tindak::auth::cache::TTL + std::time::Duration::from_secs(1),
            "still accepted {:?} after the revocation",
            started.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
