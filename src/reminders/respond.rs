//! Progress links: `GET /respond/{token}` shows the action and a small form; posting it
//! records a timeline entry (and, for the lead ministry, a status change) as the liaison.

use std::sync::Arc;

use axum::{
    extract::{Form, Path, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Response},
};
use entity::{
    action,
    enums::{ActionStatus as DbStatus, Language},
    liaison, meeting,
};
use sea_orm::{ActiveEnum, EntityTrait};
use serde::Deserialize;

use super::{digest::esc, links::LinkError, worker::Reminders};
use crate::{
    actions::service as actions,
    actor::Who,
    auth::policy::{Stake, stake},
    db::now,
    error::AppError,
};

struct Context {
    action: action::Model,
    liaison: liaison::Model,
    meeting: Option<meeting::Model>,
    stake: Stake,
}

#[derive(Debug, Deserialize)]
pub struct ProgressForm {
    note: Option<String>,
    status: Option<String>,
}

fn en(language: Language) -> bool {
    language == Language::En
}

fn page(status: StatusCode, language: Language, title: &str, body: &str) -> Response {
    let lang = if en(language) { "en" } else { "id" };
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{t} – Tindak</title></head>\
         <body style=\"font-family:sans-serif;max-width:40em;margin:2em auto\"><h1>{t}</h1>{body}</body></html>",
        t = esc(title)
    );
    (status, Html(html)).into_response()
}

/// A refusal: the link is forged, altered, expired, or no longer the liaison's to use.
fn refusal(status: StatusCode, reason: &str) -> Response {
    page(
        status,
        Language::Id,
        "Tautan tidak dapat digunakan / Link cannot be used",
        &format!("<p>{}</p>", esc(reason)),
    )
}

/// A lookup failed: the details go to the log, the liaison sees a generic page.
fn internal(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "progress link lookup failed");
    refusal(StatusCode::INTERNAL_SERVER_ERROR, "Internal error")
}

async fn load(service: &Reminders, token: &str) -> Result<Context, Response> {
    let grant = service.signer.verify(token, now()).map_err(|e| match e {
        LinkError::Expired => refusal(
            StatusCode::GONE,
            "Tautan ini sudah kedaluwarsa. Gunakan tautan pada pengingat terbaru. / This link has expired: use the one in the latest reminder.",
        ),
        LinkError::Invalid => refusal(
            StatusCode::FORBIDDEN,
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
            "Tautan ini tidak lagi berlaku. / This link no longer applies.",
        ));
    };
    let stake = stake(db, &action, liaison.ministry_id)
        .await
        .map_err(internal)?;
    let Some(stake) = stake else {
        return Err(refusal(
            StatusCode::FORBIDDEN,
            "Instansi Anda tidak lagi memimpin atau mendukung tindak lanjut ini. / Your ministry no longer leads or supports this action.",
        ));
    };
    let meeting = meeting::Entity::find_by_id(action.meeting_id)
        .one(db)
        .await
        .map_err(internal)?;
    Ok(Context {
        action,
        liaison,
        meeting,
        stake,
    })
}

const STATUSES: [(DbStatus, &str, &str); 5] = [
    (DbStatus::Open, "Belum dimulai", "Open"),
    (DbStatus::InProgress, "Sedang berjalan", "In progress"),
    (DbStatus::Blocked, "Terhambat", "Blocked"),
    (DbStatus::Done, "Selesai", "Done"),
    (DbStatus::Cancelled, "Dibatalkan", "Cancelled"),
];

fn status_label(s: DbStatus, language: Language) -> &'static str {
    STATUSES
        .iter()
        .find(|(v, _, _)| *v == s)
        .map_or("", |(_, id, en_)| if en(language) { en_ } else { id })
}

fn summary(c: &Context) -> String {
    let l = c.liaison.language;
    let (meeting, due, status) = if en(l) {
        ("Meeting", "Due", "Status")
    } else {
        ("Rapat", "Tenggat", "Status")
    };
    format!(
        "<h2>{}</h2><ul><li><b>{meeting}:</b> {}</li><li><b>{due}:</b> {}</li><li><b>{status}:</b> {}</li></ul>",
        esc(&c.action.title),
        esc(c.meeting.as_ref().map_or("", |m| m.title.as_str())),
        c.action.due_on,
        status_label(c.action.status, l)
    )
}

