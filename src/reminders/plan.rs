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
pub use super::statistics::{POSTGRES_STATISTICS_TARGET, refresh_statistics};
use super::{
    cache::with_planning_cache,
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
