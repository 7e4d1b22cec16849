//! GraphQL types and resolvers for meetings.

use async_graphql::{Context, ID, Object, Result};
use chrono_tz::Tz;
use entity::{meeting, meeting_attendee};

use super::service;
use crate::{
    actions::graphql::Action,
    error::AppError,
    graphql::{
        db,
        input::meetings::{MeetingFilter, MeetingOrder, RecordMeetingInput, UpdateMeetingInput},
        loaders::{self, ActionsOfMeeting, AttendeesOf, IssuesOf, MinistryKey},
        pagination::{Conn, Page, paginate},
        scalars::{DateTime, parse_id, to_id},
        settings, who,
    },
    issues::graphql::Issue,
    ministries::graphql::Ministry,
};

/// When `m` started, in its own time zone.
pub fn local_start(m: &meeting::Model) -> DateTime {
    let tz: Tz = m.time_zone.parse().unwrap_or(Tz::UTC);
    DateTime(m.starts_at.with_timezone(&tz).fixed_offset())
}

/// A coordination meeting (rapat koordinasi).
pub struct Meeting(pub std::sync::Arc<meeting::Model>);

impl From<meeting::Model> for Meeting {
    fn from(m: meeting::Model) -> Self {
        Self(std::sync::Arc::new(m))
    }
}

/// A coordination meeting (rapat koordinasi).
#[Object]
impl Meeting {
    /// The meeting's ID.
    pub async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// The meeting's title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// When the meeting started, with the offset of its own time zone.
    async fn starts_at(&self) -> DateTime {
        local_start(&self.0)
    }
    /// IANA time zone the meeting took place in.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }
    /// Where it took place.
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }
    /// Who chaired the meeting.
    async fn chair(&self) -> Option<&str> {
        self.0.chair.as_deref()
    }
    /// The chair's position.
    async fn chair_position(&self) -> Option<&str> {
        self.0.chair_position.as_deref()
    }
    /// The unit that convened the meeting.
    async fn convened_by(&self, ctx: &Context<'_>) -> Result<Ministry> {
        let m = loaders::one(ctx, MinistryKey(self.0.convened_by_id)).await?;
        Ok(Ministry(m.ok_or_else(|| AppError::not_found("ministry"))?))
    }
    /// Summary or minutes.
    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }
    /// Link to the minutes or press release.
    async fn source_url(&self) -> Option<&str> {
        self.0.source_url.as_deref()
    }
    /// Ministries that attended, in the order they were listed.
    async fn attendees(&self, ctx: &Context<'_>) -> Result<Vec<Attendee>> {
        let rows = loaders::list(ctx, AttendeesOf(self.0.id)).await?;
        Ok(rows.into_iter().map(Attendee).collect())
    }
    /// Issues taken up at the meeting, new and carried forward alike, oldest first.
    async fn issues(&self, ctx: &Context<'_>) -> Result<Vec<Issue>> {
        let rows = loaders::list(ctx, IssuesOf(self.0.id)).await?;
        Ok(rows.into_iter().map(Issue).collect())
    }
    /// Only the issues raised at an earlier meeting and taken up again at this one.
    async fn carried_issues(&self, ctx: &Context<'_>) -> Result<Vec<Issue>> {
        let rows: Vec<entity::issue::Model> = loaders::list(ctx, IssuesOf(self.0.id)).await?;
        Ok(rows
            .into_iter()
            .filter(|i| i.meeting_id != self.0.id)
            .map(Issue)
            .collect())
    }
    /// Every action agreed at the meeting, by due date.
    async fn actions(&self, ctx: &Context<'_>) -> Result<Vec<Action>> {
        let rows = loaders::list(ctx, ActionsOfMeeting(self.0.id)).await?;
        Ok(rows.into_iter().map(Action::from).collect())
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

/// A ministry that attended a meeting.
pub struct Attendee(pub meeting_attendee::Model);

/// A ministry that attended a meeting, with its representatives.
#[Object]
impl Attendee {
    /// The ministry that attended.
    async fn ministry(&self, ctx: &Context<'_>) -> Result<Ministry> {
        let m = loaders::one(ctx, MinistryKey(self.0.ministry_id)).await?;
        Ok(Ministry(m.ok_or_else(|| AppError::not_found("ministry"))?))
    }
    /// Names of the people who represented the ministry.
    async fn representatives(&self) -> Vec<String> {
        serde_json::from_value(self.0.representatives.clone()).unwrap_or_default()
    }
}

#[derive(Default)]
pub struct MeetingQuery;

#[Object]
impl MeetingQuery {
    /// Meetings, newest first unless `orderBy` says otherwise.
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<MeetingFilter>,
        order_by: Option<MeetingOrder>,
    ) -> Result<Conn<Meeting>> {
        let page = Page::from_args(first, after.as_deref())?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let order = order_by.map(Into::into).unwrap_or_default();
        let select = service::list_query(db(ctx), filter, order).await?;
        Ok(paginate(db(ctx), select, page).await?)
    }

    /// One meeting; null when there is none.
    async fn meeting(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Meeting>> {
        Ok(service::find(db(ctx), parse_id(&id, "id")?)
            .await?
            .map(Meeting::from))
    }
}

#[derive(Default)]
pub struct MeetingMutation;

#[Object]
impl MeetingMutation {
    /// Records a whole meeting at once: attendees, issues and their actions, and actions not
    /// tied to an issue. All or nothing: any mistake records nothing.
    async fn record_meeting(
        &self,
        ctx: &Context<'_>,
        input: RecordMeetingInput,
    ) -> Result<Meeting> {
        let input = input.into_domain()?;
        let m = service::record(db(ctx), who(ctx)?, input, settings(ctx).timezone).await?;
        Ok(Meeting::from(m))
    }

    /// Changes a meeting; `attendees`, when given, replaces the list. A stale
    /// `expectedVersion` is a CONFLICT and changes nothing.
    async fn update_meeting(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateMeetingInput,
        expected_version: Option<i32>,
    ) -> Result<Meeting> {
        let id = parse_id(&id, "id")?;
        let changes = input.into_domain()?;
        let m = service::update(db(ctx), who(ctx)?, id, changes, expected_version).await?;
        Ok(Meeting::from(m))
    }
}
