//! What a request to `/reports/*` asks for: its query parameters, read and checked, who asks
//! (a Bearer token or a signed link), and the report's scope and date; and the refusals sent
//! when one of these cannot be had.
#![allow(clippy::result_large_err)]

use axum::{
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::NaiveDate;
use uuid::Uuid;

use super::{
    Report, ReportFilter, Scope,
    http::ReportsState,
    links::LinkError,
    query::{self, PAGE, Pick, Row},
    service,
    state::Moment,
};
use crate::{
    actor::Who,
    auth::{service::find_user, tokens},
    error::AppError,
    ministries::service::MinistryRef,
    words::{self, ReportWords},
};

/// The query parameters, as given.
#[derive(Debug, Default)]
pub(super) struct Params {
    pub(super) as_of: Option<NaiveDate>,
    pub(super) lang: Option<String>,
    pub(super) filter: ReportFilter,
    pub(super) sep: u8,
    /// The filter parameters, to repeat in a link (in the order given).
    pub(super) echo: Vec<(String, String)>,
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
pub(super) struct Asked {
    pub(super) params: Params,
    pub(super) scope: Scope,
    pub(super) at: Moment,
    pub(super) words: &'static ReportWords,
}

pub(super) async fn prepare(
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
    pub(super) async fn report(&self, state: &ReportsState) -> Result<Report, Response> {
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

    pub(super) async fn rows(
        &self,
        state: &ReportsState,
        pick: Pick,
    ) -> Result<Vec<Row>, Response> {
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
    pub(super) async fn each_page(
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

    pub(super) fn file_name(&self, stem: &str, ext: &str) -> String {
        format!("{stem}-{}.{ext}", self.at.day)
    }

    /// Who convened the meetings counted, as the page's header says it.
    pub(super) async fn heading(&self, state: &ReportsState) -> String {
        match self.scope.convened_by {
            Some(id) => match crate::ministries::service::find(&state.db, id).await {
                Ok(Some(m)) => format!("{}: {}", self.words.convened_by, words::one_line(&m.name)),
                _ => self.words.all_conveners.to_owned(),
            },
            None => self.words.all_conveners.to_owned(),
        }
    }

    /// The filters other than the convener, in a line.
    pub(super) fn filters(&self) -> String {
        self.params
            .echo
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "asOf" | "convenedBy"))
            .map(|(k, v)| format!("{k}: {}", words::one_line(v)))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}
