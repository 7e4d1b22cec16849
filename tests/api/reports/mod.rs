//! Status reports: a small registry with a history written at known instants, whose figures
//! are worked out by hand below, read back through the query, the downloads and the page.
//!
//! Ministries KEMLU (A), KEMENKES (B), BNPB (C). Times are WIB (UTC+7).
//!
//! | action | meeting | issue (category) | lead | supporters | due | history |
//! |---|---|---|---|---|---|---|
//! | X1 | M1 10 Jan, by A | I1 (Pra-penempatan) | A | B | 1 Feb, HIGH | 20 Jan IN_PROGRESS; 25 Jan due moved to 20 Feb; 18 Feb DONE |
//! | X2 | M1 | I1 | B | A, C | 15 Feb | 10 Feb IN_PROGRESS; 10 Mar DONE (late) |
//! | X3 | M1 | I2 (Purna penempatan) | A | C | 1 Mar | 5 Feb a note; 16 Mar 00:30 BLOCKED |
//! | X4 | M1 | I2 | C | | 31 Jan | 10 Feb CANCELLED |
//! | X5 | M2 5 Mar, by B | I3 (none) | B | | 20 Mar | |
//! | X6 | M2 | I3 | A | B | 30 Apr | 1 Apr IN_PROGRESS; 25 Apr DONE; 2 May back to IN_PROGRESS |
//!
//! X3's BLOCKED entry is at 00:30 WIB on 16 March, which is still 15 March in UTC: a report
//! for 15 March that judged days in UTC would count it.

mod exports;
mod links;
mod medians;
mod page;
mod query;

use chrono::{NaiveDate, TimeZone};
use entity::{action, action_update};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// The registry's actions by name, with their IDs.
pub struct Registry {
    pub ids: std::collections::HashMap<&'static str, String>,
    pub m1: String,
    pub m2: String,
}

pub const RECORD: &str = r#"mutation($input: RecordMeetingInput!) {
  recordMeeting(input: $input) { id issues { actions { id title } } }
}"#;

pub fn act(title: &str, lead: &str, supporters: &[&str], due: &str) -> Value {
    let support: Vec<Value> = supporters.iter().map(|c| json!({ "code": c })).collect();
    json!({ "title": title, "leadMinistry": { "code": lead },
            "supportingMinistries": support, "dueOn": due })
}

