//! Progress links: `GET /respond/{token}` shows the action, its latest updates and a small
//! form; posting it records a timeline entry (and, for the lead ministry, a status change) as
//! the liaison, through the same service functions as the API.

use std::sync::Arc;

use axum::{
    extract::{Form, Path, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use entity::{action, action_update, enums::ActionStatus, liaison};
use sea_orm::{
    ActiveEnum, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    strum::IntoEnumIterator,
};
use serde::Deserialize;

use super::{
    links::LinkError,
    load,
    pages::{ActionView, RespondPage, UpdateView, html, outcome, refusal},
    worker::Reminders,
};
use crate::{
    actions::service as actions,
    actor::Who,
    auth::policy::{Stake, stake},
    db::now,
    error::{AppError, AppResult},
    words::{self, Words},
};

/// Entries of the timeline the page shows.
const LATEST: u64 = 5;

struct Context {
    action: action::Model,
    liaison: liaison::Model,
    stake: Stake,
}

#[derive(Debug, Deserialize)]
pub struct ProgressForm {
    note: Option<String>,
    status: Option<String>,
}

/// A lookup failed: the details go to the log, the liaison sees a generic page.
fn internal(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "progress link lookup failed");
    refusal(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Terjadi kesalahan / Something went wrong",
        "Coba lagi nanti. / Please try again later.",
    )
}

async fn load(service: &Reminders, token: &str) -> Result<Context, Response> {
    let grant = service.signer.verify(token, now()).map_err(|e| match e {
        LinkError::Expired => refusal(
            StatusCode::GONE,
            "Tautan sudah kedaluwarsa / This link has expired",
            "Gunakan tautan pada pengingat terbaru. / Use the one in the latest reminder.",
        ),
        LinkError::Invalid => refusal(
            StatusCode::FORBIDDEN,
            "Tautan tidak sah / This link is not valid",
            "Tautan ini tidak sah atau telah diubah. / This link is not valid or has been altered.",
        ),
    })?;
    let db = &service.db;
    let liaison = liaison::Entity::find_by_id(grant.liaison_id)
        .one(db)
        .await
        .map_err(internal)?
        .filter(|l| l.active);
    let action = action::Entity::find_by_id(grant.action_id)
        .one(db)
        .await
        .map_err(internal)?;
    let (Some(liaison), Some(action)) = (liaison, action) else {
        return Err(refusal(
            StatusCode::FORBIDDEN,
            "Tautan tidak lagi berlaku / This link no longer applies",
            "Penghubung atau tindak lanjut ini sudah tidak ada. / The liaison or the action is gone.",
        ));
    };
    let Some(stake) = stake(db, &action, liaison.ministry_id)
        .await
        .map_err(internal)?
    else {
        return Err(refusal(
            StatusCode::FORBIDDEN,
            "Tautan tidak lagi berlaku / This link no longer applies",
            "Instansi Anda tidak lagi memimpin atau mendukung tindak lanjut ini. / Your ministry no longer leads or supports this action.",
        ));
    };
    Ok(Context {
        action,
        liaison,
        stake,
    })
}

async fn view(service: &Reminders, w: &Words, a: &action::Model) -> AppResult<ActionView> {
    let names = load::surroundings(&service.db, std::slice::from_ref(a))
        .await?
        .names(a);
    Ok(ActionView::new(w, a, names, service.settings.today()))
}

/// `GET /respond/{token}`.
pub async fn show(State(service): State<Arc<Reminders>>, Path(token): Path<String>) -> Response {
    let c = match load(&service, &token).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    let w = words::of(c.liaison.language);
    let a = match view(&service, w, &c.action).await {
        Ok(a) => a,
        Err(e) => return internal(e),
    };
    let updates = match action_update::Entity::find()
        .filter(action_update::Column::ActionId.eq(c.action.id))
        .order_by_desc(action_update::Column::CreatedAt)
        .limit(LATEST)
        .all(&service.db)
        .await
    {
        Ok(rows) => rows
            .iter()
            .map(|u| UpdateView::new(w, u, service.settings.timezone))
            .collect(),
        Err(e) => return internal(e),
    };
    let statuses = if c.stake == Stake::Leads {
        ActionStatus::iter()
            .filter(|s| *s != c.action.status)
            .map(|s| (s.to_value(), w.status(s)))
            .collect()
    } else {
        vec![]
    };
    html(
        StatusCode::OK,
        &RespondPage {
            w,
            title: w.report_title,
            who: c.liaison.name.clone(),
            a,
            updates,
            statuses,
        },
    )
}

/// `POST /respond/{token}`: records the note (and status change) as the liaison, audited.
pub async fn submit(
    State(service): State<Arc<Reminders>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<ProgressForm>,
) -> Response {
    let c = match load(&service, &token).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    let w = words::of(c.liaison.language);
    if !crate::pages::same_origin(&headers, &service.remind.mail.public_url) {
        return outcome(
            StatusCode::FORBIDDEN,
            w,
            w.not_from_page,
            w.only_from_page,
            None,
        );
    }
    let note = form
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let status = match form
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match ActionStatus::iter().find(|v| v.to_value() == s) {
            Some(v) => Some(v),
            None => {
                return outcome(
                    StatusCode::BAD_REQUEST,
                    w,
                    w.unknown_status,
                    w.write_something,
                    None,
                );
            }
        },
    };
    if status.is_none() && note.is_none() {
        return outcome(
            StatusCode::BAD_REQUEST,
            w,
            w.nothing_to_record,
            w.write_something,
            None,
        );
    }
    match record(&service, &c, note, status).await {
        Ok(updated) => {
            let a = view(&service, w, &updated).await.ok();
            outcome(StatusCode::OK, w, w.thanks, w.recorded, a)
        }
        Err(AppError::Forbidden(_)) => {
            outcome(StatusCode::FORBIDDEN, w, w.not_allowed, w.lead_only, None)
        }
        Err(AppError::BadInput { message, .. }) => {
            outcome(StatusCode::BAD_REQUEST, w, w.not_recorded, &message, None)
        }
        Err(err) => {
            tracing::error!(error = %err, "progress report failed");
            internal(err)
        }
    }
}

/// Records the report through the same service functions as the API, as the liaison: the
/// policy decides what a liaison through a link may do, and the change is audited.
async fn record(
    service: &Reminders,
    c: &Context,
    note: Option<&str>,
    status: Option<ActionStatus>,
) -> Result<action::Model, AppError> {
    let who = Who::liaison(&c.liaison);
    match status.filter(|s| *s != c.action.status) {
        Some(s) => {
            let today = service.settings.today();
            actions::change_status(&service.db, &who, c.action.id, s, note, None, today).await
        }
        None => {
            actions::add_update(&service.db, &who, c.action.id, note.unwrap_or_default()).await?;
            Ok(c.action.clone())
        }
    }
}
