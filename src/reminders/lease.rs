//! Leases: a worker claims a recipient for a while, renews its claim while it sends, and
//! records the outcome of the recipient's due reminders only while the claim is still its own.
//!
//! The lease is one row per recipient (`outbox_leases`): a claim takes it (when it is free or
//! has expired) and reads the recipient's oldest due reminders without writing them; the
//! outcome is written into each reminder, with its attempt number, in the transaction that
//! releases the lease, and only if the lease is still the claim's. A worker whose lease
//! expired (and was taken over) cannot overwrite what the other recorded, and a worker that
//! finds its lease lost sends nothing more from that claim. A lease that ended without an
//! outcome (its worker was killed) counts as an attempt for the reminders it held, when the
//! next worker takes it over. Taking a lease is in `claim.rs`, recording an outcome in
//! `outcome.rs`; here are what they share, the renewal and the search for recipients.

use chrono::{DateTime, Duration, Utc};
use entity::{enums::ReminderStatus, outbox_lease, reminder};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, QueryTrait, Statement,
    sea_query::{ArrayType, Expr, ExprTrait, SimpleExpr},
};
use uuid::Uuid;

use lettre::message::Mailbox;
use sea_orm::DatabaseConnection;

use super::{load::Links, mail::Mailer};
use crate::error::AppResult;

/// The time of a run: it starts at the instant the run is for and goes on with the real
/// clock, so that each claim and each renewal is dated when it happens, not when the run began.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub(super) start: DateTime<Utc>,
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
pub(super) fn later(now: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    now.checked_add_signed(by)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
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
    /// The settings' time zone: the days a digest shows are its days.
    pub timezone: chrono_tz::Tz,
    /// On SQLite, the writes of side-by-side deliveries take turns here: the engine has one
    /// writer, and waiting in its busy handler is far slower than waiting in line.
    pub write_turn: Option<&'a tokio::sync::Mutex<()>>,
}

/// A recipient's lease and the due reminders it covers, each at its attempt number so far.
pub struct Claim {
    pub email: String,
    /// This claim's id, written into the recipient's lease: the fence of every write.
    pub owner: String,
    /// When the lease ends unless renewed.
    pub until: DateTime<Utc>,
    pub rows: Vec<reminder::Model>,
}

impl Claim {
    /// Whether more than two thirds of the lease are left at `now`.
    pub(super) fn fresh(&self, lease: Duration, now: DateTime<Utc>) -> bool {
        self.until - now > lease - lease / 3
    }
}

/// The pending status written out as a literal, not bound: the index of pending reminders is
/// partial, and an engine uses it only for a query that names its condition, `status =
/// 'PENDING'` (see the migration `m20261129_000011_outbox_pending`).
pub(super) const PENDING: &str = "'PENDING'";

/// The index of pending reminders (same migration), named where SQLite must use it.
const PENDING_INDEX: &str = "idx_reminders_pending";

/// `status = 'PENDING'`, for the query builder.
pub(super) fn pending() -> sea_orm::sea_query::SimpleExpr {
    status_in(&[ReminderStatus::Pending])
}

/// `status = 'X'`, or `status IN ('X', 'Y')`, with the statuses written out as literals for
/// the same reason as [`PENDING`] (the failures have a partial index too, see the migration
/// `m20261129_000013_outbox_failed`). They are the enum's own codes, never a user's text.
pub(crate) fn status_in(statuses: &[ReminderStatus]) -> sea_orm::sea_query::SimpleExpr {
    let column = Expr::col((reminder::Entity, reminder::Column::Status));
    let literal = |s: &ReminderStatus| Expr::cust(format!("'{}'", s.to_value()));
    match statuses {
        [one] => column.eq(literal(one)),
        many => column.is_in(many.iter().map(literal)),
    }
}

/// A pending reminder whose time has come. Its recipient may be leased by a worker: see
/// [`for_anyone`].
pub(super) fn due_now(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(pending())
        .add(reminder::Column::NextAttemptAt.lte(now))
        // Rows an older version's worker leased one by one.
        .add(
            Condition::any()
                .add(reminder::Column::LeaseUntil.is_null())
                .add(reminder::Column::LeaseUntil.lt(now)),
        )
}

/// Due at `now` and free to claim: no worker holds its recipient.
pub(super) fn for_anyone(now: DateTime<Utc>) -> Condition {
    due_now(now).add(reminder::Column::Email.not_in_subquery(held(now)))
}

/// Due at `now`, and waiting on the worker that holds its recipient.
pub(super) fn leased(now: DateTime<Utc>) -> Condition {
    due_now(now).add(reminder::Column::Email.in_subquery(held(now)))
}

/// The recipients leased at `now`.
fn held(now: DateTime<Utc>) -> sea_orm::sea_query::SelectStatement {
    outbox_lease::Entity::find()
        .select_only()
        .column(outbox_lease::Column::Email)
        .filter(outbox_lease::Column::LeaseUntil.gte(now))
        .into_query()
}

/// What the heartbeat of a delivery found.
pub(super) enum Held {
    /// The lease is still the claim's.
    Yes,
    /// It ended (and another worker may have taken the recipient over), or is another's.
    Lost,
}

