//! An issue carried across three meetings, with actions agreed at each.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const RECORD: &str = r#"mutation($input: RecordMeetingInput!) {
  recordMeeting(input: $input) { id issues { id title } carriedIssues { id } }
}"#;

async fn record(app: &TestApp, title: &str, starts: &str, issues: Value) -> Value {
    app.data(
        RECORD,
        json!({ "input": { "title": title, "startsAt": starts,
                "convenedBy": { "code": "POLKAM" }, "issues": issues } }),
    )
    .await["recordMeeting"]
        .clone()
}

fn act(title: &str, due: &str) -> Value {
    json!({ "title": title, "leadMinistry": { "code": "KEMLU" }, "dueOn": due })
}

#[tokio::test]
async fn an_issue_carried_across_three_meetings_keeps_its_history_and_actions() {
    let app = spawn_app().await;
    for code in ["POLKAM", "KEMLU"] {
        app.ministry(code).await;
    }
    let first = record(
        &app,
        "Rapat 1",
        "2026-01-10T09:00:00+07:00",
        json!([{ "title": "Shelter", "category": "Purna penempatan", "actions": [act("A1", "2026-02-01")] }]),
    )
    .await;
    let issue = first["issues"][0]["id"].as_str().expect("id").to_owned();
    assert_eq!(first["carriedIssues"], json!([]));
    let second = record(
        &app,
        "Rapat 2",
        "2026-02-10T09:00:00+07:00",
        json!([
            { "issueId": issue, "actions": [act("A2", "2026-03-01")] },
            { "title": "Data PMI" }
        ]),
    )
    .await;
    assert_eq!(second["carriedIssues"], json!([{ "id": issue }]));
    assert_eq!(second["issues"].as_array().expect("issues").len(), 2);
    let third = record(
        &app,
        "Rapat 3",
        "2026-03-10T09:00:00+07:00",
        json!([{ "issueId": issue, "actions": [act("A3", "2026-04-01")] }]),
    )
    .await;
    assert_eq!(third["carriedIssues"], json!([{ "id": issue }]));

    let data = app
        .data(
            r#"query($id: ID!) { issue(id: $id) {
                 title category firstRaisedAt version
                 meeting { title }
                 meetings { title }
                 actions { title meeting { title } }
                 updates { meeting { title } fromStatus toStatus }
               } }"#,
            json!({ "id": issue }),
        )
        .await;
    let i = &data["issue"];
    assert_eq!(i["meeting"]["title"], "Rapat 1", "where it was raised");
    assert_eq!(i["firstRaisedAt"], "2026-01-10T09:00:00+07:00");
    assert_eq!(
        i["meetings"],
        json!([{ "title": "Rapat 1" }, { "title": "Rapat 2" }, { "title": "Rapat 3" }])
    );
    let mut actions: Vec<(String, String)> = i["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| {
            (
                a["title"].as_str().expect("t").to_owned(),
                a["meeting"]["title"].as_str().expect("m").to_owned(),
            )
        })
        .collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            ("A1".to_owned(), "Rapat 1".to_owned()),
            ("A2".to_owned(), "Rapat 2".to_owned()),
            ("A3".to_owned(), "Rapat 3".to_owned())
        ]
    );
    assert_eq!(
        i["updates"],
        json!([
            { "meeting": { "title": "Rapat 2" }, "fromStatus": null, "toStatus": null },
            { "meeting": { "title": "Rapat 3" }, "fromStatus": null, "toStatus": null },
        ])
    );
    // The meeting's own list and the issues filter see the carried issue too.
    let listed = app
        .data(
            "query($m: ID!) { issues(filter: { meetingId: $m }) { totalCount } }",
            json!({ "m": third_id(&app, "Rapat 3").await }),
        )
        .await;
    assert_eq!(listed["issues"]["totalCount"], 1);

    // Its status, with a note and the version.
    let version = i["version"].as_i64().expect("version");
    let changed = app
        .data(
            r#"mutation($id: ID!, $v: Int) { changeIssueStatus(id: $id, status: ADDRESSED,
                 note: "Shelter tersedia", expectedVersion: $v) { status version updates { fromStatus toStatus note } } }"#,
            json!({ "id": issue, "v": version }),
        )
        .await;
    let c = &changed["changeIssueStatus"];
    assert_eq!(c["status"], "ADDRESSED");
    assert_eq!(c["version"], version + 1);
    assert_eq!(
        c["updates"][2],
        json!({ "fromStatus": "OPEN", "toStatus": "ADDRESSED", "note": "Shelter tersedia" })
    );
    app.expect_error(
        r#"mutation($id: ID!, $v: Int) { changeIssueStatus(id: $id, status: CLOSED, expectedVersion: $v) { id } }"#,
        json!({ "id": issue, "v": version }),
        "CONFLICT",
        None,
    )
    .await;
    app.expect_error(
        r#"mutation($id: ID!) { changeIssueStatus(id: $id, status: ADDRESSED) { id } }"#,
        json!({ "id": issue }),
        "BAD_USER_INPUT",
        Some("status"),
    )
    .await;
    let audit = app
        .data(
            "query($id: ID!) { auditEvents(filter: { entityId: $id }) { nodes { operation } } }",
            json!({ "id": issue }),
        )
        .await;
    assert!(
        audit["auditEvents"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .any(|e| e["operation"] == "changeIssueStatus")
    );
}

