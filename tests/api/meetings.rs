//! Recording meetings and changing them.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, titles};

const RECORD: &str = r#"mutation($input: RecordMeetingInput!) {
  recordMeeting(input: $input) {
    id title startsAt timeZone version summary sourceUrl
    convenedBy { code }
    attendees { ministry { code } representatives }
    issues { title category status actions { title dueOn originalDueOn priority status leadMinistry { code } supportingMinistries { code } meeting { title } } }
    actions { title issue { title } }
  }
}"#;

async fn ministries(app: &TestApp) {
    for code in ["POLKAM", "KEMLU", "KEMENSOS", "KP2MI"] {
        app.ministry(code).await;
    }
}

fn record_input() -> Value {
    json!({
        "title": "Rapat Koordinasi Pelindungan PMI",
        "startsAt": "2026-01-28T09:00:00+07:00",
        "location": "Tangerang Selatan",
        "chair": "Nur Rokhmah Hidayah",
        "chairPosition": "Asisten Deputi",
        "convenedBy": { "code": "POLKAM" },
        "summary": "Identifikasi masalah pelindungan PMI.",
        "sourceUrl": "https://example.org/rilis",
        "attendees": [
            { "ministry": { "code": "KEMLU" }, "representatives": ["Direktur PWNI", "  "] },
            { "ministry": { "code": "kp2mi" } }
        ],
        "issues": [
            { "title": "Shelter domestik", "category": "Purna penempatan", "actions": [
                { "title": "Inventarisasi shelter", "leadMinistry": { "code": "KEMENSOS" },
                  "supportingMinistries": [{ "code": "KP2MI" }, { "code": "KEMLU" }], "dueOn": "2026-03-06", "priority": "HIGH" }
            ] },
            { "title": "Online scam", "category": "Masa penempatan" }
        ],
        "actions": [
            { "title": "Pedoman pemulangan", "leadMinistry": { "code": "KP2MI" }, "dueOn": "2026-02-27" }
        ]
    })
}

#[tokio::test]
async fn record_meeting_creates_everything_in_one_call() {
    let app = spawn_app().await;
    ministries(&app).await;
    let data = app.data(RECORD, json!({ "input": record_input() })).await;
    let m = &data["recordMeeting"];
    assert_eq!(m["startsAt"], "2026-01-28T09:00:00+07:00");
    assert_eq!(
        m["timeZone"], "Asia/Jakarta",
        "the configured zone by default"
    );
    assert_eq!(m["version"], 1);
    assert_eq!(m["convenedBy"]["code"], "POLKAM");
    assert_eq!(m["attendees"][0]["ministry"]["code"], "KEMLU");
    assert_eq!(
        m["attendees"][0]["representatives"],
        json!(["Direktur PWNI"])
    );
    assert_eq!(
        m["attendees"][1]["ministry"]["code"], "KP2MI",
        "codes are matched case-insensitively"
    );
    assert_eq!(m["attendees"][1]["representatives"], json!([]));
    let shelter = &m["issues"][0];
    assert_eq!(shelter["status"], "OPEN");
    let a = &shelter["actions"][0];
    assert_eq!(a["dueOn"], "2026-03-06");
    assert_eq!(a["originalDueOn"], "2026-03-06");
    assert_eq!(a["priority"], "HIGH");
    assert_eq!(a["status"], "OPEN");
    assert_eq!(a["leadMinistry"]["code"], "KEMENSOS");
    assert_eq!(
        a["supportingMinistries"],
        json!([{ "code": "KP2MI" }, { "code": "KEMLU" }])
    );
    assert_eq!(a["meeting"]["title"], "Rapat Koordinasi Pelindungan PMI");
    assert_eq!(m["issues"][1]["actions"], json!([]));
    assert_eq!(
        titles(&json!({ "nodes": m["actions"] })),
        ["Pedoman pemulangan", "Inventarisasi shelter"]
    );
    assert!(m["actions"][0]["issue"].is_null());

    // Read back through the single-record queries.
    let id = m["id"].as_str().expect("id");
    let again = app
        .data("query($id: ID!) { meeting(id: $id) { title issues { title } } node(id: $id) { __typename id } }", json!({ "id": id }))
        .await;
    assert_eq!(
        again["meeting"]["issues"].as_array().expect("issues").len(),
        2
    );
    assert_eq!(again["node"]["__typename"], "Meeting");
}