impl Courier<'_> {
    /// Recipients with reminders due at `now` that no worker holds, a few at a time, in the
    /// order of their addresses. The addresses with anything pending are walked one seek into
    /// the index of pending reminders each (a loose index scan that reads only the index), and
    /// each is then asked whether it has a reminder due and free and whether its lease is free:
    /// a recipient held by another worker, or whose reminders wait for a later attempt, is
    /// passed over in a seek or two, not reminder by reminder. (Filtering every pending reminder
    /// before keeping the first address of each walked all the reminders of the recipients being
    /// sent: 0.3-0.7 s per call in the backlog of a million actions on SQLite, each reminder
    /// read from the table for its lease.) The lease is looked up by a scalar subquery, one key
    /// per address: as `NOT EXISTS` PostgreSQL merged it with every lease at each step (23 ms
    /// for 40 recipients among 2,000 leases, against 0.4-0.6 ms).
    ///
    /// On SQLite the index is named (`INDEXED BY`): a pooled connection keeps the statistics it
    /// read when it opened, which a later `ANALYZE` elsewhere does not change, and statistics
    /// taken when every reminder was pending (a backlog) make the index look as large as the
    /// table; planned from those, the walk became a scan of the whole outbox and a sort, at
    /// each call (measured: 0.3 s per call at a million actions on the connections that had
    /// them, 1 ms on the others).
    pub(super) async fn recipients(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> AppResult<Vec<String>> {
        let backend = self.db.get_database_backend();
        let pending = match backend {
            DbBackend::Sqlite => format!("reminders r INDEXED BY {PENDING_INDEX}"),
            _ => "reminders r".to_owned(),
        };
        let sql = format!(
            "WITH RECURSIVE walked(email) AS ( \
               SELECT (SELECT r.email FROM {pending} WHERE r.status = {PENDING} \
                       ORDER BY r.email LIMIT 1) \
               UNION ALL \
               SELECT (SELECT r.email FROM {pending} WHERE r.status = {PENDING} \
                       AND r.email > walked.email ORDER BY r.email LIMIT 1) \
               FROM walked WHERE walked.email IS NOT NULL) \
             SELECT walked.email FROM walked WHERE walked.email IS NOT NULL \
               AND NOT COALESCE((SELECT l.lease_until >= $1 FROM outbox_leases l \
                                 WHERE l.email = walked.email), FALSE) \
               AND EXISTS (SELECT 1 FROM {pending} WHERE r.status = {PENDING} \
                           AND r.email = walked.email AND r.next_attempt_at <= $1 \
                           AND (r.lease_until IS NULL OR r.lease_until < $1)) \
             LIMIT $2"
        );
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [now.into(), i64::try_from(limit).unwrap_or(i64::MAX).into()],
            ))
            .await?;
        rows.iter()
            .map(|row| Ok(row.try_get::<String>("", "email")?))
            .collect()
    }

    /// Extends the lease of `claim` if it is still ours and not yet expired.
    pub(super) async fn renew(&self, claim: &Claim, clock: &Clock) -> AppResult<Held> {
        let _turn = self.turn().await;
        let now = clock.now();
        let renewed = outbox_lease::Entity::update_many()
            .col_expr(
                outbox_lease::Column::LeaseUntil,
                Expr::value(later(now, self.lease)),
            )
            .filter(outbox_lease::Column::Email.eq(claim.email.clone()))
            .filter(outbox_lease::Column::Owner.eq(claim.owner.clone()))
            .filter(outbox_lease::Column::LeaseUntil.gte(now))
            .exec(self.db)
            .await?
            .rows_affected;
        Ok(if renewed == 1 { Held::Yes } else { Held::Lost })
    }

    /// Renews the lease of `claim` every third of the lease until it is lost (or the
    /// database cannot be reached, which is treated the same: nothing proves it is ours).
    pub(super) async fn heartbeat(&self, claim: &Claim, clock: &Clock) {
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

    pub(super) async fn turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.write_turn {
            Some(lock) => Some(lock.lock().await),
            None => None,
        }
    }
}

/// The attempt numbers among the claimed rows.
pub(super) fn attempt_groups(claim: &Claim) -> Vec<i32> {
    let mut groups: Vec<i32> = claim.rows.iter().map(|r| r.attempts).collect();
    groups.sort_unstable();
    groups.dedup();
    groups
}

/// `reminders.id` among `ids`. On PostgreSQL one array parameter (`id = ANY($1)`), so that a
/// statement keeps one text, and its prepared plan, whatever the number of ids: a list of
/// 500 parameters is a new statement for every length, parsed and planned anew.
pub(crate) fn id_among(db: &impl ConnectionTrait, ids: Vec<Uuid>) -> SimpleExpr {
    if db.get_database_backend() == DbBackend::Postgres {
        let array = crate::db::array(ArrayType::Uuid, ids);
        // Written out whole: as the right side of `eq` the call would be put in parentheses,
        // `= (ANY(…))`, which is not SQL.
        Expr::cust_with_values(r#""reminders"."id" = ANY($1)"#, [array])
    } else {
        reminder::Column::Id.is_in(ids)
    }
}

/// The claimed rows at one attempt number.
pub(super) fn ids_at(claim: &Claim, attempts: i32) -> Vec<Uuid> {
    claim
        .rows
        .iter()
        .filter(|r| r.attempts == attempts)
        .map(|r| r.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use entity::enums::ReminderStatus;
    use sea_orm::ActiveEnum;

    #[test]
    fn the_written_out_status_is_the_stored_one() {
        assert_eq!(
            super::PENDING,
            format!("'{}'", ReminderStatus::Pending.to_value())
        );
    }
}
