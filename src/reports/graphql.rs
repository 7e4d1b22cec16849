//! GraphQL types and resolvers of the status report and its signed links (a meeting's matters
//! arising and the calendar feeds are in `arising_graphql`).

use std::sync::Arc;

use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::NaiveDate;
use tokio::sync::OnceCell;

pub use super::arising_graphql::{ArisingQuery, MattersArising, MattersArisingGroup};
use super::{Counts, MinistryLine, OnDate, Report, Scope, links::ReportSigner, service};
use crate::{
    actions::{
        graphql::{Action, ActionUpdate},
        timeline,
    },
    error::AppError,
    graphql::{
        db,
        enums::ActionStatus,
        input::reports::ReportFilterInput,
        loaders::{self, ActionKey},
        scalars::Date,
        settings, who,
    },
    meetings::graphql::Meeting,
    ministries::graphql::Ministry,
    reminders::worker::Reminders,
};

/// The registry as it stood at the end of `asOf`: counts in total, per ministry, meeting and
/// category, and the trend week by week.
pub struct StatusReport {
    scope: Scope,
    as_of: NaiveDate,
    report: OnceCell<Report>,
}

impl StatusReport {
    async fn report(&self, ctx: &Context<'_>) -> Result<&Report> {
        let settings = settings(ctx);
        Ok(self
            .report
            .get_or_try_init(|| {
                service::report(
                    db(ctx),
                    &self.scope,
                    settings.timezone,
                    self.as_of,
                    crate::db::now(),
                )
            })
            .await?)
    }
}

/// The registry as it stood at the end of `asOf`: counts in total, per ministry, meeting and
/// category, and the trend week by week.
#[Object]
impl StatusReport {
    /// The day the report describes (its end, in the deployment's time zone).
    async fn as_of(&self) -> Date {
        Date(self.as_of)
    }
    /// Every counted action.
    async fn totals(&self, ctx: &Context<'_>) -> Result<StatusCounts> {
        Ok(StatusCounts(self.report(ctx).await?.totals))
    }
    /// One entry per ministry that leads or supports a counted action, most overdue (as
    /// lead) first, then by name.
    async fn by_ministry(&self, ctx: &Context<'_>) -> Result<Vec<MinistryReport>> {
        let report = self.report(ctx).await?;
        Ok(report
            .ministries
            .iter()
            .map(|m| MinistryReport {
                line: m.clone(),
                as_of: self.as_of,
            })
            .collect())
    }
    /// One entry per meeting with counted actions, newest meeting first.
    async fn by_meeting(&self, ctx: &Context<'_>) -> Result<Vec<MeetingReport>> {
        let report = self.report(ctx).await?;
        Ok(report
            .meetings
            .iter()
            .map(|(m, c)| MeetingReport {
                meeting: Meeting::from(m.clone()),
                counts: StatusCounts(*c),
            })
            .collect())
    }
    /// One entry per issue category, by name; actions without a category last (null).
    async fn by_category(&self, ctx: &Context<'_>) -> Result<Vec<CategoryReport>> {
        let report = self.report(ctx).await?;
        Ok(report
            .categories
            .iter()
            .map(|(category, c)| CategoryReport {
                category: category.clone(),
                counts: StatusCounts(*c),
            })
            .collect())
    }
    /// Pending, overdue and completed actions at the end of `asOf` and of each of the
    /// `weeks - 1` weeks before it (1 to 104), oldest first.
    async fn trend(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 12)] weeks: Option<i32>,
    ) -> Result<Vec<TrendPoint>> {
        let weeks = weeks.unwrap_or(12);
        let points = service::trend(
            db(ctx),
            &self.scope,
            settings(ctx).timezone,
            self.as_of,
            weeks,
            crate::db::now(),
        )
        .await?;
        Ok(points
            .into_iter()
            .map(|p| TrendPoint {
                week_ending: Date(p.week_ending),
                pending: p.pending,
                overdue: p.overdue,
                completed: p.completed,
            })
            .collect())
    }
}