/// `GET /respond/{token}`.
pub async fn show(State(service): State<Arc<Reminders>>, Path(token): Path<String>) -> Response {
    let c = match load(&service, &token).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    let l = c.liaison.language;
    let mut form = format!(
        "<form method=\"post\"><p><label>{}<br><textarea name=\"note\" rows=\"5\" cols=\"60\"></textarea></label></p>",
        if en(l) {
            "Progress note"
        } else {
            "Catatan kemajuan"
        }
    );
    if c.stake == Stake::Leads {
        form.push_str(&format!(
            "<p><label>{}<br><select name=\"status\"><option value=\"\">–</option>",
            if en(l) { "New status" } else { "Status baru" }
        ));
        for (s, _, _) in STATUSES {
            if s != c.action.status {
                form.push_str(&format!(
                    "<option value=\"{}\">{}</option>",
                    s.to_value(),
                    status_label(s, l)
                ));
            }
        }
        form.push_str("</select></label></p>");
    }
    form.push_str(&format!(
        "<p><button type=\"submit\">{}</button></p></form>",
        if en(l) { "Send" } else { "Kirim" }
    ));
    let who = format!(
        "<p>{} {}</p>",
        if en(l) {
            "Reporting as"
        } else {
            "Melapor sebagai"
        },
        esc(&c.liaison.name)
    );
    page(
        StatusCode::OK,
        l,
        if en(l) {
            "Report progress"
        } else {
            "Laporkan kemajuan"
        },
        &format!("{}{who}{form}", summary(&c)),
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
    let l = c.liaison.language;
    if !crate::pages::same_origin(&headers, &service.remind.mail.public_url) {
        return page(
            StatusCode::FORBIDDEN,
            l,
            if en(l) {
                "Not sent from this page"
            } else {
                "Tidak dikirim dari halaman ini"
            },
            if en(l) {
                "<p>Reports are accepted only from the page of the link itself; nothing was recorded.</p>"
            } else {
                "<p>Laporan hanya diterima dari halaman tautan ini sendiri; tidak ada yang dicatat.</p>"
            },
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
        Some(s) => match STATUSES.iter().find(|(v, _, _)| v.to_value() == s) {
            Some((v, _, _)) => Some(*v),
            None => {
                return page(
                    StatusCode::BAD_REQUEST,
                    l,
                    if en(l) {
                        "Unknown status"
                    } else {
                        "Status tidak dikenal"
                    },
                    "<p>Status?</p>",
                );
            }
        },
    };
    if status.is_none() && note.is_none() {
        return page(
            StatusCode::BAD_REQUEST,
            l,
            if en(l) {
                "Nothing to record"
            } else {
                "Tidak ada yang dicatat"
            },
            if en(l) {
                "<p>Write a note or choose a status.</p>"
            } else {
                "<p>Tulis catatan atau pilih status.</p>"
            },
        );
    }
    match record(&service, &c, note, status).await {
        Ok(updated) => {
            let done = if en(l) {
                "Thank you: your report is recorded."
            } else {
                "Terima kasih: laporan Anda telah dicatat."
            };
            let c = Context {
                action: updated,
                ..c
            };
            page(StatusCode::OK, l, done, &summary(&c))
        }
        Err(AppError::Forbidden(_)) => page(
            StatusCode::FORBIDDEN,
            l,
            if en(l) {
                "Not allowed"
            } else {
                "Tidak diizinkan"
            },
            if en(l) {
                "<p>Only the lead ministry changes the status; your note was not saved.</p>"
            } else {
                "<p>Hanya instansi penanggung jawab yang dapat mengubah status; catatan Anda belum disimpan.</p>"
            },
        ),
        Err(AppError::BadInput { message, .. }) => page(
            StatusCode::BAD_REQUEST,
            l,
            if en(l) {
                "The report was not recorded"
            } else {
                "Laporan tidak dicatat"
            },
            &format!("<p>{}</p>", esc(&message)),
        ),
        Err(err) => {
            tracing::error!(error = %err, "progress report failed");
            refusal(StatusCode::INTERNAL_SERVER_ERROR, "Internal error")
        }
    }
}

/// Records the report through the same service functions as the API, as the liaison: the
/// policy decides what a liaison through a link may do, and the change is audited.
async fn record(
    service: &Reminders,
    c: &Context,
    note: Option<&str>,
    status: Option<DbStatus>,
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
