//! GraphQL types and resolvers for issues.

use async_graphql::{Context, ID, Object, Result};
use entity::issue;

use super::service;
use crate::{
    actions::graphql::Action,
    error::AppError,
    graphql::{
        db,
        enums::IssueStatus,
        input::issues::{AddIssueInput, IssueFilter, UpdateIssueInput},
        loaders::{self, ActionsOfIssue, MeetingKey},
        pagination::{Conn, Page, paginate},
        scalars::{DateTime, parse_id, to_id},
        who,
    },
    meetings::graphql::Meeting,
};

/// A problem identified at a meeting (permasalahan).
pub struct Issue(pub issue::Model);

impl From<issue::Model> for Issue {
    fn from(m: issue::Model) -> Self {
        Self(m)
    }
}

/// A problem identified at a meeting (permasalahan).
#[Object]
impl Issue {
    /// The issue's ID.
    pub async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// The meeting the issue was first raised at.
    async fn meeting(&self, ctx: &Context<'_>) -> Result<Meeting> {
        let m = loaders::one(ctx, MeetingKey(self.0.meeting_id)).await?;
        Ok(Meeting(m.ok_or_else(|| AppError::not_found("meeting"))?))
    }
    /// Every meeting that took the issue up (where it was raised, then discussed again),
    /// oldest first.
    async fn meetings(&self, ctx: &Context<'_>) -> Result<Vec<Meeting>> {
        let rows = Box::pin(service::meetings_of(db(ctx), self.0.id)).await?;
        Ok(rows.into_iter().map(Meeting::from).collect())
    }
    /// When the meeting that raised it started.
    async fn first_raised_at(&self, ctx: &Context<'_>) -> Result<DateTime> {
        let m = loaders::one(ctx, MeetingKey(self.0.meeting_id)).await?;
        let m = m.ok_or_else(|| AppError::not_found("meeting"))?;
        Ok(crate::meetings::graphql::local_start(&m))
    }
    /// The issue's own timeline: status changes and the meetings that took it up again,
    /// oldest first.
    async fn updates(&self, ctx: &Context<'_>) -> Result<Vec<IssueUpdate>> {
        let rows = Box::pin(service::updates(db(ctx), self.0.id)).await?;
        Ok(rows.into_iter().map(IssueUpdate).collect())
    }
    /// Increases with every change; pass it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The problem, in a line.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// More detail; line breaks are kept.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Category or phase, e.g. pra-penempatan.
    async fn category(&self) -> Option<&str> {
        self.0.category.as_deref()
    }
    /// Where it stands.
    async fn status(&self) -> IssueStatus {
        self.0.status.into()
    }
    /// Actions agreed for this issue, by due date.
    async fn actions(&self, ctx: &Context<'_>) -> Result<Vec<Action>> {
        let rows = loaders::list(ctx, ActionsOfIssue(self.0.id)).await?;
        Ok(rows.into_iter().map(Action::from).collect())
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

/// One entry in an issue's timeline.
pub struct IssueUpdate(pub entity::issue_update::Model);

/// One entry in an issue's timeline: a status change, or a meeting that took it up again.
#[Object]
impl IssueUpdate {
    /// The entry's ID.
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// The meeting that discussed the issue again (for such an entry).
    async fn meeting(&self, ctx: &Context<'_>) -> Result<Option<Meeting>> {
        match self.0.meeting_id {
            Some(id) => Ok(loaders::one(ctx, MeetingKey(id)).await?.map(Meeting)),
            None => Ok(None),
        }
    }
    /// Why, in the author's words.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The status before a change.
    async fn from_status(&self) -> Option<IssueStatus> {
        self.0.from_status.map(Into::into)
    }
    /// The status after a change.
    async fn to_status(&self) -> Option<IssueStatus> {
        self.0.to_status.map(Into::into)
    }
    /// Who wrote it, as they were named then.
    async fn author(&self) -> Option<&str> {
        self.0.author.as_deref()
    }
    /// When.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

#[derive(Default)]
pub struct IssueQuery;

#[Object]
impl IssueQuery {
    /// Issues, oldest first.
    async fn issues(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<IssueFilter>,
    ) -> Result<Conn<Issue>> {
        let page = Page::from_args(first, after.as_deref())?;
        let select = service::list_query(filter.unwrap_or_default().into_domain()?);
        Ok(paginate(db(ctx), select, page).await?)
    }

    /// One issue; null when there is none.
    async fn issue(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Issue>> {
        Ok(service::find(db(ctx), parse_id(&id, "id")?)
            .await?
            .map(Issue))
    }
}

#[derive(Default)]
pub struct IssueMutation;

#[Object]
impl IssueMutation {
    /// Adds an issue to a meeting.
    async fn add_issue(&self, ctx: &Context<'_>, input: AddIssueInput) -> Result<Issue> {
        let (meeting, issue) = input.into_domain()?;
        let i = service::add(db(ctx), who(ctx)?, meeting, issue).await?;
        Ok(Issue(i))
    }

    /// Moves an issue to OPEN, ADDRESSED or CLOSED, with an optional note for its timeline.
    /// A stale `expectedVersion` is a CONFLICT and changes nothing. ADMIN and SECRETARIAT.
    async fn change_issue_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: IssueStatus,
        note: Option<String>,
        expected_version: Option<i32>,
    ) -> Result<Issue> {
        let id = parse_id(&id, "id")?;
        let i = service::change_status(
            db(ctx),
            who(ctx)?,
            id,
            status.into(),
            note.as_deref(),
            expected_version,
        )
        .await?;
        Ok(Issue(i))
    }

    /// Changes an issue, including its status.
    async fn update_issue(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateIssueInput,
    ) -> Result<Issue> {
        let id = parse_id(&id, "id")?;
        let i = service::update(db(ctx), who(ctx)?, id, input.into()).await?;
        Ok(Issue(i))
    }
}
