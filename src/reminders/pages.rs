//! The pages a progress link opens, as templates: the form, its outcome, and refusals.

use askama::Template;
use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use entity::{action, action_update, enums::ActionStatus};

use crate::words::{self, Words};

/// An action as the page shows it.
pub struct ActionView {
    pub title: String,
    pub meeting: String,
    pub issue: Option<String>,
    pub lead: String,
    pub supporters: Vec<String>,
    /// The due date, written out.
    pub due: String,
    pub days_late: i64,
    pub status: &'static str,
    pub done: bool,
}

impl ActionView {
    pub fn new(w: &Words, a: &action::Model, names: Names, today: chrono::NaiveDate) -> Self {
        Self {
            title: a.title.clone(),
            meeting: names.meeting,
            issue: names.issue,
            lead: names.lead,
            supporters: names.supporters,
            due: w.date(a.due_on),
            days_late: if a.status.is_closed() {
                0
            } else {
                (today - a.due_on).num_days().max(0)
            },
            status: w.status(a.status),
            done: a.status == ActionStatus::Done,
        }
    }
}

/// The names around an action: its meeting, issue and ministries.
pub struct Names {
    pub meeting: String,
    pub issue: Option<String>,
    pub lead: String,
    pub supporters: Vec<String>,
}

/// One timeline entry as the page shows it.
pub struct UpdateView {
    pub when: String,
    pub author: String,
    /// A status change or a new due date, said in words.
    pub change: Option<String>,
    pub note: Option<String>,
}

impl UpdateView {
    pub fn new(w: &Words, u: &action_update::Model, tz: chrono_tz::Tz) -> Self {
        let mut change = Vec::new();
        if let (Some(from), Some(to)) = (u.from_status, u.to_status) {
            change.push(format!("{} → {}", w.status(from), w.status(to)));
        }
        if let (Some(from), Some(to)) = (u.previous_due_on, u.new_due_on) {
            change.push(format!("{}: {} → {}", w.due, w.date(from), w.date(to)));
        }
        Self {
            when: w.date(u.created_at.with_timezone(&tz).date_naive()),
            author: u.author.clone().unwrap_or_else(|| "—".to_owned()),
            change: (!change.is_empty()).then(|| change.join("; ")),
            note: u.note.clone(),
        }
    }
}

/// The form of a progress link.
#[derive(Template)]
#[template(path = "respond.html")]
pub struct RespondPage<'a> {
    pub w: &'a Words,
    pub title: &'a str,
    pub who: String,
    pub a: ActionView,
    pub updates: Vec<UpdateView>,
    /// The statuses the liaison may choose (none for a supporting ministry).
    pub statuses: Vec<(String, &'static str)>,
}

/// What became of a report, or why a link cannot be used.
#[derive(Template)]
#[template(path = "outcome.html")]
pub struct OutcomePage<'a> {
    pub w: &'a Words,
    pub title: &'a str,
    pub message: &'a str,
    pub ok: bool,
    pub action: Option<ActionView>,
}

/// A rendered page with its status.
pub fn html(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(error) => {
            tracing::error!(%error, "a page could not be rendered");
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response()
        }
    }
}

/// A page that says what happened, in `w`'s language.
pub fn outcome(
    status: StatusCode,
    w: &Words,
    title: &str,
    message: &str,
    action: Option<ActionView>,
) -> Response {
    let ok = status.is_success();
    html(
        status,
        &OutcomePage {
            w,
            title,
            message,
            ok,
            action,
        },
    )
}

/// A link that cannot be used: the liaison's language is not known yet, so both languages.
pub fn refusal(status: StatusCode, title: &str, reason: &str) -> Response {
    let message = format!("Tautan tidak dapat digunakan / Link cannot be used. {reason}");
    outcome(status, &words::ID, title, &message, None)
}
