//! Recording what became of a claim's reminders, as one more attempt of each, where the
//! recipient's lease is released: all of it while the lease is still the claim's, none of it
//! otherwise.

use chrono::{DateTime, Utc};
use entity::{enums::ReminderStatus, outbox_lease, reminder};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryTrait, Statement,
    sea_query::{Expr, ExprTrait},
};

use super::{
    deliver::{Delivered, backoff},
    lease::{Claim, Courier, attempt_groups, id_among, ids_at, later, pending},
    mail::SendError,
};
use crate::error::AppResult;

impl Courier<'_> {
    /// Writes what became of each claimed row, as one more attempt of each, with the release
    /// of the lease: all of it if the lease is still ours, none of it otherwise.
    pub(super) async fn record(
        &self,
        claim: &Claim,
        outcome: &Result<(), SendError>,
        message_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<Delivered> {
        let _turn = self.turn().await;
        let mut out = Delivered {
            emails: u64::from(outcome.is_ok()),
            ..Delivered::default()
        };
        let groups = attempt_groups(claim);
        if let [attempts] = groups[..]
            && self.db.get_database_backend() == DbBackend::Postgres
        {
            // The usual case, rows at one attempt number: one statement on PostgreSQL.
            let (set, tally) = self.outcome(outcome, attempts, message_id, now);
            let recorded = self.settle_at_once(claim, attempts, set, now).await?;
            tally.add(&mut out, recorded);
            return Ok(out);
        }
        let txn = crate::db::begin_write(self.db).await?;
        if !self.release(&txn, claim).await? {
            return Ok(out);
        }
        for attempts in groups {
            let (set, tally) = self.outcome(outcome, attempts, message_id, now);
            let recorded = self.settle(&txn, claim, attempts, set, now).await?;
            tally.add(&mut out, recorded);
        }
        txn.commit().await?;
        Ok(out)
    }

    /// What `outcome` writes into rows that had had `attempts` attempts before this one.
    fn outcome(
        &self,
        outcome: &Result<(), SendError>,
        attempts: i32,
        message_id: &str,
        now: DateTime<Utc>,
    ) -> (Vec<(reminder::Column, Expr)>, Tally) {
        let attempt = attempts + 1;
        let failed = |error: String| {
            vec![
                (
                    reminder::Column::Status,
                    Expr::value(ReminderStatus::Failed.to_value()),
                ),
                (reminder::Column::LastError, Expr::value(error)),
            ]
        };
        match outcome {
            Ok(()) => (
                vec![
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
                ],
                Tally::Sent,
            ),
            Err(SendError::Transient(error)) if attempt >= self.max_attempts => (
                failed(format!("gave up after {attempt} attempts: {error}")),
                Tally::Failed,
            ),
            Err(SendError::Transient(error)) => (
                vec![
                    (
                        reminder::Column::NextAttemptAt,
                        Expr::value(later(now, backoff(attempt))),
                    ),
                    (reminder::Column::LastError, Expr::value(error.clone())),
                ],
                Tally::Retried,
            ),
            Err(SendError::Permanent(error)) => (failed(error.clone()), Tally::Failed),
        }
    }

    /// Releases the lease of `claim` through `db` if it is still ours; the outcomes written
    /// in the same transaction then stand on it. False when another worker has it.
    pub(super) async fn release(
        &self,
        db: &impl ConnectionTrait,
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
            .exec(db)
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

/// Where recorded rows are counted.
#[derive(Clone, Copy)]
enum Tally {
    Sent,
    Retried,
    Failed,
}

impl Tally {
    fn add(self, out: &mut Delivered, rows: u64) {
        match self {
            Self::Sent => out.sent += rows,
            Self::Retried => out.retried += rows,
            Self::Failed => out.failed += rows,
        }
    }
}
