//! GraphQL for reminders (ADMIN and SECRETARIAT): the outbox, and running it by hand.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use entity::{enums as db, reminder};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select,
};

use super::worker::{Reminders, RunReport};
use crate::{
    actions::{filter::involving, graphql::Action},
    audit::service::{Entry, log},
    auth::policy::{Operation, authorize},
    error::{AppError, AppResult},
    graphql::{
        db,
        loaders::{self, ActionKey, RemindersOf},
        pagination::{Conn, Page, paginate},
        scalars::{Date, DateTime as GqlDateTime, parse_id, to_id},
    },
    ministries::{
        liaisons::Language,
        service::{MinistryRef, resolve},
    },
};

crate::mirror_enum! {
    /// Why a reminder is sent.
    ReminderKind => db::ReminderKind { BeforeDue, DueToday, Overdue, Escalation }
}

crate::mirror_enum! {
    /// Where a reminder is in the outbox.
    ReminderStatus => db::ReminderStatus { Pending, Sent, Failed, Cancelled }
}

crate::mirror_enum! {
    /// Why the recipient gets it: to act (lead), to support, or as an escalation.
    RecipientRole => db::RecipientRole { Act, Support, Escalation }
}

/// One planned email about one action to one recipient.
pub struct Reminder(pub reminder::Model);

impl From<reminder::Model> for Reminder {
    fn from(m: reminder::Model) -> Self {
        Self(m)
    }
}

#[Object]
impl Reminder {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn action(&self, ctx: &Context<'_>) -> Result<Action> {
        let a = loaders::one(ctx, ActionKey(self.0.action_id)).await?;
        Ok(Action(a.ok_or_else(|| AppError::not_found("action"))?))
    }
    /// The recipient's address.
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn recipient_name(&self) -> Option<&str> {
        self.0.recipient_name.as_deref()
    }
    /// The liaison it is for; null for an escalation address.
    async fn liaison_id(&self) -> Option<ID> {
        self.0.liaison_id.map(to_id)
    }
    async fn language(&self) -> Language {
        self.0.language.into()
    }
    async fn role(&self) -> RecipientRole {
        self.0.role.into()
    }
    async fn kind(&self) -> ReminderKind {
        self.0.kind.into()
    }
    /// The due date it was planned for.
    async fn planned_for(&self) -> Date {
        self.0.planned_for.into()
    }
    /// Days from the due date to when it is sent (negative before).
    async fn offset_days(&self) -> i32 {
        self.0.offset_days
    }
    async fn status(&self) -> ReminderStatus {
        self.0.status.into()
    }
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// When a PENDING reminder is tried next.
    async fn next_attempt_at(&self) -> GqlDateTime {
        self.0.next_attempt_at.into()
    }
    /// What the mail server said at the last failed attempt.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// The Message-ID of the email that carried it.
    async fn message_id(&self) -> Option<&str> {
        self.0.message_id.as_deref()
    }
    async fn sent_at(&self) -> Option<GqlDateTime> {
        self.0.sent_at.map(Into::into)
    }
    /// When a FAILED reminder was reported to the convening ministry.
    async fn reported_at(&self) -> Option<GqlDateTime> {
        self.0.reported_at.map(Into::into)
    }
    async fn created_at(&self) -> GqlDateTime {
        self.0.created_at.into()
    }
}

#[derive(InputObject, Debug, Clone, Default)]
pub struct ReminderFilter {
    pub status: Option<Vec<ReminderStatus>>,
    pub action_id: Option<ID>,
    /// Reminders about actions this ministry leads or supports.
    pub ministry: Option<MinistryRef>,
}

/// What a run of the reminder service did.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct ReminderRun {
    /// New reminders planned.
    pub planned: u64,
    /// Pending reminders cancelled (action closed or rescheduled, liaison removed).
    pub cancelled: u64,
    /// Reminders delivered.
    pub sent: u64,
    /// Emails sent (one digest per recipient).
    pub emails: u64,
    /// Reminders put back for a later attempt.
    pub retried: u64,
    /// Reminders given up.
    pub failed: u64,
    /// On a dry run: reminders that would be delivered now.
    pub due: u64,
    pub dry_run: bool,
}

impl ReminderRun {
    fn from(r: RunReport, dry_run: bool) -> Self {
        Self {
            planned: r.planned,
            cancelled: r.cancelled,
            sent: r.sent,
            emails: r.emails,
            retried: r.retried,
            failed: r.failed,
            due: r.due,
            dry_run,
        }
    }
}