/// How many actions stand where, on the report's date.
pub struct StatusCounts(pub Counts);

/// How many actions stand where, on the report's date.
#[Object]
impl StatusCounts {
    /// All counted actions; the five statuses add up to it.
    async fn total(&self) -> i64 {
        self.0.total
    }
    /// OPEN.
    async fn open(&self) -> i64 {
        self.0.open
    }
    /// IN_PROGRESS.
    async fn in_progress(&self) -> i64 {
        self.0.in_progress
    }
    /// BLOCKED.
    async fn blocked(&self) -> i64 {
        self.0.blocked
    }
    /// DONE.
    async fn done(&self) -> i64 {
        self.0.done
    }
    /// CANCELLED.
    async fn cancelled(&self) -> i64 {
        self.0.cancelled
    }
    /// Not DONE or CANCELLED, due before the report's date.
    async fn overdue(&self) -> i64 {
        self.0.overdue
    }
    /// Not DONE or CANCELLED, due from the report's date to seven days after it, inclusive.
    async fn due_within_7_days(&self) -> i64 {
        self.0.due_within_7_days
    }
    /// DONE on or before the due date in force then.
    async fn done_on_time(&self) -> i64 {
        self.0.done_on_time
    }
    /// DONE after the due date in force then.
    async fn done_late(&self) -> i64 {
        self.0.done_late
    }
    /// doneOnTime / done; null when nothing is done.
    async fn on_time_rate(&self) -> Option<f64> {
        self.0.on_time_rate()
    }
    /// The median days overdue of the overdue actions (the mean of the two middle values for
    /// an even count); null when none is overdue.
    async fn median_days_overdue(&self) -> Option<f64> {
        self.0.median_days_overdue
    }
}

/// One ministry's part: what it leads, what it supports, and whether it has gone quiet.
pub struct MinistryReport {
    line: MinistryLine,
    as_of: NaiveDate,
}

/// One ministry's part: what it leads, what it supports, and whether it has gone quiet.
#[Object]
impl MinistryReport {
    /// The ministry.
    async fn ministry(&self) -> Ministry {
        Ministry::from(self.line.ministry.clone())
    }
    /// The actions it leads.
    async fn as_lead(&self) -> StatusCounts {
        StatusCounts(self.line.as_lead)
    }
    /// The actions it supports.
    async fn as_support(&self) -> StatusCounts {
        StatusCounts(self.line.as_support)
    }
    /// The most overdue action it leads (the earliest due date); null when none is overdue.
    async fn oldest_overdue(&self) -> Option<ActionOnDate> {
        self.line.oldest_overdue.clone().map(|on| ActionOnDate {
            on,
            as_of: self.as_of,
        })
    }
    /// Days from the latest timeline entry (by anyone) on the overdue actions it leads to the
    /// report's date, or from the earliest meeting of those actions when none has an entry;
    /// null when it leads none overdue.
    async fn silent_days(&self) -> Option<i64> {
        self.line.silent_days
    }
}

/// An action as it stood on a date: its status, due date and last update then.
pub struct ActionOnDate {
    pub on: OnDate,
    pub as_of: NaiveDate,
}

/// An action as it stood on a date: its status, due date and last update then.
#[Object]
impl ActionOnDate {
    /// The action (as it is now).
    async fn action(&self, ctx: &Context<'_>) -> Result<Action> {
        let a = loaders::one(ctx, ActionKey(self.on.action_id)).await?;
        Ok(Action::from(
            a.ok_or_else(|| AppError::not_found("action"))?,
        ))
    }
    /// Its status on that date.
    async fn status(&self) -> ActionStatus {
        self.on.status.into()
    }
    /// The due date in force on that date.
    async fn due_on(&self) -> Date {
        Date(self.on.due_on)
    }
    /// Days past that due date on that date; 0 when not overdue.
    async fn days_overdue(&self) -> i64 {
        self.on.days_overdue
    }
    /// The latest timeline entry made before the end of that date.
    async fn last_update(&self, ctx: &Context<'_>) -> Result<Option<ActionUpdate>> {
        match self.on.last_update_id {
            Some(id) => Ok(timeline::find(db(ctx), id).await?.map(ActionUpdate)),
            None => Ok(None),
        }
    }
}

