//! Delivery: claim a recipient's due reminders under a lease, send them as one digest, and
//! record the outcome only if the lease is still ours.
//!
//! A claim gives each row a fresh lease owner (a per-claim id) and increments its attempt
//! number; completing a row requires both to be unchanged, so a worker whose lease expired
//! (and whose rows another worker took over) cannot overwrite what the other recorded. A
//! lease runs from the moment of its claim and is renewed while its digest is being sent; a
//! worker that finds its lease lost sends nothing more from that claim.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{enums::ReminderStatus, reminder};
use futures_util::{FutureExt, future::join_all};
use lettre::message::Mailbox;
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
    sea_query::{Expr, ExprTrait, LockBehavior, LockType},
};
use uuid::Uuid;

use super::{
    failures,
    load::{self, Links},
    mail::{Mailer, SendError},
};
use crate::error::AppResult;

/// Most reminders one digest carries; a recipient with more gets the rest in the next one.
const MAX_PER_DIGEST: u64 = 500;

/// Digests sent side by side (the SMTP pool holds up to 10 connections).
const CONCURRENCY: usize = 8;

/// What one delivery pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Emails accepted by the server (one per recipient).
    pub emails: u64,
    /// Reminders those emails carried.
    pub sent: u64,
    /// Reminders put back for a later attempt.
    pub retried: u64,
    /// Reminders given up.
    pub failed: u64,
}

impl std::ops::AddAssign for Delivered {
    fn add_assign(&mut self, other: Self) {
        self.emails += other.emails;
        self.sent += other.sent;
        self.retried += other.retried;
        self.failed += other.failed;
    }
}

/// The time of a run: it starts at the instant the run is for and goes on with the real
/// clock, so that each claim and each renewal is dated when it happens, not when the run began.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: DateTime<Utc>,
    started: std::time::Instant,
}

impl Clock {
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Self {
            start,
            started: std::time::Instant::now(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        Duration::from_std(self.started.elapsed())
            .ok()
            .and_then(|d| self.start.checked_add_signed(d))
            .unwrap_or(self.start)
    }
}

/// `now + by`, or the last instant there is.
fn later(now: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    now.checked_add_signed(by)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Pending reminders that a delivery at `now` would take (what a dry run reports).
pub async fn count_due<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> AppResult<u64> {
    let due = reminder::Entity::find().filter(due_now(now));
    Ok(sea_orm::PaginatorTrait::count(due, db).await?)
}

/// How a worker delivers.
pub struct Courier<'a> {
    pub db: &'a DatabaseConnection,
    pub mailer: &'a Mailer,
    pub links: Links<'a>,
    pub mail_from: &'a Mailbox,
    pub lease: Duration,
    pub max_attempts: i32,
    pub worker: &'a str,
    /// On SQLite, the writes of side-by-side deliveries take turns here: the engine has one
    /// writer, and waiting in its busy handler is far slower than waiting in line.
    pub write_turn: Option<&'a tokio::sync::Mutex<()>>,
}

/// Rows claimed for one recipient, fenced by `owner` and each row's attempt number.
pub struct Claim {
    pub owner: String,
    pub rows: Vec<reminder::Model>,
}

fn due_now(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(reminder::Column::Status.eq(ReminderStatus::Pending))
        .add(reminder::Column::NextAttemptAt.lte(now))
        .add(
            Condition::any()
                .add(reminder::Column::LeaseUntil.is_null())
                .add(reminder::Column::LeaseUntil.lt(now)),
        )
}

/// What the heartbeat of a delivery found.
enum Held {
    /// Every claimed row is still ours.
    Yes,
    /// Another worker took some over (or they were closed meanwhile).
    Lost,
}

impl Courier<'_> {
    /// Recipients with reminders due at `now`, a few at a time.
    async fn recipients(&self, now: DateTime<Utc>, limit: u64) -> AppResult<Vec<String>> {
        Ok(reminder::Entity::find()
            .select_only()
            .column(reminder::Column::Email)
            .distinct()
            .filter(due_now(now))
            .order_by_asc(reminder::Column::Email)
            .limit(limit)
            .into_tuple::<String>()
            .all(self.db)
            .await?)
    }

