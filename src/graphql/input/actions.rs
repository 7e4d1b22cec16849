//! What clients send about actions, and its domain form.

use async_graphql::{Enum, ID, InputObject, MaybeUndefined};

use super::ministries::{MinistryRefInput, opt_ref, refs};
use crate::{
    actions::{filter, service as actions},
    db::Direction,
    error::AppResult,
    graphql::{
        enums::{ActionStatus, Priority},
        scalars::{Date, parse_id},
    },
    patch::Patch,
};

/// An action agreed at the meeting being recorded (its meeting is implied).
#[derive(InputObject, Debug, Clone)]
pub struct MeetingActionInput {
    /// What is to be done.
    pub title: String,
    /// More detail; line breaks are kept.
    pub description: Option<String>,
    /// The ministry responsible.
    pub lead_ministry: MinistryRefInput,
    /// Ministries that help; the lead cannot also support.
    pub supporting_ministries: Option<Vec<MinistryRefInput>>,
    /// The deadline, a date in the deployment's time zone.
    pub due_on: Date,
    /// NORMAL when not given.
    pub priority: Option<Priority>,
}

impl MeetingActionInput {
    /// The action, with `path` naming its fields in errors.
    pub fn into_domain(self, path: &str) -> AppResult<actions::NewAction> {
        Ok(actions::NewAction {
            lead_ministry: self
                .lead_ministry
                .to_domain(&format!("{path}.leadMinistry"))?,
            supporting_ministries: refs(
                self.supporting_ministries.as_deref().unwrap_or_default(),
                &format!("{path}.supportingMinistries"),
            )?,
            title: self.title,
            description: self.description,
            due_on: self.due_on.0,
            priority: self.priority.map(Into::into),
        })
    }
}

/// A new action of an existing meeting.
#[derive(InputObject, Debug, Clone)]
pub struct CreateActionInput {
    /// The meeting that agreed it.
    pub meeting_id: ID,
    /// The issue this action addresses; it must belong to the same meeting.
    pub issue_id: Option<ID>,
    /// The action itself, as at a meeting being recorded.
    #[graphql(flatten)]
    pub action: MeetingActionInput,
}

impl CreateActionInput {
    /// The meeting, the issue and the action.
    pub fn into_domain(self) -> AppResult<(uuid::Uuid, Option<uuid::Uuid>, actions::NewAction)> {
        let meeting = parse_id(&self.meeting_id, "input.meetingId")?;
        let issue = self
            .issue_id
            .map(|id| parse_id(&id, "input.issueId"))
            .transpose()?;
        Ok((meeting, issue, self.action.into_domain("input")?))
    }
}

/// Changes to an action: fields left out stay as they are.
#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdateActionInput {
    /// Another issue of the same meeting; null detaches the action from its issue.
    pub issue_id: MaybeUndefined<ID>,
    /// A new title.
    pub title: Option<String>,
    /// A new description; null clears it.
    pub description: MaybeUndefined<String>,
    /// A new lead ministry.
    pub lead_ministry: Option<MinistryRefInput>,
    /// Replaces the whole list.
    pub supporting_ministries: Option<Vec<MinistryRefInput>>,
    /// A new due date; the original one is kept and the change is written to the timeline.
    pub due_on: Option<Date>,
    /// A new priority.
    pub priority: Option<Priority>,
    /// Why the action changed (e.g. the reason for a new due date), kept in the timeline.
    pub note: Option<String>,
}

impl UpdateActionInput {
    pub fn into_domain(self) -> AppResult<actions::ActionChanges> {
        let issue_id = match self.issue_id {
            MaybeUndefined::Undefined => Patch::Keep,
            MaybeUndefined::Null => Patch::Clear,
            MaybeUndefined::Value(id) => Patch::Set(parse_id(&id, "input.issueId")?),
        };
        Ok(actions::ActionChanges {
            issue_id,
            lead_ministry: opt_ref(self.lead_ministry.as_ref(), "input.leadMinistry")?,
            supporting_ministries: self
                .supporting_ministries
                .map(|r| refs(&r, "input.supportingMinistries"))
                .transpose()?,
            title: self.title,
            description: self.description.into(),
            due_on: self.due_on.map(|d| d.0),
            priority: self.priority.map(Into::into),
            note: self.note,
        })
    }
}

/// Which actions to list.
#[derive(InputObject, Debug, Clone, Default)]
pub struct ActionFilter {
    /// Any of these statuses.
    pub status: Option<Vec<ActionStatus>>,
    /// Any of these priorities.
    pub priority: Option<Vec<Priority>>,
    /// Led by this ministry.
    pub lead_ministry: Option<MinistryRefInput>,
    /// Led or supported by this ministry.
    pub ministry: Option<MinistryRefInput>,
    /// Agreed at this meeting.
    pub meeting_id: Option<ID>,
    /// Addressing this issue.
    pub issue_id: Option<ID>,
    /// Due on or after this date.
    pub due_from: Option<Date>,
    /// Due on or before this date.
    pub due_to: Option<Date>,
    /// Only overdue actions (true) or only those that are not (false).
    pub overdue: Option<bool>,
    /// The day "overdue" is judged on; today in the configured time zone by default.
    pub as_of: Option<Date>,
    /// Case-insensitive match on title or description.
    pub search: Option<String>,
}

impl ActionFilter {
    pub fn into_domain(self) -> AppResult<filter::ActionFilter> {
        Ok(filter::ActionFilter {
            status: self.status.map(|s| s.into_iter().map(Into::into).collect()),
            priority: self
                .priority
                .map(|p| p.into_iter().map(Into::into).collect()),
            lead_ministry: opt_ref(self.lead_ministry.as_ref(), "filter.leadMinistry")?,
            ministry: opt_ref(self.ministry.as_ref(), "filter.ministry")?,
            meeting_id: self
                .meeting_id
                .map(|id| parse_id(&id, "filter.meetingId"))
                .transpose()?,
            issue_id: self
                .issue_id
                .map(|id| parse_id(&id, "filter.issueId"))
                .transpose()?,
            due_from: self.due_from.map(|d| d.0),
            due_to: self.due_to.map(|d| d.0),
            overdue: self.overdue,
            as_of: self.as_of.map(|d| d.0),
            search: self.search,
        })
    }
}

/// What a list of actions is sorted by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
#[graphql(remote = "filter::ActionOrderField")]
pub enum ActionOrderField {
    /// The due date.
    #[default]
    DueOn,
    /// When the action was recorded.
    CreatedAt,
    /// When it last changed.
    UpdatedAt,
    /// Its priority.
    Priority,
}

/// Which way a list is sorted.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
#[graphql(remote = "Direction")]
pub enum OrderDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// How a list of actions is sorted (ties broken by ID).
#[derive(InputObject, Debug, Clone, Copy, Default)]
pub struct ActionOrder {
    /// The field sorted by.
    pub field: ActionOrderField,
    /// Ascending unless given.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl From<ActionOrder> for filter::ActionOrder {
    fn from(o: ActionOrder) -> Self {
        Self {
            field: o.field.into(),
            direction: o.direction.into(),
        }
    }
}