async fn third_id(app: &TestApp, title: &str) -> String {
    let data = app
        .data(
            "query($s: String) { meetings(filter: { search: $s }) { nodes { id title } } }",
            json!({ "s": title }),
        )
        .await;
    data["meetings"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|m| m["title"] == title)
        .expect("meeting")["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

#[tokio::test]
async fn carrying_an_issue_is_checked_and_a_mistake_records_nothing() {
    let app = spawn_app().await;
    for code in ["POLKAM", "KEMLU"] {
        app.ministry(code).await;
    }
    let first = record(
        &app,
        "Rapat 1",
        "2026-02-10T09:00:00+07:00",
        json!([{ "title": "Shelter" }]),
    )
    .await;
    let issue = first["issues"][0]["id"].as_str().expect("id").to_owned();
    let meetings_before = app.count("meetings").await;
    for (issues, field) in [
        (
            json!([{ "issueId": issue, "title": "Both" }]),
            "input.issues[0].issueId",
        ),
        (
            json!([{ "description": "Neither" }]),
            "input.issues[0].title",
        ),
        (
            json!([{ "issueId": "not-an-id" }]),
            "input.issues[0].issueId",
        ),
        (
            json!([{ "issueId": "01900000-0000-7000-8000-000000000000" }]),
            "input.issues[0].issueId",
        ),
        (
            json!([{ "issueId": issue, "category": "X" }]),
            "input.issues[0].category",
        ),
        (
            json!([{ "title": "New" }, { "issueId": issue }, { "issueId": issue }]),
            "input.issues[2].issueId",
        ),
    ] {
        app.expect_error(
            RECORD,
            json!({ "input": { "title": "Rapat 2", "startsAt": "2026-03-10T09:00:00+07:00",
                    "convenedBy": { "code": "POLKAM" }, "issues": issues } }),
            "BAD_USER_INPUT",
            Some(field),
        )
        .await;
    }
    // Not back in time: a meeting before the one that raised the issue.
    app.expect_error(
        RECORD,
        json!({ "input": { "title": "Rapat 0", "startsAt": "2026-01-10T09:00:00+07:00",
                "convenedBy": { "code": "POLKAM" }, "issues": [{ "issueId": issue }] } }),
        "BAD_USER_INPUT",
        Some("input.issues[0].issueId"),
    )
    .await;
    assert_eq!(
        app.count("meetings").await,
        meetings_before,
        "nothing half-written"
    );
    assert_eq!(app.count("issue_meetings").await, 1);
}
