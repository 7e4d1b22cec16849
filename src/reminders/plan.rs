//! Planning: turning the policy into Reminder rows, idempotently.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    enums::{ActionStatus, Language},
    reminder_day::PLAN_NOW,
};
use sea_orm::{
    ActiveEnum, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    FromQueryResult, Statement, TransactionTrait,
};
use uuid::Uuid;

pub use super::stale::cancel_stale;
use super::{
    calls::{Conveners, People, Recipient, liaisons_by_ministry, rows_for, without_planned},
    next_day::Due,
    policy::Policy,
    write::{NewReminder, insert},
};
use crate::error::AppResult;

/// Actions read per round of planning.
const PAGE: u64 = 2_000;

/// Opens a planning run's write transaction. On PostgreSQL the run's reads by lists of ids
/// (the supporters and the reminders planned before of a page of actions, the pending
/// reminders of the actions that changed) go through their indexes: under the default cost of
/// a random page read (4, for spinning disks) the engine reads the whole outbox for each list
/// instead, which grows with every reminder ever sent (measured at 100,000 actions, 230,000
/// reminders, a list of 2,000 actions: 80 ms by a scan of the outbox, 22 ms through its key
/// with the cost at 1.1, the usual value for solid-state disks and cached data). The setting
/// ends with the transaction.
///
/// Planners take turns: on PostgreSQL the transaction holds an advisory lock until it ends,
/// so a replica that starts planning while another plans waits for it, then finds what it
/// planned; on SQLite the write transaction itself is exclusive. So no two planners write the
/// same reminder, and the inserts need no conflict clause.
pub async fn begin(db: &DatabaseConnection) -> AppResult<DatabaseTransaction> {
    let txn = through_indexes(crate::db::begin_write(db).await?).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        // An arbitrary key that names "planning".
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7461727)")
            .await?;
    }
    Ok(txn)
}

/// `txn`, whose reads by lists of ids go through their indexes on PostgreSQL (see [`begin`]).
async fn through_indexes(txn: DatabaseTransaction) -> AppResult<DatabaseTransaction> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL random_page_cost = 1.1")
            .await?;
    }
    Ok(txn)
}

/// Plans every reminder the policy calls for on `day`; what was planned before is left as it
/// is (a unique key over action, recipient, kind, due date and occurrence). Returns how many
/// new reminders there are. Everything is read and written through `db` (a dry run's
/// transaction, say); a worker's run uses [`settle`] and [`plan_alongside`] instead.
pub async fn plan<C: ConnectionTrait>(
    db: &C,
    policy: &Policy,
    escalation_emails: &[String],
    day: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    super::next_day::look_again_if_policy_changed(db, &policy.fingerprint(escalation_emails))
        .await?;
    let run = Run::new(db, policy, escalation_emails, day, now).await?;
    run.pages(db, &[db]).await
}

/// Before a run plans: the reminders made stale since the last run are cancelled, and a
/// change of the reminder settings makes every open action to be looked at again, in a
/// transaction of their own (planners take turns here too), so that planning itself can read
/// beside its writes (see [`plan_alongside`]). Returns how many reminders were cancelled.
pub async fn settle(
    db: &DatabaseConnection,
    policy: &Policy,
    escalation_emails: &[String],
) -> AppResult<u64> {
    let txn = begin(db).await?;
    let cancelled = cancel_stale(&txn).await?;
    super::next_day::look_again_if_policy_changed(&txn, &policy.fingerprint(escalation_emails))
        .await?;
    txn.commit().await?;
    Ok(cancelled)
}

