//! Delivery: claim a recipient's due reminders under a lease, send them as one digest, and
//! record the outcome only if the lease is still ours.
//!
//! A claim gives each row a fresh lease owner (a per-claim id) and increments its attempt
//! number; completing a row requires both to be unchanged, so a worker whose lease expired
//! (and whose rows another worker took over) cannot overwrite what the other recorded.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{
    action, action_supporter, action_update,
    enums::{RecipientRole, ReminderKind, ReminderStatus},
    issue, meeting, ministry, reminder,
};
use futures_util::future::join_all;
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
    sea_query::{Expr, ExprTrait, LockBehavior, LockType},
};
use uuid::Uuid;

use super::{
    digest::{Digest, Item, Undelivered},
    links::LinkSigner,
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

/// Pending reminders that a delivery at `now` would take (what a dry run reports).
pub async fn count_due<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> AppResult<u64> {
    let due = reminder::Entity::find().filter(due_now(now));
    Ok(sea_orm::PaginatorTrait::count(due, db).await?)
}

/// How a worker delivers.
pub struct Courier<'a> {
    pub db: &'a DatabaseConnection,
    pub mailer: &'a Mailer,
    pub signer: &'a LinkSigner,
    pub mail_from: &'a str,
    pub public_url: &'a str,
    pub lease: Duration,
    pub max_attempts: i32,
    pub worker: &'a str,
    /// On SQLite, the writes of side-by-side deliveries take turns here: the engine has one
    /// writer, and waiting in its busy handler is far slower than waiting in line.
    pub write_turn: Option<&'a tokio::sync::Mutex<()>>,
}

