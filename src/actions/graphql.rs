//! GraphQL types and resolvers for actions and their timeline.

use async_graphql::{Context, ID, Object, Result, SelectionField};
use chrono::NaiveDate;
use entity::{action, action_update};

use super::{
    columns, filter,
    joined::{self, Attached, Joins, Related},
    service,
};
use crate::{
    auth::{graphql::User, policy::Operation, service::find_user},
    error::{AppError, AppResult},
    graphql::{
        authorize, db,
        enums::{ActionStatus, Priority},
        in_turn::InTurn,
        input::actions::{ActionFilter, ActionOrder, CreateActionInput, UpdateActionInput},
        loaders::{self, IssueKey, MeetingKey, MinistryKey, SupportersOf, UpdatesOf},
        pagination::{Conn, Page, paginate, paginate_rows},
        scalars::{Date, DateTime, parse_id, to_id},
        settings, who,
    },
    issues::graphql::Issue,
    meetings::graphql::Meeting,
    ministries::graphql::Ministry,
};

/// A follow-up action (tindak lanjut): who leads it, who supports it, and by when; with its
/// lead ministry and meeting when the statement that read it joined them.
pub struct Action(pub action::Model, pub Attached);

impl From<action::Model> for Action {
    fn from(m: action::Model) -> Self {
        Self(m, Attached::default())
    }
}

impl From<(action::Model, Attached)> for Action {
    fn from((m, attached): (action::Model, Attached)) -> Self {
        Self(m, attached)
    }
}

/// A page of actions, each resolved field after field when what the query selects of it is
/// at hand (see [`crate::graphql::in_turn`]).
pub type Actions = Conn<InTurn<Action>>;

impl From<action::Model> for InTurn<Action> {
    fn from(m: action::Model) -> Self {
        Self(m.into())
    }
}

impl From<(action::Model, Attached)> for InTurn<Action> {
    fn from(row: (action::Model, Attached)) -> Self {
        Self(row.into())
    }
}

impl Action {
    fn as_of(ctx: &Context<'_>, as_of: Option<Date>) -> NaiveDate {
        as_of.map_or_else(|| settings(ctx).today(), |d| d.0)
    }

    fn days_late(&self, as_of: NaiveDate) -> i64 {
        if self.0.status.is_closed() {
            0
        } else {
            (as_of - self.0.due_on).num_days().max(0)
        }
    }
}

