//! Status reports for leadership: counts per ministry, meeting and category as the registry
//! stood at the end of any day, the trend week by week, the rows behind them, and the
//! downloads and page that carry them.

pub mod arising;
mod arising_graphql;
mod asked;
pub mod calendar;
pub mod export;
pub mod graphql;
pub mod http;
pub mod links;
pub mod meeting_pages;
mod minutes;
pub mod page;
pub mod query;
mod rows;
pub mod service;
pub mod state;
mod week;
mod workbook;

use chrono::NaiveDate;
use entity::enums::{ActionStatus, Priority};
use uuid::Uuid;

use crate::ministries::service::MinistryRef;

/// The filters of a report, as a client gives them.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    /// Actions any of them leads or supports (none: every action).
    pub ministries: Vec<MinistryRef>,
    pub convened_by: Option<MinistryRef>,
    pub meeting_ids: Vec<Uuid>,
    /// Bounds of the meeting date, inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub category: Option<String>,
    pub priority: Vec<Priority>,
}

/// The filters resolved to rows, with the actor's own limit.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub ministries: Vec<Uuid>,
    pub convened_by: Option<Uuid>,
    pub meeting_ids: Vec<Uuid>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// The category folded (see `entity::search`).
    pub category_key: Option<String>,
    pub priority: Vec<Priority>,
    /// A liaison sees the actions its ministry leads or supports only.
    pub only_ministry: Option<Uuid>,
}

/// How many actions stand where, on the report's date.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub total: i64,
    pub open: i64,
    pub in_progress: i64,
    pub blocked: i64,
    pub done: i64,
    pub cancelled: i64,
    pub overdue: i64,
    pub due_within_7_days: i64,
    pub done_on_time: i64,
    pub done_late: i64,
    pub median_days_overdue: Option<f64>,
}

impl Counts {
    /// Done on time, of all done; `None` when nothing is done.
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.done > 0).then(|| self.done_on_time as f64 / self.done as f64)
    }

    /// Not DONE or CANCELLED.
    pub fn pending(&self) -> i64 {
        self.open + self.in_progress + self.blocked
    }
}

/// An action as it stood on the report's date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnDate {
    pub action_id: Uuid,
    pub status: ActionStatus,
    pub due_on: NaiveDate,
    pub days_overdue: i64,
    /// The latest timeline entry before the end of that day.
    pub last_update_id: Option<Uuid>,
}

/// One ministry's part in the report.
#[derive(Debug, Clone)]
pub struct MinistryLine {
    pub ministry: entity::ministry::Model,
    pub as_lead: Counts,
    pub as_support: Counts,
    pub oldest_overdue: Option<OnDate>,
    pub silent_days: Option<i64>,
}

/// One week's point of the trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendPoint {
    pub week_ending: NaiveDate,
    pub pending: i64,
    pub overdue: i64,
    pub completed: i64,
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct Report {
    pub as_of: NaiveDate,
    pub totals: Counts,
    pub ministries: Vec<MinistryLine>,
    /// Newest meeting first.
    pub meetings: Vec<(entity::meeting::Model, Counts)>,
    /// By category name; actions without one last (`None`).
    pub categories: Vec<(Option<String>, Counts)>,
}