    /// Claims every due reminder of `email` that no other worker holds, as of `now`.
    pub async fn claim(&self, email: &str, now: DateTime<Utc>) -> AppResult<Claim> {
        self.claim_at(email, &Clock::starting_at(now)).await
    }

    /// On PostgreSQL the rows are locked with `FOR UPDATE SKIP LOCKED`; on SQLite the single
    /// writer serialises claims. The conditional update re-checks the lease either way. The
    /// lease runs from the time of this claim.
    async fn claim_at(&self, email: &str, clock: &Clock) -> AppResult<Claim> {
        let _turn = self.turn().await;
        let owner = format!("{}:{}", self.worker, Uuid::now_v7().simple());
        let txn = crate::db::begin_write(self.db).await?;
        let now = clock.now();
        let mut rows = vec![];
        if recipient_is_ours(&txn, email).await? {
            let ids: Vec<Uuid> = reminder::Entity::find()
                .select_only()
                .column(reminder::Column::Id)
                .filter(reminder::Column::Email.eq(email))
                .filter(due_now(now))
                .order_by_asc(reminder::Column::NextAttemptAt)
                .limit(MAX_PER_DIGEST)
                .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
                .into_tuple::<Uuid>()
                .all(&txn)
                .await?;
            if !ids.is_empty() {
                reminder::Entity::update_many()
                    .col_expr(reminder::Column::LeaseOwner, Expr::value(owner.clone()))
                    .col_expr(
                        reminder::Column::LeaseUntil,
                        Expr::value(later(now, self.lease)),
                    )
                    .col_expr(
                        reminder::Column::Attempts,
                        Expr::col(reminder::Column::Attempts).add(Expr::value(1)),
                    )
                    .col_expr(reminder::Column::UpdatedAt, Expr::value(now))
                    .filter(reminder::Column::Id.is_in(ids))
                    .filter(due_now(now))
                    .exec(&txn)
                    .await?;
                rows = reminder::Entity::find()
                    .filter(reminder::Column::LeaseOwner.eq(owner.clone()))
                    .all(&txn)
                    .await?;
            }
        }
        txn.commit().await?;
        Ok(Claim { owner, rows })
    }

    /// Extends the lease of every row of `claim` that is still ours and not yet expired.
    async fn renew(&self, claim: &Claim, clock: &Clock) -> AppResult<Held> {
        let _turn = self.turn().await;
        let now = clock.now();
        let mut renewed = 0;
        for attempts in attempt_groups(claim) {
            renewed += reminder::Entity::update_many()
                .col_expr(
                    reminder::Column::LeaseUntil,
                    Expr::value(later(now, self.lease)),
                )
                .filter(reminder::Column::Id.is_in(ids_at(claim, attempts)))
                .filter(reminder::Column::LeaseOwner.eq(claim.owner.clone()))
                .filter(reminder::Column::Attempts.eq(attempts))
                .filter(reminder::Column::Status.eq(ReminderStatus::Pending))
                .filter(reminder::Column::LeaseUntil.gte(now))
                .exec(self.db)
                .await?
                .rows_affected;
        }
        Ok(if renewed == claim.rows.len() as u64 {
            Held::Yes
        } else {
            Held::Lost
        })
    }

    /// Renews the lease of `claim` every third of the lease until it is lost (or the
    /// database cannot be reached, which is treated the same: nothing proves it is ours).
    async fn heartbeat(&self, claim: &Claim, clock: &Clock) {
        let period = (self.lease / 3)
            .to_std()
            .unwrap_or_default()
            .max(std::time::Duration::from_millis(100));
        loop {
            tokio::time::sleep(period).await;
            match self.renew(claim, clock).await {
                Ok(Held::Yes) => {}
                Ok(Held::Lost) => return,
                Err(error) => {
                    tracing::warn!(%error, "could not renew a lease");
                    return;
                }
            }
        }
    }

