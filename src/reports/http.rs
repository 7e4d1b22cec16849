//! `/reports/*`: the downloads and the printable page, opened with a Bearer token or through
//! a signed link, with the report's filters as query parameters.
//!
//! Each step returns the answer to send when it cannot go on (`Result<_, Response>`): a
//! refusal is rare and ends the request, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::{
    Router,
    extract::{RawQuery, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{
    Report, ReportFilter, Scope, export,
    links::{LinkError, ReportSigner},
    page,
    query::{self, PAGE, Pick, Row},
    service,
    state::Moment,
};
use crate::{
    actor::Who,
    auth::{service::find_user, tokens},
    config::Settings,
    error::AppError,
    ministries::service::MinistryRef,
    words::{self, ReportWords},
};

/// What the report routes need.
#[derive(Clone)]
pub struct ReportsState {
    pub db: DatabaseConnection,
    pub settings: Settings,
    pub signer: ReportSigner,
    pub calendar: super::calendar::CalendarKeys,
    pub tokens: Arc<crate::auth::cache::TokenCache>,
    pub public_url: String,
}

/// The routes, each answer marked private (never cached, no referrer).
pub fn router(state: ReportsState) -> Router {
    Router::new()
        .route("/reports/status.html", get(status_html))
        .route("/reports/status.txt", get(status_txt))
        .route("/reports/status.csv", get(status_csv))
        .route("/reports/actions.csv", get(actions_csv))
        .route("/reports/actions.xlsx", get(actions_xlsx))
        .route(
            "/meetings/{id}/matters-arising.html",
            get(super::meeting_pages::matters_arising),
        )
        .route(
            "/meetings/{id}/minutes.html",
            get(super::meeting_pages::minutes),
        )
        .route("/calendar/{file}", get(calendar_feed))
        .layer(axum::middleware::from_fn(
            crate::pages::private_page_headers,
        ))
        .with_state(state)
}

/// The most overdue actions per ministry the page lists.
const PAGE_ROWS_PER_MINISTRY: u32 = 25;

/// The query parameters, as given.
#[derive(Debug, Default)]
struct Params {
    as_of: Option<NaiveDate>,
    lang: Option<String>,
    filter: ReportFilter,
    sep: u8,
    /// The filter parameters, to repeat in a link (in the order given).
    echo: Vec<(String, String)>,
}

pub(super) fn refusal(status: StatusCode, text: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}

pub(super) fn bad(field: &str, message: impl std::fmt::Display) -> Response {
    refusal(
        StatusCode::BAD_REQUEST,
        format!("BAD_USER_INPUT ({field}): {message}\n"),
    )
}

pub(super) fn from_app_error(err: AppError) -> Response {
    match err {
        AppError::BadInput { field, message } => bad(&field, message),
        AppError::NotFound { what, field } => bad(
            field.as_deref().unwrap_or("query"),
            format!("{what} not found"),
        ),
        AppError::Forbidden(why) => refusal(StatusCode::FORBIDDEN, format!("FORBIDDEN: {why}\n")),
        AppError::Unauthenticated => unauthenticated(),
        other => {
            let id = Uuid::now_v7();
            tracing::error!(request_id = %id, error = %other, "report failed");
            refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("INTERNAL: internal error (request {id})\n"),
            )
        }
    }
}

fn unauthenticated() -> Response {
    let mut r = refusal(
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED: send `Authorization: Bearer <token>`, or open a link made by `reportLink`\n"
            .into(),
    );
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    r
}

fn priority(value: &str) -> Option<entity::enums::Priority> {
    use entity::enums::Priority;
    match value.trim().to_ascii_uppercase().as_str() {
        "LOW" => Some(Priority::Low),
        "NORMAL" => Some(Priority::Normal),
        "HIGH" => Some(Priority::High),
        "URGENT" => Some(Priority::Urgent),
        _ => None,
    }
}

fn parse(raw: Option<&str>) -> Result<Params, Response> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| bad("query", "the query string is not URL-encoded"))?;
    let mut p = Params {
        sep: b',',
        ..Params::default()
    };
    let date = |field: &str, v: &str| crate::config::day(v).map_err(|m| bad(field, m));
    for (key, value) in pairs {
        if value.chars().any(char::is_control) {
            return Err(bad(&key, "control characters are not allowed"));
        }
        let echo = !matches!(key.as_str(), "lang" | "sep" | "by" | "exp" | "sig");
        match key.as_str() {
            "asOf" => p.as_of = Some(date("asOf", &value)?),
            "lang" => match value.as_str() {
                "id" | "en" => p.lang = Some(value.clone()),
                _ => return Err(bad("lang", "lang is id or en")),
            },
            "ministry" => p.filter.ministries.push(MinistryRef::code(&value)),
            "convenedBy" => p.filter.convened_by = Some(MinistryRef::code(&value)),
            "meetingId" => p.filter.meeting_ids.push(
                Uuid::parse_str(value.trim())
                    .map_err(|_| bad("meetingId", format!("\"{value}\" is not an ID")))?,
            ),
            "from" => p.filter.from = Some(date("from", &value)?),
            "to" => p.filter.to = Some(date("to", &value)?),
            "category" => p.filter.category = Some(value.clone()),
            "priority" => p.filter.priority.push(
                priority(&value)
                    .ok_or_else(|| bad("priority", "priority is LOW, NORMAL, HIGH or URGENT"))?,
            ),
            "sep" => {
                p.sep = match value.as_str() {
                    "," => b',',
                    ";" => b';',
                    _ => return Err(bad("sep", "sep is , or ;")),
                }
            }
            "by" | "exp" | "sig" => {}
            other => return Err(bad(other, "unknown parameter")),
        }
        if echo {
            p.echo.push((key, value));
        }
    }
    Ok(p)
}

