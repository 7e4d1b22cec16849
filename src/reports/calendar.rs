//! Calendar feeds: one per ministry, an iCalendar file of the deadlines it leads or supports
//! that are still open, at an address whose key only this server can make. The key is an
//! HMAC of the ministry's id and its key generation; bumping the generation revokes every
//! address given out before.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entity::ministry;
use icalendar::{Calendar, Component, Event, EventLike};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, Set};

use super::{
    Scope,
    query::{self, Pick, Row},
    state::Moment,
};
use crate::{
    actor::Who,
    audit::service::{self as audit, Entry},
    auth::policy::{Operation, authorize},
    error::AppResult,
    ministries::service::{MinistryRef, resolve},
    reminders::links::LinkSigner,
    words::{self, one_line, one_text},
};

/// What the key is derived for.
const PURPOSE: &str = "tindak calendar feeds v1";

/// Makes and checks the keys of calendar addresses.
#[derive(Clone)]
pub struct CalendarKeys {
    signer: LinkSigner,
}

impl CalendarKeys {
    pub fn new(base: &LinkSigner) -> Self {
        Self {
            signer: base.derived(PURPOSE),
        }
    }

    fn message(ministry: &ministry::Model) -> Vec<u8> {
        format!(
            "{}.{}",
            ministry.id.simple(),
            ministry.calendar_key_generation
        )
        .into_bytes()
    }

    /// The key of `ministry`'s current address.
    pub fn key(&self, ministry: &ministry::Model) -> String {
        self.signer.signature(&Self::message(ministry))
    }

    /// Whether `key` is the key of `ministry`'s current address.
    pub fn accepts(&self, ministry: &ministry::Model, key: &str) -> bool {
        self.signer.verifies(&Self::message(ministry), key)
    }

    /// The address of `ministry`'s feed.
    pub fn url(&self, public_url: &str, ministry: &ministry::Model) -> String {
        let code: String = url_safe(&ministry.code);
        format!(
            "{}/calendar/{code}.ics?key={}",
            public_url.trim_end_matches('/'),
            self.key(ministry)
        )
    }
}

/// A code as a path segment (codes hold letters, digits, `-` and `_`; anything else is
/// percent-encoded).
fn url_safe(code: &str) -> String {
    code.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `calendarFeedUrl`: ADMIN, SECRETARIAT, and the ministry's own LIAISON.
pub async fn feed_url<C: ConnectionTrait>(
    db: &C,
    who: &Who,
    keys: &CalendarKeys,
    public_url: &str,
    reference: &MinistryRef,
) -> AppResult<String> {
    let m = resolve(db, reference, "ministry").await?;
    authorize(db, who, Operation::CalendarFeed(m.id), "calendarFeedUrl").await?;
    Ok(keys.url(public_url, &m))
}

/// `rotateCalendarKey`: a new address for the ministry's feed; the old one stops working.
/// Same roles as `calendarFeedUrl`; audited.
pub async fn rotate(
    db: &DatabaseConnection,
    who: &Who,
    keys: &CalendarKeys,
    public_url: &str,
    reference: &MinistryRef,
) -> AppResult<String> {
    let txn = crate::db::begin_write(db).await?;
    let m = resolve(&txn, reference, "ministry").await?;
    authorize(
        &txn,
        who,
        Operation::CalendarFeed(m.id),
        "rotateCalendarKey",
    )
    .await?;
    let mut row: ministry::ActiveModel = m.clone().into();
    row.calendar_key_generation = Set(m.calendar_key_generation.saturating_add(1));
    row.updated_at = Set(crate::db::now());
    let saved = row.update(&txn).await?;
    let entry = Entry::ran(
        "rotateCalendarKey",
        &serde_json::json!({ "ministry": saved.code, "generation": saved.calendar_key_generation }),
    );
    audit::record(&txn, who, entry).await?;
    txn.commit().await?;
    Ok(keys.url(public_url, &saved))
}

/// The feed: one all-day entry per open action the ministry leads or supports, with the
/// same UID as the emails' calendar attachments, so that a reschedule moves the entry.
pub async fn feed<C: ConnectionTrait>(
    db: &C,
    tz: Tz,
    ministry: &ministry::Model,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let scope = Scope {
        only_ministry: Some(ministry.id),
        ..Scope::default()
    };
    let today = now.with_timezone(&tz).date_naive();
    let at = Moment::new(tz, today, now);
    let rows = query::rows(db, &scope, tz, at, Pick::Pending).await?;
    Ok(calendar(ministry, &rows, now))
}

fn calendar(ministry: &ministry::Model, rows: &[Row], now: DateTime<Utc>) -> String {
    let w = &words::ID;
    let r = words::report(None);
    let mut calendar = Calendar::new();
    calendar
        .name(&one_line(&format!("Tindak · {}", ministry.name)))
        .append_property(("METHOD", "PUBLISH"))
        .append_property(("X-PUBLISHED-TTL", "PT1H"))
        .append_property(
            icalendar::Property::new("REFRESH-INTERVAL", "PT1H")
                .add_parameter("VALUE", "DURATION")
                .done(),
        );
    for row in rows {
        let mut lines = vec![
            format!("{}: {}", w.meeting, row.meeting),
            format!("{}: {}", w.lead, row.lead),
        ];
        if let Some(issue) = &row.issue {
            lines.insert(1, format!("{}: {issue}", w.issue));
        }
        if !row.supporters.is_empty() {
            lines.push(format!("{}: {}", w.support, row.supporters.join(", ")));
        }
        lines.push(format!(
            "{}: {}",
            r.action_columns[10],
            w.status(row.status)
        ));
        let mut event = Event::new();
        event
            .uid(&format!("{}@tindak", row.id))
            .timestamp(now)
            .starts(row.due_on)
            .summary(&one_text(&format!("{}: {}", w.due, row.title)))
            .description(&one_text(&lines.join("\n")))
            .add_property("TRANSP", "TRANSPARENT");
        if let Some(next) = row.due_on.succ_opt() {
            event.ends(next);
        }
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

/// The ministry whose feed `file` (`CODE.ics`) is, when `key` is its current key.
pub async fn open<C: ConnectionTrait>(
    db: &C,
    keys: &CalendarKeys,
    file: &str,
    key: Option<&str>,
) -> AppResult<Option<ministry::Model>> {
    let code = file.strip_suffix(".ics").unwrap_or(file);
    let Some(m) = crate::ministries::service::find_by_code(db, code).await? else {
        return Ok(None);
    };
    Ok(key.filter(|k| keys.accepts(&m, k)).map(|_| m))
}
