//! What clients send about issues, and its domain form.

use async_graphql::{ID, InputObject, MaybeUndefined};

use super::actions::MeetingActionInput;
use crate::{
    error::AppResult,
    graphql::{enums::IssueStatus, scalars::parse_id},
    issues::service as issues,
};

/// An issue identified at the meeting being recorded, with the actions agreed for it.
#[derive(InputObject, Debug, Clone)]
pub struct MeetingIssueInput {
    /// The problem, in a line.
    pub title: String,
    /// More detail; line breaks are kept.
    pub description: Option<String>,
    /// Free text, e.g. the phase: pra-penempatan, masa penempatan, purna penempatan.
    pub category: Option<String>,
    /// The actions agreed for this issue.
    pub actions: Option<Vec<MeetingActionInput>>,
}

impl MeetingIssueInput {
    /// The issue, with `path` naming its fields in errors.
    pub fn into_domain(self, path: &str) -> AppResult<issues::NewIssue> {
        let actions = self
            .actions
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, a)| a.into_domain(&format!("{path}.actions[{i}]")))
            .collect::<AppResult<_>>()?;
        Ok(issues::NewIssue {
            title: self.title,
            description: self.description,
            category: self.category,
            actions,
        })
    }
}

/// A new issue of an existing meeting.
#[derive(InputObject, Debug, Clone)]
pub struct AddIssueInput {
    /// The meeting that identified it.
    pub meeting_id: ID,
    /// The problem, in a line.
    pub title: String,
    /// More detail; line breaks are kept.
    pub description: Option<String>,
    /// Free text, e.g. the phase.
    pub category: Option<String>,
}

impl AddIssueInput {
    /// The meeting and the issue.
    pub fn into_domain(self) -> AppResult<(uuid::Uuid, issues::NewIssue)> {
        Ok((
            parse_id(&self.meeting_id, "input.meetingId")?,
            issues::NewIssue {
                title: self.title,
                description: self.description,
                category: self.category,
                actions: vec![],
            },
        ))
    }
}

/// Changes to an issue: fields left out stay as they are, null clears.
#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdateIssueInput {
    /// A new title.
    pub title: Option<String>,
    /// A new description; null clears it.
    pub description: MaybeUndefined<String>,
    /// A new category; null clears it.
    pub category: MaybeUndefined<String>,
    /// A new status.
    pub status: Option<IssueStatus>,
}

impl From<UpdateIssueInput> for issues::IssueChanges {
    fn from(i: UpdateIssueInput) -> Self {
        Self {
            title: i.title,
            description: i.description.into(),
            category: i.category.into(),
            status: i.status.map(Into::into),
        }
    }
}

/// Which issues to list.
#[derive(InputObject, Debug, Clone, Default)]
pub struct IssueFilter {
    /// Identified at this meeting.
    pub meeting_id: Option<ID>,
    /// Any of these statuses.
    pub status: Option<Vec<IssueStatus>>,
    /// Exact category, case-insensitive.
    pub category: Option<String>,
    /// Case-insensitive match on title or description.
    pub search: Option<String>,
}

impl IssueFilter {
    pub fn into_domain(self) -> AppResult<issues::IssueFilter> {
        Ok(issues::IssueFilter {
            meeting_id: self
                .meeting_id
                .map(|id| parse_id(&id, "filter.meetingId"))
                .transpose()?,
            status: self.status.map(|s| s.into_iter().map(Into::into).collect()),
            category: self.category,
            search: self.search,
        })
    }
}