/// Who is asking: the issuer of a valid signed link, or the holder of a valid token.
pub(super) async fn actor(
    state: &ReportsState,
    headers: &HeaderMap,
    path: &str,
    raw: Option<&str>,
) -> Result<Who, Response> {
    let now = crate::db::now();
    match state.signer.verify(path, raw, now) {
        Err(LinkError::Invalid) => {
            return Err(refusal(
                StatusCode::FORBIDDEN,
                "FORBIDDEN: this link is not valid (it was altered, or not made here)\n".into(),
            ));
        }
        Err(LinkError::Expired) => {
            return Err(refusal(
                StatusCode::GONE,
                "GONE: this link has expired; ask for a new one\n".into(),
            ));
        }
        Ok(Some(grant)) => {
            let Some(issuer) = grant.issuer else {
                return Ok(Who::cli());
            };
            let issuer = find_user(&state.db, issuer).await.map_err(from_app_error)?;
            return match issuer {
                Some(user) if user.active => Ok(Who::user(user, Uuid::nil(), None)),
                _ => Err(refusal(
                    StatusCode::FORBIDDEN,
                    "FORBIDDEN: the person who shared this link can no longer share reports\n"
                        .into(),
                )),
            };
        }
        Ok(None) => {}
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(tokens::from_header);
    let Some(token) = token else {
        return Err(unauthenticated());
    };
    match state.tokens.authenticate(&state.db, token).await {
        Ok(Some((user, token_id))) => Ok(Who::user(user, token_id, None)),
        Ok(None) => Err(unauthenticated()),
        Err(err) => Err(from_app_error(err)),
    }
}

/// Everything a route needs before it writes its answer.
struct Asked {
    params: Params,
    scope: Scope,
    at: Moment,
    words: &'static ReportWords,
}

async fn prepare(
    state: &ReportsState,
    headers: &HeaderMap,
    path: &str,
    raw: Option<String>,
) -> Result<Asked, Response> {
    let who = actor(state, headers, path, raw.as_deref()).await?;
    let params = parse(raw.as_deref())?;
    let names = service::FieldNames {
        ministries: "ministry",
        convened_by: "convenedBy",
        to: "to",
    };
    let scope = service::scope(&state.db, &who, params.filter.clone(), path, &names)
        .await
        .map_err(from_app_error)?;
    let tz = state.settings.timezone;
    let day = params.as_of.unwrap_or_else(|| state.settings.today());
    Ok(Asked {
        words: words::report(params.lang.as_deref()),
        at: Moment::new(tz, day, crate::db::now()),
        params,
        scope,
    })
}

impl Asked {
    async fn report(&self, state: &ReportsState) -> Result<Report, Response> {
        service::report(
            &state.db,
            &self.scope,
            state.settings.timezone,
            self.at.day,
            crate::db::now(),
        )
        .await
        .map_err(from_app_error)
    }

    async fn rows(&self, state: &ReportsState, pick: Pick) -> Result<Vec<Row>, Response> {
        query::rows(
            &state.db,
            &self.scope,
            state.settings.timezone,
            self.at,
            pick,
        )
        .await
        .map_err(from_app_error)
    }

    /// Every row of the export, a page at a time, handed to `each`.
    async fn each_page(
        &self,
        state: &ReportsState,
        mut each: impl FnMut(&[Row]) -> Result<(), Response>,
    ) -> Result<(), Response> {
        let mut offset = 0;
        loop {
            let rows = self.rows(state, Pick::Page(offset)).await?;
            each(&rows)?;
            if (rows.len() as u64) < PAGE {
                return Ok(());
            }
            offset += PAGE;
        }
    }

    fn file_name(&self, stem: &str, ext: &str) -> String {
        format!("{stem}-{}.{ext}", self.at.day)
    }

    /// Who convened the meetings counted, as the page's header says it.
    async fn heading(&self, state: &ReportsState) -> String {
        match self.scope.convened_by {
            Some(id) => match crate::ministries::service::find(&state.db, id).await {
                Ok(Some(m)) => format!("{}: {}", self.words.convened_by, words::one_line(&m.name)),
                _ => self.words.all_conveners.to_owned(),
            },
            None => self.words.all_conveners.to_owned(),
        }
    }

    /// The filters other than the convener, in a line.
    fn filters(&self) -> String {
        self.params
            .echo
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "asOf" | "convenedBy"))
            .map(|(k, v)| format!("{k}: {}", words::one_line(v)))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

fn download(content_type: &'static str, name: &str, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    let mut r = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

fn failed(what: &str, err: impl std::fmt::Display) -> Response {
    from_app_error(AppError::Internal(anyhow::anyhow!("{what}: {err}")))
}

async fn status_html(
    State(state): State<ReportsState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let asked = match prepare(&state, &headers, "/reports/status.html", raw).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let tz = state.settings.timezone;
    let now = crate::db::now();
    let (report, trend, overdue) = tokio::join!(
        asked.report(&state),
        service::trend(&state.db, &asked.scope, tz, asked.at.day, 12, now),
        asked.rows(&state, Pick::OverduePerLead(PAGE_ROWS_PER_MINISTRY)),
    );
    let (report, overdue) = match (report, overdue) {
        (Ok(r), Ok(o)) => (r, o),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let trend = match trend {
        Ok(t) => t,
        Err(e) => return from_app_error(e),
    };
    let heading = asked.heading(&state).await;
    match page::render(
        asked.words,
        tz,
        &report,
        &trend,
        &overdue,
        heading,
        asked.filters(),
    ) {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        Err(err) => failed("the page could not be rendered", err),
    }
}

async fn status_txt(
    State(state): State<ReportsState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let asked = match prepare(&state, &headers, "/reports/status.txt", raw).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let report = match asked.report(&state).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let mut echo = asked.params.echo.clone();
    if asked.params.as_of.is_none() {
        echo.push(("asOf".into(), asked.at.day.to_string()));
    }
    if let Some(lang) = &asked.params.lang {
        echo.push(("lang".into(), lang.clone()));
    }
    let link = format!(
        "{}/reports/status.html?{}",
        state.public_url.trim_end_matches('/'),
        serde_urlencoded::to_string(&echo).unwrap_or_default()
    );
    let heading = asked.heading(&state).await;
    let text = export::summary(asked.words, &report, &heading, &link);
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}

async fn status_csv(
    State(state): State<ReportsState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let asked = match prepare(&state, &headers, "/reports/status.csv", raw).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let report = match asked.report(&state).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    match export::status_csv(asked.words, &report, asked.params.sep) {
        Ok(body) => download(
            "text/csv; charset=utf-8",
            &asked.file_name("ringkasan-kl", "csv"),
            body,
        ),
        Err(err) => failed("the CSV could not be written", err),
    }
}

async fn actions_csv(
    State(state): State<ReportsState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let asked = match prepare(&state, &headers, "/reports/actions.csv", raw).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let tz = state.settings.timezone;
    let mut csv = match export::ActionsCsv::new(asked.words, tz, asked.params.sep) {
        Ok(c) => c,
        Err(err) => return failed("the CSV could not be written", err),
    };
    let written = asked
        .each_page(&state, |rows| {
            csv.push(rows)
                .map_err(|e| failed("the CSV could not be written", e))
        })
        .await;
    if let Err(r) = written {
        return r;
    }
    match csv.finish() {
        Ok(body) => download(
            "text/csv; charset=utf-8",
            &asked.file_name("tindak-lanjut", "csv"),
            body,
        ),
        Err(err) => failed("the CSV could not be written", err),
    }
}

async fn actions_xlsx(
    State(state): State<ReportsState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let asked = match prepare(&state, &headers, "/reports/actions.xlsx", raw).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let report = match asked.report(&state).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let mut rows = Vec::new();
    if let Err(r) = asked
        .each_page(&state, |page| {
            rows.extend_from_slice(page);
            Ok(())
        })
        .await
    {
        return r;
    }
    let tz = state.settings.timezone;
    let words = asked.words;
    let name = asked.file_name("tindak-lanjut", "xlsx");
    let built =
        tokio::task::spawn_blocking(move || export::workbook(words, tz, &rows, &report)).await;
    match built {
        Ok(Ok(body)) => download(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &name,
            body,
        ),
        Ok(Err(err)) => failed("the workbook could not be written", err),
        Err(err) => failed("the workbook could not be written", err),
    }
}

/// `/calendar/{CODE}.ics?key=…`: a ministry's open deadlines as an iCalendar feed. A key
/// that is not the ministry's current one (or a ministry that does not exist) gets 403.
async fn calendar_feed(
    State(state): State<ReportsState>,
    axum::extract::Path(file): axum::extract::Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let key = pairs
        .iter()
        .find(|(k, _)| k == "key")
        .map(|(_, v)| v.as_str());
    let found = super::calendar::open(&state.db, &state.calendar, &file, key).await;
    let ministry = match found {
        Ok(Some(m)) => m,
        Ok(None) => {
            return refusal(
                StatusCode::FORBIDDEN,
                "FORBIDDEN: this calendar address is not valid (or no longer)\n".into(),
            );
        }
        Err(e) => return from_app_error(e),
    };
    let tz = state.settings.timezone;
    match super::calendar::feed(&state.db, tz, &ministry, crate::db::now()).await {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        Err(e) => from_app_error(e),
    }
}