#[tokio::test]
async fn a_mistake_anywhere_records_nothing() {
    let app = spawn_app().await;
    ministries(&app).await;
    let mut input = record_input();
    input["issues"][0]["actions"][0]["supportingMinistries"][1] = json!({ "code": "NOPE" });
    let err = app
        .expect_error(
            RECORD,
            json!({ "input": input }),
            "BAD_USER_INPUT",
            Some("input.issues[0].actions[0].supportingMinistries[1]"),
        )
        .await;
    assert!(err["message"].as_str().expect("message").contains("NOPE"));
    for table in [
        "meetings",
        "meeting_attendees",
        "issues",
        "actions",
        "action_supporters",
    ] {
        assert_eq!(app.count(table).await, 0, "{table} must stay empty");
    }
}

#[tokio::test]
async fn update_meeting_checks_the_version_and_replaces_attendees() {
    let app = spawn_app().await;
    ministries(&app).await;
    let data = app.data(RECORD, json!({ "input": record_input() })).await;
    let id = data["recordMeeting"]["id"].as_str().expect("id").to_owned();
    const UPDATE: &str = r#"mutation($id: ID!, $input: UpdateMeetingInput!, $v: Int) {
        updateMeeting(id: $id, input: $input, expectedVersion: $v) {
          title location sourceUrl version timeZone startsAt attendees { ministry { code } } } }"#;
    let updated = app
        .data(
            UPDATE,
            json!({ "id": id, "v": 1, "input": {
                "title": "Rapat Koordinasi (revisi)", "location": null, "timeZone": "Asia/Makassar",
                "attendees": [{ "ministry": { "code": "KEMENSOS" } }] } }),
        )
        .await;
    let m = &updated["updateMeeting"];
    assert_eq!(m["title"], "Rapat Koordinasi (revisi)");
    assert!(m["location"].is_null(), "null clears");
    assert_eq!(
        m["sourceUrl"], "https://example.org/rilis",
        "left out keeps"
    );
    assert_eq!(m["version"], 2);
    assert_eq!(
        m["startsAt"], "2026-01-28T10:00:00+08:00",
        "same instant, shown in the new zone"
    );
    assert_eq!(
        m["attendees"],
        json!([{ "ministry": { "code": "KEMENSOS" } }])
    );

    let err = app
        .expect_error(
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "title": "Stale" } }),
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
    let now = app
        .data(
            "query($id: ID!) { meeting(id: $id) { title version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        now["meeting"],
        json!({ "title": "Rapat Koordinasi (revisi)", "version": 2 })
    );
}

#[tokio::test]
async fn meetings_filter_and_order() {
    let app = spawn_app().await;
    ministries(&app).await;
    for (title, starts, convener, attendee) in [
        ("Rakor A", "2026-01-10T09:00:00+07:00", "POLKAM", "KEMLU"),
        ("Rakor B", "2026-02-10T09:00:00+07:00", "POLKAM", "KEMENSOS"),
        ("Rakor C", "2026-03-10T09:00:00+07:00", "KP2MI", "KEMLU"),
    ] {
        app.data(
            "mutation($input: RecordMeetingInput!) { recordMeeting(input: $input) { id } }",
            json!({ "input": { "title": title, "startsAt": starts, "convenedBy": { "code": convener },
                    "attendees": [{ "ministry": { "code": attendee } }] } }),
        )
        .await;
    }
    const LIST: &str = "query($f: MeetingFilter, $o: MeetingOrder) { meetings(filter: $f, orderBy: $o) { totalCount nodes { title } } }";
    let all = app.data(LIST, json!({})).await;
    assert_eq!(
        titles(&all["meetings"]),
        ["Rakor C", "Rakor B", "Rakor A"],
        "newest first by default"
    );
    let asc = app
        .data(
            LIST,
            json!({ "o": { "field": "STARTS_AT", "direction": "ASC" } }),
        )
        .await;
    assert_eq!(titles(&asc["meetings"]), ["Rakor A", "Rakor B", "Rakor C"]);
    let created = app
        .data(
            LIST,
            json!({ "o": { "field": "CREATED_AT", "direction": "ASC" } }),
        )
        .await;
    assert_eq!(
        titles(&created["meetings"]),
        ["Rakor A", "Rakor B", "Rakor C"]
    );
    let by_convener = app
        .data(LIST, json!({ "f": { "convenedBy": { "code": "POLKAM" } } }))
        .await;
    assert_eq!(titles(&by_convener["meetings"]), ["Rakor B", "Rakor A"]);
    let by_attendee = app
        .data(LIST, json!({ "f": { "attendee": { "code": "KEMLU" } } }))
        .await;
    assert_eq!(titles(&by_attendee["meetings"]), ["Rakor C", "Rakor A"]);
    let window = app
        .data(LIST, json!({ "f": { "startsAfter": "2026-02-01T00:00:00+07:00", "startsBefore": "2026-03-01T00:00:00Z" } }))
        .await;
    assert_eq!(titles(&window["meetings"]), ["Rakor B"]);
    let search = app
        .data(LIST, json!({ "f": { "search": "rakor c" } }))
        .await;
    assert_eq!(search["meetings"]["totalCount"], 1);
}

