//! `/reports/*`: the downloads and the printable page, opened with a Bearer token or through
//! a signed link, with the report's filters as query parameters.
//!
//! Each step returns the answer to send when it cannot go on (`Result<_, Response>`): a
//! refusal is rare and ends the request, so its size does not matter. What a request asks
//! for (its parameters, who asks, the report's scope) is read in `asked`.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::{
    Router,
    extract::{RawQuery, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use sea_orm::DatabaseConnection;

pub(super) use super::asked::{actor, bad, from_app_error, refusal};
use super::{asked::prepare, export, links::ReportSigner, page, query::Pick, service};
use crate::{config::Settings, error::AppError};

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
