//! What clients send to ask for a report, and its domain form.

use async_graphql::{ID, InputObject};

use super::ministries::{MinistryRefInput, opt_ref, refs};
use crate::{
    error::AppResult,
    graphql::{
        enums::Priority,
        scalars::{Date, parse_id},
    },
    reports,
};

/// Which actions a report counts; every field narrows it, none given counts them all.
#[derive(InputObject, Debug, Clone, Default)]
#[graphql(name = "ReportFilter")]
pub struct ReportFilterInput {
    /// Actions any of these ministries leads or supports (an empty list does not narrow).
    pub ministries: Option<Vec<MinistryRefInput>>,
    /// Actions of meetings convened by this ministry.
    pub convened_by: Option<MinistryRefInput>,
    /// Actions of these meetings (an empty list does not narrow).
    pub meeting_ids: Option<Vec<ID>>,
    /// Meetings held on or after this date (in the deployment's time zone).
    pub from: Option<Date>,
    /// Meetings held on or before this date.
    pub to: Option<Date>,
    /// Actions of issues in this category (case-insensitive).
    pub category: Option<String>,
    /// Actions of these priorities (an empty list does not narrow).
    pub priority: Option<Vec<Priority>>,
}

impl ReportFilterInput {
    pub fn into_domain(self, path: &str) -> AppResult<reports::ReportFilter> {
        let meeting_ids = self
            .meeting_ids
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, id)| parse_id(id, &format!("{path}.meetingIds[{i}]")))
            .collect::<AppResult<Vec<_>>>()?;
        Ok(reports::ReportFilter {
            ministries: refs(
                self.ministries.as_deref().unwrap_or_default(),
                &format!("{path}.ministries"),
            )?,
            convened_by: opt_ref(self.convened_by.as_ref(), &format!("{path}.convenedBy"))?,
            meeting_ids,
            from: self.from.map(|d| d.0),
            to: self.to.map(|d| d.0),
            category: self.category,
            priority: self
                .priority
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
        })
    }
}
