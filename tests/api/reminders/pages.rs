//! Planning in pages of 2,000 actions: read beside its writes (on PostgreSQL written by two
//! transactions side by side), it plans what one transaction plans, a write that fails
//! midway leaves nothing of the run, and a large run leaves the engine an estimate of the
//! outbox read from a sample.

use chrono::NaiveDate;
use entity::reminder_day;
use sea_orm::{ConnectionTrait, EntityTrait};

use super::*;

/// Every reminder in the outbox by its unique key, and every action's next day, sorted.
async fn outbox_and_days<C: ConnectionTrait>(db: &C) -> (Vec<String>, Vec<String>) {
    let mut reminders: Vec<String> = entity::reminder::Entity::find()
        .all(db)
        .await
        .expect("reminders")
        .into_iter()
        .map(|r| {
            format!(
                "{} {} {:?} {} {}",
                r.action_id, r.email, r.kind, r.planned_for, r.offset_days
            )
        })
        .collect();
    reminders.sort();
    let mut days: Vec<String> = reminder_day::Entity::find()
        .all(db)
        .await
        .expect("days")
        .into_iter()
        .map(|d| format!("{} {} {}", d.action_id, d.next_on, d.generation))
        .collect();
    days.sort();
    (reminders, days)
}

/// A registry of 9,000 seeded actions, enough open ones for three pages of planning of 2,000:
/// the second and third are read while the first and second are written (on PostgreSQL, by
/// two transactions).
async fn three_pages() -> (TestApp, Reminders, NaiveDate) {
    let app = crate::helpers::spawn_app().await;
    let today = NaiveDate::from_ymd_opt(2026, 11, 1).expect("date");
    let made = tindak::bench::seed::seed(
        &app.db,
        app.settings.timezone,
        tindak::bench::seed::Plan {
            actions: 9_000,
            meetings: 30,
            ministries: 12,
            seed: 11,
            today,
        },
    )
    .await
    .expect("seed");
    assert_eq!(made.actions, 9_000);
    let service = Reminders::new(
        app.db.clone(),
        app.settings.clone(),
        crate::helpers::remind_settings(&app.files),
    )
    .expect("reminders");
    (app, service, today)
}

#[tokio::test]
async fn planning_that_reads_beside_its_writes_plans_what_one_transaction_would() {
    use tindak::reminders::plan;
    let (app, service, today) = three_pages().await;
    let now = chrono::Utc::now();

    // In one transaction, rolled back: what planning makes.
    let txn = plan::begin(&app.db).await.expect("begin");
    let alone = plan::plan(&txn, &service.policy, &[], today, now)
        .await
        .expect("plan");
    let expected = outbox_and_days(&txn).await;
    txn.rollback().await.expect("rollback");
    assert!(alone > 4_000, "several pages of reminders: {alone}");
    assert_eq!(expected.0.len() as u64, alone);

    // Reading beside the writes, committed: the same reminders and the same next days.
    plan::settle(&app.db, &service.policy, &[])
        .await
        .expect("settle");
    let txn = plan::begin(&app.db).await.expect("begin");
    let beside = plan::plan_alongside(&txn, &app.db, &service.policy, &[], today, now)
        .await
        .expect("plan");
    txn.commit().await.expect("commit");
    assert_eq!(beside, alone);
    let got = outbox_and_days(&app.db).await;
    assert!(got.0 == expected.0, "the same reminders");
    assert!(got.1 == expected.1, "the same next days");
    if app.db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // On PostgreSQL the pages were written by two transactions side by side (the row's
        // `xmin` names the transaction that wrote it).
        let writers = app
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT count(DISTINCT xmin::text)::bigint AS n FROM reminders",
            ))
            .await
            .expect("writers")
            .expect("a row")
            .try_get::<i64>("", "n")
            .expect("n");
        assert_eq!(writers, 2, "two writing transactions");
    }

    // And again: nothing new.
    let txn = plan::begin(&app.db).await.expect("begin");
    let again = plan::plan_alongside(&txn, &app.db, &service.policy, &[], today, now)
        .await
        .expect("plan");
    txn.commit().await.expect("commit");
    assert_eq!(again, 0);
}