/// A follow-up action (tindak lanjut): who leads it, who supports it, and by when.
#[Object]
impl Action {
    /// The action's ID.
    pub async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// The meeting that agreed this action.
    async fn meeting(&self, ctx: &Context<'_>) -> Result<InTurn<Meeting>> {
        if let Some(m) = &self.1.meeting {
            return Ok(InTurn(Meeting(m.clone())));
        }
        let m = loaders::one(ctx, MeetingKey(self.0.meeting_id)).await?;
        Ok(InTurn(Meeting(
            m.ok_or_else(|| AppError::not_found("meeting"))?,
        )))
    }
    /// The issue this action addresses, if any.
    async fn issue(&self, ctx: &Context<'_>) -> Result<Option<Issue>> {
        Ok(match self.0.issue_id {
            Some(id) => loaders::one(ctx, IssueKey(id)).await?.map(Issue),
            None => None,
        })
    }
    /// What is to be done.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// More detail; line breaks are kept.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The ministry responsible for the action.
    async fn lead_ministry(&self, ctx: &Context<'_>) -> Result<InTurn<Ministry>> {
        if let Some(m) = &self.1.lead {
            return Ok(InTurn(Ministry(m.clone())));
        }
        let m = loaders::one(ctx, MinistryKey(self.0.lead_ministry_id)).await?;
        Ok(InTurn(Ministry(
            m.ok_or_else(|| AppError::not_found("ministry"))?,
        )))
    }
    /// Ministries that support the lead, in the order they were named.
    async fn supporting_ministries(&self, ctx: &Context<'_>) -> Result<Vec<Ministry>> {
        let rows = loaders::list(ctx, SupportersOf(self.0.id)).await?;
        let keys = rows.iter().map(|s| MinistryKey(s.ministry_id)).collect();
        Ok(loaders::many(ctx, keys)
            .await?
            .into_iter()
            .map(Ministry)
            .collect())
    }
    /// The current deadline.
    async fn due_on(&self) -> Date {
        self.0.due_on.into()
    }
    /// The deadline first agreed, kept when the action is rescheduled.
    async fn original_due_on(&self) -> Date {
        self.0.original_due_on.into()
    }
    /// How urgent it is.
    async fn priority(&self) -> Priority {
        self.0.priority.into()
    }
    /// Where it stands.
    async fn status(&self) -> ActionStatus {
        self.0.status.into()
    }
    /// The day the action was marked DONE.
    async fn completed_on(&self) -> Option<Date> {
        self.0.completed_on.map(Date)
    }
    /// Not DONE or CANCELLED and due before `asOf` (today by default).
    async fn is_overdue(&self, ctx: &Context<'_>, as_of: Option<Date>) -> bool {
        self.days_late(Self::as_of(ctx, as_of)) > 0
    }
    /// Days past the due date on `asOf` (today by default); 0 when not overdue.
    async fn days_overdue(&self, ctx: &Context<'_>, as_of: Option<Date>) -> i64 {
        self.days_late(Self::as_of(ctx, as_of))
    }
    /// The timeline: notes, status changes and new due dates, oldest first.
    async fn updates(&self, ctx: &Context<'_>) -> Result<Vec<ActionUpdate>> {
        let rows = loaders::list(ctx, UpdatesOf(self.0.id)).await?;
        Ok(rows.into_iter().map(ActionUpdate).collect())
    }
    /// The reminders planned for this action. ADMIN and SECRETARIAT.
    async fn reminders(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::reminders::graphql::Reminder>> {
        Box::pin(crate::reminders::graphql::of_action(ctx, self.0.id)).await
    }
    /// Increases with every change; pass it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was recorded.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// One entry in an action's timeline.
pub struct ActionUpdate(pub action_update::Model);

impl From<action_update::Model> for ActionUpdate {
    fn from(m: action_update::Model) -> Self {
        Self(m)
    }
}

/// One entry of an action's timeline: a note, a status change or a new due date, and who wrote it.
#[Object]
impl ActionUpdate {
    /// The entry's ID.
    pub async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// What the author wrote, if anything.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The status before, when this entry changed it.
    async fn from_status(&self) -> Option<ActionStatus> {
        self.0.from_status.map(Into::into)
    }
    /// The status after, when this entry changed it.
    async fn to_status(&self) -> Option<ActionStatus> {
        self.0.to_status.map(Into::into)
    }
    /// The due date before, when this entry rescheduled the action.
    async fn previous_due_on(&self) -> Option<Date> {
        self.0.previous_due_on.map(Date)
    }
    /// The new due date, when this entry rescheduled the action.
    async fn new_due_on(&self) -> Option<Date> {
        self.0.new_due_on.map(Date)
    }
    /// The name of who wrote the entry, as it was then.
    async fn author(&self) -> Option<&str> {
        self.0.author.as_deref()
    }
    /// The user who wrote the entry (their whole record). ADMIN only, like `users`: the
    /// name stays readable by all in `author`.
    async fn authored_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Box::pin(async move {
            authorize(ctx, Operation::ReadUsers).await?;
            Ok(match self.0.author_id {
                Some(id) => find_user(db(ctx), id).await?.map(User),
                None => None,
            })
        })
        .await
    }
    /// When it was written.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// The `actions` list, shared by the root query and `Ministry.actions`.
pub async fn list_actions(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    filter: Option<ActionFilter>,
    order_by: Option<ActionOrder>,
) -> Result<Actions> {
    let page = Page::from_args(first, after.as_deref())?;
    let filter = filter.unwrap_or_default().into_domain()?;
    let order = order_by.map(Into::into).unwrap_or_default();
    let select = filter::list_query(db(ctx), filter, order, settings(ctx).today()).await?;
    let fields = columns::node_fields(ctx);
    let (conn, joins): (Actions, Joins) = match columns::wanted(&fields) {
        Some(wanted) => {
            let joins = Joins::wanted(&fields);
            let mut related = Related::default();
            let shape = |select| joined::shape(select, &wanted, &joins);
            let decode = |row: &_| related.decode(row, &wanted, &joins);
            let conn = paginate_rows(db(ctx), select, page, shape, decode).await?;
            (conn, joins)
        }
        None => (paginate(db(ctx), select, page).await?, Joins::default()),
    };
    let rows: Vec<&action::Model> = conn.edges.iter().map(|e| &e.node.0.0).collect();
    prefetch(ctx, &rows, &fields, &joins).await?;
    Ok(conn)
}

/// Loads what the query selects of a page's actions with one statement per kind of data,
/// before the per-action resolvers run: they then find it in the request's cache, and the
/// number of statements is the same for a page of 1 or of 100. What the page's own statement
/// read already (`joined`) is not read again.
async fn prefetch(
    ctx: &Context<'_>,
    actions: &[&action::Model],
    fields: &[SelectionField<'_>],
    joined: &Joins,
) -> AppResult<()> {
    let wants = |name: &str| fields.iter().any(|f| f.name() == name);
    let mut ministries = Vec::new();
    if wants("leadMinistry") && joined.lead.is_none() {
        ministries.extend(actions.iter().map(|a| MinistryKey(a.lead_ministry_id)));
    }
    if wants("supportingMinistries") {
        let keys = actions.iter().map(|a| SupportersOf(a.id));
        for rows in loaders::fetch(ctx, keys).await?.values() {
            ministries.extend(rows.iter().map(|s| MinistryKey(s.ministry_id)));
        }
    }
    let meetings = actions.iter().map(|a| MeetingKey(a.meeting_id));
    let issues = actions.iter().filter_map(|a| a.issue_id.map(IssueKey));
    tokio::try_join!(
        loaders::prime(ctx, ministries),
        loaders::prime(
            ctx,
            meetings.filter(|_| wants("meeting") && joined.meeting.is_none())
        ),
        loaders::prime(ctx, issues.filter(|_| wants("issue"))),
    )?;
    Ok(())
}

#[derive(Default)]
pub struct ActionQuery;

#[Object]
impl ActionQuery {
    /// Follow-up actions, by due date unless `orderBy` says otherwise.
    async fn actions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ActionFilter>,
        order_by: Option<ActionOrder>,
    ) -> Result<Actions> {
        list_actions(ctx, first, after, filter, order_by).await
    }

    /// One action; null when there is none.
    async fn action(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Action>> {
        Ok(service::find(db(ctx), parse_id(&id, "id")?)
            .await?
            .map(Action::from))
    }
}

#[derive(Default)]
pub struct ActionMutation;

#[Object]
impl ActionMutation {
    /// Adds an action to a meeting (and optionally to one of its issues).
    async fn create_action(&self, ctx: &Context<'_>, input: CreateActionInput) -> Result<Action> {
        let (meeting, issue, action) = input.into_domain()?;
        let a = service::create(db(ctx), who(ctx)?, meeting, issue, action).await?;
        Ok(Action::from(a))
    }

    /// Changes an action. A new `dueOn` keeps `originalDueOn` and is written to the timeline.
    /// A stale `expectedVersion` is a CONFLICT and changes nothing.
    async fn update_action(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateActionInput,
        expected_version: Option<i32>,
    ) -> Result<Action> {
        let id = parse_id(&id, "id")?;
        let changes = input.into_domain()?;
        let a = service::update(db(ctx), who(ctx)?, id, changes, expected_version).await?;
        Ok(Action::from(a))
    }

    /// Moves an action to another status, with an optional note for the timeline.
    /// DONE records today as `completedOn`; reopening clears it. A LIAISON may do this on
    /// the actions its ministry leads.
    async fn change_action_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: ActionStatus,
        note: Option<String>,
        expected_version: Option<i32>,
    ) -> Result<Action> {
        let id = parse_id(&id, "id")?;
        let today = settings(ctx).today();
        let a = service::change_status(
            db(ctx),
            who(ctx)?,
            id,
            status.into(),
            note.as_deref(),
            expected_version,
            today,
        )
        .await?;
        Ok(Action::from(a))
    }

    /// Adds a progress note to an action's timeline. A LIAISON may do this on the actions its
    /// ministry leads or supports.
    async fn add_action_update(
        &self,
        ctx: &Context<'_>,
        action_id: ID,
        note: String,
    ) -> Result<ActionUpdate> {
        let id = parse_id(&action_id, "actionId")?;
        let u = service::add_update(db(ctx), who(ctx)?, id, &note).await?;
        Ok(ActionUpdate(u))
    }
}
