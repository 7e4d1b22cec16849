//! Planning looks at an action only when its next reminder day has come, or when something
//! that decides its reminders changed: the action, its ministries' liaisons, its meeting's
//! convener, or the reminder settings.

use chrono::NaiveDate;

use entity::reminder_day;
use migration::MigratorTrait;
use sea_orm::{ConnectionTrait, EntityTrait, Statement};
use serde_json::json;
use uuid::Uuid;

use super::*;

async fn next_day(app: &TestApp, id: &str) -> NaiveDate {
    reminder_day::Entity::find_by_id(Uuid::parse_str(id).expect("uuid"))
        .one(&app.db)
        .await
        .expect("read")
        .expect("the action's reminder day")
        .next_on
}

fn kinds_to(list: &serde_json::Value, kind: &str) -> Vec<String> {
    let mut to: Vec<String> = list["reminders"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|n| n["kind"] == kind)
        .map(|n| n["email"].as_str().expect("email").to_owned())
        .collect();
    to.sort();
    to
}

#[tokio::test]
async fn an_action_is_looked_at_again_when_its_next_reminder_day_comes_or_it_changes() {
    let (app, _sink) = app_with_sink(&[]).await;
    let id = one_action(&app).await; // due 2026-03-13; reminders 7 and 1 days before
    assert_eq!(
        next_day(&app, &id).await,
        reminder_day::PLAN_NOW,
        "new: look now"
    );

    assert_eq!(run(&app, "2026-03-01").await["planned"], 0);
    assert_eq!(next_day(&app, &id).await, date("2026-03-06"));
    assert_eq!(run(&app, "2026-03-06").await["planned"], 2);
    assert_eq!(next_day(&app, &id).await, date("2026-03-12"));

    // The due date moved behind Tindak's back (not through the API): planning does not read
    // the action before its next day, so it plans nothing for the new date.
    app.db
        .execute_raw(Statement::from_sql_and_values(
            app.db.get_database_backend(),
            "UPDATE actions SET due_on = $1 WHERE id = $2",
            [
                date("2026-03-07").into(),
                Uuid::parse_str(&id).expect("uuid").into(),
            ],
        ))
        .await
        .expect("update");
    assert_eq!(run(&app, "2026-03-07").await["planned"], 0, "not read");

    // The same change through the API is looked at on the next run.
    app.data(
        "mutation($id: ID!) { updateAction(id: $id, input: { dueOn: \"2026-03-07\" }) { version } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(next_day(&app, &id).await, reminder_day::PLAN_NOW);
    assert_eq!(run(&app, "2026-03-07").await["planned"], 2);
    let list = app.data(LIST, json!({})).await;
    assert_eq!(kinds_to(&list, "DUE_TODAY"), ["a@a.id", "b@b.id"]);
    assert_eq!(
        next_day(&app, &id).await,
        date("2026-03-14"),
        "overdue in 7 days"
    );

    // Closed: never again; reopened: at once.
    app.data(
        "mutation($id: ID!) { changeActionStatus(id: $id, status: DONE) { status } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(next_day(&app, &id).await, reminder_day::PLAN_NEVER);
    app.data(
        "mutation($id: ID!) { changeActionStatus(id: $id, status: IN_PROGRESS) { status } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(next_day(&app, &id).await, reminder_day::PLAN_NOW);
}

#[tokio::test]
async fn a_new_liaison_or_convener_gets_what_is_due_now() {
    let (app, _sink) = app_with_sink(&[]).await;
    let id = one_action(&app).await;
    let r = run(&app, "2026-03-27").await; // 14 days overdue: overdue and escalation
    assert_eq!(r["planned"], 3, "{r}");
    assert_eq!(next_day(&app, &id).await, date("2026-04-03"));

    // A second liaison for the lead ministry, mid-week: the overdue reminder of this week
    // reaches them on the next run, not next week.
    app.data(
        "mutation { addLiaison(input: { ministry: { code: \"A\" }, name: \"A2\", email: \"a2@a.id\" }) { id } }",
        json!({}),
    )
    .await;
    assert_eq!(run(&app, "2026-03-28").await["planned"], 1);
    let list = app.data(LIST, json!({})).await;
    assert_eq!(kinds_to(&list, "OVERDUE"), ["a2@a.id", "a@a.id", "b@b.id"]);

    // Another convener: the escalation goes to its liaisons too.
    let meeting = app
        .data(
            "query($id: ID!) { action(id: $id) { meeting { id version } } }",
            json!({ "id": id }),
        )
        .await["action"]["meeting"]["id"]
        .clone();
    app.ministry("D").await;
    app.data(
        "mutation { addLiaison(input: { ministry: { code: \"D\" }, name: \"D\", email: \"d@d.id\" }) { id } }",
        json!({}),
    )
    .await;
    app.data(
        "mutation($m: ID!) { updateMeeting(id: $m, input: { convenedBy: { code: \"D\" } }) { id } }",
        json!({ "m": meeting }),
    )
    .await;
    assert_eq!(run(&app, "2026-03-29").await["planned"], 1);
    let list = app.data(LIST, json!({})).await;
    assert_eq!(kinds_to(&list, "ESCALATION"), ["c@c.id", "d@d.id"]);
    assert_eq!(run(&app, "2026-03-30").await["planned"], 0, "nothing twice");
}

#[tokio::test]
async fn other_reminder_settings_look_at_every_open_action_again() {
    let (app, sink) = app_with_sink(&[]).await;
    let id = one_action(&app).await;
    assert_eq!(run(&app, "2026-03-01").await["planned"], 0);
    assert_eq!(next_day(&app, &id).await, date("2026-03-06"));

    // The service restarted with reminders 10 days ahead: 3 March is 10 days before.
    let mut remind = crate::helpers::remind_settings(&app.files);
    remind.mail.smtp_url = Some(sink.url().into());
    remind.remind_before_days = vec![10];
    let restarted =
        Reminders::new(app.db.clone(), app.settings.clone(), remind).expect("reminders");
    let day = date("2026-03-03");
    let now = chrono::Utc::now();
    let report = restarted
        .run_at(day, now, false, &|| false)
        .await
        .expect("run");
    assert_eq!(report.planned, 2, "{report}");
    assert_eq!(next_day(&app, &id).await, date("2026-03-13"));
    // And back: the first settings look again too, and find 7 days before on 6 March.
    assert_eq!(run(&app, "2026-03-06").await["planned"], 2);
}

/// Runs the migrations down until `last` is the latest applied.
async fn down_to(app: &TestApp, last: &str) {
    let since = migration::Migrator::migrations()
        .iter()
        .rev()
        .take_while(|m| m.name() != last)
        .count();
    let db = one_connection(app).await;
    migration::Migrator::down(&db, Some(since as u32))
        .await
        .expect("down");
    db.close().await.expect("close");
}

/// Every migration applied again after [`down_to`], as a start applies them.
async fn up_again(app: &TestApp) {
    tindak::db::migrate(&app.db).await.expect("up");
}

/// A connection of its own for the migrations a test runs back down, so that each schema
/// change is prepared on the connection that made the one before: spread over the pool's
/// SQLite connections, a change once failed at random on `index … already exists` (going up,
/// `tindak::db::migrate` keeps them on one connection itself).
async fn one_connection(app: &TestApp) -> sea_orm::DatabaseConnection {
    use secrecy::ExposeSecret as _;
    tindak::db::connect_with_pool(app.settings.database_url.expose_secret(), 1)
        .await
        .expect("a connection for the migrations")
}

/// Each action's day row whole (key, day, generation, settled), in the order of the key.
async fn day_rows(app: &TestApp) -> Vec<reminder_day::Model> {
    let mut rows = reminder_day::Entity::find()
        .all(&app.db)
        .await
        .expect("read");
    rows.sort_by_key(|d| d.action_id);
    rows
}

/// Each action's day and generation, as `reminder_days` holds them, in the order of the key.
async fn days(app: &TestApp) -> Vec<(Uuid, NaiveDate, i32)> {
    day_rows(app)
        .await
        .into_iter()
        .map(|d| (d.action_id, d.next_on, d.generation))
        .collect()
}

/// One action looked at on 1 March (next day 6 March), and a second meeting with an action of
/// A that is closed: the first action's id, the meeting's and the closed action's.
async fn planned_and_closed(app: &TestApp) -> (String, String, String) {
    let planned = one_action(app).await; // looked at on 1 March: next day 6 March
    assert_eq!(run(app, "2026-03-01").await["planned"], 0);
    let meeting = app.meeting("Rakor 2", "C").await;
    let closed = app.action(&meeting, "Selesai", "A", "2026-04-01").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.data(
        "mutation($id: ID!) { changeActionStatus(id: $id, status: DONE) { status } }",
        json!({ "id": closed }),
    )
    .await;
    (planned, meeting, closed)
}

#[tokio::test]
async fn the_move_of_the_next_days_to_their_own_table_keeps_them_both_ways() {
    let (app, _sink) = app_with_sink(&[]).await;
    let (planned, meeting, closed) = planned_and_closed(&app).await;
    let fresh = app.action(&meeting, "Baru", "B", "2026-04-02").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // A liaison added: every action of A is looked at again, another generation.
    app.data(
        "mutation { addLiaison(input: { ministry: { code: \"A\" }, name: \"A2\", email: \"a2@a.id\" }) { id } }",
        json!({}),
    )
    .await;
    let before = days(&app).await;
    let day_of = |id: &str| {
        let id = Uuid::parse_str(id).expect("uuid");
        before.iter().find(|d| d.0 == id).map(|d| (d.1, d.2))
    };
    let (day, generation) = day_of(&planned).expect("a day");
    assert_eq!(day, reminder_day::PLAN_NOW);
    assert!(generation > 0, "{generation}");
    assert_eq!(day_of(&closed), Some((reminder_day::PLAN_NEVER, 1)));
    assert_eq!(day_of(&fresh), Some((reminder_day::PLAN_NOW, 0)));

    // Back to the schema before the move (the days return to `actions`), and forward again.
    down_to(&app, "m20261128_000009_outbox_recipient").await;
    let on_actions = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM actions WHERE next_reminder_on = '9999-12-31' \
             AND reminder_generation = 1",
        ))
        .await
        .expect("read the old columns");
    assert_eq!(
        on_actions[0].try_get::<i64>("", "n").expect("n"),
        1,
        "the closed action's day is back on its row"
    );
    up_again(&app).await;
    assert_eq!(days(&app).await, before);
    // And planning reads them: the action of 13 March is due for its 7-day reminder.
    assert_eq!(run(&app, "2026-03-06").await["planned"], 3);
}

/// The actions whose pending reminders the next run checks (their generation moved).
async fn unsettled(app: &TestApp) -> i64 {
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM reminder_days WHERE generation <> settled",
        ))
        .await
        .expect("count");
    rows[0].try_get::<i64>("", "n").expect("n")
}

