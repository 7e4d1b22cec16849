//! Opening the database and bringing its schema up to date.

mod journal;
pub(crate) mod rows;
mod session;

pub use session::nodelay as socket_nodelay;

use std::{
    sync::{
        OnceLock,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// A pooled connection idle for this long is pinged before it is handed out, so that one the
/// server dropped meanwhile (a restart, a proxy's idle timeout) is replaced instead of failing
/// a request. A connection in steady use is not: the pool pings every connection when it is
/// returned already, and a ping on every checkout too cost each statement a third round trip
/// (README, Performance).
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// Rows an SQLite connection's thread hands to the task reading them before it waits for
/// the task to take some (sqlx's default is 50). The nested page reads 100 rows in one
/// statement: with 50, the thread stopped halfway through each page until the task had
/// taken rows, one more hand-off between threads per request (measured: the page on SQLite
/// at 100,000 actions, 2,741-2,831 requests a second at 0.67-0.69 ms of server CPU with 50;
/// 3,156-3,243 at 0.58-0.60 ms with 256; README, Performance, twentieth round). At most this
/// many rows wait per statement under way: a few hundred KiB at most.
const SQLITE_ROW_BUFFER: usize = 256;
// The nested page's 100 rows fit.
const _: () = assert!(SQLITE_ROW_BUFFER >= 100);

/// Statements slower than this many milliseconds are logged (0: none); see
/// [`log_statements_slower_than`].
static SLOW_STATEMENT_MS: AtomicU64 = AtomicU64::new(0);

/// Makes the connections opened from now on log each statement slower than `ms` milliseconds
/// at WARN, target `sqlx::query`, with its SQL and never its values (`TINDAK_SLOW_STATEMENT_MS`);
/// 0 logs none. Set once, when a command starts.
pub fn log_statements_slower_than(ms: u64) {
    SLOW_STATEMENT_MS.store(ms, Ordering::Relaxed);
}

/// When this process last brought SQLite's statistics up to date ([`statistics_refreshed`]),
/// in nanoseconds since [`STATISTICS_EPOCH`]; 0 when it has not.
static STATISTICS_AT: AtomicU64 = AtomicU64::new(0);
static STATISTICS_EPOCH: OnceLock<Instant> = OnceLock::new();

/// Says that SQLite's statistics (`sqlite_stat1`, `sqlite_stat4`) were just brought up to date
/// by an `ANALYZE`. Each SQLite connection reads them once, when it opens, and keeps them: an
/// `ANALYZE` on one connection does not change what the others believe (README, Performance,
/// seventeenth round). So every pooled SQLite connection of this process opened before now is
/// closed instead of handed out again, and the pool opens fresh ones, which read the new
/// statistics. Connections of other processes keep theirs until they close (at most 30
/// minutes, the pool's connection lifetime).
pub fn statistics_refreshed() {
    let epoch = *STATISTICS_EPOCH.get_or_init(Instant::now);
    let at = u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
    STATISTICS_AT.store(at.max(1), Ordering::Release);
}

/// Whether a pooled connection opened `age` ago read statistics older than the last
/// [`statistics_refreshed`].
fn opened_before_statistics(age: Duration) -> bool {
    let at = STATISTICS_AT.load(Ordering::Acquire);
    let Some(epoch) = STATISTICS_EPOCH.get().filter(|_| at != 0) else {
        return false;
    };
    epoch.elapsed().saturating_sub(age) < Duration::from_nanos(at)
}

/// The pool's check of an idle SQLite connection before handing it out: `false` (close it,
/// take or open another) when it holds statistics older than the last [`statistics_refreshed`].
fn keep_sqlite_connection(
    _: &mut sea_orm::sqlx::SqliteConnection,
    meta: sea_orm::sqlx::pool::PoolConnectionMetadata,
) -> futures_util::future::BoxFuture<'_, Result<bool, sea_orm::sqlx::Error>> {
    Box::pin(std::future::ready(Ok(!opened_before_statistics(meta.age))))
}

/// Connects to `url`. SQLite files get WAL, foreign keys and a busy timeout so that
/// concurrent requests wait for the single writer instead of failing.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let size = if url.starts_with("sqlite:") { 8 } else { 16 };
    connect_with_pool(url, size).await
}

