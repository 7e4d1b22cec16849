//! The rules of actions: rescheduling, status changes, versions and the timeline.

use serde_json::json;

use crate::helpers::{TestApp, spawn_app};

const STATUS: &str = "mutation($id: ID!, $s: ActionStatus!, $note: String, $v: Int) {
  changeActionStatus(id: $id, status: $s, note: $note, expectedVersion: $v) { status completedOn version } }";
const UPDATE: &str = "mutation($id: ID!, $input: UpdateActionInput!, $v: Int) {
  updateAction(id: $id, input: $input, expectedVersion: $v) {
    title description dueOn originalDueOn priority version leadMinistry { code } supportingMinistries { code } issue { title } } }";
const TIMELINE: &str = "query($id: ID!) { action(id: $id) { version status dueOn
  updates { note fromStatus toStatus previousDueOn newDueOn author createdAt } } }";

async fn setup() -> (TestApp, String, String) {
    let app = spawn_app().await;
    for code in ["POLKAM", "KEMLU", "KEMSOS", "KP2MI"] {
        app.ministry(code).await;
    }
    let meeting = app.meeting("Rakor", "POLKAM").await;
    let action = app
        .action(&meeting, "Menyusun pedoman", "KP2MI", "2026-03-13")
        .await;
    (app, meeting, action["id"].as_str().expect("id").to_owned())
}