#[tokio::test]
async fn a_run_checks_the_pending_reminders_of_the_actions_that_changed_only() {
    let (app, sink) = app_with_sink(&[]).await;
    let action = one_action(&app).await;
    let meeting = app.meeting("Rakor 2", "C").await;
    app.action(&meeting, "Lain", "B", "2026-03-13").await;
    sink.set_mode(Mode::Temporary);
    let r = run(&app, "2026-03-06").await;
    assert_eq!(
        (r["planned"].clone(), r["sent"].clone()),
        (json!(3), json!(0))
    );
    assert_eq!(
        unsettled(&app).await,
        0,
        "a new action has nothing to cancel"
    );

    // One of the two closed: only its row is to be checked, and only its reminders go.
    app.data(
        "mutation($id: ID!) { changeActionStatus(id: $id, status: DONE) { status } }",
        json!({ "id": action }),
    )
    .await;
    assert_eq!(unsettled(&app).await, 1);
    let r = run(&app, "2026-03-07").await;
    assert_eq!(r["cancelled"], 2);
    assert_eq!(unsettled(&app).await, 0);
    let pending = app
        .data(LIST, json!({ "f": { "status": ["PENDING"] } }))
        .await;
    assert_eq!(pending["reminders"]["totalCount"], 1, "{pending}");

    // A reminder made stale under the version before the check per action (the action closed
    // there, its reminders still pending): the first run after the upgrade checks every
    // action once.
    down_to(&app, "m20261129_000011_outbox_pending").await;
    app.db
        .execute_unprepared("UPDATE actions SET status = 'CANCELLED'")
        .await
        .expect("closed by the version before");
    up_again(&app).await;
    assert_eq!(unsettled(&app).await, 2);
    let r = run(&app, "2026-03-08").await;
    assert_eq!(r["cancelled"], 1);
    assert_eq!(unsettled(&app).await, 0);
    assert!(sink.received().is_empty());
}