    /// Records the outcome of claimed rows that share an attempt number, if the lease is
    /// still ours: one statement, fenced by the claim's owner and the attempt number. Returns
    /// how many rows it recorded.
    async fn settle(
        &self,
        claim: &Claim,
        attempts: i32,
        set: Vec<(reminder::Column, Expr)>,
        now: DateTime<Utc>,
    ) -> AppResult<u64> {
        let ids = ids_at(claim, attempts);
        let mut update = reminder::Entity::update_many()
            .col_expr(
                reminder::Column::LeaseOwner,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                reminder::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(reminder::Column::UpdatedAt, Expr::value(now));
        for (col, value) in set {
            update = update.col_expr(col, value);
        }
        let result = update
            .filter(reminder::Column::Id.is_in(ids.clone()))
            .filter(reminder::Column::LeaseOwner.eq(claim.owner.clone()))
            .filter(reminder::Column::Attempts.eq(attempts))
            .filter(reminder::Column::Status.eq(ReminderStatus::Pending))
            .exec(self.db)
            .await?;
        if result.rows_affected < ids.len() as u64 {
            tracing::warn!(
                lost = ids.len() as u64 - result.rows_affected,
                "lease lost before the outcome was recorded"
            );
        }
        Ok(result.rows_affected)
    }

    async fn turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.write_turn {
            Some(lock) => Some(lock.lock().await),
            None => None,
        }
    }

