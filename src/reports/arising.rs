//! Matters arising: what earlier meetings agreed that was still open when a meeting began,
//! by lead ministry, as it stood at that instant.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{meeting, ministry};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    ReportFilter,
    query::{self, Pick, Row},
    service::{self, FieldNames},
    state::{self, Moment},
};
use crate::{
    actor::Who,
    error::{AppError, AppResult},
};

/// The annex of one meeting.
#[derive(Debug, Clone)]
pub struct Arising {
    pub meeting: meeting::Model,
    /// The meeting's start: the instant the actions are judged at.
    pub as_of: DateTime<Utc>,
    /// Its date, in the deployment's time zone (days overdue are counted to it).
    pub day: NaiveDate,
    /// Per lead ministry, the one with the oldest deadline first; in each, oldest deadline
    /// first.
    pub groups: Vec<(ministry::Model, Vec<Row>)>,
}

impl Arising {
    pub fn total(&self) -> usize {
        self.groups.iter().map(|(_, rows)| rows.len()).sum()
    }
}

/// The actions agreed at meetings that started before `meeting_id` (convened by the same
/// unit, unless `all_conveners`) that were not DONE or CANCELLED when it started. Every role
/// may read it; a LIAISON's holds its ministry's actions only.
pub async fn matters_arising<C: ConnectionTrait>(
    db: &C,
    who: &Who,
    tz: Tz,
    meeting_id: Uuid,
    all_conveners: bool,
    now: DateTime<Utc>,
) -> AppResult<Arising> {
    let names = FieldNames {
        ministries: "ministries",
        convened_by: "convenedBy",
        to: "to",
    };
    let mut scope =
        service::scope(db, who, ReportFilter::default(), "mattersArising", &names).await?;
    let meeting = meeting::Entity::find_by_id(meeting_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found_at("meeting", "meetingId"))?;
    if !all_conveners {
        scope.convened_by = Some(meeting.convened_by_id);
    }
    let day = state::date_in(tz, meeting.starts_at);
    let at = Moment {
        day,
        end: meeting.starts_at,
        current: meeting.starts_at > now,
    };
    let rows = query::rows(db, &scope, tz, at, Pick::Pending).await?;
    let leads: Vec<Uuid> = rows.iter().map(|r| r.lead_id).collect();
    let ministries = ministry::Entity::find()
        .filter(ministry::Column::Id.is_in(leads))
        .all(db)
        .await?;
    let mut groups: Vec<(ministry::Model, Vec<Row>)> = ministries
        .into_iter()
        .map(|m| {
            let mine = rows.iter().filter(|r| r.lead_id == m.id).cloned().collect();
            (m, mine)
        })
        .collect();
    groups.sort_by(|a, b| {
        let oldest = |g: &(ministry::Model, Vec<Row>)| g.1.first().map(|r| r.due_on);
        oldest(a)
            .cmp(&oldest(b))
            .then_with(|| a.0.name.cmp(&b.0.name))
    });
    Ok(Arising {
        meeting,
        as_of: at.end,
        day,
        groups,
    })
}
