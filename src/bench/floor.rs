//! What the backlog's planning is measured against: its reminders written by hand-written
//! SQL, the least the engine takes to store those rows in the outbox's schema (its key, its
//! unique key and its index of pending reminders, the foreign key to the actions).
//!
//! After the backlog is planned, its rows are copied aside, the outbox is emptied as at the
//! start of the benchmark, and the same rows go back by one `INSERT … SELECT` in one
//! transaction, timed with its commit: nothing read from the actions, nothing made, no next
//! day written, no statement sent per thousand rows. The outbox then holds the same
//! reminders it held, pending, so delivery and the next day run as before.

use std::time::Instant;

use chrono::{DateTime, Utc};
use entity::enums::ReminderStatus;
use sea_orm::{ActiveEnum, ConnectionTrait, DatabaseConnection, Statement};

use super::reminders::{Planned, empty_outbox};
use crate::reminders::write::{SHARED_COLUMNS, VARYING_COLUMNS as COLUMNS};

/// The table the rows wait in meanwhile (in the seeded database, dropped afterwards).
const ASIDE: &str = "bench_backlog";

/// Writes again by hand the `planned` reminders the backlog's planning made at `planned_at`,
/// and returns how long that took.
pub(super) async fn backlog_by_hand(
    db: &DatabaseConnection,
    planned_at: DateTime<Utc>,
    planned: u64,
) -> anyhow::Result<Planned> {
    let backend = db.get_database_backend();
    let [p1, p2] = [1, 2].map(|n| crate::db::param(backend, n));
    db.execute_unprepared(&format!("DROP TABLE IF EXISTS {ASIDE}"))
        .await?;
    db.execute_unprepared(&format!(
        "CREATE TABLE {ASIDE} AS SELECT {COLUMNS} FROM reminders WHERE 1 = 0"
    ))
    .await?;
    let aside = db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO {ASIDE} ({COLUMNS}) SELECT {COLUMNS} FROM reminders \
                 WHERE created_at = {p1}"
            ),
            [planned_at.into()],
        ))
        .await?
        .rows_affected();
    anyhow::ensure!(
        aside == planned,
        "the outbox holds {aside} reminders of the backlog's run, which planned {planned}"
    );
    empty_outbox(db).await?;

    let started = Instant::now();
    let txn = crate::db::begin_write(db).await?;
    let written = txn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO reminders ({COLUMNS}, {SHARED_COLUMNS}) \
                 SELECT {COLUMNS}, n.status, 0, n.now, n.now, n.now \
                 FROM (SELECT {p1} AS now, {p2} AS status) AS n, {ASIDE}"
            ),
            [
                crate::db::now().into(),
                ReminderStatus::Pending.to_value().into(),
            ],
        ))
        .await?
        .rows_affected();
    txn.commit().await?;
    let time = started.elapsed();

    db.execute_unprepared(&format!("DROP TABLE {ASIDE}"))
        .await?;
    // As after a planning run: the engine's estimate of the outbox, which emptying it reset.
    crate::reminders::plan::refresh_statistics(db, written).await?;
    Ok(Planned {
        reminders: written,
        time,
    })
}
