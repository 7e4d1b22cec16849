//! Delivery: claim a recipient's due reminders (see [`super::lease`]), send them as one
//! digest, and record the outcome.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Instant,
};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::reminder;
use futures_util::{FutureExt, StreamExt, stream::FuturesUnordered};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

pub use super::lease::{Claim, Clock, Courier};
use super::{
    failures,
    lease::{Held, for_anyone, leased},
    load,
    mail::SendError,
};
use crate::error::AppResult;

/// Digests sent side by side (the SMTP pool holds up to 10 connections).
const CONCURRENCY: usize = 8;

/// Recipients found per look at the outbox: enough that the digests in flight seldom wait
/// for the next look.
const RECIPIENTS_PER_ROUND: u64 = 40;

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

/// Pending reminders that a delivery at `now` would take (what a dry run reports).
pub async fn count_due<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> AppResult<u64> {
    Ok(reminder::Entity::find()
        .filter(for_anyone(now))
        .count(db)
        .await?)
}

/// The outbox at `now`: what is due, what a worker holds, and how long the oldest due
/// reminder has waited (for operators).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Depth {
    pub due: u64,
    pub leased: u64,
    pub oldest_due_secs: f64,
}

pub async fn depth<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> AppResult<Depth> {
    let due = reminder::Entity::find().filter(for_anyone(now));
    let leased = reminder::Entity::find()
        .filter(leased(now))
        .count(db)
        .await?;
    let oldest_due_secs = due
        .clone()
        .order_by_asc(reminder::Column::NextAttemptAt)
        .one(db)
        .await?
        .map_or(0.0, |r| {
            (now - r.next_attempt_at).num_milliseconds().max(0) as f64 / 1000.0
        });
    Ok(Depth {
        due: due.count(db).await?,
        leased,
        oldest_due_secs,
    })
}

/// One delivery run: its clock, where its time went, and the actions its digests loaded.
struct Pass {
    clock: Clock,
    spent: Spent,
    seen: load::Seen,
}

impl Pass {
    fn starting_at(now: DateTime<Utc>) -> Self {
        Self {
            clock: Clock::starting_at(now),
            spent: Spent::default(),
            seen: load::Seen::default(),
        }
    }
}

/// Where a delivery run spent its time (logged at debug level), summed over the digests sent
/// side by side: claiming the rows, loading what the digests show, building the emails,
/// sending them (with the encoding of their bodies), recording the outcomes.
#[derive(Default)]
struct Spent {
    claim: AtomicU64,
    load: AtomicU64,
    build: AtomicU64,
    send: AtomicU64,
    record: AtomicU64,
}

impl Spent {
    /// Adds the time since `started` to `phase`, and starts the next phase's clock.
    fn add(phase: &AtomicU64, started: &mut Instant) {
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        phase.fetch_add(micros, Ordering::Relaxed);
        *started = Instant::now();
    }

    fn log(&self, delivered: &Delivered) {
        let ms = |phase: &AtomicU64| phase.load(Ordering::Relaxed) / 1000;
        tracing::debug!(
            emails = delivered.emails,
            reminders = delivered.sent,
            claim_ms = ms(&self.claim),
            load_ms = ms(&self.load),
            build_ms = ms(&self.build),
            send_ms = ms(&self.send),
            record_ms = ms(&self.record),
            "delivery: where the time went"
        );
    }
}

impl Courier<'_> {
    /// Sends the claimed rows as one digest and records the outcome (as of `now`).
    pub async fn deliver(
        &self,
        claim: &Claim,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> AppResult<Delivered> {
        let pass = Pass::starting_at(now);
        self.deliver_at(claim, today, &pass).await
    }

    async fn deliver_at(
        &self,
        claim: &Claim,
        today: NaiveDate,
        pass: &Pass,
    ) -> AppResult<Delivered> {
        let (clock, spent) = (&pass.clock, &pass.spent);
        let Some(first) = claim.rows.first() else {
            return Ok(Delivered::default());
        };
        let mut started = Instant::now();
        let message_id = format!("<{}@tindak>", first.id);
        let Some(digest) = load::digest(
            self.db,
            &self.links,
            &claim.rows,
            today,
            self.timezone,
            clock.now(),
            &pass.seen,
        )
        .await?
        else {
            return Ok(Delivered::default());
        };
        Spent::add(&spent.load, &mut started);
        // Building the digest took time: send only while the lease is still ours. While
        // most of it is left, no other worker can have taken a row (it skips leases that
        // have not ended), and asking would cost an update of every row.
        if !claim.fresh(self.lease, clock.now())
            && let Held::Lost = self.renew(claim, clock).await?
        {
            tracing::warn!("lease lost before sending; the digest is left to its new owner");
            return Ok(Delivered::default());
        }
        let outcome = match digest.message(self.mail_from, &message_id, clock.now()) {
            Ok(message) => {
                Spent::add(&spent.build, &mut started);
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
        Spent::add(&spent.send, &mut started);
        let now = clock.now();
        let out = self.record(claim, &outcome, &message_id, now).await?;
        Spent::add(&spent.record, &mut started);
        match &outcome {
            Ok(()) => failures::mark_reported(self.db, &digest.undelivered, now).await?,
            Err(SendError::Transient(error)) => {
                tracing::warn!(attempt = first.attempts + 1, %error, "delivery failed for now; will retry");
            }
            Err(SendError::Permanent(error)) => tracing::warn!(%error, "delivery refused for good"),
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
        pass: &Pass,
    ) -> AppResult<Option<Delivered>> {
        let (clock, spent) = (&pass.clock, &pass.spent);
        let mut started = Instant::now();
        let claim = self.claim_at(email, clock).await?;
        Spent::add(&spent.claim, &mut started);
        if claim.rows.is_empty() {
            return Ok(None);
        }
        let delivery = std::panic::AssertUnwindSafe(self.deliver_at(&claim, today, pass));
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
    /// `stop` says so (the emails in flight are finished first).
    pub async fn run(
        &self,
        today: NaiveDate,
        now: DateTime<Utc>,
        stop: &(dyn Fn() -> bool + Send + Sync),
    ) -> AppResult<Delivered> {
        let pass = Pass::starting_at(now);
        let clock = &pass.clock;
        let mut total = Delivered::default();
        loop {
            let emails = self.recipients(clock.now(), RECIPIENTS_PER_ROUND).await?;
            if emails.is_empty() {
                break;
            }
            let mut progress = false;
            let mut error = None;
            // Several recipients at a time: each digest waits on the database and the SMTP
            // server, so sending them side by side keeps both busy. The next recipient is
            // claimed as soon as any digest is done, not when the slowest of a group is.
            // After an error or a stop no other recipient is claimed, and the digests in
            // flight are finished (dropping one between its sending and its record would
            // send it again later).
            let mut waiting = emails.iter();
            let mut in_flight = FuturesUnordered::new();
            loop {
                while in_flight.len() < CONCURRENCY && error.is_none() && !stop() {
                    let Some(email) = waiting.next() else { break };
                    in_flight.push(self.claim_and_deliver(email, today, &pass));
                }
                let Some(result) = in_flight.next().await else {
                    break;
                };
                match result {
                    Ok(Some(d)) => {
                        progress = true;
                        total += d;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        error.get_or_insert(e);
                    }
                }
            }
            if let Some(e) = error {
                return Err(e);
            }
            if stop() {
                return Ok(total);
            }
            if !progress {
                break;
            }
        }
        pass.spent.log(&total);
        Ok(total)
    }
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