/// [`plan`] with its writes in `txn` (from [`begin`], after [`settle`]) and its reads in a
/// transaction of their own beside it: while pages are written, the next page is read and its
/// reminders made, on another connection. On PostgreSQL the pages are written by two
/// transactions side by side, `txn` and a second one this commits before it returns (measured
/// on PostgreSQL, the backlog of 60,000 open actions: see the README's thirteenth round); on
/// SQLite, whose writers take turns, by `txn` alone.
///
/// The reads see what was committed, which is all they need: the pages are of other actions
/// than those written so far, and the run's own earlier changes were committed by [`settle`]
/// (should the settings have changed since, everything goes through `txn` as in [`plan`]).
/// Each page's reminders and next days are written by one transaction, so a run that fails
/// after the second transaction committed leaves some pages planned and the others to the
/// next run, as a run that stopped early would; no planner runs meanwhile, since `txn` holds
/// planning's lock until it ends, after the second transaction committed.
pub async fn plan_alongside(
    txn: &DatabaseTransaction,
    db: &DatabaseConnection,
    policy: &Policy,
    escalation_emails: &[String],
    day: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let fingerprint = policy.fingerprint(escalation_emails);
    if super::next_day::look_again_if_policy_changed(txn, &fingerprint).await? {
        let run = Run::new(txn, policy, escalation_emails, day, now).await?;
        return with_planning_cache(&[txn], run.pages(txn, &[txn])).await;
    }
    let reader = through_indexes(db.begin().await?).await?;
    let second = match txn.get_database_backend() {
        DbBackend::Postgres => Some(crate::db::begin_write(db).await?),
        _ => None,
    };
    let mut writers = vec![txn];
    writers.extend(second.as_ref());
    let run = Run::new(&reader, policy, escalation_emails, day, now).await?;
    let planned = with_planning_cache(&[txn, &reader], run.pages(&reader, &writers)).await?;
    reader.commit().await?;
    if let Some(second) = second {
        second.commit().await?;
    }
    Ok(planned)
}

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
async fn with_planning_cache<T>(
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

/// What a planning run needs throughout: the policy, the day, who receives what.
struct Run<'a> {
    policy: &'a Policy,
    day: NaiveDate,
    horizon: NaiveDate,
    now: DateTime<Utc>,
    by_ministry: HashMap<Uuid, Vec<Recipient>>,
    extra: Vec<Recipient>,
    page: String,
}

/// A page of planning: the actions read, and the reminders they call for that were not
/// planned before.
struct Page {
    actions: Vec<Due>,
    rows: Vec<NewReminder>,
}

