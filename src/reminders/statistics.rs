//! The outbox's statistics after a large planning run.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, TransactionTrait};

use crate::error::AppResult;

/// Runs that plan fewer reminders leave the statistics as they are.
const LARGE_RUN: u64 = 1_000;

/// The entries of each index SQLite's `ANALYZE` reads after a planning run (its
/// `analysis_limit`): it estimates the rest from their B-tree, as SQLite's own `PRAGMA
/// optimize` does; under the limit it keeps no samples of the keys (`sqlite_stat4`), only the
/// counts of `sqlite_stat1`. After the backlog of 100,000 actions (208,000 reminders) a full
/// `ANALYZE` took 95-106 ms, this one 20-23 ms, and delivery ran as fast or faster (README,
/// Performance, twentieth round).
pub const ANALYSIS_ROWS: u32 = 10_000;

/// The statistics target of PostgreSQL's `ANALYZE` after a planning run: it samples 300 rows
/// per unit of the target, so 3,000 rows instead of the default's 30,000 (at 100,000 actions,
/// most of the outbox's pages), and keeps 10 common values and 10 histogram buckets a column.
/// What delivery needs is the outbox's size and how much of it is pending, which a sample
/// gives as well; autovacuum's later `ANALYZE` uses the server's own target again. By hand,
/// on the outbox after the backlog and its delivery (234,641 reminders, 76 MB): 24-26 ms
/// against 276-324 ms (README, Performance, twenty-second round).
pub const POSTGRES_STATISTICS_TARGET: u32 = 10;

/// After a run that planned many reminders, the outbox's statistics are brought up to date
/// before delivery. Otherwise the engine still believes the outbox holds a few pending rows
/// and claims and records each digest with a plan made for a few rows (measured
/// on PostgreSQL: 0.3 to 0.9 s per digest after planning 100,000 reminders, 5 ms with fresh
/// statistics). Both engines estimate them from a sample: on PostgreSQL of
/// [`POSTGRES_STATISTICS_TARGET`]'s rows, on SQLite of `ANALYSIS_ROWS` entries of each
/// index, and there the pool's connections are then replaced as they come back
/// ([`crate::db::statistics_refreshed`]): each holds the statistics it read when it opened.
pub async fn refresh_statistics(db: &DatabaseConnection, planned: u64) -> AppResult<()> {
    if planned < LARGE_RUN {
        return Ok(());
    }
    if db.get_database_backend() != DbBackend::Sqlite {
        // The target ends with the transaction.
        let txn = db.begin().await?;
        txn.execute_unprepared(&format!(
            "SET LOCAL default_statistics_target = {POSTGRES_STATISTICS_TARGET}"
        ))
        .await?;
        txn.execute_unprepared("ANALYZE reminders").await?;
        txn.commit().await?;
        return Ok(());
    }
    // One connection for the limit and the ANALYZE; it is given back without the limit.
    let txn = crate::db::begin_write(db).await?;
    txn.execute_unprepared(&format!("PRAGMA analysis_limit = {ANALYSIS_ROWS}"))
        .await?;
    let analyzed = txn.execute_unprepared("ANALYZE reminders").await;
    let unlimited = txn.execute_unprepared("PRAGMA analysis_limit = 0").await;
    analyzed?;
    unlimited?;
    txn.commit().await?;
    crate::db::statistics_refreshed();
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};

    use super::{ANALYSIS_ROWS, refresh_statistics};
    use crate::reminders::write::{insert, of_one_action};

    /// What SQLite believes of one of the outbox's indexes: its rows, then the rows that share
    /// a value of its first column, of its first two columns, and so on.
    async fn believed(db: &DatabaseConnection, index: &str) -> Option<Vec<u64>> {
        let row = db
            .query_one_raw(Statement::from_sql_and_values(
                db.get_database_backend(),
                "SELECT stat FROM sqlite_stat1 WHERE tbl = 'reminders' AND idx = ?",
                [index.into()],
            ))
            .await
            .expect("the statistics table")?;
        let stat: String = row.try_get("", "stat").expect("a stat");
        Some(
            stat.split(' ')
                .map(|n| n.parse().expect("a number"))
                .collect(),
        )
    }

    #[tokio::test]
    async fn a_large_run_leaves_sqlite_an_estimate_of_the_outbox_read_from_a_sample() {
        // One connection: the ANALYZE and the checks after it run on the same one as long as
        // the pool keeps it.
        let (_dir, db, action) = crate::bench::seed::temporary_with_an_action(1).await;
        let count = 4 * u64::from(ANALYSIS_ROWS);
        let rows = of_one_action(action, usize::try_from(count).expect("a count"));
        let txn = db.begin().await.expect("a transaction");
        insert(&txn, rows, Utc::now()).await.expect("insert");
        txn.commit().await.expect("commit");

        // A small run leaves the statistics alone.
        refresh_statistics(&db, 999).await.expect("no analyze");
        assert_eq!(believed(&db, "sqlite_autoindex_reminders_1").await, None);

        refresh_statistics(&db, count).await.expect("analyze");
        let rows = believed(&db, "sqlite_autoindex_reminders_1")
            .await
            .expect("statistics of the outbox");
        assert!(
            rows[0] > count / 2 && rows[0] < count * 2,
            "{rows:?} believed of {count} rows"
        );
        // Every reminder is of one action: a full ANALYZE counts them all under it; the
        // sample stops after its entries.
        let plan = believed(&db, "uq_reminders_plan")
            .await
            .expect("statistics of the plan's key");
        assert!(
            plan[1] <= u64::from(ANALYSIS_ROWS) + 1,
            "{plan:?}: read from a sample of {ANALYSIS_ROWS} entries, not all {count}"
        );
    }
}