fn today(app: &TestApp) -> String {
    app.settings.today().format("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn status_changes_record_completion_and_the_timeline() {
    let (app, _, id) = setup().await;
    let started = app
        .data(STATUS, json!({ "id": id, "s": "IN_PROGRESS", "v": 1 }))
        .await;
    assert_eq!(
        started["changeActionStatus"],
        json!({ "status": "IN_PROGRESS", "completedOn": null, "version": 2 })
    );
    let done = app
        .data(
            STATUS,
            json!({ "id": id, "s": "DONE", "note": "Pedoman disahkan" }),
        )
        .await;
    assert_eq!(done["changeActionStatus"]["completedOn"], today(&app));
    assert_eq!(done["changeActionStatus"]["version"], 3);
    let reopened = app
        .data(
            STATUS,
            json!({ "id": id, "s": "OPEN", "note": "Perlu revisi" }),
        )
        .await;
    assert!(
        reopened["changeActionStatus"]["completedOn"].is_null(),
        "reopening clears completedOn"
    );

    let t = app.data(TIMELINE, json!({ "id": id })).await;
    let updates = t["action"]["updates"].as_array().expect("updates");
    let steps: Vec<(&str, &str)> = updates
        .iter()
        .map(|u| {
            (
                u["fromStatus"].as_str().expect("from"),
                u["toStatus"].as_str().expect("to"),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("OPEN", "IN_PROGRESS"),
            ("IN_PROGRESS", "DONE"),
            ("DONE", "OPEN")
        ]
    );
    assert!(updates[0]["note"].is_null());
    assert_eq!(updates[1]["note"], "Pedoman disahkan");

    app.expect_error(
        STATUS,
        json!({ "id": id, "s": "OPEN" }),
        "BAD_USER_INPUT",
        Some("status"),
    )
    .await;
    let cancelled = app
        .data(STATUS, json!({ "id": id, "s": "CANCELLED" }))
        .await;
    assert!(cancelled["changeActionStatus"]["completedOn"].is_null());
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_changes_nothing() {
    let (app, _, id) = setup().await;
    app.data(STATUS, json!({ "id": id, "s": "IN_PROGRESS", "v": 1 }))
        .await;
    let err = app
        .expect_error(
            STATUS,
            json!({ "id": id, "s": "DONE", "v": 1 }),
            "CONFLICT",
            None,
        )
        .await;
    assert!(
        err["message"]
            .as_str()
            .expect("message")
            .contains("version 2")
    );
    app.expect_error(
        UPDATE,
        json!({ "id": id, "v": 1, "input": { "title": "Lain", "dueOn": "2026-12-31" } }),
        "CONFLICT",
        None,
    )
    .await;
    let t = app.data(TIMELINE, json!({ "id": id })).await;
    assert_eq!(t["action"]["version"], 2);
    assert_eq!(t["action"]["status"], "IN_PROGRESS");
    assert_eq!(t["action"]["dueOn"], "2026-03-13");
    assert_eq!(t["action"]["updates"].as_array().expect("updates").len(), 1);
}

#[tokio::test]
async fn rescheduling_keeps_the_original_due_date_and_says_why() {
    let (app, _, id) = setup().await;
    let moved = app
        .data(UPDATE, json!({ "id": id, "v": 1, "input": { "dueOn": "2026-04-17", "note": "Menunggu harmonisasi" } }))
        .await;
    let a = &moved["updateAction"];
    assert_eq!(a["dueOn"], "2026-04-17");
    assert_eq!(a["originalDueOn"], "2026-03-13");
    assert_eq!(a["version"], 2);
    let again = app
        .data(
            UPDATE,
            json!({ "id": id, "input": { "dueOn": "2026-05-08" } }),
        )
        .await;
    assert_eq!(
        again["updateAction"]["originalDueOn"], "2026-03-13",
        "the first deadline stays"
    );

    let t = app.data(TIMELINE, json!({ "id": id })).await;
    let updates = t["action"]["updates"].as_array().expect("updates");
    assert_eq!(updates.len(), 2);
    assert_eq!(updates[0]["previousDueOn"], "2026-03-13");
    assert_eq!(updates[0]["newDueOn"], "2026-04-17");
    assert_eq!(updates[0]["note"], "Menunggu harmonisasi");
    assert_eq!(updates[1]["previousDueOn"], "2026-04-17");
    assert_eq!(updates[1]["newDueOn"], "2026-05-08");
    assert!(updates.iter().all(|u| u["fromStatus"].is_null()));

    // A change that moves no date writes no timeline entry.
    app.data(
        UPDATE,
        json!({ "id": id, "input": { "priority": "URGENT" } }),
    )
    .await;
    let t = app.data(TIMELINE, json!({ "id": id })).await;
    assert_eq!(t["action"]["updates"].as_array().expect("updates").len(), 2);
}

#[tokio::test]
async fn update_action_changes_lead_supporters_and_issue() {
    let (app, meeting, id) = setup().await;
    let issue = app
        .data(
            "mutation($input: AddIssueInput!) { addIssue(input: $input) { id } }",
            json!({ "input": { "meetingId": meeting, "title": "Pemulangan" } }),
        )
        .await["addIssue"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let a = app
        .data(
            UPDATE,
            json!({ "id": id, "input": { "title": "Mengesahkan pedoman", "description": "Rinci", "issueId": issue,
                    "supportingMinistries": [{ "code": "KEMLU" }, { "code": "KEMSOS" }, { "code": "kemlu" }] } }),
        )
        .await;
    assert_eq!(
        a["updateAction"]["supportingMinistries"],
        json!([{ "code": "KEMLU" }, { "code": "KEMSOS" }]),
        "duplicates collapse"
    );
    assert_eq!(a["updateAction"]["issue"]["title"], "Pemulangan");
    // A supporter that becomes lead stops supporting.
    let b = app
        .data(
            UPDATE,
            json!({ "id": id, "input": { "leadMinistry": { "code": "KEMLU" }, "issueId": null } }),
        )
        .await;
    assert_eq!(b["updateAction"]["leadMinistry"]["code"], "KEMLU");
    assert_eq!(
        b["updateAction"]["supportingMinistries"],
        json!([{ "code": "KEMSOS" }])
    );
    assert!(b["updateAction"]["issue"].is_null());
    app.expect_error(
        UPDATE,
        json!({ "id": id, "input": { "supportingMinistries": [{ "code": "KEMLU" }] } }),
        "BAD_USER_INPUT",
        Some("input.supportingMinistries[0]"),
    )
    .await;
    let ministry = app
        .data(
            r#"{ ministry(code: "KEMSOS") { actions { totalCount nodes { title } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        ministry["ministry"]["actions"]["totalCount"], 1,
        "supported actions count for the supporter"
    );
}

#[tokio::test]
async fn progress_notes_join_the_timeline() {
    let (app, _, id) = setup().await;
    let note = app
        .data(
            "mutation($id: ID!) { addActionUpdate(actionId: $id, note: \"Draf sudah beredar\") { id note toStatus } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(note["addActionUpdate"]["note"], "Draf sudah beredar");
    assert!(note["addActionUpdate"]["toStatus"].is_null());
    let update_id = note["addActionUpdate"]["id"].as_str().expect("id");
    let node = app
        .data(
            "query($id: ID!) { node(id: $id) { __typename } }",
            json!({ "id": update_id }),
        )
        .await;
    assert_eq!(node["node"]["__typename"], "ActionUpdate");
    app.expect_error(
        "mutation($id: ID!) { addActionUpdate(actionId: $id, note: \"  \") { id } }",
        json!({ "id": id }),
        "BAD_USER_INPUT",
        Some("note"),
    )
    .await;
    let t = app.data(TIMELINE, json!({ "id": id })).await;
    assert_eq!(t["action"]["updates"].as_array().expect("updates").len(), 1);
    assert_eq!(
        t["action"]["version"], 1,
        "a note does not change the action itself"
    );
}

#[tokio::test]
async fn overdue_is_judged_on_the_day_asked() {
    let (app, _, id) = setup().await;
    const Q: &str = "query($id: ID!) { action(id: $id) {
        before: isOverdue(asOf: \"2026-03-13\") onTime: daysOverdue(asOf: \"2026-03-13\")
        after: isOverdue(asOf: \"2026-03-16\") late: daysOverdue(asOf: \"2026-03-16\") } }";
    let a = app.data(Q, json!({ "id": id })).await;
    assert_eq!(
        a["action"],
        json!({ "before": false, "onTime": 0, "after": true, "late": 3 })
    );
    app.data(STATUS, json!({ "id": id, "s": "DONE" })).await;
    let a = app.data(Q, json!({ "id": id })).await;
    assert_eq!(
        a["action"],
        json!({ "before": false, "onTime": 0, "after": false, "late": 0 }),
        "done is never overdue"
    );
}