/// Whether SQLite stores `reminder_days` by its key alone (`WITHOUT ROWID`); `None` on
/// PostgreSQL, which has no such form.
async fn keyed_by_action(app: &TestApp) -> Option<bool> {
    if app.db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return None;
    }
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT wr FROM pragma_table_list WHERE name = 'reminder_days'",
        ))
        .await
        .expect("the table's form");
    Some(rows[0].try_get::<i64>("", "wr").expect("wr") == 1)
}

#[tokio::test]
async fn the_next_days_keyed_by_action_keep_every_row_both_ways() {
    let (app, _sink) = app_with_sink(&[]).await;
    let sqlite = app.db.get_database_backend() == sea_orm::DbBackend::Sqlite;
    let (planned, meeting, _) = planned_and_closed(&app).await;
    app.action(&meeting, "Baru", "B", "2026-03-13").await;
    let before = day_rows(&app).await;
    assert_eq!(before.len(), 3);
    assert!(
        before.iter().any(|d| d.generation != d.settled),
        "the closed action is still to be checked: {before:?}"
    );
    assert_eq!(keyed_by_action(&app).await, sqlite.then_some(true));

    // Back to the rows numbered by SQLite, and forward again: every row as it was.
    down_to(&app, "m20261206_000014_outbox_leases").await;
    assert_eq!(keyed_by_action(&app).await, sqlite.then_some(false));
    assert_eq!(day_rows(&app).await, before);
    up_again(&app).await;
    assert_eq!(keyed_by_action(&app).await, sqlite.then_some(true));
    assert_eq!(day_rows(&app).await, before);

    // Planning reads and writes the copy: on 6 March both open actions are 7 days from their
    // due date (the first to its lead and supporter, the new one to its lead).
    let r = run(&app, "2026-03-06").await;
    assert_eq!(r["planned"], 3, "{r}");
    assert_eq!(next_day(&app, &planned).await, date("2026-03-12"));
    let after = day_rows(&app).await;
    assert!(after.iter().all(|d| d.generation == d.settled), "{after:?}");
}
