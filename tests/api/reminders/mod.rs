//! Reminders by email against a real SMTP server: timing rules, digests, languages, the
//! calendar, retries, leases, several workers, and progress links. This module holds the
//! shared fixture; each concern has a file of its own.

mod digests;
mod links;
mod outbox;
mod pages;
mod planning;
mod timing;

use std::collections::HashMap;

use chrono::NaiveDate;
use mail_parser::MimeHeaders;
use serde_json::{Value, json};
use tindak::reminders::worker::Reminders;

use crate::{
    helpers::{TestApp, spawn_app_with},
    smtp::{Mode, Received, SmtpSink},
};

pub(crate) const RUN: &str = "mutation($d: Date, $dry: Boolean) { runReminders(asOf: $d, dryRun: $dry) { planned cancelled sent emails retried failed due dryRun } }";
pub(crate) const LIST: &str = "query($f: ReminderFilter) { reminders(first: 100, filter: $f) { totalCount nodes { email kind status attempts offsetDays plannedFor lastError messageId role language } } }";

pub(crate) async fn app_with_sink(escalation: &[&str]) -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let extra: Vec<String> = escalation.iter().map(|s| (*s).to_owned()).collect();
    let app = spawn_app_with(move |s| {
        s.remind.mail.smtp_url = Some(url.into());
        s.remind.escalation_emails = extra;
    })
    .await;
    (app, sink)
}

pub(crate) fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

pub(crate) async fn run(app: &TestApp, day: &str) -> Value {
    app.data(RUN, json!({ "d": day })).await["runReminders"].clone()
}

pub(crate) fn text(m: &Received) -> String {
    m.parsed()
        .body_text(0)
        .expect("a plain-text part")
        .into_owned()
}

pub(crate) fn subject(m: &Received) -> String {
    m.parsed().subject().expect("subject").to_owned()
}

/// A minimal iCalendar reader: unfolds lines and returns the properties of each VEVENT.
pub(crate) fn calendar_events(ics: &str) -> Vec<HashMap<String, String>> {
    assert!(ics.contains("\r\n"), "lines end with CRLF");
    let unfolded = ics.replace("\r\n ", "");
    let lines: Vec<&str> = unfolded.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.first(), Some(&"BEGIN:VCALENDAR"));
    assert_eq!(lines.last(), Some(&"END:VCALENDAR"));
    assert!(lines.contains(&"VERSION:2.0"));
    let mut events = Vec::new();
    let mut current: Option<HashMap<String, String>> = None;
    for line in lines {
        match line {
            "BEGIN:VEVENT" => current = Some(HashMap::new()),
            "END:VEVENT" => events.push(current.take().expect("an open VEVENT")),
            _ => {
                let (key, value) = line.split_once(':').expect("NAME:VALUE");
                if let Some(event) = current.as_mut() {
                    event.insert(key.to_owned(), value.to_owned());
                }
            }
        }
    }
    assert!(current.is_none(), "every VEVENT is closed");
    events
}

pub(crate) fn calendar(m: &Received) -> String {
    let parsed = m.parsed();
    let attachment = parsed.attachments().next().expect("a calendar attachment");
    assert!(
        attachment
            .content_type()
            .is_some_and(|ct| ct.c_type == "text" && ct.subtype() == Some("calendar"))
    );
    String::from_utf8(attachment.contents().to_vec()).expect("utf-8")
}

/// One action due on 13 March 2026, led by A (liaison a@a.id), supported by B (b@b.id), in a
/// meeting convened by C (c@c.id).
pub(crate) async fn one_action(app: &TestApp) -> String {
    for (code, email, language) in [
        ("A", "a@a.id", "ID"),
        ("B", "b@b.id", "EN"),
        ("C", "c@c.id", "ID"),
    ] {
        app.ministry(code).await;
        app.data(
            "mutation($c: String!, $e: String!, $l: Language) { addLiaison(input: { ministry: { code: $c }, name: $c, email: $e, language: $l }) { id } }",
            json!({ "c": code, "e": email, "l": language }),
        )
        .await;
    }
    let meeting = app.meeting("Rakor", "C").await;
    app.data(
        "mutation($m: ID!) { createAction(input: { meetingId: $m, title: \"Aksi\", leadMinistry: { code: \"A\" }, supportingMinistries: [{ code: \"B\" }], dueOn: \"2026-03-13\" }) { id } }",
        json!({ "m": meeting }),
    )
    .await["createAction"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// A second service on the same database, as another replica would be.
pub(crate) fn replica(app: &TestApp, smtp: &str) -> Reminders {
    let mut remind = crate::helpers::remind_settings(&app.files);
    remind.mail.smtp_url = Some(smtp.into());
    Reminders::new(app.db.clone(), app.settings.clone(), remind).expect("replica")
}

pub(crate) fn link_in(m: &Received) -> String {
    let body = text(m);
    let start = body
        .find("http://tindak.example/respond/")
        .expect("a progress link");
    body[start..]
        .split_whitespace()
        .next()
        .expect("link")
        .trim_start_matches("http://tindak.example")
        .to_owned()
}
