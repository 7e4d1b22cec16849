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
//! next worker takes it over.

use chrono::{DateTime, Duration, Utc};
use entity::{enums::ReminderStatus, outbox_lease, reminder};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend,
    EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set, Statement,
    sea_query::{ArrayType, Expr, ExprTrait, OnConflict, SimpleExpr},
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

/// Reminders whose recipient a worker holds at `now`.
pub(super) fn leased(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(pending())
        .add(reminder::Column::Email.in_subquery(held(now)))
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
    /// order of their addresses. One seek into the index of pending reminders per recipient
    /// found (a loose index scan), instead of reading every due reminder to keep the distinct
    /// addresses. The lease is looked up by a scalar subquery, one key per address found: as
    /// `NOT EXISTS` PostgreSQL merged it with every lease at each step (23 ms for 40
    /// recipients among 2,000 leases, against 0.4-0.6 ms).
    pub(super) async fn recipients(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> AppResult<Vec<String>> {
        let due = format!(
            "r.status = {PENDING} AND r.next_attempt_at <= $1 \
             AND (r.lease_until IS NULL OR r.lease_until < $1) \
             AND NOT COALESCE((SELECT l.lease_until >= $1 FROM outbox_leases l \
                               WHERE l.email = r.email), FALSE)"
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

    /// On PostgreSQL the lease is taken and the reminders read by one statement (see
    /// [`Self::take_at_once`]); on SQLite in one transaction, which the single writer
    /// serialises. The reminders are only read. The lease runs from the time of this claim.
    pub(super) async fn claim_at(&self, email: &str, clock: &Clock) -> AppResult<Claim> {
        let _turn = self.turn().await;
        let owner = format!("{}:{}", self.worker, Uuid::now_v7().simple());
        let now = clock.now();
        let until = later(now, self.lease);
        let claim = Claim {
            email: email.to_owned(),
            owner,
            until,
            rows: vec![],
        };
        if self.db.get_database_backend() == DbBackend::Postgres {
            self.take_at_once(claim, now).await
        } else {
            self.take_in_turn(claim, now).await
        }
    }

    /// One statement: the lease upserted where it is free or has ended (the conflict's row
    /// lock makes claims of one recipient take turns), and, if it was taken, the recipient's
    /// oldest due reminders beside what the lease was before. A lease whose owner never
    /// recorded an outcome has its attempt counted (a second trip, rare); a lease taken with
    /// nothing due is given back.
    async fn take_at_once(&self, mut claim: Claim, now: DateTime<Utc>) -> AppResult<Claim> {
        let sql = format!(
            "WITH before AS (SELECT owner, claimed_at FROM outbox_leases WHERE email = $1), \
             taken AS ( \
               INSERT INTO outbox_leases (email, owner, lease_until, claimed_at) \
               VALUES ($1, $2, $3, $4) \
               ON CONFLICT (email) DO UPDATE SET owner = EXCLUDED.owner, \
                 lease_until = EXCLUDED.lease_until, claimed_at = EXCLUDED.claimed_at \
               WHERE outbox_leases.lease_until IS NULL OR outbox_leases.lease_until < $4 \
               RETURNING email) \
             SELECT (SELECT owner FROM before) AS was_owner, \
               (SELECT claimed_at FROM before) AS was_claimed_at, r.* \
             FROM taken LEFT JOIN LATERAL ( \
               SELECT * FROM reminders d WHERE d.email = taken.email \
                 AND d.status = {PENDING} AND d.next_attempt_at <= $4 \
                 AND (d.lease_until IS NULL OR d.lease_until < $4) \
               ORDER BY d.next_attempt_at LIMIT {MAX_PER_DIGEST}) r ON true"
        );
        let found = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                sql,
                [
                    claim.email.clone().into(),
                    claim.owner.clone().into(),
                    claim.until.into(),
                    now.into(),
                ],
            ))
            .await?;
        let Some(first) = found.first() else {
            return Ok(claim);
        };
        let was_owner: Option<String> = first.try_get("", "was_owner")?;
        let was_claimed_at: Option<DateTime<Utc>> = first.try_get("", "was_claimed_at")?;
        if let Some(abandoned) = was_owner.and(was_claimed_at) {
            let txn = crate::db::begin_write(self.db).await?;
            count_abandoned(&txn, &claim.email, abandoned, self.max_attempts, now).await?;
            claim.rows = due_of(&txn, &claim.email, now).await?;
            txn.commit().await?;
        } else {
            for row in &found {
                if row.try_get::<Option<Uuid>>("", "id")?.is_some() {
                    claim
                        .rows
                        .push(reminder::Model::from_query_result(row, "")?);
                }
            }
        }
        if claim.rows.is_empty() {
            let txn = crate::db::begin_write(self.db).await?;
            self.release(&txn, &claim).await?;
            txn.commit().await?;
        }
        Ok(claim)
    }

    /// In one transaction: the lease read, the recipient's oldest due reminders read, and
    /// the lease taken if there are any.
    async fn take_in_turn(&self, mut claim: Claim, now: DateTime<Utc>) -> AppResult<Claim> {
        let txn = crate::db::begin_write(self.db).await?;
        let lease = outbox_lease::Entity::find_by_id(claim.email.clone())
            .one(&txn)
            .await?;
        let free = lease
            .as_ref()
            .is_none_or(|l| l.lease_until.is_none_or(|until| until < now));
        let mut abandoned = false;
        if free {
            if let Some(claimed_at) = lease.and_then(|l| l.owner.and(l.claimed_at)) {
                count_abandoned(&txn, &claim.email, claimed_at, self.max_attempts, now).await?;
                abandoned = true;
            }
            claim.rows = due_of(&txn, &claim.email, now).await?;
        }
        // Taken if there is something to send; an abandoned lease is cleared either way, so
        // that its attempt is counted once.
        let held = !claim.rows.is_empty();
        if held || abandoned {
            let taken = outbox_lease::ActiveModel {
                email: Set(claim.email.clone()),
                owner: Set(held.then(|| claim.owner.clone())),
                lease_until: Set(held.then_some(claim.until)),
                claimed_at: Set(Some(now)),
            };
            outbox_lease::Entity::insert(taken)
                .on_conflict(
                    OnConflict::column(outbox_lease::Column::Email)
                        .update_columns([
                            outbox_lease::Column::Owner,
                            outbox_lease::Column::LeaseUntil,
                            outbox_lease::Column::ClaimedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(claim)
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

    /// Releases the lease of `claim` in `txn` if it is still ours, which the outcomes
    /// written in the same transaction then stand on. False when another worker has it.
    pub(super) async fn release(
        &self,
        txn: &DatabaseTransaction,
        claim: &Claim,
    ) -> AppResult<bool> {
        let released = outbox_lease::Entity::update_many()
            .col_expr(
                outbox_lease::Column::Owner,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                outbox_lease::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(outbox_lease::Column::Email.eq(claim.email.clone()))
            .filter(outbox_lease::Column::Owner.eq(claim.owner.clone()))
            .exec(txn)
            .await?
            .rows_affected;
        if released == 0 {
            tracing::warn!(
                lost = claim.rows.len(),
                "lease lost before the outcome was recorded"
            );
        }
        Ok(released == 1)
    }

    /// Records the outcome of claimed rows that share an attempt number, as one more attempt:
    /// one statement, in the transaction that released the lease (see [`Self::release`]).
    /// Rows closed meanwhile (planning cancels what became stale) are left as they are.
    /// Returns how many rows it recorded.
    pub(super) async fn settle(
        &self,
        txn: &DatabaseTransaction,
        claim: &Claim,
        attempts: i32,
        set: Vec<(reminder::Column, Expr)>,
        now: DateTime<Utc>,
    ) -> AppResult<u64> {
        let result = outcome_of(txn, claim, attempts, set, now).exec(txn).await?;
        Ok(result.rows_affected)
    }

    /// [`Self::release`] and [`Self::settle`] in one statement on PostgreSQL: the lease is
    /// released by a data-modifying `WITH`, and the rows are written only if it was.
    pub(super) async fn settle_at_once(
        &self,
        claim: &Claim,
        attempts: i32,
        set: Vec<(reminder::Column, Expr)>,
        now: DateTime<Utc>,
    ) -> AppResult<u64> {
        let update = outcome_of(self.db, claim, attempts, set, now)
            .filter(Expr::cust("EXISTS (SELECT 1 FROM released)"))
            .into_query();
        let built = DbBackend::Postgres.build(&update);
        let mut values = built.values.map(|v| v.0).unwrap_or_default();
        let sql = format!(
            "WITH released AS (UPDATE outbox_leases SET owner = NULL, lease_until = NULL \
               WHERE email = ${} AND owner = ${} RETURNING 1) {}",
            values.len() + 1,
            values.len() + 2,
            built.sql
        );
        values.extend([claim.email.clone().into(), claim.owner.clone().into()]);
        let recorded = self
            .db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                sql,
                values,
            ))
            .await?
            .rows_affected();
        if recorded == 0 {
            tracing::warn!(
                rows = claim.rows.len(),
                "nothing recorded: the lease was lost (or its reminders closed meanwhile)"
            );
        }
        Ok(recorded)
    }

    pub(super) async fn turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.write_turn {
            Some(lock) => Some(lock.lock().await),
            None => None,
        }
    }
}

/// The update that writes `set` into the claimed rows at `attempts` that are still pending,
/// as one more attempt.
fn outcome_of(
    db: &impl ConnectionTrait,
    claim: &Claim,
    attempts: i32,
    set: Vec<(reminder::Column, Expr)>,
    now: DateTime<Utc>,
) -> sea_orm::UpdateMany<reminder::Entity> {
    let mut update = reminder::Entity::update_many()
        .col_expr(
            reminder::Column::Attempts,
            Expr::col(reminder::Column::Attempts).add(Expr::value(1)),
        )
        .col_expr(reminder::Column::UpdatedAt, Expr::value(now));
    for (col, value) in set {
        update = update.col_expr(col, value);
    }
    update
        .filter(id_among(db, ids_at(claim, attempts)))
        .filter(reminder::Column::Attempts.eq(attempts))
        .filter(pending())
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

/// A lease of `email` claimed at `claimed_at` ended without an outcome (its worker was
/// killed, or lost the database): the reminders it held, the oldest due then, have had an
/// attempt; those that have had `max_attempts` are given up. A digest that stops its worker
/// every time (or whose worker is stopped after the server accepted it, before the outcome
/// is written) is not sent again and again.
async fn count_abandoned(
    txn: &DatabaseTransaction,
    email: &str,
    claimed_at: DateTime<Utc>,
    max_attempts: i32,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let held = reminder::Entity::find()
        .select_only()
        .column(reminder::Column::Id)
        .filter(reminder::Column::Email.eq(email))
        .filter(pending())
        .filter(reminder::Column::NextAttemptAt.lte(claimed_at))
        .order_by_asc(reminder::Column::NextAttemptAt)
        .limit(MAX_PER_DIGEST)
        .into_query();
    reminder::Entity::update_many()
        .col_expr(
            reminder::Column::Attempts,
            Expr::col(reminder::Column::Attempts).add(Expr::value(1)),
        )
        .col_expr(reminder::Column::UpdatedAt, Expr::value(now))
        .filter(reminder::Column::Id.in_subquery(held.clone()))
        .exec(txn)
        .await?;
    let given_up = reminder::Entity::update_many()
        .col_expr(
            reminder::Column::Status,
            Expr::value(ReminderStatus::Failed.to_value()),
        )
        .col_expr(
            reminder::Column::LastError,
            Expr::value(format!(
                "gave up after {max_attempts} attempts: the worker delivering it stopped \
                 before recording an outcome"
            )),
        )
        .filter(reminder::Column::Id.in_subquery(held))
        .filter(reminder::Column::Attempts.gte(max_attempts))
        .exec(txn)
        .await?
        .rows_affected;
    if given_up > 0 {
        tracing::warn!(
            given_up,
            "reminders given up: their worker stopped on every attempt"
        );
    }
    Ok(())
}

/// The oldest due reminders of `email` at `now`, as many as a digest carries.
async fn due_of(
    txn: &DatabaseTransaction,
    email: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<reminder::Model>> {
    Ok(reminder::Entity::find()
        .filter(reminder::Column::Email.eq(email))
        .filter(due_now(now))
        .order_by_asc(reminder::Column::NextAttemptAt)
        .limit(MAX_PER_DIGEST)
        .all(txn)
        .await?)
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
