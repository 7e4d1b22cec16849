//! GraphQL for reminders (ADMIN and SECRETARIAT): the outbox, and running it by hand.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::reminder;

use super::{
    service,
    worker::{Reminders, RunReport},
};
use crate::{
    actions::graphql::Action,
    auth::policy::Operation,
    error::{AppError, AppResult},
    graphql::{
        authorize, db,
        enums::{Language, RecipientRole, ReminderKind, ReminderStatus},
        input::ministries::{MinistryRefInput, opt_ref},
        loaders::{self, ActionKey, RemindersOf},
        pagination::{Conn, Page, paginate},
        scalars::{Date, DateTime as GqlDateTime, parse_id, to_id},
        who,
    },
};

/// One planned email about one action to one recipient.
pub struct Reminder(pub reminder::Model);

impl From<reminder::Model> for Reminder {
    fn from(m: reminder::Model) -> Self {
        Self(m)
    }
}

/// One planned email about one action to one recipient: a row of the outbox.
#[Object]
impl Reminder {
    /// The reminder's ID.
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// The action it is about.
    async fn action(&self, ctx: &Context<'_>) -> Result<Action> {
        let a = loaders::one(ctx, ActionKey(self.0.action_id)).await?;
        Ok(Action::from(
            a.ok_or_else(|| AppError::not_found("action"))?,
        ))
    }
    /// The recipient's address.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// The recipient's name, as the email greets them.
    async fn recipient_name(&self) -> Option<&str> {
        self.0.recipient_name.as_deref()
    }
    /// The liaison it is for; null for an escalation address.
    async fn liaison_id(&self) -> Option<ID> {
        self.0.liaison_id.map(to_id)
    }
    /// The language of the email.
    async fn language(&self) -> Language {
        self.0.language.into()
    }
    /// Why the recipient gets it.
    async fn role(&self) -> RecipientRole {
        self.0.role.into()
    }
    /// Why it is sent.
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
    /// Where it is in the outbox.
    async fn status(&self) -> ReminderStatus {
        self.0.status.into()
    }
    /// Delivery attempts so far.
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
    /// When the mail server accepted it.
    async fn sent_at(&self) -> Option<GqlDateTime> {
        self.0.sent_at.map(Into::into)
    }
    /// When a FAILED reminder was reported to the convening ministry.
    async fn reported_at(&self) -> Option<GqlDateTime> {
        self.0.reported_at.map(Into::into)
    }
    /// When it was planned.
    async fn created_at(&self) -> GqlDateTime {
        self.0.created_at.into()
    }
}

/// Which reminders to list.
#[derive(InputObject, Debug, Clone, Default)]
pub struct ReminderFilter {
    /// Any of these statuses.
    pub status: Option<Vec<ReminderStatus>>,
    /// About this action.
    pub action_id: Option<ID>,
    /// Reminders about actions this ministry leads or supports.
    pub ministry: Option<MinistryRefInput>,
}

impl ReminderFilter {
    fn into_domain(self) -> AppResult<service::ReminderFilter> {
        Ok(service::ReminderFilter {
            status: self.status.map(|s| s.into_iter().map(Into::into).collect()),
            action_id: self
                .action_id
                .map(|id| parse_id(&id, "filter.actionId"))
                .transpose()?,
            ministry: opt_ref(self.ministry.as_ref(), "filter.ministry")?,
        })
    }
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
    /// Whether this was a dry run (nothing saved or sent).
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
        let filter = filter.unwrap_or_default().into_domain()?;
        let select = service::list_query(db(ctx), filter).await?;
        Ok(paginate(db(ctx), select, page).await?)
    }

    /// The weekly leadership digests, newest slot first (at most `first`, 1 to 500). ADMIN
    /// and SECRETARIAT.
    async fn leadership_digests(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(50)")] first: Option<i32>,
    ) -> Result<Vec<LeadershipDigest>> {
        authorize(ctx, Operation::ReadReminders).await?;
        let first = first.unwrap_or(50);
        if !(1..=500).contains(&first) {
            return Err(AppError::bad_input("first", "first must be between 1 and 500").into());
        }
        let rows = super::leadership::recent(db(ctx), first as u64).await?;
        Ok(rows.into_iter().map(LeadershipDigest).collect())
    }
}

/// One weekly leadership digest to one recipient.
pub struct LeadershipDigest(pub entity::leadership_digest::Model);

/// One weekly leadership digest to one recipient.
#[Object]
impl LeadershipDigest {
    /// The digest's ID.
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// The day the digest describes (its slot).
    async fn slot(&self) -> Date {
        Date(self.0.slot)
    }
    /// Where it goes.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// PENDING, SENT or FAILED.
    async fn status(&self) -> ReminderStatus {
        self.0.status.into()
    }
    /// Delivery attempts so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// Why the last attempt failed.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When the server accepted it.
    async fn sent_at(&self) -> Option<GqlDateTime> {
        self.0.sent_at.map(Into::into)
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
        let service = ctx.data_opt::<Arc<Reminders>>().ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("the reminder service is not configured"))
        })?;
        let dry_run = dry_run.unwrap_or(false);
        let as_of = as_of.map(|d| d.0);
        let report = service::run_by_hand(db(ctx), service, who(ctx)?, as_of, dry_run).await?;
        let run = ReminderRun::from(report, dry_run);
        Ok(run)
    }
}
