//! GraphQL types and resolvers of a meeting's matters arising (the open actions of earlier
//! meetings) and of the ministries' calendar feeds.

use async_graphql::{Context, Object, Result, SimpleObject};

use super::graphql::{ActionOnDate, reminders};
use crate::{
    graphql::{db, settings, who},
    meetings::graphql::Meeting,
    ministries::graphql::Ministry,
};

/// What earlier meetings agreed that was still open when a meeting began: the annex handed
/// out at its start.
pub struct MattersArising(super::arising::Arising);

/// What earlier meetings agreed that was still open when a meeting began: the annex handed
/// out at its start.
#[Object]
impl MattersArising {
    /// The meeting.
    async fn meeting(&self) -> Meeting {
        Meeting::from(self.0.meeting.clone())
    }
    /// The instant the actions are judged at: the meeting's start.
    async fn as_of(&self) -> crate::graphql::scalars::DateTime {
        crate::meetings::graphql::local_start(&self.0.meeting)
    }
    /// How many actions, in all groups.
    async fn total_count(&self) -> usize {
        self.0.total()
    }
    /// Per lead ministry: the one with the oldest deadline first.
    async fn by_ministry(&self) -> Vec<MattersArisingGroup> {
        self.0
            .groups
            .iter()
            .map(|(m, rows)| MattersArisingGroup {
                ministry: Ministry::from(m.clone()),
                actions: rows
                    .iter()
                    .map(|r| ActionOnDate {
                        on: r.on_date(),
                        as_of: self.0.day,
                    })
                    .collect(),
            })
            .collect()
    }
}

/// One lead ministry's open actions from earlier meetings, oldest deadline first.
#[derive(SimpleObject)]
pub struct MattersArisingGroup {
    /// The lead ministry.
    ministry: Ministry,
    /// Its actions as they stood when the meeting began.
    actions: Vec<ActionOnDate>,
}

#[derive(Default)]
pub struct ArisingQuery;

#[Object]
impl ArisingQuery {
    /// The actions agreed at meetings that started before this one (convened by the same
    /// unit; every convener with `allConveners: true`) that were not DONE or CANCELLED when
    /// it started, as they stood then, by lead ministry. Every role may read it; a LIAISON's
    /// holds its ministry's actions only.
    async fn matters_arising(
        &self,
        ctx: &Context<'_>,
        meeting_id: async_graphql::ID,
        #[graphql(default_with = "Some(false)")] all_conveners: Option<bool>,
    ) -> Result<MattersArising> {
        let id = crate::graphql::scalars::parse_id(&meeting_id, "meetingId")?;
        let arising = super::arising::matters_arising(
            db(ctx),
            who(ctx)?,
            settings(ctx).timezone,
            id,
            all_conveners.unwrap_or(false),
            crate::db::now(),
        )
        .await?;
        Ok(MattersArising(arising))
    }

    /// The address of a ministry's calendar feed (its open deadlines, as iCalendar), to
    /// subscribe to in any calendar program. ADMIN, SECRETARIAT and the ministry's own
    /// LIAISON.
    async fn calendar_feed_url(
        &self,
        ctx: &Context<'_>,
        ministry: crate::graphql::input::ministries::MinistryRefInput,
    ) -> Result<String> {
        let reminders = reminders(ctx)?;
        let keys = super::calendar::CalendarKeys::new(&reminders.signer);
        let url = super::calendar::feed_url(
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