/// The counts of one meeting's actions.
#[derive(SimpleObject)]
pub struct MeetingReport {
    /// The meeting.
    meeting: Meeting,
    /// Its actions.
    counts: StatusCounts,
}

/// The counts of one category's actions.
#[derive(SimpleObject)]
pub struct CategoryReport {
    /// The category of the actions' issue as recorded; null for actions without one.
    category: Option<String>,
    /// Its actions.
    counts: StatusCounts,
}

/// The state at the end of one week.
#[derive(SimpleObject)]
pub struct TrendPoint {
    /// The last day of the week.
    week_ending: Date,
    /// Not DONE or CANCELLED on that day.
    pending: i64,
    /// Of those, due before that day.
    overdue: i64,
    /// DONE on that day (however long ago they were finished).
    completed: i64,
}

#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// The status report as the registry stood at the end of `asOf` (today by default). Every
    /// role may read it; a LIAISON's counts only the actions its ministry leads or supports.
    async fn status_report(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        filter: Option<ReportFilterInput>,
    ) -> Result<StatusReport> {
        let filter = filter.unwrap_or_default().into_domain("filter")?;
        let scope = service::scope(
            db(ctx),
            who(ctx)?,
            filter,
            "statusReport",
            &service::FILTER_FIELDS,
        )
        .await?;
        Ok(StatusReport {
            scope,
            as_of: as_of.map_or_else(|| settings(ctx).today(), |d| d.0),
            report: OnceCell::new(),
        })
    }
}

pub(super) fn reminders<'a>(ctx: &Context<'a>) -> Result<&'a Arc<Reminders>> {
    Ok(ctx
        .data_opt::<Arc<Reminders>>()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the link signer is not configured")))?)
}

#[derive(Default)]
pub struct ReportMutation;

#[Object]
impl ReportMutation {
    /// A link to a report or meeting page (`path` with its query, starting with `/reports/`
    /// or `/meetings/`) that opens without a token until it expires (1 to 366 days), or
    /// until its issuer is deactivated. ADMIN, SECRETARIAT and LEADERSHIP; audited.
    async fn report_link(
        &self,
        ctx: &Context<'_>,
        path: String,
        #[graphql(default = 7)] expires_in_days: Option<i32>,
    ) -> Result<String> {
        let expires_in_days = expires_in_days.unwrap_or(7);
        let service = ctx.data_opt::<Arc<Reminders>>().ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("the link signer is not configured"))
        })?;
        let signer = ReportSigner::new(&service.signer);
        let link = service::sign_link(
            db(ctx),
            who(ctx)?,
            &signer,
            &service.remind.mail.public_url,
            &path,
            expires_in_days,
        )
        .await?;
        Ok(link)
    }

    /// A new address for a ministry's calendar feed; every address given out before stops
    /// working (403). Same roles as `calendarFeedUrl`; audited.
    async fn rotate_calendar_key(
        &self,
        ctx: &Context<'_>,
        ministry: crate::graphql::input::ministries::MinistryRefInput,
    ) -> Result<String> {
        let reminders = reminders(ctx)?;
        let keys = super::calendar::CalendarKeys::new(&reminders.signer);
        let url = super::calendar::rotate(
            db(ctx),
            who(ctx)?,
            &keys,
            &reminders.remind.mail.public_url,
            &ministry.to_domain("ministry")?,
        )
        .await?;
        Ok(url)
    }
}
