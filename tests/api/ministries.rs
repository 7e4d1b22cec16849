//! Ministries and their liaisons.

use serde_json::json;

use crate::helpers::spawn_app;

const CREATE: &str = "mutation($input: CreateMinistryInput!) { createMinistry(input: $input) { id code name shortName kind parent { code } } }";
const UPDATE: &str = "mutation($id: ID!, $input: UpdateMinistryInput!) { updateMinistry(id: $id, input: $input) { code name shortName kind parent { code } } }";

#[tokio::test]
async fn ministries_are_created_found_updated_and_listed() {
    let app = spawn_app().await;
    let parent = app
        .data(CREATE, json!({ "input": { "code": "kemenko-polkam", "name": "Kementerian Koordinator Bidang Politik dan Keamanan", "shortName": "Kemenko Polkam", "kind": "COORDINATING_MINISTRY" } }))
        .await;
    assert_eq!(
        parent["createMinistry"]["code"], "KEMENKO-POLKAM",
        "codes are stored upper-case"
    );
    let unit = app
        .data(CREATE, json!({ "input": { "code": "POLKAM-KSA", "name": "Asdep Kerja Sama Asia", "kind": "OTHER", "parent": { "code": "KEMENKO-POLKAM" } } }))
        .await;
    assert_eq!(unit["createMinistry"]["parent"]["code"], "KEMENKO-POLKAM");
    let kemlu = app.ministry("KEMLU").await;

    let by_code = app
        .data(r#"{ ministry(code: "kemlu") { id name } }"#, json!({}))
        .await;
    assert_eq!(by_code["ministry"]["id"], kemlu.as_str());
    let by_id = app
        .data(
            "query($id: ID) { ministry(id: $id) { code } }",
            json!({ "id": kemlu }),
        )
        .await;
    assert_eq!(by_id["ministry"]["code"], "KEMLU");
    let missing = app
        .data(r#"{ ministry(code: "NONE") { id } }"#, json!({}))
        .await;
    assert!(missing["ministry"].is_null());

    let updated = app
        .data(UPDATE, json!({ "id": kemlu, "input": { "name": "Kementerian Luar Negeri", "shortName": "Kemlu", "kind": "MINISTRY" } }))
        .await;
    assert_eq!(
        updated["updateMinistry"],
        json!({ "code": "KEMLU", "name": "Kementerian Luar Negeri", "shortName": "Kemlu", "kind": "MINISTRY", "parent": null })
    );
    let cleared = app
        .data(
            UPDATE,
            json!({ "id": kemlu, "input": { "shortName": null } }),
        )
        .await;
    assert!(cleared["updateMinistry"]["shortName"].is_null());

    const LIST: &str =
        "query($f: MinistryFilter) { ministries(filter: $f) { totalCount nodes { code } } }";
    let all = app.data(LIST, json!({})).await;
    assert_eq!(
        all["ministries"]["nodes"],
        json!([{ "code": "KEMENKO-POLKAM" }, { "code": "KEMLU" }, { "code": "POLKAM-KSA" }])
    );
    let coordinating = app
        .data(LIST, json!({ "f": { "kind": ["COORDINATING_MINISTRY"] } }))
        .await;
    assert_eq!(coordinating["ministries"]["totalCount"], 1);
    let search = app
        .data(LIST, json!({ "f": { "search": "luar negeri" } }))
        .await;
    assert_eq!(search["ministries"]["nodes"], json!([{ "code": "KEMLU" }]));
    let children = app
        .data(
            LIST,
            json!({ "f": { "parent": { "code": "KEMENKO-POLKAM" } } }),
        )
        .await;
    assert_eq!(
        children["ministries"]["nodes"],
        json!([{ "code": "POLKAM-KSA" }])
    );
}

#[tokio::test]
async fn ministry_codes_are_unique_and_units_cannot_contain_themselves() {
    let app = spawn_app().await;
    let top = app.ministry("TOP").await;
    app.data(CREATE, json!({ "input": { "code": "SUB", "name": "Sub", "kind": "OTHER", "parent": { "id": top } } })).await;
    let err = app
        .expect_error(
            CREATE,
            json!({ "input": { "code": "top", "name": "Again", "kind": "AGENCY" } }),
            "BAD_USER_INPUT",
            Some("input.code"),
        )
        .await;
    assert!(err["message"].as_str().expect("message").contains("TOP"));
    app.expect_error(
        UPDATE,
        json!({ "id": top, "input": { "parent": { "code": "SUB" } } }),
        "BAD_USER_INPUT",
        Some("input.parent"),
    )
    .await;
    app.expect_error(
        UPDATE,
        json!({ "id": top, "input": { "code": "SUB" } }),
        "BAD_USER_INPUT",
        Some("input.code"),
    )
    .await;
    app.expect_error(
        CREATE,
        json!({ "input": { "code": "A B", "name": "x", "kind": "AGENCY" } }),
        "BAD_USER_INPUT",
        Some("input.code"),
    )
    .await;
    assert_eq!(app.count("ministries").await, 2);
}

#[tokio::test]
async fn liaisons_are_added_changed_and_removed_without_losing_history() {
    let app = spawn_app().await;
    app.ministry("KEMLU").await;
    app.ministry("KEMSOS").await;
    const ADD: &str = "mutation($input: AddLiaisonInput!) { addLiaison(input: $input) { id name email position language receivesReminders active ministry { code } } }";
    let added = app
        .data(ADD, json!({ "input": { "ministry": { "code": "KEMLU" }, "name": "Dewi", "email": " dewi@kemlu.go.id ", "position": "Analis" } }))
        .await;
    let l = &added["addLiaison"];
    assert_eq!(l["email"], "dewi@kemlu.go.id");
    assert_eq!(l["language"], "ID", "Indonesian by default");
    assert_eq!(l["receivesReminders"], true);
    assert_eq!(l["active"], true);
    let id = l["id"].as_str().expect("id").to_owned();

    let updated = app
        .data(
            "mutation($id: ID!, $input: UpdateLiaisonInput!) { updateLiaison(id: $id, input: $input) { language receivesReminders position ministry { code } } }",
            json!({ "id": id, "input": { "language": "EN", "receivesReminders": false, "position": null, "ministry": { "code": "KEMSOS" } } }),
        )
        .await;
    assert_eq!(
        updated["updateLiaison"],
        json!({ "language": "EN", "receivesReminders": false, "position": null, "ministry": { "code": "KEMSOS" } })
    );

    let removed = app
        .data(
            "mutation($id: ID!) { removeLiaison(id: $id) { active } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(removed["removeLiaison"]["active"], false);
    let listed = app
        .data(r#"{ ministry(code: "KEMSOS") { liaisons { id } all: liaisons(includeInactive: true) { id name } } }"#, json!({}))
        .await;
    assert_eq!(
        listed["ministry"]["liaisons"],
        json!([]),
        "removed liaisons get nothing"
    );
    assert_eq!(
        listed["ministry"]["all"],
        json!([{ "id": id, "name": "Dewi" }]),
        "history keeps them"
    );
    let node = app
        .data(
            "query($id: ID!) { node(id: $id) { __typename ... on Liaison { name } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        node["node"],
        json!({ "__typename": "Liaison", "name": "Dewi" })
    );

    app.expect_error(ADD, json!({ "input": { "ministry": { "code": "KEMLU" }, "name": "X", "email": "not-an-email" } }), "BAD_USER_INPUT", Some("input.email"))
        .await;
    app.expect_error(
        ADD,
        json!({ "input": { "ministry": { "code": "NOPE" }, "name": "X", "email": "x@y.id" } }),
        "BAD_USER_INPUT",
        Some("input.ministry"),
    )
    .await;
    app.expect_error(
        "mutation { removeLiaison(id: \"0190a0b0-0000-7000-8000-000000000000\") { id } }",
        json!({}),
        "NOT_FOUND",
        Some("id"),
    )
    .await;
}
