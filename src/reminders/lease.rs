//! Leases: a worker claims a recipient's due reminders for a while, renews its claim while
//! it sends, and records an outcome only while the claim is still its own.
//!
//! A claim gives each row a fresh lease owner (a per-claim id) and increments its attempt
//! number; completing a row requires both to be unchanged, so a worker whose lease expired
//! (and whose rows another worker took over) cannot overwrite what the other recorded. A
//! lease runs from the moment of its claim and is renewed while its digest is being sent; a
//! worker that finds its lease lost sends nothing more from that claim.

use chrono::{DateTime, Duration, Utc};
use entity::{enums::ReminderStatus, reminder};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
    sea_query::{ArrayType, Expr, ExprTrait, LockBehavior, LockType, SimpleExpr},
};
use uuid::Uuid;

use lettre::message::Mailbox;
use sea_orm::DatabaseConnection;

use super::{load::Links, mail::Mailer};
use crate::error::AppResult;

/// Most reminders one digest carries; a recipient with more gets the rest in the next one.
const MAX_PER_DIGEST: u64 = 500;

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

/// Rows claimed for one recipient, fenced by `owner` and each row's attempt number.
pub struct Claim {
    pub owner: String,
    pub rows: Vec<reminder::Model>,
}

impl Claim {
    /// Whether more than two thirds of the lease are left on every row at `now`.
    pub(super) fn fresh(&self, lease: Duration, now: DateTime<Utc>) -> bool {
        let enough = lease - lease / 3;
        self.rows
            .iter()
            .map(|r| r.lease_until)
            .min()
            .flatten()
            .is_some_and(|until| until - now > enough)
    }
}

/// The pending status written out as a literal, not bound: the index of pending reminders is
/// partial, and an engine uses it only for a query that names its condition, `status =
/// 'PENDING'` (see the migration `m20261129_000011_outbox_pending`).
pub(super) const PENDING: &str = "'PENDING'";

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

pub(super) fn due_now(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(pending())
        .add(reminder::Column::NextAttemptAt.lte(now))
        .add(
            Condition::any()
                .add(reminder::Column::LeaseUntil.is_null())
                .add(reminder::Column::LeaseUntil.lt(now)),
        )
}

/// What the heartbeat of a delivery found.
pub(super) enum Held {
    /// Every claimed row is still ours.
    Yes,
    /// Another worker took some over (or they were closed meanwhile).
    Lost,
}

impl Courier<'_> {
    /// Recipients with reminders due at `now`, a few at a time, in the order of their
    /// addresses. One seek into the index of pending reminders per recipient found (a loose
    /// index scan), instead of reading every due reminder to keep the distinct addresses.
    pub(super) async fn recipients(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> AppResult<Vec<String>> {
        let due = format!(
            "r.status = {PENDING} AND r.next_attempt_at <= $1 \
             AND (r.lease_until IS NULL OR r.lease_until < $1)"
        );
        let sql = format!(
            "WITH RECURSIVE found(email, n) AS ( \
               SELECT (SELECT r.email FROM reminders r WHERE {due} ORDER BY r.email LIMIT 1), 1 \
               UNION ALL \
               SELECT (SELECT r.email FROM reminders r WHERE {due} AND r.email > found.email \
                       ORDER BY r.email LIMIT 1), found.n + 1 \
               FROM found WHERE found.email IS NOT NULL AND found.n < $2) \
             SELECT email FROM found WHERE email IS NOT NULL"
        );
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                self.db.get_database_backend(),
                sql,
                [now.into(), i64::try_from(limit).unwrap_or(i64::MAX).into()],
            ))
            .await?;
        rows.iter()
            .map(|row| Ok(row.try_get::<String>("", "email")?))
            .collect()
    }

    /// Claims every due reminder of `email` that no other worker holds, as of `now`.
    pub async fn claim(&self, email: &str, now: DateTime<Utc>) -> AppResult<Claim> {
        self.claim_at(email, &Clock::starting_at(now)).await
    }

    /// The rows are taken and returned by one statement (`UPDATE … RETURNING`); on PostgreSQL
    /// they are locked with `FOR UPDATE SKIP LOCKED`, on SQLite the single writer serialises
    /// claims. The conditional update re-checks the lease either way. The lease runs from the
    /// time of this claim.
    pub(super) async fn claim_at(&self, email: &str, clock: &Clock) -> AppResult<Claim> {
        let _turn = self.turn().await;
        let owner = format!("{}:{}", self.worker, Uuid::now_v7().simple());
        let txn = crate::db::begin_write(self.db).await?;
        let now = clock.now();
        let mut rows = vec![];
        if recipient_is_ours(&txn, email).await? {
            let oldest = reminder::Entity::find()
                .select_only()
                .column(reminder::Column::Id)
                .filter(reminder::Column::Email.eq(email))
                .filter(due_now(now))
                .order_by_asc(reminder::Column::NextAttemptAt)
                .limit(MAX_PER_DIGEST)
                .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
            let take = reminder::Entity::update_many()
                .col_expr(reminder::Column::LeaseOwner, Expr::value(owner.clone()))
                .col_expr(
                    reminder::Column::LeaseUntil,
                    Expr::value(later(now, self.lease)),
                )
                .col_expr(
                    reminder::Column::Attempts,
                    Expr::col(reminder::Column::Attempts).add(Expr::value(1)),
                )
                .col_expr(reminder::Column::UpdatedAt, Expr::value(now));
            // One statement on both engines: the rows are (on PostgreSQL, locked,) taken and
            // returned together. On SQLite a second look by id cost each claim another pass
            // over its 500 rows.
            let mut update = take
                .filter(reminder::Column::Id.in_subquery(oldest.into_query()))
                .filter(due_now(now))
                .into_query();
            update.returning_all();
            let backend = txn.get_database_backend();
            rows = reminder::Entity::find()
                .from_raw_sql(backend.build(&update))
                .all(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(Claim { owner, rows })
    }

    /// Extends the lease of every row of `claim` that is still ours and not yet expired.
    pub(super) async fn renew(&self, claim: &Claim, clock: &Clock) -> AppResult<Held> {
        let _turn = self.turn().await;
        let now = clock.now();
        let mut renewed = 0;
        for attempts in attempt_groups(claim) {
            renewed += reminder::Entity::update_many()
                .col_expr(
                    reminder::Column::LeaseUntil,
                    Expr::value(later(now, self.lease)),
                )
                .filter(id_among(self.db, ids_at(claim, attempts)))
                .filter(reminder::Column::LeaseOwner.eq(claim.owner.clone()))
                .filter(reminder::Column::Attempts.eq(attempts))
                .filter(pending())
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

    /// Records the outcome of claimed rows that share an attempt number, if the lease is
    /// still ours: one statement, fenced by the claim's owner and the attempt number. Returns
    /// how many rows it recorded.
    pub(super) async fn settle(
        &self,
        claim: &Claim,
        attempts: i32,
        set: Vec<(reminder::Column, Expr)>,
        now: DateTime<Utc>,
    ) -> AppResult<u64> {
        let ids = ids_at(claim, attempts);
        let count = ids.len() as u64;
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
            .filter(id_among(self.db, ids))
            .filter(reminder::Column::LeaseOwner.eq(claim.owner.clone()))
            .filter(reminder::Column::Attempts.eq(attempts))
            .filter(pending())
            .exec(self.db)
            .await?;
        if result.rows_affected < count {
            tracing::warn!(
                lost = count - result.rows_affected,
                "lease lost before the outcome was recorded"
            );
        }
        Ok(result.rows_affected)
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
