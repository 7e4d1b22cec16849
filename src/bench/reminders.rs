//! The reminder service at scale, on the database `tindak bench seed` filled: planning over
//! every open action (the backlog of a first run, the same day again, the next day) and
//! delivery to an SMTP server on 127.0.0.1 (see [`super::sink`]), through the same calls the
//! worker makes.
//!
//! The backlog's reminders are then written again by hand-written SQL (`src/bench/floor.rs`), the
//! least the engine takes to store them, which planning is measured against.
//!
//! It starts from an empty outbox each time (the reminders are deleted and every open action
//! is looked at again), so it runs only on a database that holds nothing but generated
//! meetings.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use super::sink::Sink;
use crate::{
    config::{MailSettings, RemindSettings, Settings, Weekly},
    reminders::{plan, worker::Reminders},
};

/// One planning run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Planned {
    pub reminders: u64,
    pub time: Duration,
}

/// One delivery run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sent {
    pub emails: u64,
    pub reminders: u64,
    pub time: Duration,
    /// Messages the SMTP server accepted during the run.
    pub accepted: u64,
}

impl Sent {
    pub fn emails_per_second(&self) -> f64 {
        self.emails as f64 / self.time.as_secs_f64().max(1e-9)
    }
}

/// What [`run`] measured.
#[derive(Debug, Clone, Copy, Default)]
pub struct Figures {
    pub open_actions: u64,
    pub liaisons: u64,
    /// The first run over an empty outbox: every open action is new.
    pub backlog: Planned,
    /// The backlog's reminders written again by hand-written SQL (see `src/bench/floor.rs`).
    pub by_hand: Planned,
    /// The same day again: nothing new.
    pub again: Planned,
    pub backlog_sent: Sent,
    /// The day after: what comes due that day.
    pub next_day: Planned,
    pub next_day_sent: Sent,
    /// Many recipients with a few reminders each (2,000 addresses, two each): what each email
    /// costs beyond its rows.
    pub small_sent: Sent,
    /// This process's resident memory after the runs, then once the memory they freed is
    /// given back as the worker does after a run (KiB; Linux only).
    pub resident: Option<(u64, u64)>,
}

/// Generated meetings are titled so (see [`super::seed`]).
const GENERATED: &str = "Rapat koordinasi uji %";

async fn count(db: &DatabaseConnection, sql: &str) -> anyhow::Result<u64> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or_default()
        .max(0) as u64)
}

/// Deletes every reminder, and the leases a stopped run may have left. On PostgreSQL the
/// outbox is vacuumed too: each run leaves some 400,000 dead row versions in it (its inserts,
/// and the outcome of every reminder); autovacuum would clear them between runs, but on a
/// server where it is off every run would start slower than the last.
pub(super) async fn empty_outbox(db: &DatabaseConnection) -> anyhow::Result<()> {
    let backend = db.get_database_backend();
    for table in ["reminders", "outbox_leases"] {
        db.execute_raw(Statement::from_string(
            backend,
            format!("DELETE FROM {table}"),
        ))
        .await?;
    }
    if backend == sea_orm::DbBackend::Postgres {
        db.execute_unprepared("VACUUM ANALYZE reminders").await?;
    }
    Ok(())
}

/// The reminder service as `serve` builds it, with the default policy, sending to `smtp_url`
/// (or into `dir` without one), its link key in `dir`.
pub(super) fn service(
    db: &DatabaseConnection,
    settings: &Settings,
    smtp_url: Option<String>,
    dir: &std::path::Path,
) -> anyhow::Result<Reminders> {
    let remind = RemindSettings {
        remind_before_days: vec![7, 1],
        remind_overdue_every_days: 7,
        escalate_after_days: 14,
        escalation_emails: vec![],
        remind_interval: std::time::Duration::from_secs(300),
        remind_max_attempts: 6,
        remind_lease_secs: 600,
        leadership_digest: Weekly::Off,
        leadership_emails: vec![],
        mail: MailSettings {
            smtp_url: smtp_url.map(Into::into),
            mail_from: "Tindak <tindak@example.go.id>".parse()?,
            mail_dir: dir.join("outbox"),
            smtp_timeout_secs: 30,
            public_url: "http://127.0.0.1:8080".into(),
            secret: Some("bench".into()),
            secret_file: dir.join("secret"),
        },
    };
    Reminders::new(db.clone(), settings.clone(), remind)
}

