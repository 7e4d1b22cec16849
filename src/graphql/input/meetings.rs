//! What clients send about meetings, and its domain form.

use async_graphql::{Enum, InputObject, MaybeUndefined};

use super::{
    actions::{MeetingActionInput, OrderDirection},
    issues::MeetingIssueInput,
    ministries::{MinistryRefInput, opt_ref},
};
use crate::{error::AppResult, graphql::scalars::DateTime, meetings::service as meetings};

/// A ministry that attended, with the names of its representatives.
#[derive(InputObject, Debug, Clone)]
pub struct AttendeeInput {
    /// The ministry or agency.
    pub ministry: MinistryRefInput,
    /// Who represented it (names or offices).
    pub representatives: Option<Vec<String>>,
}

fn attendees(list: Vec<AttendeeInput>) -> AppResult<Vec<meetings::Attendee>> {
    list.into_iter()
        .enumerate()
        .map(|(i, a)| {
            Ok(meetings::Attendee {
                ministry: a
                    .ministry
                    .to_domain(&format!("input.attendees[{i}].ministry"))?,
                representatives: a.representatives.unwrap_or_default(),
            })
        })
        .collect()
}

/// A whole meeting: attendees, issues and their actions, and actions tied to no issue.
#[derive(InputObject, Debug, Clone)]
pub struct RecordMeetingInput {
    /// The meeting's title.
    pub title: String,
    /// When it started, with its offset.
    pub starts_at: DateTime,
    /// IANA time zone of the meeting, e.g. `Asia/Jakarta`; the configured zone by default.
    pub time_zone: Option<String>,
    /// Where it took place.
    pub location: Option<String>,
    /// Who chaired it.
    pub chair: Option<String>,
    /// The chair's position.
    pub chair_position: Option<String>,
    /// The convening unit.
    pub convened_by: MinistryRefInput,
    /// A summary or the minutes; line breaks are kept.
    pub summary: Option<String>,
    /// Where the record comes from, e.g. a press release (`http://` or `https://`).
    pub source_url: Option<String>,
    /// The ministries that attended.
    pub attendees: Option<Vec<AttendeeInput>>,
    /// The issues identified, each with its actions.
    pub issues: Option<Vec<MeetingIssueInput>>,
    /// Actions agreed at the meeting that address no single issue.
    pub actions: Option<Vec<MeetingActionInput>>,
}

impl RecordMeetingInput {
    pub fn into_domain(self) -> AppResult<meetings::NewMeeting> {
        let issues = self
            .issues
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, issue)| issue.into_domain(&format!("input.issues[{i}]")))
            .collect::<AppResult<_>>()?;
        let actions = self
            .actions
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, a)| a.into_domain(&format!("input.actions[{i}]")))
            .collect::<AppResult<_>>()?;
        Ok(meetings::NewMeeting {
            convened_by: self.convened_by.to_domain("input.convenedBy")?,
            attendees: attendees(self.attendees.unwrap_or_default())?,
            title: self.title,
            starts_at: self.starts_at.0.to_utc(),
            time_zone: self.time_zone,
            location: self.location,
            chair: self.chair,
            chair_position: self.chair_position,
            summary: self.summary,
            source_url: self.source_url,
            issues,
            actions,
        })
    }
}

/// Changes to a meeting: fields left out stay as they are, null clears.
#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdateMeetingInput {
    /// A new title.
    pub title: Option<String>,
    /// A new start.
    pub starts_at: Option<DateTime>,
    /// A new time zone.
    pub time_zone: Option<String>,
    /// A new place; null clears it.
    pub location: MaybeUndefined<String>,
    /// A new chair; null clears it.
    pub chair: MaybeUndefined<String>,
    /// A new position of the chair; null clears it.
    pub chair_position: MaybeUndefined<String>,
    /// A new convening unit.
    pub convened_by: Option<MinistryRefInput>,
    /// A new summary; null clears it.
    pub summary: MaybeUndefined<String>,
    /// A new source link; null clears it.
    pub source_url: MaybeUndefined<String>,
    /// Replaces the whole list of attendees.
    pub attendees: Option<Vec<AttendeeInput>>,
}

impl UpdateMeetingInput {
    pub fn into_domain(self) -> AppResult<meetings::MeetingChanges> {
        Ok(meetings::MeetingChanges {
            convened_by: opt_ref(self.convened_by.as_ref(), "input.convenedBy")?,
            attendees: self.attendees.map(attendees).transpose()?,
            title: self.title,
            starts_at: self.starts_at.map(|d| d.0.to_utc()),
            time_zone: self.time_zone,
            location: self.location.into(),
            chair: self.chair.into(),
            chair_position: self.chair_position.into(),
            summary: self.summary.into(),
            source_url: self.source_url.into(),
        })
    }
}

/// Which meetings to list.
#[derive(InputObject, Debug, Clone, Default)]
pub struct MeetingFilter {
    /// Convened by this unit.
    pub convened_by: Option<MinistryRefInput>,
    /// Meetings this ministry attended.
    pub attendee: Option<MinistryRefInput>,
    /// Meetings starting at or after this instant.
    pub starts_after: Option<DateTime>,
    /// Meetings starting before this instant.
    pub starts_before: Option<DateTime>,
    /// Case-insensitive match on title, summary or location.
    pub search: Option<String>,
}

impl MeetingFilter {
    pub fn into_domain(self) -> AppResult<meetings::MeetingFilter> {
        Ok(meetings::MeetingFilter {
            convened_by: opt_ref(self.convened_by.as_ref(), "filter.convenedBy")?,
            attendee: opt_ref(self.attendee.as_ref(), "filter.attendee")?,
            starts_after: self.starts_after.map(|d| d.0.to_utc()),
            starts_before: self.starts_before.map(|d| d.0.to_utc()),
            search: self.search,
        })
    }
}

/// What a list of meetings is sorted by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
#[graphql(remote = "meetings::MeetingOrderField")]
pub enum MeetingOrderField {
    /// When the meeting started.
    #[default]
    StartsAt,
    /// When it was recorded.
    CreatedAt,
    /// When it last changed.
    UpdatedAt,
}

/// Newest meetings first unless asked otherwise.
#[derive(InputObject, Debug, Clone, Copy)]
pub struct MeetingOrder {
    /// The field sorted by.
    pub field: MeetingOrderField,
    /// Descending unless given.
    #[graphql(default_with = "OrderDirection::Desc")]
    pub direction: OrderDirection,
}

impl From<MeetingOrder> for meetings::MeetingOrder {
    fn from(o: MeetingOrder) -> Self {
        Self {
            field: o.field.into(),
            direction: o.direction.into(),
        }
    }
}