    /// Sends the claimed rows as one digest and records the outcome (as of `now`).
    pub async fn deliver(
        &self,
        claim: &Claim,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> AppResult<Delivered> {
        self.deliver_at(claim, today, &Clock::starting_at(now))
            .await
    }

    async fn deliver_at(
        &self,
        claim: &Claim,
        today: NaiveDate,
        clock: &Clock,
    ) -> AppResult<Delivered> {
        let Some(first) = claim.rows.first() else {
            return Ok(Delivered::default());
        };
        let message_id = format!("<{}@tindak>", first.id);
        let Some(digest) =
            load::digest(self.db, &self.links, &claim.rows, today, clock.now()).await?
        else {
            return Ok(Delivered::default());
        };
        // Building the digest took time: send only while the lease is still ours.
        if let Held::Lost = self.renew(claim, clock).await? {
            tracing::warn!("lease lost before sending; the digest is left to its new owner");
            return Ok(Delivered::default());
        }
        let outcome = match digest.message(self.mail_from, &message_id, clock.now()) {
            Ok(message) => {
                tokio::select! {
                    sent = self.mailer.send(message) => sent,
                    () = self.heartbeat(claim, clock) => {
                        tracing::warn!("lease lost while sending; the email was abandoned");
                        return Ok(Delivered::default());
                    }
                }
            }
            Err(e) => Err(SendError::Permanent(e)),
        };
        let now = clock.now();
        let out = self.record(claim, &outcome, &message_id, now).await?;
        match &outcome {
            Ok(()) => failures::mark_reported(self.db, &digest.undelivered, now).await?,
            Err(SendError::Transient(error)) => {
                tracing::warn!(attempts = first.attempts, %error, "delivery failed for now; will retry");
            }
            Err(SendError::Permanent(error)) => tracing::warn!(%error, "delivery refused for good"),
        }
        Ok(out)
    }

    /// Writes what became of each claimed row.
    async fn record(
        &self,
        claim: &Claim,
        outcome: &Result<(), SendError>,
        message_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<Delivered> {
        let _turn = self.turn().await;
        let mut out = Delivered::default();
        let failed = |error: String| {
            vec![
                (
                    reminder::Column::Status,
                    Expr::value(ReminderStatus::Failed.to_value()),
                ),
                (reminder::Column::LastError, Expr::value(error)),
            ]
        };
        for attempts in attempt_groups(claim) {
            match outcome {
                Ok(()) => {
                    let set = vec![
                        (
                            reminder::Column::Status,
                            Expr::value(ReminderStatus::Sent.to_value()),
                        ),
                        (reminder::Column::SentAt, Expr::value(now)),
                        (reminder::Column::MessageId, Expr::value(message_id)),
                        (
                            reminder::Column::LastError,
                            Expr::value(Option::<String>::None),
                        ),
                    ];
                    out.sent += self.settle(claim, attempts, set, now).await?;
                }
                Err(SendError::Transient(error)) if attempts >= self.max_attempts => {
                    let error = format!("gave up after {attempts} attempts: {error}");
                    out.failed += self.settle(claim, attempts, failed(error), now).await?;
                }
                Err(SendError::Transient(error)) => {
                    let set = vec![
                        (
                            reminder::Column::NextAttemptAt,
                            Expr::value(later(now, backoff(attempts))),
                        ),
                        (reminder::Column::LastError, Expr::value(error.clone())),
                    ];
                    out.retried += self.settle(claim, attempts, set, now).await?;
                }
                Err(SendError::Permanent(error)) => {
                    out.failed += self
                        .settle(claim, attempts, failed(error.clone()), now)
                        .await?;
                }
            }
        }
        if outcome.is_ok() {
            out.emails = 1;
        }
        Ok(out)
    }

    /// Claims `email`'s due reminders and delivers them; `None` when another worker has them.
    /// A panic while preparing or sending the digest is caught: its reminders are put back
    /// for a later attempt (and given up after the last one), and the run goes on.
    async fn claim_and_deliver(
        &self,
        email: &str,
        today: NaiveDate,
        clock: &Clock,
    ) -> AppResult<Option<Delivered>> {
        let claim = self.claim_at(email, clock).await?;
        if claim.rows.is_empty() {
            return Ok(None);
        }
        let delivery = std::panic::AssertUnwindSafe(self.deliver_at(&claim, today, clock));
        match delivery.catch_unwind().await {
            Ok(result) => result.map(Some),
            Err(panic) => {
                let detail = crate::error::panic_message(panic.as_ref());
                tracing::error!(
                    panic = detail,
                    "preparing a digest panicked; it will be retried"
                );
                let outcome = Err(SendError::Transient(format!("internal error: {detail}")));
                self.record(&claim, &outcome, "", clock.now())
                    .await
                    .map(Some)
            }
        }
    }

    /// Delivers everything due at `now`, one recipient at a time, until nothing is due or
    /// `stop` says so (the email in flight is finished first).
    pub async fn run(
        &self,
        today: NaiveDate,
        now: DateTime<Utc>,
        stop: &(dyn Fn() -> bool + Send + Sync),
    ) -> AppResult<Delivered> {
        let clock = Clock::starting_at(now);
        let mut total = Delivered::default();
        loop {
            let emails = self.recipients(clock.now(), 20).await?;
            if emails.is_empty() {
                break;
            }
            let mut progress = false;
            // Several recipients at a time: each digest waits on the SMTP server's answers,
            // so sending them side by side keeps the connection pool busy.
            for batch in emails.chunks(CONCURRENCY) {
                if stop() {
                    return Ok(total);
                }
                let results = join_all(
                    batch
                        .iter()
                        .map(|email| self.claim_and_deliver(email, today, &clock)),
                )
                .await;
                for result in results {
                    let Some(d) = result? else { continue };
                    progress = true;
                    total += d;
                }
            }
            if !progress {
                break;
            }
        }
        Ok(total)
    }
}

/// The attempt numbers among the claimed rows.
fn attempt_groups(claim: &Claim) -> Vec<i32> {
    let mut groups: Vec<i32> = claim.rows.iter().map(|r| r.attempts).collect();
    groups.sort_unstable();
    groups.dedup();
    groups
}

/// The claimed rows at one attempt number.
fn ids_at(claim: &Claim, attempts: i32) -> Vec<Uuid> {
    claim
        .rows
        .iter()
        .filter(|r| r.attempts == attempts)
        .map(|r| r.id)
        .collect()
}

/// On PostgreSQL, one worker at a time claims a given recipient (a transaction-scoped
/// advisory lock), so that its due reminders go out as one digest rather than split between
/// workers that raced for the same rows. SQLite's single writer serialises claims anyway.
async fn recipient_is_ours(txn: &DatabaseTransaction, email: &str) -> AppResult<bool> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(true);
    }
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ours",
            [email.into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get::<bool>("", "ours")?,
        None => false,
    })
}

/// Exponential backoff with jitter: about 1, 2, 4, 8… minutes, at most 6 hours, each ±20%.
pub fn backoff(attempts: i32) -> Duration {
    let base = 60i64 * 2i64.pow(attempts.clamp(1, 10) as u32 - 1);
    let capped = std::cmp::min(base, 6 * 3600);
    let mut byte = [0u8; 1];
    let jitter = if getrandom::fill(&mut byte).is_ok() {
        (f64::from(byte[0]) / 255.0 - 0.5) * 0.4
    } else {
        0.0
    };
    Duration::seconds(((capped as f64) * (1.0 + jitter)) as i64)
}