/// An instant in WIB.
fn wib(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<chrono::Utc> {
    chrono_tz::Asia::Jakarta
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("a WIB instant")
        .to_utc()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

impl Registry {
    pub fn id(&self, name: &str) -> &str {
        &self.ids[name]
    }
}

/// Builds the registry through the API, then moves each timeline entry to the instant the
/// table above gives it (as if it had been written then).
pub async fn registry(app: &TestApp) -> Registry {
    for code in ["KEMLU", "KEMENKES", "BNPB"] {
        app.ministry(code).await;
    }
    let mut x1 = act("X1", "KEMLU", &["KEMENKES"], "2026-02-01");
    x1["priority"] = json!("HIGH");
    let m1 = app
        .data(
            RECORD,
            json!({ "input": {
                "title": "Rapat Koordinasi Januari",
                "startsAt": "2026-01-10T09:00:00+07:00",
                "convenedBy": { "code": "KEMLU" },
                "issues": [
                    { "title": "I1", "category": "Pra-penempatan", "actions": [
                        x1, act("X2", "KEMENKES", &["KEMLU", "BNPB"], "2026-02-15") ] },
                    { "title": "I2", "category": "Purna penempatan", "actions": [
                        act("X3", "KEMLU", &["BNPB"], "2026-03-01"),
                        act("X4", "BNPB", &[], "2026-01-31") ] }
                ]
            } }),
        )
        .await;
    let m2 = app
        .data(
            RECORD,
            json!({ "input": {
                "title": "Rapat Koordinasi Maret",
                "startsAt": "2026-03-05T09:00:00+07:00",
                "convenedBy": { "code": "KEMENKES" },
                "issues": [
                    { "title": "I3", "actions": [
                        act("X5", "KEMENKES", &[], "2026-03-20"),
                        act("X6", "KEMLU", &["KEMENKES"], "2026-04-30") ] }
                ]
            } }),
        )
        .await;
    let mut ids = std::collections::HashMap::new();
    for m in [&m1, &m2] {
        for issue in m["recordMeeting"]["issues"].as_array().expect("issues") {
            for a in issue["actions"].as_array().expect("actions") {
                let title = a["title"].as_str().expect("title");
                let name = ["X1", "X2", "X3", "X4", "X5", "X6"]
                    .into_iter()
                    .find(|n| *n == title)
                    .expect("a known action");
                ids.insert(name, a["id"].as_str().expect("id").to_owned());
            }
        }
    }
    let reg = Registry {
        ids,
        m1: m1["recordMeeting"]["id"].as_str().expect("id").to_owned(),
        m2: m2["recordMeeting"]["id"].as_str().expect("id").to_owned(),
    };
    let status = |name: &str, to: &str| {
        app.data(
            "mutation($id: ID!, $s: ActionStatus!) { changeActionStatus(id: $id, status: $s) { id } }",
            json!({ "id": reg.id(name), "s": to }),
        )
    };
    status("X1", "IN_PROGRESS").await;
    app.data(
        "mutation($id: ID!) { updateAction(id: $id, input: { dueOn: \"2026-02-20\", note: \"Menunggu data\" }) { id } }",
        json!({ "id": reg.id("X1") }),
    )
    .await;
    status("X1", "DONE").await;
    status("X2", "IN_PROGRESS").await;
    status("X2", "DONE").await;
    app.data(
        "mutation($id: ID!) { addActionUpdate(actionId: $id, note: \"Draf disusun\") { id } }",
        json!({ "id": reg.id("X3") }),
    )
    .await;
    status("X3", "BLOCKED").await;
    status("X4", "CANCELLED").await;
    status("X6", "IN_PROGRESS").await;
    status("X6", "DONE").await;
    status("X6", "IN_PROGRESS").await;

    // When each entry happened, in the order it was written.
    let history: [(&str, Vec<chrono::DateTime<chrono::Utc>>); 5] = [
        (
            "X1",
            vec![
                wib(2026, 1, 20, 10, 0),
                wib(2026, 1, 25, 10, 0),
                wib(2026, 2, 18, 15, 0),
            ],
        ),
        ("X2", vec![wib(2026, 2, 10, 10, 0), wib(2026, 3, 10, 10, 0)]),
        ("X3", vec![wib(2026, 2, 5, 10, 0), wib(2026, 3, 16, 0, 30)]),
        ("X4", vec![wib(2026, 2, 10, 10, 0)]),
        (
            "X6",
            vec![
                wib(2026, 4, 1, 10, 0),
                wib(2026, 4, 25, 10, 0),
                wib(2026, 5, 2, 10, 0),
            ],
        ),
    ];
    for (name, instants) in history {
        let id = uuid::Uuid::parse_str(reg.id(name)).expect("uuid");
        let entries = action_update::Entity::find()
            .filter(action_update::Column::ActionId.eq(id))
            .order_by_asc(action_update::Column::CreatedAt)
            .order_by_asc(action_update::Column::Id)
            .all(&app.db)
            .await
            .expect("timeline");
        assert_eq!(entries.len(), instants.len(), "{name}'s timeline");
        let mut completed = None;
        for (entry, at) in entries.into_iter().zip(instants) {
            let done = entry.to_status == Some(entity::enums::ActionStatus::Done);
            let mut row: action_update::ActiveModel = entry.into();
            row.created_at = Set(at);
            if done {
                let date = at.with_timezone(&chrono_tz::Asia::Jakarta).date_naive();
                row.completed_on = Set(Some(date));
                completed = Some(date);
            }
            row.update(&app.db).await.expect("backdate");
        }
        // The action's own completion date, when it is still DONE.
        let a = action::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .expect("action")
            .expect("exists");
        if a.status == entity::enums::ActionStatus::Done {
            let mut row: action::ActiveModel = a.into();
            row.completed_on = Set(completed);
            row.update(&app.db).await.expect("completion date");
        }
    }
    reg
}

/// Today in WIB, as the server judges it.
pub fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Jakarta)
        .date_naive()
}
