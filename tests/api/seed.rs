//! `tindak bench seed`: a reproducible registry with the promised mix and consistent timelines.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::{action, action_supporter, action_update, enums::ActionStatus, ministry};
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};
use serde_json::json;
use tindak::bench::seed::{Plan, seed};

use crate::helpers::{fresh_database, spawn_app};

fn plan(seed: u64) -> Plan {
    Plan {
        actions: 300,
        meetings: 10,
        ministries: 8,
        seed,
        today: NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
    }
}

/// (title, lead code, due, original due, status) of every action, by title.
async fn shape(
    db: &DatabaseConnection,
) -> Vec<(String, String, NaiveDate, NaiveDate, ActionStatus)> {
    let codes: HashMap<uuid::Uuid, String> = ministry::Entity::find()
        .all(db)
        .await
        .expect("ministries")
        .into_iter()
        .map(|m| (m.id, m.code))
        .collect();
    let mut rows: Vec<_> = action::Entity::find()
        .all(db)
        .await
        .expect("actions")
        .into_iter()
        .map(|a| {
            (
                a.title,
                codes[&a.lead_ministry_id].clone(),
                a.due_on,
                a.original_due_on,
                a.status,
            )
        })
        .collect();
    rows.sort_by(|x, y| x.0.cmp(&y.0));
    rows
}

#[tokio::test]
async fn seeding_makes_the_promised_mix_with_consistent_timelines() {
    let app = spawn_app().await;
    let made = seed(&app.db, app.settings.timezone, plan(7))
        .await
        .expect("seed");
    assert_eq!((made.ministries, made.meetings, made.actions), (8, 10, 300));
    let counts = app
        .data(
            "{ open: actions(filter: { status: [OPEN] }) { totalCount } progress: actions(filter: { status: [IN_PROGRESS] }) { totalCount } done: actions(filter: { status: [DONE] }) { totalCount } cancelled: actions(filter: { status: [CANCELLED] }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        counts,
        json!({ "open": { "totalCount": 120 }, "progress": { "totalCount": 60 }, "done": { "totalCount": 105 }, "cancelled": { "totalCount": 15 } })
    );

    let actions = action::Entity::find().all(&app.db).await.expect("actions");
    let updates = action_update::Entity::find()
        .order_by_asc(action_update::Column::CreatedAt)
        .all(&app.db)
        .await
        .expect("updates");
    let supporters = action_supporter::Entity::find()
        .all(&app.db)
        .await
        .expect("supporters");
    let today = plan(7).today;
    for a in &actions {
        let mine: Vec<&action_update::Model> =
            updates.iter().filter(|u| u.action_id == a.id).collect();
        let last_status = mine.iter().rev().find_map(|u| u.to_status);
        assert_eq!(
            last_status.unwrap_or(ActionStatus::Open),
            a.status,
            "{}",
            a.title
        );
        let last_due = mine.iter().rev().find_map(|u| u.new_due_on);
        assert_eq!(
            last_due.unwrap_or(a.original_due_on),
            a.due_on,
            "{}",
            a.title
        );
        if let Some(first) = mine.iter().find_map(|u| u.previous_due_on) {
            assert_eq!(first, a.original_due_on);
        }
        assert_eq!(
            a.completed_on.is_some(),
            a.status == ActionStatus::Done,
            "{}",
            a.title
        );
        if let Some(done) = a.completed_on {
            assert!(done <= today);
        }
        assert!(mine.iter().all(|u| u.created_at.date_naive() <= today));
        let theirs: Vec<&action_supporter::Model> =
            supporters.iter().filter(|s| s.action_id == a.id).collect();
        assert!((1..=3).contains(&theirs.len()), "{}", a.title);
        assert!(theirs.iter().all(|s| s.ministry_id != a.lead_ministry_id));
    }
    let dues: Vec<NaiveDate> = actions.iter().map(|a| a.due_on).collect();
    let (first, last) = (
        dues.iter().min().expect("min"),
        dues.iter().max().expect("max"),
    );
    assert!(
        (*last - *first).num_days() > 540,
        "due dates spread over about two years"
    );

    let refused = seed(&app.db, app.settings.timezone, plan(7)).await;
    assert!(
        refused.is_err(),
        "a database that holds meetings is not seeded again"
    );
}

#[tokio::test]
async fn the_same_seed_makes_the_same_data() {
    let (url_a, _a) = fresh_database().await;
    let (url_b, _b) = fresh_database().await;
    let mut shapes = Vec::new();
    for (url, s) in [(&url_a, 7), (&url_b, 7)] {
        let db = tindak::db::connect(url).await.expect("connect");
        tindak::db::migrate(&db).await.expect("migrate");
        seed(&db, chrono_tz::Asia::Jakarta, plan(s))
            .await
            .expect("seed");
        shapes.push(shape(&db).await);
    }
    assert_eq!(shapes[0], shapes[1]);
    let (url_c, _c) = fresh_database().await;
    let db = tindak::db::connect(&url_c).await.expect("connect");
    tindak::db::migrate(&db).await.expect("migrate");
    seed(&db, chrono_tz::Asia::Jakarta, plan(8))
        .await
        .expect("seed");
    assert_ne!(shape(&db).await, shapes[0], "another seed, other data");
}