/// Plans reminders for `day` as the worker does (what became stale cancelled, then the pages
/// read beside the write transaction), then the outbox's statistics refreshed after a large
/// plan.
async fn plan_day(
    service: &Reminders,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> anyhow::Result<Planned> {
    let started = Instant::now();
    plan::settle(&service.db, &service.policy, &[]).await?;
    let settled = started.elapsed();
    let txn = plan::begin(&service.db).await?;
    let reminders = plan::plan_alongside(&txn, &service.db, &service.policy, &[], day, now).await?;
    let planned = started.elapsed();
    txn.commit().await?;
    let committed = started.elapsed();
    plan::refresh_statistics(&service.db, reminders).await?;
    tracing::debug!(
        settle_ms = settled.as_millis(),
        plan_ms = (planned - settled).as_millis(),
        commit_ms = (committed - planned).as_millis(),
        statistics_ms = (started.elapsed() - committed).as_millis(),
        "planning a day: where the time went"
    );
    Ok(Planned {
        reminders,
        time: started.elapsed(),
    })
}

async fn deliver(service: &Reminders, sink: &Sink, day: NaiveDate) -> anyhow::Result<Sent> {
    let before = sink.accepted();
    let started = Instant::now();
    let done = service
        .courier()
        .run(day, crate::db::now(), &|| false)
        .await?;
    Ok(Sent {
        emails: done.emails,
        reminders: done.sent,
        time: started.elapsed(),
        accepted: sink.accepted() - before,
    })
}

/// Recipients of the small digests, and reminders each.
const SMALL_RECIPIENTS: usize = 2_000;
const SMALL_EACH: usize = 2;

/// Delivery of many small digests: [`SMALL_RECIPIENTS`] addresses with [`SMALL_EACH`]
/// reminders each, about open actions of their ministry, as a day's reminders look where a
/// liaison follows a handful of actions. The seeded data gives each of its few liaisons
/// hundreds of actions, so the backlog's emails carry up to 500 reminders each and its rate
/// is that of the rows; this one is the rate of the emails themselves (a claim, a load, an
/// SMTP transaction and a record each).
async fn small_digests(service: &Reminders, sink: &Sink, day: NaiveDate) -> anyhow::Result<Sent> {
    use entity::enums::{Language, RecipientRole, ReminderKind};
    let db = &service.db;
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT a.id AS action_id, l.id AS liaison_id FROM actions a \
                 JOIN liaisons l ON l.ministry_id = a.lead_ministry_id \
                 WHERE a.status IN ('OPEN', 'IN_PROGRESS') ORDER BY a.id LIMIT {}",
                SMALL_RECIPIENTS * SMALL_EACH
            ),
        ))
        .await?;
    let mut planned = Vec::with_capacity(rows.len());
    for (k, row) in rows.iter().enumerate() {
        let who = k % SMALL_RECIPIENTS;
        planned.push(crate::reminders::write::NewReminder {
            id: uuid::Uuid::now_v7(),
            action_id: row.try_get("", "action_id")?,
            liaison_id: Some(row.try_get("", "liaison_id")?),
            email: format!("penghubung{who}@kecil.example.go.id"),
            name: Some(format!("Penghubung {who}")),
            language: Language::Id,
            role: RecipientRole::Act,
            kind: ReminderKind::DueToday,
            planned_for: day,
            offset_days: 0,
        });
    }
    crate::reminders::write::insert(db, planned, crate::db::now()).await?;
    deliver(service, sink, day).await
}

/// Measures planning and delivery on `db` (see the module's documentation), for `day`
/// and the day after.
pub async fn run(
    db: &DatabaseConnection,
    settings: &Settings,
    day: NaiveDate,
) -> anyhow::Result<Figures> {
    let foreign = count(
        db,
        &format!("SELECT COUNT(*) AS n FROM meetings WHERE title NOT LIKE '{GENERATED}'"),
    )
    .await?;
    anyhow::ensure!(
        foreign == 0,
        "the database holds {foreign} meetings not made by `tindak bench seed`: the reminder \
         benchmark empties the outbox, so it runs on a seeded database only (or pass --no-reminders)"
    );
    let liaisons = count(db, "SELECT COUNT(*) AS n FROM liaisons WHERE active").await?;
    anyhow::ensure!(
        liaisons > 0,
        "no liaison to remind: seed the database again with this version of `tindak bench seed`"
    );
    let open_actions = count(
        db,
        "SELECT COUNT(*) AS n FROM actions WHERE status IN ('OPEN', 'IN_PROGRESS')",
    )
    .await?;
    // An empty outbox, and every open action to be looked at: the state after an upgrade or a
    // bulk import.
    let backend = db.get_database_backend();
    empty_outbox(db).await?;
    db.execute_raw(Statement::from_string(backend, "DELETE FROM planner_state"))
        .await?;
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "UPDATE reminder_days SET next_on = {} WHERE action_id IN \
             (SELECT id FROM actions WHERE status IN ('OPEN', 'IN_PROGRESS'))",
            crate::db::param(backend, 1)
        ),
        [entity::reminder_day::PLAN_NOW.into()],
    ))
    .await?;
    if backend == sea_orm::DbBackend::Postgres {
        // As the outbox's (see `empty_outbox`): the next days the last run wrote.
        db.execute_unprepared("VACUUM ANALYZE reminder_days")
            .await?;
    }

    let sink = Sink::start().await?;
    // The mail folder and key file of a file transport, which this run does not use.
    let dir = std::env::temp_dir().join(format!("tindak-bench-{}", uuid::Uuid::now_v7()));
    let service = service(db, settings, Some(sink.url.clone()), &dir)?;
    let now = crate::db::now();
    let backlog = plan_day(&service, day, now).await?;
    let by_hand = super::floor::backlog_by_hand(db, now, backlog.reminders).await?;
    let again = plan_day(&service, day, now).await?;
    let backlog_sent = deliver(&service, &sink, day).await?;
    let next = day.succ_opt().unwrap_or(day);
    let next_day = plan_day(&service, next, crate::db::now()).await?;
    let next_day_sent = deliver(&service, &sink, next).await?;
    let small_sent = small_digests(&service, &sink, next).await?;
    let _ = std::fs::remove_dir_all(&dir);
    let rss = || crate::memory::resident(std::process::id()).map(|(_, now)| now);
    let kept = rss();
    crate::memory::release_freed();
    let resident = kept.zip(rss());
    Ok(Figures {
        open_actions,
        liaisons,
        backlog,
        by_hand,
        again,
        backlog_sent,
        next_day,
        next_day_sent,
        small_sent,
        resident,
    })
}