#[tokio::test]
async fn issues_are_added_updated_and_filtered() {
    let app = spawn_app().await;
    ministries(&app).await;
    let data = app.data(RECORD, json!({ "input": record_input() })).await;
    let meeting = data["recordMeeting"]["id"].as_str().expect("id").to_owned();
    let other = app.meeting("Rakor lain", "KP2MI").await;
    let added = app
        .data(
            "mutation($input: AddIssueInput!) { addIssue(input: $input) { id title category status meeting { id } } }",
            json!({ "input": { "meetingId": meeting, "title": "Regulasi efek jera", "category": "Lintas tahap" } }),
        )
        .await;
    let issue = added["addIssue"]["id"].as_str().expect("id").to_owned();
    assert_eq!(added["addIssue"]["meeting"]["id"], meeting.as_str());
    app.data(
        "mutation($input: AddIssueInput!) { addIssue(input: $input) { id } }",
        json!({ "input": { "meetingId": other, "title": "Isu lain", "category": "lintas TAHAP" } }),
    )
    .await;

    let updated = app
        .data(
            "mutation($id: ID!, $input: UpdateIssueInput!) { updateIssue(id: $id, input: $input) { title status description category } }",
            json!({ "id": issue, "input": { "status": "ADDRESSED", "description": "Sudah dibahas" } }),
        )
        .await;
    assert_eq!(
        updated["updateIssue"],
        json!({ "title": "Regulasi efek jera", "status": "ADDRESSED", "description": "Sudah dibahas", "category": "Lintas tahap" })
    );

    const LIST: &str =
        "query($f: IssueFilter) { issues(filter: $f) { totalCount nodes { title } } }";
    let of_meeting = app
        .data(LIST, json!({ "f": { "meetingId": meeting } }))
        .await;
    assert_eq!(
        titles(&of_meeting["issues"]),
        ["Shelter domestik", "Online scam", "Regulasi efek jera"]
    );
    let addressed = app
        .data(LIST, json!({ "f": { "status": ["ADDRESSED"] } }))
        .await;
    assert_eq!(titles(&addressed["issues"]), ["Regulasi efek jera"]);
    let category = app
        .data(LIST, json!({ "f": { "category": "Lintas Tahap" } }))
        .await;
    assert_eq!(
        titles(&category["issues"]),
        ["Regulasi efek jera", "Isu lain"]
    );
    let search = app
        .data(LIST, json!({ "f": { "search": "SHELTER" } }))
        .await;
    assert_eq!(titles(&search["issues"]), ["Shelter domestik"]);
    let one = app
        .data(
            "query($id: ID!) { issue(id: $id) { title } node(id: $id) { __typename } }",
            json!({ "id": issue }),
        )
        .await;
    assert_eq!(one["node"]["__typename"], "Issue");

    // An action may only address an issue of its own meeting.
    app.expect_error(
        "mutation($input: CreateActionInput!) { createAction(input: $input) { id } }",
        json!({ "input": { "meetingId": other, "issueId": issue, "title": "X", "leadMinistry": { "code": "KEMLU" }, "dueOn": "2026-05-01" } }),
        "BAD_USER_INPUT",
        Some("input.issueId"),
    )
    .await;
}
