//! The printable pages of one meeting: the matters-arising annex handed out at its start,
//! and its minutes (*notulen*, in `reports::minutes`, re-exported here), generated from the
//! record; and what both pages share (language, meeting, heading).
//!
//! As in `http`, a step that cannot go on returns the answer to send.
#![allow(clippy::result_large_err)]

use askama::Template;
use axum::{
    extract::{OriginalUri, Path, RawQuery, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono_tz::Tz;
use entity::meeting;
use uuid::Uuid;

use super::{
    arising,
    http::{ReportsState, actor, bad, from_app_error, refusal},
    state,
};
use crate::{
    error::AppError,
    words::{self, ReportWords, Words, one_line},
};

pub use super::minutes::{Discussed, FollowUp, MinutesPage, Present, minutes};

/// The zone of a meeting as Indonesians name it (WIB, WITA, WIT), or its abbreviation.
pub fn zone_name(tz: Tz, at: chrono::DateTime<chrono::Utc>) -> String {
    match tz.name() {
        "Asia/Jakarta" | "Asia/Pontianak" => "WIB".into(),
        "Asia/Makassar" => "WITA".into(),
        "Asia/Jayapura" => "WIT".into(),
        _ => at.with_timezone(&tz).format("%Z").to_string(),
    }
}

/// The query parameters of a meeting page: `lang`, and a signed link's own.
fn language(raw: Option<&str>) -> Result<&'static ReportWords, Response> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| bad("query", "the query string is not URL-encoded"))?;
    let mut lang = None;
    for (key, value) in pairs {
        match key.as_str() {
            "lang" => match value.as_str() {
                "id" | "en" => lang = Some(value),
                _ => return Err(bad("lang", "lang is id or en")),
            },
            "allConveners" if value == "true" || value == "false" => {}
            "by" | "exp" | "sig" => {}
            other => return Err(bad(other, "unknown parameter")),
        }
    }
    Ok(words::report(lang.as_deref()))
}

pub(super) fn html(page: Result<String, askama::Error>) -> Response {
    match page {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        Err(err) => from_app_error(AppError::Internal(anyhow::anyhow!("page: {err}"))),
    }
}

fn meeting_id(id: &str) -> Result<Uuid, Response> {
    Uuid::parse_str(id).map_err(|_| {
        refusal(
            StatusCode::NOT_FOUND,
            "NOT_FOUND: no meeting has this ID\n".into(),
        )
    })
}

/// What both pages check first: who asks (token or signed link), in which language, and
/// for which meeting.
pub(super) async fn prologue(
    state: &ReportsState,
    headers: &HeaderMap,
    path: &str,
    raw: Option<&str>,
    id: &str,
) -> Result<(crate::actor::Who, &'static ReportWords, Uuid), Response> {
    let who = actor(state, headers, path, raw).await?;
    Ok((who, language(raw)?, meeting_id(id)?))
}

/// The meeting's title, day and time, as both pages head them.
pub struct Heading {
    pub title: String,
    pub day: String,
    pub time: String,
}

pub(super) fn heading(r: &ReportWords, m: &meeting::Model) -> Heading {
    let tz: Tz = m.time_zone.parse().unwrap_or(Tz::Asia__Jakarta);
    let local = m.starts_at.with_timezone(&tz);
    Heading {
        title: one_line(&m.title),
        day: r.day(local.date_naive()),
        time: r.time(local.time(), &zone_name(tz, m.starts_at)),
    }
}

pub struct ArisingRow {
    pub n: usize,
    pub title: String,
    pub agreed_at: String,
    pub due: String,
    pub status: &'static str,
    pub days: i64,
    pub update: String,
}

pub struct ArisingGroup {
    pub name: String,
    pub rows: Vec<ArisingRow>,
}

#[derive(Template)]
#[template(path = "matters_arising.html")]
pub struct ArisingPage<'a> {
    pub w: &'a Words,
    pub r: &'a ReportWords,
    pub title: &'a str,
    pub head: Heading,
    pub total: usize,
    pub groups: Vec<ArisingGroup>,
    pub cols: [&'static str; 16],
}

/// `/meetings/{id}/matters-arising.html` (`allConveners=true` for every convener).
pub async fn matters_arising(
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
    let all = raw
        .as_deref()
        .is_some_and(|q| q.split('&').any(|p| p == "allConveners=true"));
    let tz = state.settings.timezone;
    let found = arising::matters_arising(&state.db, &who, tz, id, all, crate::db::now()).await;
    let a = match found {
        Ok(a) => a,
        Err(AppError::NotFound { .. }) => {
            return refusal(
                StatusCode::NOT_FOUND,
                "NOT_FOUND: no meeting has this ID\n".into(),
            );
        }
        Err(e) => return from_app_error(e),
    };
    let w = r.words;
    let mut n = 0;
    let groups = a
        .groups
        .iter()
        .map(|(m, rows)| ArisingGroup {
            name: one_line(&m.name),
            rows: rows
                .iter()
                .map(|row| {
                    n += 1;
                    ArisingRow {
                        n,
                        title: one_line(&row.title),
                        agreed_at: format!(
                            "{} ({})",
                            one_line(&row.meeting),
                            w.date(state::date_in(tz, row.meeting_at))
                        ),
                        due: w.date(row.due_on),
                        status: w.status(row.status),
                        days: row.days_overdue.unwrap_or_default(),
                        update: row
                            .last_update_line(tz, |d| w.date(d))
                            .unwrap_or_else(|| "—".into()),
                    }
                })
                .collect(),
        })
        .collect();
    html(
        ArisingPage {
            w,
            r,
            title: r.arising_title,
            head: heading(r, &a.meeting),
            total: a.total(),
            groups,
            cols: r.action_columns,
        }
        .render(),
    )
}
