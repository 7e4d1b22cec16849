//! The minutes (*notulen*) of one meeting, generated from the record: who attended, the
//! issues discussed, the follow-ups agreed.
#![allow(clippy::result_large_err)]

use askama::Template;
use axum::{
    extract::{OriginalUri, Path, RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use chrono_tz::Tz;
use entity::{action, action_supporter, issue, issue_meeting, meeting, meeting_attendee, ministry};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{
    http::{ReportsState, from_app_error, refusal},
    meeting_pages::{Heading, heading, html, prologue},
    state,
};
use crate::{
    auth::policy::{Operation, authorize},
    error::AppError,
    words::{self, ReportWords, Words, one_line},
};

pub struct Present {
    pub name: String,
    pub people: String,
}

pub struct Discussed {
    pub title: String,
    pub category: Option<String>,
    /// For an issue raised at an earlier meeting: that meeting's date.
    pub carried_from: Option<String>,
}

pub struct FollowUp {
    pub n: usize,
    pub title: String,
    pub issue: String,
    pub lead: String,
    pub supporters: String,
    pub due: String,
}

#[derive(Template)]
#[template(path = "minutes.html")]
pub struct MinutesPage<'a> {
    pub w: &'a Words,
    pub r: &'a ReportWords,
    pub title: &'a str,
    pub head: Heading,
    pub place: String,
    pub chair: String,
    pub chair_position: String,
    pub convener: String,
    pub summary: Option<String>,
    pub attendees: Vec<Present>,
    pub issues: Vec<Discussed>,
    pub follow_ups: Vec<FollowUp>,
    pub closing: String,
    pub cols: [&'static str; 16],
}

/// `/meetings/{id}/minutes.html`: any signed-in role (the meeting record is readable by all).
pub async fn minutes(
    State(state): State<ReportsState>,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let (who, r, id) = match prologue(&state, &headers, uri.path(), raw.as_deref(), &id).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    if let Err(e) = authorize(&state.db, &who, Operation::ReadReports, "minutes").await {
        return from_app_error(e);
    }
    match minutes_page(&state, r, id).await {
        Ok(Some(body)) => html(Ok(body)),
        Ok(None) => refusal(
            StatusCode::NOT_FOUND,
            "NOT_FOUND: no meeting has this ID\n".into(),
        ),
        Err(e) => from_app_error(e),
    }
}

async fn minutes_page(
    state: &ReportsState,
    r: &'static ReportWords,
    id: Uuid,
) -> Result<Option<String>, AppError> {
    let db = &state.db;
    let w = r.words;
    let Some(m) = meeting::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let attendees = meeting_attendee::Entity::find()
        .filter(meeting_attendee::Column::MeetingId.eq(id))
        .order_by_asc(meeting_attendee::Column::Position)
        .all(db)
        .await?;
    let links = issue_meeting::Entity::find()
        .filter(issue_meeting::Column::MeetingId.eq(id))
        .all(db)
        .await?;
    let issues = issue::Entity::find()
        .filter(issue::Column::Id.is_in(links.iter().map(|l| l.issue_id)))
        .order_by_asc(issue::Column::CreatedAt)
        .order_by_asc(issue::Column::Id)
        .all(db)
        .await?;
    let actions = action::Entity::find()
        .filter(action::Column::MeetingId.eq(id))
        .order_by_asc(action::Column::CreatedAt)
        .order_by_asc(action::Column::Id)
        .all(db)
        .await?;
    let supporters = action_supporter::Entity::find()
        .filter(action_supporter::Column::ActionId.is_in(actions.iter().map(|a| a.id)))
        .order_by_asc(action_supporter::Column::Position)
        .all(db)
        .await?;
    let earlier: Vec<Uuid> = issues
        .iter()
        .filter(|i| i.meeting_id != id)
        .map(|i| i.meeting_id)
        .collect();
    let earlier = meeting::Entity::find()
        .filter(meeting::Column::Id.is_in(earlier))
        .all(db)
        .await?;
    let ministry_ids: Vec<Uuid> = attendees
        .iter()
        .map(|a| a.ministry_id)
        .chain(actions.iter().map(|a| a.lead_ministry_id))
        .chain(supporters.iter().map(|s| s.ministry_id))
        .chain(std::iter::once(m.convened_by_id))
        .collect();
    let names: std::collections::HashMap<Uuid, String> = ministry::Entity::find()
        .filter(ministry::Column::Id.is_in(ministry_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|x| (x.id, one_line(&x.name)))
        .collect();
    let name = |id: &Uuid| names.get(id).cloned().unwrap_or_else(|| "—".into());
    let issue_title = |id: Option<Uuid>| {
        id.and_then(|id| issues.iter().find(|i| i.id == id))
            .map_or_else(|| "—".to_owned(), |i| one_line(&i.title))
    };
    let tz: Tz = m.time_zone.parse().unwrap_or(Tz::Asia__Jakarta);
    let day = m.starts_at.with_timezone(&tz).date_naive();
    let town = m
        .location
        .as_deref()
        .map(|l| one_line(l.split(',').next().unwrap_or(l)))
        .filter(|t| !t.is_empty());
    let page = MinutesPage {
        w,
        r,
        title: r.minutes_title,
        head: heading(r, &m),
        place: m
            .location
            .as_deref()
            .map(one_line)
            .unwrap_or_else(|| "—".into()),
        chair: m.chair.as_deref().map(one_line).unwrap_or_default(),
        chair_position: m
            .chair_position
            .as_deref()
            .map(one_line)
            .unwrap_or_default(),
        convener: name(&m.convened_by_id),
        summary: m.summary.as_deref().map(words::one_text),
        attendees: attendees
            .iter()
            .map(|a| Present {
                name: name(&a.ministry_id),
                people: serde_json::from_value::<Vec<String>>(a.representatives.clone())
                    .unwrap_or_default()
                    .iter()
                    .map(|p| one_line(p))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        issues: issues
            .iter()
            .map(|i| Discussed {
                title: one_line(&i.title),
                category: i.category.as_deref().map(one_line),
                carried_from: earlier
                    .iter()
                    .find(|e| e.id == i.meeting_id)
                    .map(|e| w.date(state::date_in(tz, e.starts_at))),
            })
            .collect(),
        follow_ups: actions
            .iter()
            .enumerate()
            .map(|(n, a)| FollowUp {
                n: n + 1,
                title: one_line(&a.title),
                issue: issue_title(a.issue_id),
                lead: name(&a.lead_ministry_id),
                supporters: supporters
                    .iter()
                    .filter(|s| s.action_id == a.id)
                    .map(|s| name(&s.ministry_id))
                    .collect::<Vec<_>>()
                    .join(", "),
                due: w.date(a.due_on),
            })
            .collect(),
        closing: match town {
            Some(t) => format!("{t}, {}", w.date(day)),
            None => w.date(day),
        },
        cols: r.action_columns,
    };
    page.render()
        .map(Some)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("minutes: {e}")))
}