/// [`connect`] with a pool of `size` connections.
pub async fn connect_with_pool(url: &str, size: u32) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    match SLOW_STATEMENT_MS.load(Ordering::Relaxed) {
        0 => options.sqlx_logging(false),
        ms => options
            .sqlx_logging(true)
            .sqlx_logging_level(log::LevelFilter::Trace)
            .sqlx_slow_statements_logging_settings(
                log::LevelFilter::Warn,
                Duration::from_millis(ms),
            ),
    };
    options
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(size.max(1))
        .test_before_acquire_if_idle_for(PING_AFTER_IDLE);
    if url.starts_with("sqlite:") {
        journal::keep_statement_journals_in_memory();
        options.map_sqlx_sqlite_opts(|o| {
            o.foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .row_buffer_size(SQLITE_ROW_BUFFER)
        });
        options.map_sqlx_sqlite_before_acquire(keep_sqlite_connection);
        options.map_sqlx_sqlite_pool_opts(|o| {
            o.after_connect(|conn, _| Box::pin(rows::register(conn)))
        });
    } else {
        options.map_sqlx_postgres_pool_opts(session::on_connect);
    }
    // The URL may carry a password: it is never logged.
    Database::connect(options)
        .await
        .context("could not connect to the database named by DATABASE_URL")
}

/// Applies every pending migration. On SQLite all of them in one transaction: on one
/// connection, so that each schema change is prepared against the one before it (spread over
/// the pool's connections, a change can meet a connection that still holds the schema of
/// before and fail at random), and all or nothing, so that a process stopped halfway leaves
/// the schema as it was.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    let done: Result<(), DbErr> = async {
        if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
            let txn = begin_write(db).await?;
            Migrator::up(&txn, None).await?;
            txn.commit().await
        } else {
            Migrator::up(db, None).await
        }
    }
    .await;
    done.context("could not migrate the database")
}

/// A migrated SQLite database in a directory of its own with a pool of `size` connections, for
/// unit tests; the directory is removed when the returned guard drops.
#[cfg(test)]
pub(crate) async fn temporary_sqlite(size: u32) -> (tempfile::TempDir, DatabaseConnection) {
    let dir = tempfile::tempdir().expect("a directory");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("tindak.db").display()
    );
    let db = connect_with_pool(&url, size).await.expect("connect");
    migrate(&db).await.expect("migrate");
    (dir, db)
}

/// The current instant, to the microsecond: what both engines store, so that what a
/// mutation returns is what a later read returns.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6)
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a deferred transaction that read first could not upgrade to a write
/// once another writer committed, and would fail instead of waiting its turn.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// The `n`th parameter (from 1) of a hand-written statement: `$n` on PostgreSQL, `?` on
/// SQLite, which would look each named parameter up one by one (measured: writing 2,000
/// rows of four parameters took 130-400 ms with `$n`, 12-23 ms with `?`). A statement that
/// uses this refers to each parameter once, in order.
pub fn param(backend: sea_orm::DbBackend, n: usize) -> String {
    match backend {
        sea_orm::DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    }
}

/// A PostgreSQL array parameter of `values` (each of type `ty`), for statements that send
/// a column's values for many rows at once and `unnest` them in the server.
pub fn array<V: Into<sea_orm::Value>>(
    ty: sea_orm::sea_query::ArrayType,
    values: impl IntoIterator<Item = V>,
) -> sea_orm::Value {
    let values = values.into_iter().map(Into::into).collect();
    sea_orm::Value::Array(ty, Some(Box::new(values)))
}

/// `sql`, a statement built for SQLite that reads `table`, with `index` named for it
/// (`FROM "table" INDEXED BY index`), for the few statements whose plan must not depend on the
/// statistics a pooled connection happens to hold: SQLite reads them once per connection, and
/// an `ANALYZE` run on another connection does not change them. An error, not a slower plan,
/// if the statement does not read `table` as the builder writes it.
pub fn sqlite_indexed_by(sql: &str, table: &str, index: &str) -> Result<String, DbErr> {
    let from = format!("FROM \"{table}\"");
    let at = sql
        .find(&format!("{from} "))
        .or_else(|| sql.ends_with(&from).then(|| sql.len() - from.len()))
        .ok_or_else(|| DbErr::Custom(format!("no FROM \"{table}\" to name {index} in")))?;
    let end = at + from.len();
    Ok(format!("{} INDEXED BY {index}{}", &sql[..end], &sql[end..]))
}

/// Which way a list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    #[default]
    Asc,
    Desc,
}

impl From<Direction> for sea_orm::Order {
    fn from(d: Direction) -> Self {
        match d {
            Direction::Asc => Self::Asc,
            Direction::Desc => Self::Desc,
        }
    }
}