impl<'a> Run<'a> {
    async fn new<C: ConnectionTrait>(
        db: &C,
        policy: &'a Policy,
        escalation_emails: &[String],
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> AppResult<Self> {
        let horizon = day
            .checked_add_days(chrono::Days::new(u64::from(policy.horizon_days())))
            .unwrap_or(NaiveDate::MAX);
        let extra: Vec<Recipient> = escalation_emails
            .iter()
            .map(|e| e.trim())
            .filter(|e| !e.is_empty())
            .map(|e| Recipient {
                liaison_id: None,
                email: e.to_owned(),
                name: None,
                language: Language::Id,
            })
            .collect();
        let [day_p, done_p, cancelled_p, on_p, id_p] =
            [1, 2, 3, 4, 5].map(|n| crate::db::param(db.get_database_backend(), n));
        // Only the actions whose next reminder day has come, or that changed since, as ranges
        // of the index over (next day, action): a page starts where the last one ended, past
        // the entries of the actions already planned.
        let page = format!(
            "SELECT a.id, a.meeting_id, a.lead_ministry_id, a.due_on, d.next_on, d.generation \
             FROM reminder_days d JOIN actions a ON a.id = d.action_id \
             WHERE d.next_on <= {day_p} AND a.status NOT IN ({done_p}, {cancelled_p}) \
             AND (d.next_on, d.action_id) > ({on_p}, {id_p}) \
             ORDER BY d.next_on, d.action_id LIMIT {PAGE}"
        );
        Ok(Self {
            policy,
            day,
            horizon,
            now,
            by_ministry: liaisons_by_ministry(db).await?,
            extra,
            page,
        })
    }

    /// Reads page after page through `reader` and hands each to the first of `writers` that is
    /// free; when they are other connections than `reader`, the next page is read while the
    /// last ones are written. After an error nothing more is read or taken, and the statements
    /// under way finish (none is dropped halfway); the first error is returned.
    async fn pages<R: ConnectionTrait, W: ConnectionTrait>(
        &self,
        reader: &R,
        writers: &[&W],
    ) -> AppResult<u64> {
        let (pages, taken) = tokio::sync::mpsc::channel::<Page>(1);
        let taken = tokio::sync::Mutex::new(taken);
        let reading = async move {
            let mut conveners = Conveners::default();
            let mut spent = Phases::default();
            let mut after = (PLAN_NOW, Uuid::nil());
            loop {
                let page = self.read(reader, &mut conveners, after, &mut spent).await?;
                let Some(last) = page.actions.last() else {
                    break;
                };
                after = (last.next_on, last.id);
                let full = page.actions.len() as u64 >= PAGE;
                // A writer failed and closed the channel: nothing more to read.
                if pages.send(page).await.is_err() || !full {
                    break;
                }
            }
            Ok::<_, crate::error::AppError>(spent)
        };
        let writing = writers.iter().map(|writer| {
            let taken = &taken;
            async move {
                let mut spent = Phases::default();
                let mut planned = 0;
                loop {
                    let page = { taken.lock().await.recv().await };
                    let Some(page) = page else {
                        break;
                    };
                    match self.write(*writer, page, &mut spent).await {
                        Ok(written) => planned += written,
                        Err(e) => {
                            taken.lock().await.close();
                            return Err(e);
                        }
                    }
                }
                Ok((planned, spent))
            }
        });
        let (read, written) = tokio::join!(reading, futures_util::future::join_all(writing));
        let mut spent = read?;
        let mut planned = 0;
        for written in written {
            let (written, writing) = written?;
            planned += written;
            spent.insert += writing.insert;
            spent.days += writing.days;
        }
        tracing::debug!(
            actions = spent.actions,
            planned,
            writers = writers.len(),
            read_ms = spent.read.as_millis(),
            existing_ms = spent.existing.as_millis(),
            insert_ms = spent.insert.as_millis(),
            days_ms = spent.days.as_millis(),
            "planning: where the time went"
        );
        Ok(planned)
    }

    /// The page of actions after `after`, and the reminders they call for that were not
    /// planned before.
    async fn read<C: ConnectionTrait>(
        &self,
        db: &C,
        conveners: &mut Conveners,
        after: (NaiveDate, Uuid),
        spent: &mut Phases,
    ) -> AppResult<Page> {
        let started = Instant::now();
        let actions = Due::find_by_statement(Statement::from_sql_and_values(
            db.get_database_backend(),
            self.page.clone(),
            [
                self.day.into(),
                ActionStatus::Done.to_value().into(),
                ActionStatus::Cancelled.to_value().into(),
                after.0.into(),
                after.1.into(),
            ],
        ))
        .all(db)
        .await?;
        spent.actions += actions.len();
        let within: Vec<&Due> = actions
            .iter()
            .filter(|a| a.due_on <= self.horizon)
            .collect();
        conveners.load(db, &within).await?;
        let people = People {
            by_ministry: &self.by_ministry,
            extra: &self.extra,
            conveners: &conveners.0,
        };
        let rows = rows_for(db, self.policy, &people, &within, self.day).await?;
        spent.read += started.elapsed();
        let started = Instant::now();
        let rows = without_planned(db, &within, rows).await?;
        spent.existing += started.elapsed();
        Ok(Page { actions, rows })
    }

    /// Writes a page's new reminders and its actions' next days. Returns how many reminders.
    async fn write<C: ConnectionTrait>(
        &self,
        db: &C,
        page: Page,
        spent: &mut Phases,
    ) -> AppResult<u64> {
        let started = Instant::now();
        let planned = insert(db, page.rows, self.now).await?;
        spent.insert += started.elapsed();
        let started = Instant::now();
        super::next_day::set(db, self.policy, &page.actions, self.day).await?;
        spent.days += started.elapsed();
        Ok(planned)
    }
}

/// Where a planning run spent its time (logged at debug level): reading the actions and who
/// their reminders go to, reading what was planned before, writing the new reminders, writing
/// the next days.
#[derive(Default)]
struct Phases {
    actions: usize,
    read: Duration,
    existing: Duration,
    insert: Duration,
    days: Duration,
}

/// After a run that planned many reminders, the outbox's statistics are brought up to date
/// before delivery. Otherwise the engine still believes the outbox holds a few pending rows
/// and claims and records each digest with a plan made for a few rows (measured
/// on PostgreSQL: 0.3 to 0.9 s per digest after planning 100,000 reminders, 5 ms with fresh
/// statistics). On SQLite the pool's connections are then replaced as they come back
/// ([`crate::db::statistics_refreshed`]): each holds the statistics it read when it opened.
pub async fn refresh_statistics<C: ConnectionTrait>(db: &C, planned: u64) -> AppResult<()> {
    if planned >= 1_000 {
        db.execute_unprepared("ANALYZE reminders").await?;
        if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
            crate::db::statistics_refreshed();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use sea_orm::{DatabaseConnection, TransactionTrait};

    use super::{PLANNING_CACHE_KIB, begin, cache_size, plan_alongside, with_planning_cache};
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
        let dir = tempfile::tempdir().expect("a directory");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("plan.db").display());
        let db = crate::db::connect_with_pool(&url, 2)
            .await
            .expect("connect");
        crate::db::migrate(&db).await.expect("migrate");
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