async fn list_query<C: ConnectionTrait>(
    db: &C,
    filter: Option<ReminderFilter>,
) -> AppResult<Select<reminder::Entity>> {
    let f = filter.unwrap_or_default();
    let mut cond = Condition::all();
    if let Some(statuses) = f.status {
        let statuses: Vec<db::ReminderStatus> = statuses.into_iter().map(Into::into).collect();
        cond = cond.add(reminder::Column::Status.is_in(statuses));
    }
    if let Some(id) = &f.action_id {
        cond = cond.add(reminder::Column::ActionId.eq(parse_id(id, "filter.actionId")?));
    }
    if let Some(r) = &f.ministry {
        let m = resolve(db, r, "filter.ministry").await?;
        cond = cond.add(involving(reminder::Column::ActionId, m.id));
    }
    Ok(reminder::Entity::find()
        .filter(cond)
        .order_by_desc(reminder::Column::CreatedAt)
        .order_by_asc(reminder::Column::Id))
}

/// `Action.reminders`.
pub async fn of_action(ctx: &Context<'_>, action_id: uuid::Uuid) -> Result<Vec<Reminder>> {
    authorize(ctx, Operation::ReadReminders).await?;
    let rows = loaders::list(ctx, RemindersOf(action_id)).await?;
    Ok(rows.into_iter().map(Reminder).collect())
}

#[derive(Default)]
pub struct ReminderQuery;

#[Object]
impl ReminderQuery {
    /// The reminder outbox, newest first. ADMIN and SECRETARIAT.
    async fn reminders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ReminderFilter>,
    ) -> Result<Conn<Reminder>> {
        authorize(ctx, Operation::ReadReminders).await?;
        let page = Page::from_args(first, after.as_deref())?;
        let select = list_query(db(ctx), filter).await?;
        Ok(paginate(db(ctx), select, page).await?)
    }
}

#[derive(Default)]
pub struct ReminderMutation;

#[Object]
impl ReminderMutation {
    /// Plans the reminders due on `asOf` (today by default) and delivers what is due now.
    /// A dry run plans nothing for good and sends nothing: it says what would happen.
    /// ADMIN and SECRETARIAT.
    async fn run_reminders(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        dry_run: Option<bool>,
    ) -> Result<ReminderRun> {
        authorize(ctx, Operation::RunReminders).await?;
        let service = ctx.data_opt::<Arc<Reminders>>().ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("the reminder service is not configured"))
        })?;
        let dry_run = dry_run.unwrap_or(false);
        let as_of = as_of.map(|d| d.0);
        if dry_run {
            let report = service.run(as_of, true).await?;
            return Ok(ReminderRun::from(report, true));
        }
        // Recorded before anything is sent, and run to completion in a task of its own: a
        // client that goes away (or a request that times out) leaves neither unaudited email
        // nor leased rows behind.
        let run_id = uuid::Uuid::now_v7();
        let actor = ctx.data_opt::<crate::auth::service::Actor>().cloned();
        let request_id = crate::audit::service::request_id(ctx).map(str::to_owned);
        log(
            ctx,
            db(ctx),
            Entry::ran(
                "runReminders",
                &serde_json::json!({ "asOf": as_of, "runId": run_id, "started": true }),
            ),
        )
        .await?;
        let service = service.clone();
        let task = tokio::spawn(async move {
            let result = service.run(as_of, false).await;
            let outcome = match &result {
                Ok(r) => serde_json::json!({
                    "asOf": as_of, "runId": run_id, "planned": r.planned,
                    "cancelled": r.cancelled, "sent": r.sent, "emails": r.emails,
                    "retried": r.retried, "failed": r.failed,
                }),
                Err(e) => {
                    serde_json::json!({ "asOf": as_of, "runId": run_id, "error": e.to_string() })
                }
            };
            let entry = Entry::ran("runReminders", &outcome);
            if let Err(error) = crate::audit::service::record(
                &service.db,
                actor.as_ref(),
                request_id.as_deref(),
                entry,
            )
            .await
            {
                tracing::error!(%run_id, %error, "could not record the outcome of a reminder run");
            }
            result
        });
        let report = task
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("the reminder run failed: {e}")))??;
        let run = ReminderRun::from(report, false);
        Ok(run)
    }
}