/// Writes `next` (every column) over the one row `current` selects (its id and the version
/// it was read at); CONFLICT when someone changed the row meanwhile.
pub async fn save_versioned<A, C>(
    db: &C,
    next: A,
    current: sea_orm::Condition,
    what: &str,
) -> crate::error::AppResult<()>
where
    A: sea_orm::ActiveModelTrait + Send,
    C: sea_orm::ConnectionTrait,
{
    use sea_orm::{EntityTrait, QueryFilter};
    let result = <A::Entity as EntityTrait>::update_many()
        .set(next.reset_all())
        .filter(current)
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        return Err(crate::error::AppError::Conflict(format!(
            "the {what} was changed by someone else meanwhile; reload it and try again"
        )));
    }
    Ok(())
}

/// Whether `expected` (the version a client last read, if it gave one) is still current.
pub fn check_version(current: i32, expected: Option<i32>) -> crate::error::AppResult<()> {
    match expected {
        Some(v) if v != current => Err(crate::error::AppError::Conflict(format!(
            "the record was changed by someone else (it is at version {current}, you had version {v}); reload it and try again"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

    use super::{sqlite_indexed_by, temporary_sqlite};

    /// Whether the connection that answers holds the temporary table `opened_here`: temporary
    /// tables belong to the connection that made them.
    async fn on_marked_connection(db: &DatabaseConnection) -> bool {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT count(*) AS n FROM sqlite_temp_master WHERE name = 'opened_here'",
            ))
            .await
            .expect("read the temporary schema")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("a count") == 1
    }

    #[tokio::test]
    async fn sqlite_connections_hand_over_a_whole_page_of_rows_at_once() {
        let (_dir, db) = temporary_sqlite(1).await;
        let pool = db.get_sqlite_connection_pool();
        let conn = pool.acquire().await.expect("a connection");
        // sqlx shows the setting in a connection's debug form only.
        let shown = format!("{:?}", *conn);
        assert!(
            shown.contains(&format!("row_channel_size: {}", super::SQLITE_ROW_BUFFER)),
            "{shown}"
        );
    }

    #[tokio::test]
    async fn sqlite_connections_that_read_old_statistics_are_replaced_after_an_analyze() {
        // One connection: every statement runs on it while the pool keeps it.
        let (_dir, db) = temporary_sqlite(1).await;
        db.execute_unprepared("CREATE TEMP TABLE opened_here (x)")
            .await
            .expect("mark the connection");
        assert!(on_marked_connection(&db).await);

        // A run that planned too little to analyze keeps the connection.
        crate::reminders::plan::refresh_statistics(&db, 999)
            .await
            .expect("no analyze");
        assert!(on_marked_connection(&db).await, "kept without an ANALYZE");

        // After an ANALYZE the connection that read the old statistics is not handed out
        // again: the next statement runs on a new one.
        crate::reminders::plan::refresh_statistics(&db, 1_000)
            .await
            .expect("analyze");
        assert!(
            !on_marked_connection(&db).await,
            "replaced after the ANALYZE"
        );

        // The new connection, opened after the ANALYZE, is kept.
        db.execute_unprepared("CREATE TEMP TABLE opened_here (x)")
            .await
            .expect("mark the new connection");
        assert!(on_marked_connection(&db).await);
        assert!(
            on_marked_connection(&db).await,
            "kept: it read the new statistics"
        );
    }

    #[test]
    fn the_index_is_named_after_the_table_it_is_for() {
        let named = sqlite_indexed_by(
            r#"SELECT "reminders"."id" FROM "reminders" WHERE "reminders"."action_id" IN (SELECT "id" FROM "actions")"#,
            "reminders",
            "idx_reminders_failed",
        )
        .expect("named");
        assert_eq!(
            named,
            r#"SELECT "reminders"."id" FROM "reminders" INDEXED BY idx_reminders_failed WHERE "reminders"."action_id" IN (SELECT "id" FROM "actions")"#
        );
        assert_eq!(
            sqlite_indexed_by(r#"SELECT 1 FROM "reminders""#, "reminders", "i")
                .expect("at the end"),
            r#"SELECT 1 FROM "reminders" INDEXED BY i"#
        );
        // A table of a similar name, or none: an error rather than a statement planned freely.
        assert!(
            sqlite_indexed_by(r#"SELECT 1 FROM "reminders_old" WHERE x"#, "reminders", "i")
                .is_err()
        );
        assert!(sqlite_indexed_by("SELECT 1", "reminders", "i").is_err());
    }
}
