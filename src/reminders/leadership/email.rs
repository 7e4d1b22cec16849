//! The leadership digest's email: the week's figures and the text and HTML written from them.

use askama::Template;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::leadership_digest as row;
use lettre::{
    Message,
    message::{Mailbox, MultiPart},
};
use sea_orm::ConnectionTrait;

use crate::{
    error::AppResult,
    reports::{
        Counts, Report, Scope, export, query, service,
        state::{self, Moment},
    },
    words::{self, ReportWords, Words, one_line},
};

/// The week's figures, the same for every recipient of a slot.
pub(super) struct Week {
    report: Report,
    newly_overdue: i64,
    completed: i64,
    rescheduled: i64,
}

pub(super) async fn week<C: ConnectionTrait>(
    db: &C,
    tz: Tz,
    slot: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Week> {
    let scope = Scope::default();
    let report = service::report(db, &scope, tz, slot, now).await?;
    let at = Moment::new(tz, slot, now);
    let (newly_overdue, completed) = query::week_changes(db, &scope, tz, at).await?;
    let since = slot - Duration::days(7);
    let rescheduled = query::rescheduled(
        db,
        state::end_of_day(tz, since),
        state::end_of_day(tz, slot),
    )
    .await?;
    Ok(Week {
        report,
        newly_overdue,
        completed,
        rescheduled,
    })
}

#[derive(Template)]
#[template(path = "leadership.txt", escape = "none")]
struct Text<'a> {
    w: &'a Words,
    r: &'a ReportWords,
    name: String,
    date: String,
    since: String,
    summary: String,
    newly_overdue: i64,
    completed: i64,
    rescheduled: i64,
}

#[derive(Template)]
#[template(path = "leadership.html")]
struct Html<'a> {
    w: &'a Words,
    r: &'a ReportWords,
    subject: String,
    name: String,
    date: String,
    totals: Counts,
    on_time: String,
    newly_overdue: i64,
    completed: i64,
    rescheduled: i64,
    most: Vec<(String, i64, i64)>,
    silent: Vec<(String, i64)>,
    link: String,
}

/// The email of `digest`.
pub(super) fn message(
    from: &Mailbox,
    digest: &row::Model,
    week: &Week,
    link: &str,
    message_id: &str,
) -> Result<Message, String> {
    let r = words::report(None);
    let w = r.words;
    let name = digest
        .recipient_name
        .as_deref()
        .map(one_line)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Bapak/Ibu".to_owned());
    let date = w.date(digest.slot);
    let subject = format!("[Tindak] {} · {date}", r.weekly_subject);
    let t = &week.report.totals;
    let text = Text {
        w,
        r,
        name: name.clone(),
        date: date.clone(),
        since: w.date(digest.slot - Duration::days(7)),
        summary: export::summary(r, &week.report, r.all_conveners, link),
        newly_overdue: week.newly_overdue,
        completed: week.completed,
        rescheduled: week.rescheduled,
    }
    .render()
    .map_err(|e| e.to_string())?;
    let html = Html {
        w,
        r,
        subject: subject.clone(),
        name,
        date,
        totals: *t,
        on_time: t
            .on_time_rate()
            .map_or("—".into(), |x| format!("{:.0}%", x * 100.0)),
        newly_overdue: week.newly_overdue,
        completed: week.completed,
        rescheduled: week.rescheduled,
        most: week
            .report
            .ministries
            .iter()
            .filter(|m| m.as_lead.overdue > 0)
            .take(5)
            .map(|m| {
                (
                    one_line(&m.ministry.name),
                    m.as_lead.overdue,
                    m.oldest_overdue.as_ref().map_or(0, |o| o.days_overdue),
                )
            })
            .collect(),
        silent: export::silent(&week.report)
            .into_iter()
            .map(|m| {
                (
                    one_line(&m.ministry.name),
                    m.silent_days.unwrap_or_default(),
                )
            })
            .collect(),
        link: link.to_owned(),
    }
    .render()
    .map_err(|e| e.to_string())?;
    let to = Mailbox::new(
        digest.recipient_name.as_deref().map(one_line),
        digest
            .email
            .parse()
            .map_err(|e| format!("not an email address: {e}"))?,
    );
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(message_id.to_owned()))
        .multipart(MultiPart::alternative_plain_html(
            crate::reminders::envelope::crlf(text),
            crate::reminders::envelope::crlf(html),
        ))
        .map_err(|e| e.to_string())
}
