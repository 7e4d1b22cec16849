//! Matters arising on the boundary: due on the meeting's date, completed just before and
//! just after it began, another convener's, a later meeting's.

use chrono::TimeZone;
use entity::action_update;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const RECORD: &str = r#"mutation($input: RecordMeetingInput!) {
  recordMeeting(input: $input) { id actions { id title } }
}"#;

fn act(title: &str, lead: &str, due: &str) -> Value {
    json!({ "title": title, "leadMinistry": { "code": lead }, "dueOn": due })
}

async fn meeting(app: &TestApp, title: &str, starts: &str, by: &str, actions: Value) -> Value {
    app.data(
        RECORD,
        json!({ "input": { "title": title, "startsAt": starts, "convenedBy": { "code": by },
                "actions": actions } }),
    )
    .await["recordMeeting"]
        .clone()
}

fn id_of(m: &Value, title: &str) -> String {
    m["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| a["title"] == title)
        .expect("action")["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// Moves the timeline entries of `action` to these WIB times, in the order written.
async fn backdate(app: &TestApp, action: &str, times: &[(u32, u32, u32, u32)]) {
    let id = uuid::Uuid::parse_str(action).expect("uuid");
    let entries = action_update::Entity::find()
        .filter(action_update::Column::ActionId.eq(id))
        .order_by_asc(action_update::Column::CreatedAt)
        .order_by_asc(action_update::Column::Id)
        .all(&app.db)
        .await
        .expect("timeline");
    assert_eq!(entries.len(), times.len());
    for (e, (m, d, h, min)) in entries.into_iter().zip(times) {
        let at = chrono_tz::Asia::Jakarta
            .with_ymd_and_hms(2026, *m, *d, *h, *min, 0)
            .single()
            .expect("time")
            .to_utc();
        let mut row: action_update::ActiveModel = e.into();
        row.created_at = Set(at);
        row.update(&app.db).await.expect("backdate");
    }
}

async fn status(app: &TestApp, id: &str, to: &str) {
    app.data(
        "mutation($id: ID!, $s: ActionStatus!) { changeActionStatus(id: $id, status: $s) { id } }",
        json!({ "id": id, "s": to }),
    )
    .await;
}

const ARISING: &str = r#"query($m: ID!, $all: Boolean) {
  mattersArising(meetingId: $m, allConveners: $all) {
    meeting { title } asOf totalCount
    byMinistry { ministry { code } actions { action { title } status dueOn daysOverdue lastUpdate { toStatus } } }
  }
}"#;

#[tokio::test]
async fn matters_arising_is_what_was_open_when_the_meeting_began() {
    let app = spawn_app().await;
    for code in ["POLKAM", "KEMLU", "KEMENKES", "BNPB"] {
        app.ministry(code).await;
    }
    let m1 = meeting(
        &app,
        "Rapat 1",
        "2026-01-10T09:00:00+07:00",
        "POLKAM",
        json!([
            act("A", "KEMLU", "2026-02-10"),
            act("B", "KEMLU", "2026-02-01"),
            act("C", "KEMENKES", "2026-02-05"),
            act("D", "KEMENKES", "2026-02-05"),
        ]),
    )
    .await;
    let mx = meeting(
        &app,
        "Rapat lain",
        "2026-01-20T09:00:00+07:00",
        "KEMLU",
        json!([act("E", "BNPB", "2026-02-01")]),
    )
    .await;
    let m2 = meeting(
        &app,
        "Rapat 2",
        "2026-02-10T09:00:00+07:00",
        "POLKAM",
        json!([act("G", "KEMLU", "2026-01-01")]),
    )
    .await;
    meeting(
        &app,
        "Rapat 3",
        "2026-03-10T09:00:00+07:00",
        "POLKAM",
        json!([act("F", "KEMLU", "2026-01-01")]),
    )
    .await;
    // B done at 08:00 on the meeting's day, before it began: not arising.
    status(&app, &id_of(&m1, "B"), "DONE").await;
    backdate(&app, &id_of(&m1, "B"), &[(2, 10, 8, 0)]).await;
    // C in progress on 1 Feb and done at 10:00 on the meeting's day, after it began: arising.
    status(&app, &id_of(&m1, "C"), "IN_PROGRESS").await;
    status(&app, &id_of(&m1, "C"), "DONE").await;
    backdate(&app, &id_of(&m1, "C"), &[(2, 1, 10, 0), (2, 10, 10, 0)]).await;
    status(&app, &id_of(&m1, "D"), "CANCELLED").await;
    backdate(&app, &id_of(&m1, "D"), &[(1, 20, 10, 0)]).await;
    let _ = mx;

    let m2_id = m2["id"].as_str().expect("id");
    let data = app.data(ARISING, json!({ "m": m2_id })).await;
    let a = &data["mattersArising"];
    assert_eq!(a["meeting"]["title"], "Rapat 2");
    assert_eq!(a["asOf"], "2026-02-10T09:00:00+07:00");
    assert_eq!(a["totalCount"], 2);
    assert_eq!(
        a["byMinistry"],
        json!([
            { "ministry": { "code": "KEMENKES" }, "actions": [
                { "action": { "title": "C" }, "status": "IN_PROGRESS", "dueOn": "2026-02-05",
                  "daysOverdue": 5, "lastUpdate": { "toStatus": "IN_PROGRESS" } } ] },
            { "ministry": { "code": "KEMLU" }, "actions": [
                { "action": { "title": "A" }, "status": "OPEN", "dueOn": "2026-02-10",
                  "daysOverdue": 0, "lastUpdate": null } ] },
        ])
    );
    let data = app.data(ARISING, json!({ "m": m2_id, "all": true })).await;
    let a = &data["mattersArising"];
    assert_eq!(a["totalCount"], 3, "with the other convener's E");
    assert_eq!(a["byMinistry"][0]["ministry"]["code"], "BNPB");
    assert_eq!(a["byMinistry"][0]["actions"][0]["daysOverdue"], 9);

    // The first meeting has nothing before it.
    let data = app.data(ARISING, json!({ "m": m1["id"] })).await;
    assert_eq!(data["mattersArising"]["totalCount"], 0);

    // The annex page holds the same.
    let res = app
        .client
        .get(format!(
            "{}/meetings/{m2_id}/matters-arising.html",
            app.base
        ))
        .bearer_auth(&app.admin)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.expect("html");
    let doc = scraper::Html::parse_document(&html);
    let rows = scraper::Selector::parse("tbody tr").expect("selector");
    let titles: Vec<String> = doc
        .select(&rows)
        .map(|r| r.text().collect::<Vec<_>>().join("|"))
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles[0].contains("|C|"), "{titles:?}");
    assert!(titles[1].contains("|A|"), "{titles:?}");
    assert!(html.contains("Selasa, 10 Februari 2026"));

    let missing = app
        .client
        .get(format!(
            "{}/meetings/{}/matters-arising.html",
            app.base,
            uuid::Uuid::now_v7()
        ))
        .bearer_auth(&app.admin)
        .send()
        .await
        .expect("request");
    assert_eq!(missing.status(), 404);
    app.expect_error(
        ARISING,
        json!({ "m": uuid::Uuid::now_v7().to_string() }),
        "NOT_FOUND",
        None,
    )
    .await;
}
