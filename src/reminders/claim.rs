//! Claiming a recipient: its lease taken where it is free or has ended, and its oldest due
//! reminders read (see [`super::lease`] for what a lease fences).

use chrono::{DateTime, Utc};
use entity::{enums::ReminderStatus, outbox_lease, reminder};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set, Statement,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use uuid::Uuid;

use super::lease::{Claim, Clock, Courier, due_now, later, pending};
use crate::error::AppResult;

/// Most reminders one digest carries; a recipient with more gets the rest in the next one.
const MAX_PER_DIGEST: u64 = 500;

impl Courier<'_> {
    /// Claims every due reminder of `email` that no other worker holds, as of `now`.
    pub async fn claim(&self, email: &str, now: DateTime<Utc>) -> AppResult<Claim> {
        self.claim_at(email, &Clock::starting_at(now)).await
    }

    /// On PostgreSQL the lease is taken by one statement and the reminders read by another
    /// (see [`Self::take_at_once`]); on SQLite both in one transaction, which the single
    /// writer serialises. The reminders are only read. The lease runs from the time of this
    /// claim.
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

    /// The lease upserted where it is free or has ended by one statement (the conflict's row
    /// lock makes claims of one recipient take turns), which also returns what the lease was
    /// before; then, if it was taken, the recipient's oldest due reminders read by a second
    /// one. Not one statement: a claim that waited on the lock for the previous holder's
    /// outcome would read the reminders as they were when it started, before that outcome,
    /// and send them again. A lease whose owner never recorded an outcome has its attempt
    /// counted; a lease taken with nothing due is given back.
    async fn take_at_once(&self, mut claim: Claim, now: DateTime<Utc>) -> AppResult<Claim> {
        let sql = "WITH before AS (SELECT owner, claimed_at FROM outbox_leases WHERE email = $1) \
             INSERT INTO outbox_leases (email, owner, lease_until, claimed_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (email) DO UPDATE SET owner = EXCLUDED.owner, \
               lease_until = EXCLUDED.lease_until, claimed_at = EXCLUDED.claimed_at \
             WHERE outbox_leases.lease_until IS NULL OR outbox_leases.lease_until < $4 \
             RETURNING (SELECT owner FROM before) AS was_owner, \
               (SELECT claimed_at FROM before) AS was_claimed_at";
        let taken = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
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
        let Some(taken) = taken else {
            return Ok(claim);
        };
        let was_owner: Option<String> = taken.try_get("", "was_owner")?;
        let was_claimed_at: Option<DateTime<Utc>> = taken.try_get("", "was_claimed_at")?;
        if let Some(abandoned) = was_owner.and(was_claimed_at) {
            let txn = crate::db::begin_write(self.db).await?;
            count_abandoned(&txn, &claim.email, abandoned, self.max_attempts, now).await?;
            claim.rows = due_of(&txn, &claim.email, now).await?;
            txn.commit().await?;
        } else {
            claim.rows = due_of(self.db, &claim.email, now).await?;
        }
        if claim.rows.is_empty() {
            self.release(self.db, &claim).await?;
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
    db: &impl ConnectionTrait,
    email: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<reminder::Model>> {
    Ok(reminder::Entity::find()
        .filter(reminder::Column::Email.eq(email))
        .filter(due_now(now))
        .order_by_asc(reminder::Column::NextAttemptAt)
        .limit(MAX_PER_DIGEST)
        .all(db)
        .await?)
}