#[tokio::test]
async fn bench_run_measures_a_running_server_the_same_rows_by_sql_and_the_reminders() {
    let app = spawn_app().await;
    let made = seed(&app.db, app.settings.timezone, plan(3))
        .await
        .expect("seed");
    assert_eq!(made.liaisons, made.ministries, "one liaison per ministry");
    let figures = tindak::bench::run::run(
        &app.db,
        tindak::bench::run::Plan {
            addr: app.base.trim_start_matches("http://").to_owned(),
            token: app.admin.clone(),
            clients: 2,
            seconds: 1,
            pid: Some(std::process::id()),
            settings: app.settings.clone(),
            reminders: true,
            only_reminders: false,
        },
    )
    .await
    .expect("a run");
    let (http, sql) = (&figures.http, &figures.sql);
    assert!(http.requests > 0 && http.errors == 0, "{http:?}");
    assert!(sql.requests > 0 && sql.errors == 0, "{sql:?}");
    assert!(http.p50 <= http.p99);
    assert!(figures.cpu_per_request.is_some());
    let r = figures.reminders.expect("reminders measured");
    // Every open action of the generated registry is overdue or due soon: the first run
    // plans a reminder for each, a second run the same day plans nothing more.
    assert!(r.open_actions > 0 && r.liaisons == made.liaisons);
    assert!(r.backlog.reminders >= r.open_actions / 2, "{r:?}");
    assert_eq!(r.again.reminders, 0, "{r:?}");
    // The same rows written again by hand, which delivery then sends: the outbox holds what
    // planning made, no more and no fewer.
    assert_eq!(r.by_hand.reminders, r.backlog.reminders, "{r:?}");
    assert!(!r.by_hand.time.is_zero(), "{r:?}");
    // The small digests' reminders are added to the outbox by the benchmark itself.
    let in_outbox: i64 = reminder_count(&app.db).await;
    let small = &r.small_sent;
    assert_eq!(
        in_outbox as u64,
        r.backlog.reminders + r.next_day.reminders + small.reminders
    );
    // Delivered to the benchmark's own SMTP server: every email it was given, accepted.
    assert!(r.backlog_sent.emails > 0, "{r:?}");
    assert_eq!(r.backlog_sent.accepted, r.backlog_sent.emails);
    assert_eq!(r.backlog_sent.reminders, r.backlog.reminders);
    assert_eq!(r.next_day_sent.accepted, r.next_day_sent.emails);
    assert_eq!(r.next_day_sent.reminders, r.next_day.reminders);
    // One small digest per address, of one or two reminders, every one accepted.
    assert!(small.emails > 0, "{r:?}");
    assert_eq!(small.accepted, small.emails);
    assert!(small.emails <= small.reminders && small.reminders <= 2 * small.emails);

    // A second run, of the reminders only (no server, no token), starts again from an
    // empty outbox: the same backlog, and nothing sent to a server.
    let again = tindak::bench::run::run(
        &app.db,
        tindak::bench::run::Plan {
            addr: "127.0.0.1:9".into(),
            token: String::new(),
            clients: 1,
            seconds: 1,
            pid: None,
            settings: app.settings.clone(),
            reminders: true,
            only_reminders: true,
        },
    )
    .await
    .expect("a second run");
    assert_eq!(again.http.requests + again.sql.requests, 0, "no page load");
    let again = again.reminders.expect("reminders measured");
    assert_eq!(again.backlog.reminders, r.backlog.reminders);
    assert_eq!(again.backlog_sent.accepted, again.backlog_sent.emails);
}

async fn reminder_count(db: &sea_orm::DatabaseConnection) -> i64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    entity::reminder::Entity::find()
        .count(db)
        .await
        .expect("count") as i64
}

#[tokio::test]
async fn the_reminder_benchmark_refuses_a_database_with_real_meetings() {
    let app = spawn_app().await;
    app.load_demo().await;
    let run = app
        .data(
            "mutation { runReminders(dryRun: false) { planned } }",
            serde_json::json!({}),
        )
        .await;
    let planned = run["runReminders"]["planned"].as_i64().expect("planned");
    assert!(planned > 0, "the demo's late actions get reminders");
    let before = reminder_count(&app.db).await;
    let error = tindak::bench::reminders::run(&app.db, &app.settings, app.settings.today())
        .await
        .expect_err("refused");
    assert!(
        error
            .to_string()
            .contains("not made by `tindak bench seed`"),
        "{error}"
    );
    assert_eq!(reminder_count(&app.db).await, before, "the outbox is kept");
}