/// Rows claimed for one recipient: (row, the attempt number that fences it).
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

    /// Claims every due reminder of `email` that no other worker holds. On PostgreSQL the
    /// rows are locked with `FOR UPDATE SKIP LOCKED`; on SQLite the single writer serialises
    /// claims. The conditional update re-checks the lease either way.
    pub async fn claim(&self, email: &str, now: DateTime<Utc>) -> AppResult<Claim> {
        let _turn = self.turn().await;
        let owner = format!("{}:{}", self.worker, Uuid::now_v7().simple());
        let txn = crate::db::begin_write(self.db).await?;
        if !recipient_is_ours(&txn, email).await? {
            txn.commit().await?;
            return Ok(Claim {
                owner,
                rows: vec![],
            });
        }
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
        if ids.is_empty() {
            txn.commit().await?;
            return Ok(Claim {
                owner,
                rows: vec![],
            });
        }
        reminder::Entity::update_many()
            .col_expr(reminder::Column::LeaseOwner, Expr::value(owner.clone()))
            .col_expr(reminder::Column::LeaseUntil, Expr::value(now + self.lease))
            .col_expr(
                reminder::Column::Attempts,
                Expr::col(reminder::Column::Attempts).add(Expr::value(1)),
            )
            .col_expr(reminder::Column::UpdatedAt, Expr::value(now))
            .filter(reminder::Column::Id.is_in(ids))
            .filter(due_now(now))
            .exec(&txn)
            .await?;
        let rows = reminder::Entity::find()
            .filter(reminder::Column::LeaseOwner.eq(owner.clone()))
            .all(&txn)
            .await?;
        txn.commit().await?;
        Ok(Claim { owner, rows })
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
        let ids: Vec<Uuid> = claim
            .rows
            .iter()
            .filter(|r| r.attempts == attempts)
            .map(|r| r.id)
            .collect();
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

    /// The attempt numbers among the claimed rows.
    fn attempt_groups(claim: &Claim) -> Vec<i32> {
        let mut groups: Vec<i32> = claim.rows.iter().map(|r| r.attempts).collect();
        groups.sort_unstable();
        groups.dedup();
        groups
    }

    /// Sends the claimed rows as one digest and records the outcome.
    pub async fn deliver(
        &self,
        claim: &Claim,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> AppResult<Delivered> {
        let mut out = Delivered::default();
        let Some(first) = claim.rows.first() else {
            return Ok(out);
        };
        let message_id = format!("<{}@tindak>", first.id);
        let digest = self.digest(&claim.rows, today, now).await?;
        let outcome = match digest.message(self.mail_from, &message_id, now) {
            Ok(message) => self.mailer.send(message).await,
            Err(e) => Err(SendError::Permanent(e)),
        };
        let _turn = self.turn().await;
        let failed = |error: String| {
            vec![
                (
                    reminder::Column::Status,
                    Expr::value(ReminderStatus::Failed.to_value()),
                ),
                (reminder::Column::LastError, Expr::value(error)),
            ]
        };
        for attempts in Self::attempt_groups(claim) {
            match &outcome {
                Ok(()) => {
                    let set = vec![
                        (
                            reminder::Column::Status,
                            Expr::value(ReminderStatus::Sent.to_value()),
                        ),
                        (reminder::Column::SentAt, Expr::value(now)),
                        (reminder::Column::MessageId, Expr::value(message_id.clone())),
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
                            Expr::value(now + backoff(attempts)),
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
        match &outcome {
            Ok(()) => {
                out.emails = 1;
                self.mark_reported(&digest, now).await?;
            }
            Err(SendError::Transient(error)) => {
                tracing::warn!(attempts = first.attempts, %error, "delivery failed for now; will retry");
            }
            Err(SendError::Permanent(error)) => tracing::warn!(%error, "delivery refused for good"),
        }
        Ok(out)
    }

    /// Claims `email`'s due reminders and delivers them; `None` when another worker has them.
    async fn claim_and_deliver(
        &self,
        email: &str,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> AppResult<Option<Delivered>> {
        let claim = self.claim(email, now).await?;
        if claim.rows.is_empty() {
            return Ok(None);
        }
        self.deliver(&claim, today, now).await.map(Some)
    }

    /// Delivers everything due at `now`, one recipient at a time, until nothing is due or
    /// `stop` says so (the email in flight is finished first).
    pub async fn run(
        &self,
        today: NaiveDate,
        now: DateTime<Utc>,
        stop: &(dyn Fn() -> bool + Send + Sync),
    ) -> AppResult<Delivered> {
        let mut total = Delivered::default();
        loop {
            let emails = self.recipients(now, 20).await?;
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
                        .map(|email| self.claim_and_deliver(email, today, now)),
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

    async fn digest(
        &self,
        rows: &[reminder::Model],
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> AppResult<Digest> {
        let first = &rows[0];
        let action_ids: Vec<Uuid> = rows.iter().map(|r| r.action_id).collect();
        let actions = action::Entity::find()
            .filter(action::Column::Id.is_in(action_ids.clone()))
            .all(self.db)
            .await?;
        let meetings: HashMap<Uuid, meeting::Model> = by_id(
            meeting::Entity::find()
                .filter(meeting::Column::Id.is_in(actions.iter().map(|a| a.meeting_id)))
                .all(self.db)
                .await?,
            |m| m.id,
        );
        let issues: HashMap<Uuid, issue::Model> = by_id(
            issue::Entity::find()
                .filter(issue::Column::Id.is_in(actions.iter().filter_map(|a| a.issue_id)))
                .all(self.db)
                .await?,
            |i| i.id,
        );
        let supporters = action_supporter::Entity::find()
            .filter(action_supporter::Column::ActionId.is_in(action_ids.clone()))
            .order_by_asc(action_supporter::Column::Position)
            .all(self.db)
            .await?;
        let ministry_ids = actions
            .iter()
            .map(|a| a.lead_ministry_id)
            .chain(supporters.iter().map(|s| s.ministry_id));
        let ministries: HashMap<Uuid, ministry::Model> = by_id(
            ministry::Entity::find()
                .filter(ministry::Column::Id.is_in(ministry_ids))
                .all(self.db)
                .await?,
            |m| m.id,
        );
        let mut last_updates: HashMap<Uuid, action_update::Model> = HashMap::new();
        for u in action_update::Entity::find()
            .filter(action_update::Column::ActionId.is_in(action_ids))
            .order_by_asc(action_update::Column::CreatedAt)
            .all(self.db)
            .await?
        {
            last_updates.insert(u.action_id, u);
        }
        let name = |id: &Uuid| {
            ministries.get(id).map_or_else(
                || "?".to_owned(),
                |m| m.short_name.clone().unwrap_or_else(|| m.name.clone()),
            )
        };
        let mut items: Vec<Item> = Vec::new();
        for a in &actions {
            let mine: Vec<&reminder::Model> = rows.iter().filter(|r| r.action_id == a.id).collect();
            let escalated = mine.iter().any(|r| r.kind == ReminderKind::Escalation);
            let role = mine.iter().map(|r| r.role).min_by_key(|r| match r {
                RecipientRole::Act => 0,
                RecipientRole::Support => 1,
                RecipientRole::Escalation => 2,
            });
            let link = first
                .liaison_id
                .filter(|_| role != Some(RecipientRole::Escalation))
                .map(|liaison| {
                    format!(
                        "{}/respond/{}",
                        self.public_url.trim_end_matches('/'),
                        self.signer.link(a.id, liaison, now)
                    )
                });
            items.push(Item {
                action_id: a.id,
                title: a.title.clone(),
                meeting: meetings
                    .get(&a.meeting_id)
                    .map_or_else(String::new, |m| m.title.clone()),
                issue: a
                    .issue_id
                    .and_then(|i| issues.get(&i))
                    .map(|i| i.title.clone()),
                lead: name(&a.lead_ministry_id),
                supporters: supporters
                    .iter()
                    .filter(|s| s.action_id == a.id)
                    .map(|s| name(&s.ministry_id))
                    .collect(),
                due_on: a.due_on,
                role: role.unwrap_or(RecipientRole::Act),
                escalated,
                last_update: last_updates.get(&a.id).map(|u| {
                    let when = u.created_at.date_naive();
                    match &u.note {
                        Some(note) => format!("{when}: {note}"),
                        None => format!(
                            "{when}: {}",
                            u.to_status.map(|s| s.to_value()).unwrap_or_default()
                        ),
                    }
                }),
                link,
            });
        }
        let undelivered = if rows.iter().any(|r| r.kind == ReminderKind::Escalation) {
            self.undelivered(first).await?
        } else {
            vec![]
        };
        Ok(Digest {
            to_email: first.email.clone(),
            to_name: first.recipient_name.clone(),
            language: first.language,
            today,
            items,
            undelivered,
        })
    }

    /// FAILED reminders not yet reported, of meetings the recipient's ministry convened (all
    /// of them for an escalation address).
    async fn undelivered(&self, recipient: &reminder::Model) -> AppResult<Vec<Undelivered>> {
        let failed = reminder::Entity::find()
            .filter(reminder::Column::Status.eq(ReminderStatus::Failed))
            .filter(reminder::Column::ReportedAt.is_null())
            .order_by_asc(reminder::Column::UpdatedAt)
            .limit(200)
            .all(self.db)
            .await?;
        if failed.is_empty() {
            return Ok(vec![]);
        }
        let actions: HashMap<Uuid, action::Model> = by_id(
            action::Entity::find()
                .filter(action::Column::Id.is_in(failed.iter().map(|r| r.action_id)))
                .all(self.db)
                .await?,
            |a| a.id,
        );
        let convener_of_recipient = match recipient.liaison_id {
            Some(id) => entity::liaison::Entity::find_by_id(id)
                .one(self.db)
                .await?
                .map(|l| l.ministry_id),
            None => None,
        };
        let meetings: HashMap<Uuid, meeting::Model> = by_id(
            meeting::Entity::find()
                .filter(meeting::Column::Id.is_in(actions.values().map(|a| a.meeting_id)))
                .all(self.db)
                .await?,
            |m| m.id,
        );
        Ok(failed
            .into_iter()
            .filter_map(|r| {
                let a = actions.get(&r.action_id)?;
                let convener = meetings.get(&a.meeting_id)?.convened_by_id;
                if convener_of_recipient.is_some_and(|m| m != convener) {
                    return None;
                }
                Some(Undelivered {
                    email: r.email,
                    action: a.title.clone(),
                    error: r.last_error.unwrap_or_default(),
                })
            })
            .collect())
    }

    async fn mark_reported(&self, digest: &Digest, now: DateTime<Utc>) -> AppResult<()> {
        if digest.undelivered.is_empty() {
            return Ok(());
        }
        let emails: Vec<String> = digest.undelivered.iter().map(|u| u.email.clone()).collect();
        reminder::Entity::update_many()
            .col_expr(reminder::Column::ReportedAt, Expr::value(now))
            .filter(reminder::Column::Status.eq(ReminderStatus::Failed))
            .filter(reminder::Column::ReportedAt.is_null())
            .filter(reminder::Column::Email.is_in(emails))
            .exec(self.db)
            .await?;
        Ok(())
    }
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

fn by_id<T>(rows: Vec<T>, id: impl Fn(&T) -> Uuid) -> HashMap<Uuid, T> {
    rows.into_iter().map(|r| (id(&r), r)).collect()
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
