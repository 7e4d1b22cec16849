//! What clients send about issues, and its domain form.

use async_graphql::{ID, InputObject, MaybeUndefined};

use super::actions::MeetingActionInput;
use crate::{
    error::{AppError, AppResult},
    graphql::{enums::IssueStatus, scalars::parse_id},
    issues::service as issues,
};

/// An issue taken up at the meeting being recorded: a new one (`title`) or one raised at an
/// earlier meeting (`issueId`), exactly one of the two, with the actions agreed for it.
#[derive(InputObject, Debug, Clone)]
pub struct MeetingIssueInput {
    /// An issue raised at an earlier meeting, discussed again at this one.
    pub issue_id: Option<ID>,
    /// A new issue: the problem, in a line.
    pub title: Option<String>,
    /// More detail (new issues only); line breaks are kept.
    pub description: Option<String>,
    /// Free text, e.g. the phase: pra-penempatan, masa penempatan, purna penempatan (new
    /// issues only).
    pub category: Option<String>,
    /// The actions agreed for this issue at this meeting.
    pub actions: Option<Vec<MeetingActionInput>>,
}

impl MeetingIssueInput {
    /// The issue, with `path` naming its fields in errors.
    pub fn into_domain(self, path: &str) -> AppResult<issues::MeetingIssue> {
        let actions = self
            .actions
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, a)| a.into_domain(&format!("{path}.actions[{i}]")))
            .collect::<AppResult<_>>()?;
        match (self.issue_id, self.title) {
            (Some(id), None) => {
                for (given, name) in [
                    (self.description.is_some(), "description"),
                    (self.category.is_some(), "category"),
                ] {
                    if given {
                        return Err(AppError::bad_input(
                            format!("{path}.{name}"),
                            "a carried issue keeps its own; change it with updateIssue",
                        ));
                    }
                }
                Ok(issues::MeetingIssue::Carried {
                    issue_id: parse_id(&id, &format!("{path}.issueId"))?,
                    actions,
                })
            }
            (None, Some(title)) => Ok(issues::MeetingIssue::New(issues::NewIssue {
                title,
                description: self.description,
                category: self.category,
                actions,
            })),
            (Some(_), Some(_)) => Err(AppError::bad_input(
                format!("{path}.issueId"),
                "give either issueId (an issue carried forward) or title (a new issue), not both",
            )),
            (None, None) => Err(AppError::bad_input(
                format!("{path}.title"),
                "give title (a new issue) or issueId (an issue carried forward)",
            )),
        }
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
