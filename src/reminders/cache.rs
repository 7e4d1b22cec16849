//! Planning's page cache on SQLite: a planning run's transactions read and write through a
//! wider cache than SQLite's default for the run, and give it back afterwards.

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement};

use crate::error::AppResult;

/// The page cache, in KiB, of each SQLite connection a planning run reads or writes through
/// while it plans (`with_planning_cache`). SQLite's default is 2,000 KiB a connection: the
/// backlog of 100,000 actions touches some 15 MiB of `reminder_days` and its index in an order
/// of its own (the pages are in the order of the next days), so with the default every
/// page's update of the next days read most of its rows back from the file and spilled
/// written pages to the log before the commit (README, Performance, nineteenth round).
pub const PLANNING_CACHE_KIB: i64 = 32 * 1024;

/// Runs `work` with each of `conns` (transactions of one planning run) given a page cache of
/// [`PLANNING_CACHE_KIB`] on SQLite, then gives each back the cache it had, whether `work`
/// succeeded or not, so that the pool's connections do not keep a planning run's memory. The
/// cache is a bound, not an allocation: a run that touches few pages takes little. A run
/// dropped halfway (its process stopping) leaves its connections the wider bound until the
/// pool replaces them (at most 30 minutes, the pool's connection lifetime). On PostgreSQL,
/// `work` alone.
pub(super) async fn with_planning_cache<T>(
    conns: &[&DatabaseTransaction],
    work: impl std::future::Future<Output = AppResult<T>>,
) -> AppResult<T> {
    if conns
        .first()
        .is_none_or(|c| c.get_database_backend() != DbBackend::Sqlite)
    {
        return work.await;
    }
    let mut before = Vec::with_capacity(conns.len());
    for conn in conns {
        before.push(cache_size(*conn).await?);
        conn.execute_unprepared(&format!("PRAGMA cache_size = -{PLANNING_CACHE_KIB}"))
            .await?;
    }
    let done = work.await;
    let mut restored = Ok(());
    for (conn, size) in conns.iter().zip(before) {
        let back = conn
            .execute_unprepared(&format!("PRAGMA cache_size = {size}"))
            .await;
        restored = restored.and(back.map(drop));
    }
    // The work's own error first: a failed restore is only the consequence of a lost
    // connection, which the pool replaces.
    let value = done?;
    restored?;
    Ok(value)
}

/// The page cache an SQLite connection has, as `PRAGMA cache_size` states it (negative: in
/// KiB; positive: in pages).
async fn cache_size<C: ConnectionTrait>(conn: &C) -> AppResult<i64> {
    let row = conn
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA cache_size",
        ))
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("PRAGMA cache_size".into()))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use sea_orm::{DatabaseConnection, TransactionTrait};

    use super::{PLANNING_CACHE_KIB, cache_size, with_planning_cache};
    use crate::reminders::plan::{begin, plan_alongside};
    use crate::{error::AppError, reminders::policy::Policy};

    /// The page cache of each of the pool's two connections, read in two transactions open
    /// at once.
    async fn pool_caches(db: &DatabaseConnection) -> [i64; 2] {
        let (a, b) = (
            db.begin().await.expect("a transaction"),
            db.begin().await.expect("a transaction"),
        );
        [
            cache_size(&a).await.expect("a cache"),
            cache_size(&b).await.expect("a cache"),
        ]
    }

    #[tokio::test]
    async fn planning_widens_sqlite_page_cache_for_its_run_and_gives_it_back() {
        let (_dir, db) = crate::db::temporary_sqlite(2).await;
        let default = pool_caches(&db).await;
        assert_eq!(default, [-2000, -2000], "SQLite's default");

        // While the work runs, both transactions have the planning cache; afterwards the one
        // they had, also when the work fails.
        let (writer, reader) = (
            begin(&db).await.expect("a write transaction"),
            db.begin().await.expect("a transaction"),
        );
        let during = with_planning_cache(&[&writer, &reader], async {
            Ok([cache_size(&writer).await?, cache_size(&reader).await?])
        })
        .await
        .expect("the work");
        assert_eq!(during, [-PLANNING_CACHE_KIB; 2]);
        let failed: Result<(), AppError> = with_planning_cache(&[&writer, &reader], async {
            Err(AppError::bad_input("day", "a failed run"))
        })
        .await;
        assert!(
            matches!(failed, Err(AppError::BadInput { .. })),
            "the work's error"
        );
        assert_eq!(
            [
                cache_size(&writer).await.expect("a cache"),
                cache_size(&reader).await.expect("a cache")
            ],
            default
        );
        writer.commit().await.expect("committed");
        reader.commit().await.expect("committed");

        // Whole runs: the first (settings new to the database) plans through its write
        // transaction alone, the second reads beside it; the pool's connections come back with
        // the default cache each time.
        let policy = Policy::new(&[7, 3, 1], 7, 14);
        let day = NaiveDate::from_ymd_opt(2026, 12, 7).expect("a day");
        let now = Utc
            .with_ymd_and_hms(2026, 12, 7, 1, 0, 0)
            .single()
            .expect("an instant");
        for _ in 0..2 {
            let txn = begin(&db).await.expect("a write transaction");
            plan_alongside(&txn, &db, &policy, &[], day, now)
                .await
                .expect("planned");
            txn.commit().await.expect("committed");
            assert_eq!(pool_caches(&db).await, default);
        }
    }
}