#[tokio::test]
async fn a_planning_run_whose_write_fails_midway_leaves_nothing_half_written() {
    use tindak::reminders::plan;
    let (app, service, today) = three_pages().await;
    let now = chrono::Utc::now();
    plan::settle(&app.db, &service.policy, &[])
        .await
        .expect("settle");
    let before = outbox_and_days(&app.db).await;
    assert!(before.0.is_empty());

    // The 3,001st reminder written is refused: a page after the first fails while the
    // others are written or read.
    let refuse: &[&str] = match app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => &[
            "CREATE SEQUENCE refused_after",
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF nextval('refused_after') > 3000 THEN RAISE EXCEPTION 'refused'; END IF; \
             RETURN NEW; END $$",
            "CREATE TRIGGER refuse BEFORE INSERT ON reminders \
             FOR EACH ROW EXECUTE FUNCTION refuse()",
        ],
        _ => &[
            "CREATE TABLE refused_after (n INTEGER NOT NULL)",
            "INSERT INTO refused_after VALUES (0)",
            "CREATE TRIGGER refuse BEFORE INSERT ON reminders BEGIN \
             UPDATE refused_after SET n = n + 1; \
             SELECT RAISE(ABORT, 'refused') WHERE (SELECT n FROM refused_after) > 3000; END",
        ],
    };
    for sql in refuse {
        app.db.execute_unprepared(sql).await.expect("refusal");
    }
    let txn = plan::begin(&app.db).await.expect("begin");
    let failed = plan::plan_alongside(&txn, &app.db, &service.policy, &[], today, now).await;
    assert!(failed.is_err(), "the refusal reaches the run: {failed:?}");
    drop(txn);

    // Nothing of the run stays: no reminder, every next day as it was.
    let after = outbox_and_days(&app.db).await;
    assert!(after.0.is_empty(), "{} reminders left", after.0.len());
    assert!(after.1 == before.1, "the next days as they were");

    // Once writes go through again, the next run plans everything.
    let allow = match app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "DROP TRIGGER refuse ON reminders",
        _ => "DROP TRIGGER refuse",
    };
    app.db.execute_unprepared(allow).await.expect("allow");
    let txn = plan::begin(&app.db).await.expect("begin");
    let planned = plan::plan_alongside(&txn, &app.db, &service.policy, &[], today, now)
        .await
        .expect("plan");
    txn.commit().await.expect("commit");
    assert!(planned > 4_000, "{planned}");
    assert_eq!(outbox_and_days(&app.db).await.0.len() as u64, planned);
}

#[tokio::test]
async fn a_large_run_leaves_the_engine_an_estimate_of_the_outbox_read_from_a_sample() {
    use sea_orm::{DbBackend, Statement};
    use tindak::reminders::plan;
    let (app, service, today) = three_pages().await;
    let planned = plan::plan(&app.db, &service.policy, &[], today, chrono::Utc::now())
        .await
        .expect("plan");
    assert!(planned > 4_000, "{planned}");
    plan::refresh_statistics(&app.db, planned)
        .await
        .expect("statistics");
    let backend = app.db.get_database_backend();
    let number = |sql: &str| {
        let db = app.db.clone();
        let sql = sql.to_owned();
        async move {
            db.query_one_raw(Statement::from_string(backend, sql))
                .await
                .expect("the statistics")
                .expect("a row")
                .try_get::<i64>("", "n")
                .expect("n")
        }
    };
    if backend == DbBackend::Postgres {
        // A table this small is read whole: the size is exact.
        let size =
            number("SELECT reltuples::bigint AS n FROM pg_class WHERE relname = 'reminders'");
        assert_eq!(size.await, planned as i64);
        // Each reminder's id is its own: the server's default target (100) keeps a histogram of
        // 101 of them, the sample's target 10 one of 11.
        let bounds = number(
            "SELECT cardinality(histogram_bounds::text::uuid[])::bigint AS n \
             FROM pg_stats WHERE tablename = 'reminders' AND attname = 'id'",
        );
        assert_eq!(
            bounds.await,
            i64::from(plan::POSTGRES_STATISTICS_TARGET) + 1
        );
    } else {
        let believed = number(
            "SELECT CAST(stat AS INTEGER) AS n FROM sqlite_stat1 \
             WHERE tbl = 'reminders' AND idx = 'sqlite_autoindex_reminders_1'",
        );
        let believed = believed.await;
        assert!(
            believed > planned as i64 / 2 && believed < planned as i64 * 2,
            "{believed} believed of {planned}"
        );
    }
}
