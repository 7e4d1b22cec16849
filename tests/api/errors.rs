//! Bad input gets a clear error with a code and the field: never a 500, a panic or a
//! half-written record.

use serde_json::json;

use crate::helpers::{TestApp, spawn_app};

const CREATE: &str = "mutation($input: CreateActionInput!) { createAction(input: $input) { id } }";

async fn setup() -> (TestApp, String) {
    let app = spawn_app().await;
    app.ministry("KEMLU").await;
    let meeting = app.meeting("Rakor", "KEMLU").await;
    (app, meeting)
}

#[tokio::test]
async fn bad_action_input_names_the_field() {
    let (app, meeting) = setup().await;
    let good = json!({ "meetingId": meeting, "title": "Judul", "leadMinistry": { "code": "KEMLU" }, "dueOn": "2026-05-01" });
    let with = |key: &str, value: serde_json::Value| {
        let mut input = good.clone();
        input[key] = value;
        json!({ "input": input })
    };
    let err = app
        .expect_error(
            CREATE,
            with("leadMinistry", json!({ "code": "KEMENXYZ" })),
            "BAD_USER_INPUT",
            Some("input.leadMinistry"),
        )
        .await;
    assert!(
        err["message"]
            .as_str()
            .expect("message")
            .contains("KEMENXYZ")
    );
    app.expect_error(
        CREATE,
        with("leadMinistry", json!({ "id": "nope" })),
        "BAD_USER_INPUT",
        Some("input.leadMinistry"),
    )
    .await;
    app.expect_error(
        CREATE,
        with("leadMinistry", json!({ "id": meeting, "code": "KEMLU" })),
        "BAD_USER_INPUT",
        Some("input.leadMinistry"),
    )
    .await;
    app.expect_error(
        CREATE,
        with("title", json!("   ")),
        "BAD_USER_INPUT",
        Some("input.title"),
    )
    .await;
    app.expect_error(
        CREATE,
        with("title", json!("x".repeat(301))),
        "BAD_USER_INPUT",
        Some("input.title"),
    )
    .await;
    app.expect_error(
        CREATE,
        with("dueOn", json!("2026-02-30")),
        "BAD_USER_INPUT",
        Some("input.dueOn"),
    )
    .await;
    app.expect_error(
        CREATE,
        with("dueOn", json!("besok")),
        "BAD_USER_INPUT",
        Some("input.dueOn"),
    )
    .await;
    app.expect_error(
        CREATE,
        with("priority", json!("VERY")),
        "BAD_USER_INPUT",
        Some("input.priority"),
    )
    .await;
    app.expect_error(
        CREATE,
        with("meetingId", json!("0190a0b0-0000-7000-8000-000000000000")),
        "BAD_USER_INPUT",
        Some("input.meetingId"),
    )
    .await;
    app.expect_error(
        CREATE,
        with("meetingId", json!("12")),
        "BAD_USER_INPUT",
        Some("input.meetingId"),
    )
    .await;
    app.expect_error(
        CREATE,
        with("issueId", json!(meeting)),
        "BAD_USER_INPUT",
        Some("input.issueId"),
    )
    .await;
    assert_eq!(app.count("actions").await, 0, "nothing was written");
    assert_eq!(app.count("action_supporters").await, 0);

    // Inline literals are checked the same way.
    app.expect_error(
        &format!(r#"mutation {{ createAction(input: {{ meetingId: "{meeting}", title: "x", leadMinistry: {{ code: "KEMLU" }}, dueOn: "28/01/2026" }}) {{ id }} }}"#),
        json!({}),
        "BAD_USER_INPUT",
        Some("input.dueOn"),
    )
    .await;
}

#[tokio::test]
async fn bad_meeting_input_names_the_field() {
    let (app, _) = setup().await;
    const RECORD: &str =
        "mutation($input: RecordMeetingInput!) { recordMeeting(input: $input) { id } }";
    let good = json!({ "title": "Rakor", "startsAt": "2026-01-28T09:00:00+07:00", "convenedBy": { "code": "KEMLU" } });
    let with = |key: &str, value: serde_json::Value| {
        let mut input = good.clone();
        input[key] = value;
        json!({ "input": input })
    };
    app.expect_error(
        RECORD,
        with("startsAt", json!("2026-01-28 09:00")),
        "BAD_USER_INPUT",
        Some("input.startsAt"),
    )
    .await;
    app.expect_error(
        RECORD,
        with("timeZone", json!("Jakarta/Timur")),
        "BAD_USER_INPUT",
        Some("input.timeZone"),
    )
    .await;
    app.expect_error(
        RECORD,
        with("sourceUrl", json!("ftp://x")),
        "BAD_USER_INPUT",
        Some("input.sourceUrl"),
    )
    .await;
    app.expect_error(
        RECORD,
        with("convenedBy", json!({ "code": "NONE" })),
        "BAD_USER_INPUT",
        Some("input.convenedBy"),
    )
    .await;
    app.expect_error(
        RECORD,
        with(
            "attendees",
            json!([{ "ministry": { "code": "KEMLU" } }, { "ministry": { "code": "kemlu" } }]),
        ),
        "BAD_USER_INPUT",
        Some("input.attendees[1].ministry"),
    )
    .await;
    app.expect_error(
        RECORD,
        with("issues", json!([{ "title": "ok" }, { "title": "" }])),
        "BAD_USER_INPUT",
        Some("input.issues[1].title"),
    )
    .await;
    assert_eq!(app.count("meetings").await, 1, "only the setup's meeting");
    assert_eq!(app.count("issues").await, 0);
}

#[tokio::test]
async fn unknown_and_malformed_ids() {
    let (app, _) = setup().await;
    let unknown = "0190a0b0-0000-7000-8000-000000000000";
    for query in [
        "query($id: ID!) { action(id: $id) { id } }",
        "query($id: ID!) { meeting(id: $id) { id } }",
        "query($id: ID!) { issue(id: $id) { id } }",
        "query($id: ID!) { node(id: $id) { id } }",
    ] {
        let data = app.data(query, json!({ "id": unknown })).await;
        assert!(
            data.as_object()
                .expect("data")
                .values()
                .all(|v| v.is_null()),
            "unknown id reads as null: {query}"
        );
        app.expect_error(
            query,
            json!({ "id": "garbage" }),
            "BAD_USER_INPUT",
            Some("id"),
        )
        .await;
    }
    for mutation in [
        "mutation($id: ID!) { updateAction(id: $id, input: { title: \"x\" }) { id } }",
        "mutation($id: ID!) { changeActionStatus(id: $id, status: DONE) { id } }",
        "mutation($id: ID!) { updateMeeting(id: $id, input: { title: \"x\" }) { id } }",
        "mutation($id: ID!) { updateIssue(id: $id, input: { title: \"x\" }) { id } }",
        "mutation($id: ID!) { updateMinistry(id: $id, input: { name: \"x\" }) { id } }",
        "mutation($id: ID!) { updateLiaison(id: $id, input: { name: \"x\" }) { id } }",
    ] {
        app.expect_error(mutation, json!({ "id": unknown }), "NOT_FOUND", Some("id"))
            .await;
        app.expect_error(
            mutation,
            json!({ "id": "garbage" }),
            "BAD_USER_INPUT",
            Some("id"),
        )
        .await;
    }
    app.expect_error(
        "mutation($id: ID!) { addActionUpdate(actionId: $id, note: \"x\") { id } }",
        json!({ "id": unknown }),
        "NOT_FOUND",
        Some("actionId"),
    )
    .await;
}

#[tokio::test]
async fn malformed_requests_and_filters() {
    let (app, _) = setup().await;
    app.expect_error(
        "{ actions { nodes { title } ",
        json!({}),
        "BAD_USER_INPUT",
        None,
    )
    .await;
    app.expect_error(
        "{ actions { nodes { nosuchfield } } }",
        json!({}),
        "BAD_USER_INPUT",
        None,
    )
    .await;
    app.expect_error(
        "{ actions(filter: { dueFrom: \"2026-03-01\", dueTo: \"2026-02-01\" }) { totalCount } }",
        json!({}),
        "BAD_USER_INPUT",
        Some("filter.dueTo"),
    )
    .await;
    app.expect_error(
        "{ actions(filter: { ministry: { code: \"NOPE\" } }) { totalCount } }",
        json!({}),
        "BAD_USER_INPUT",
        Some("filter.ministry"),
    )
    .await;
    app.expect_error(
        "{ actions(filter: { meetingId: \"x\" }) { totalCount } }",
        json!({}),
        "BAD_USER_INPUT",
        Some("filter.meetingId"),
    )
    .await;
    app.expect_error(
        "{ ministry(id: \"x\", code: \"KEMLU\") { id } }",
        json!({}),
        "BAD_USER_INPUT",
        Some("id"),
    )
    .await;
    let deep = format!(
        "{{ ministries {{ nodes {{ {} code {} }} }} }}",
        "parent { ".repeat(30),
        "}".repeat(30)
    );
    let err = app
        .expect_error(&deep, json!({}), "BAD_USER_INPUT", None)
        .await;
    assert!(
        err["message"].as_str().expect("message").contains("deep"),
        "{err:#}"
    );
    // The server keeps serving.
    let data = app.data("{ ministries { totalCount } }", json!({})).await;
    assert_eq!(data["ministries"]["totalCount"], 1);
}
