//! Reminders by email against a real SMTP server: timing rules, digests, languages, the
//! calendar, retries, leases, several workers, and progress links.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
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
        s.remind.mail.smtp_url = Some(url);
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

fn subject(m: &Received) -> String {
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

#[tokio::test]
async fn demo_data_gets_one_digest_per_liaison_in_their_language() {
    let (app, sink) = app_with_sink(&[]).await;
    app.load_demo().await;
    let r = run(&app, "2026-03-01").await;
    assert_eq!(
        r,
        json!({ "planned": 7, "cancelled": 0, "sent": 7, "emails": 5, "retried": 0, "failed": 0, "due": 0, "dryRun": false })
    );
    let mail = sink.received();
    assert_eq!(mail.len(), 5);
    let mut recipients: Vec<String> = mail.iter().flat_map(|m| m.to.clone()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 5, "one digest per recipient");

    let english = mail
        .iter()
        .find(|m| m.to == ["php@kemenpppa.example.go.id"])
        .expect("the KemenPPPA liaison reads English");
    assert_eq!(
        subject(english),
        "[Tindak] Follow-up reminder: 1 overdue, 1 due soon"
    );
    let body = text(english);
    assert!(body.contains("Dear Deputi Perlindungan Hak Perempuan,"));
    assert!(body.contains("Memutakhirkan formulir screening TPPO [for you to support]"));
    assert!(body.contains("February 20, 2026 (9 days overdue)"));
    assert!(body.contains("Lead: Kemenimipas"));
    assert!(
        english
            .parsed()
            .body_html(0)
            .expect("an HTML part")
            .contains(">Overdue (1)</h2>")
    );

    let kemenimipas = mail
        .iter()
        .find(|m| m.to == ["imigrasi@kemenimipas.example.go.id"])
        .expect("lead of two actions");
    assert_eq!(
        subject(kemenimipas),
        "[Tindak] Pengingat tindak lanjut: 2 lewat tenggat"
    );
    let body = text(kemenimipas);
    assert!(body.starts_with("Yth. Ditjen Imigrasi,"));
    assert!(body.contains("20 Februari 2026 (9 hari lewat tenggat)"));
    assert!(
        body.contains("[untuk ditindaklanjuti]"),
        "to act, as the lead"
    );
    assert!(
        body.contains("[untuk didukung]"),
        "to support the online-scam mapping"
    );
    assert_eq!(
        body.matches("Laporkan kemajuan: http://tindak.example/respond/")
            .count(),
        2,
        "a link per action"
    );

    let events = calendar_events(&calendar(kemenimipas));
    assert_eq!(events.len(), 2, "one entry per deadline");
    let mut starts: Vec<&str> = events
        .iter()
        .map(|e| e["DTSTART;VALUE=DATE"].as_str())
        .collect();
    starts.sort();
    assert_eq!(starts, ["20260220", "20260227"]);
    assert!(events.iter().all(|e| e.contains_key("UID")
        && e.contains_key("DTSTAMP")
        && e["SUMMARY"].starts_with("Tenggat: ")));

    let again = run(&app, "2026-03-01").await;
    assert_eq!(again["planned"], 0);
    assert_eq!(again["sent"], 0);
    assert_eq!(sink.received().len(), 5, "running twice sends nothing new");

    let sent = app.data(LIST, json!({ "f": { "status": ["SENT"] } })).await;
    assert_eq!(sent["reminders"]["totalCount"], 7);
    assert!(
        sent["reminders"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .all(|n| n["messageId"].is_string() && n["attempts"] == 1)
    );
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

#[tokio::test]
async fn each_timing_rule_at_its_boundary_days() {
    let (app, sink) = app_with_sink(&["pimpinan@polkam.example.go.id"]).await;
    one_action(&app).await;
    // (day, reminders planned and sent, (kind, recipient) of each)
    type Step<'a> = (&'a str, u64, &'a [(&'a str, &'a str)]);
    let steps: [Step; 9] = [
        ("2026-03-05", 0, &[]),
        (
            "2026-03-06",
            2,
            &[("BEFORE_DUE", "a@a.id"), ("BEFORE_DUE", "b@b.id")],
        ),
        ("2026-03-07", 0, &[]),
        (
            "2026-03-12",
            2,
            &[("BEFORE_DUE", "a@a.id"), ("BEFORE_DUE", "b@b.id")],
        ),
        (
            "2026-03-13",
            2,
            &[("DUE_TODAY", "a@a.id"), ("DUE_TODAY", "b@b.id")],
        ),
        ("2026-03-19", 0, &[]),
        (
            "2026-03-20",
            2,
            &[("OVERDUE", "a@a.id"), ("OVERDUE", "b@b.id")],
        ),
        ("2026-03-26", 0, &[]),
        (
            "2026-03-27",
            4,
            &[
                ("OVERDUE", "a@a.id"),
                ("OVERDUE", "b@b.id"),
                ("ESCALATION", "c@c.id"),
                ("ESCALATION", "pimpinan@polkam.example.go.id"),
            ],
        ),
    ];
    let mut seen = 0;
    for (day, planned, expected) in steps {
        let r = run(&app, day).await;
        assert_eq!(r["planned"], planned, "{day}: {r}");
        assert_eq!(r["sent"], planned, "{day}: {r}");
        let mail = sink.received();
        let new: Vec<&Received> = mail[seen..].iter().collect();
        seen = mail.len();
        let mut got: Vec<String> = new.iter().flat_map(|m| m.to.clone()).collect();
        got.sort();
        let mut want: Vec<String> = expected.iter().map(|(_, to)| (*to).to_owned()).collect();
        want.sort();
        assert_eq!(got, want, "{day}: who gets an email");
        for (kind, to) in expected {
            let list = app.data(LIST, json!({})).await;
            assert!(
                list["reminders"]["nodes"]
                    .as_array()
                    .expect("nodes")
                    .iter()
                    .any(|n| n["kind"] == *kind && n["email"] == *to),
                "{day}: a {kind} reminder to {to}"
            );
        }
    }
    let escalation = sink
        .received()
        .into_iter()
        .find(|m| m.to == ["c@c.id"])
        .expect("escalated");
    assert!(
        subject(&escalation).contains("1 dieskalasi"),
        "{}",
        subject(&escalation)
    );
    assert!(
        !text(&escalation).contains("/respond/"),
        "the convener follows up; it does not report progress"
    );
    let english = sink
        .received()
        .into_iter()
        .find(|m| m.to == ["b@b.id"])
        .expect("the supporter");
    assert!(subject(&english).starts_with("[Tindak] Follow-up reminder"));
}

#[tokio::test]
async fn closed_and_rescheduled_actions_are_cancelled_or_replanned() {
    let (app, sink) = app_with_sink(&[]).await;
    let action = one_action(&app).await;
    // The server is down on the day: the reminders stay pending.
    sink.set_mode(Mode::Temporary);
    let r = run(&app, "2026-03-06").await;
    assert_eq!(
        (
            r["planned"].clone(),
            r["retried"].clone(),
            r["sent"].clone()
        ),
        (json!(2), json!(2), json!(0))
    );

    // Rescheduled before it could be delivered: the pending ones are cancelled and new ones
    // planned for the new date when their day comes.
    sink.set_mode(Mode::Accept);
    app.data(
        "mutation($id: ID!) { updateAction(id: $id, input: { dueOn: \"2026-04-30\" }) { id } }",
        json!({ "id": action }),
    )
    .await;
    let r = run(&app, "2026-03-07").await;
    assert_eq!(
        (
            r["cancelled"].clone(),
            r["planned"].clone(),
            r["sent"].clone()
        ),
        (json!(2), json!(0), json!(0))
    );
    assert!(sink.received().is_empty());
    let r = run(&app, "2026-04-23").await;
    assert_eq!(
        (r["planned"].clone(), r["sent"].clone()),
        (json!(2), json!(2))
    );
    let list = app
        .data(
            LIST,
            json!({ "f": { "actionId": action, "status": ["SENT"] } }),
        )
        .await;
    assert!(
        list["reminders"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .all(|n| n["plannedFor"] == "2026-04-30")
    );

    // Closed before its next reminder: nothing more.
    app.data(
        "mutation($id: ID!) { changeActionStatus(id: $id, status: DONE) { id } }",
        json!({ "id": action }),
    )
    .await;
    let r = run(&app, "2026-04-29").await;
    assert_eq!(
        (r["planned"].clone(), r["sent"].clone()),
        (json!(0), json!(0))
    );
    assert_eq!(sink.received().len(), 2);
    let cancelled = app
        .data(LIST, json!({ "f": { "status": ["CANCELLED"] } }))
        .await;
    assert_eq!(cancelled["reminders"]["totalCount"], 2);
}

#[tokio::test]
async fn temporary_failures_are_retried_and_permanent_ones_fail_at_once() {
    let (app, sink) = app_with_sink(&[]).await;
    one_action(&app).await;
    let service = &app.reminders;
    let day = date("2026-03-06");
    let t0 = Utc
        .with_ymd_and_hms(2026, 3, 6, 1, 0, 0)
        .single()
        .expect("time");

    sink.set_mode(Mode::Temporary);
    let r = service
        .run_at(day, t0, false, &|| false)
        .await
        .expect("run");
    assert_eq!((r.planned, r.retried, r.sent), (2, 2, 0));
    let pending = app
        .data(LIST, json!({ "f": { "status": ["PENDING"] } }))
        .await;
    let nodes = pending["reminders"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    assert_eq!(nodes.len(), 2);
    assert!(
        nodes
            .iter()
            .all(|n| n["attempts"] == 1 && n["lastError"].as_str().expect("error").contains("451"))
    );

    // Too early for the next attempt: nothing is tried.
    let r = service
        .run_at(day, t0 + Duration::seconds(10), false, &|| false)
        .await
        .expect("run");
    assert_eq!((r.retried, r.sent), (0, 0));
    // After the backoff: delivered, once.
    sink.set_mode(Mode::Accept);
    let r = service
        .run_at(day, t0 + Duration::hours(1), false, &|| false)
        .await
        .expect("run");
    assert_eq!((r.sent, r.emails), (2, 2));
    assert_eq!(sink.received().len(), 2);

    // A permanent refusal fails at once, and shows in the API.
    sink.set_mode(Mode::Permanent);
    let r = service
        .run_at(date("2026-03-12"), t0 + Duration::days(6), false, &|| false)
        .await
        .expect("run");
    assert_eq!((r.planned, r.failed, r.retried), (2, 2, 0));
    let failed = app
        .data(LIST, json!({ "f": { "status": ["FAILED"] } }))
        .await;
    assert_eq!(failed["reminders"]["totalCount"], 2);
    assert!(
        failed["reminders"]["nodes"][0]["lastError"]
            .as_str()
            .expect("error")
            .contains("550")
    );

    // The next escalation tells the convening ministry what could not be delivered.
    sink.set_mode(Mode::Accept);
    service
        .run_at(date("2026-03-27"), t0 + Duration::days(21), false, &|| {
            false
        })
        .await
        .expect("run");
    let escalation = sink
        .received()
        .into_iter()
        .find(|m| m.to == ["c@c.id"])
        .expect("an escalation");
    let body = text(&escalation);
    assert!(body.contains("PENGINGAT YANG GAGAL TERKIRIM (2)"), "{body}");
    assert!(body.contains("a@a.id") && body.contains("550"));
}

#[tokio::test]
async fn a_server_that_is_down_loses_nothing() {
    let (app, sink) = app_with_sink(&[]).await;
    one_action(&app).await;
    let day = date("2026-03-13");
    let t0 = Utc
        .with_ymd_and_hms(2026, 3, 13, 1, 0, 0)
        .single()
        .expect("time");
    let addr = sink.stop();
    let r = app
        .reminders
        .run_at(day, t0, false, &|| false)
        .await
        .expect("run");
    assert_eq!(
        (r.planned, r.retried, r.sent, r.failed),
        (2, 2, 0, 0),
        "refused connections are retried"
    );
    let sink = SmtpSink::start_on(addr).await;
    let r = app
        .reminders
        .run_at(day, t0 + Duration::hours(2), false, &|| false)
        .await
        .expect("run");
    assert_eq!((r.sent, r.emails), (2, 2));
    assert_eq!(sink.received().len(), 2);
}

/// A second service on the same database, as another replica would be.
pub(crate) fn replica(app: &TestApp, smtp: &str) -> Reminders {
    let mut remind = crate::helpers::remind_settings(&app.files);
    remind.mail.smtp_url = Some(smtp.to_owned());
    Reminders::new(app.db.clone(), app.settings.clone(), remind).expect("replica")
}

#[tokio::test]
async fn a_lease_that_expires_is_taken_over_and_the_late_worker_is_fenced_off() {
    let (app, sink) = app_with_sink(&[]).await;
    one_action(&app).await;
    let day = date("2026-03-13");
    let t0 = Utc
        .with_ymd_and_hms(2026, 3, 13, 1, 0, 0)
        .single()
        .expect("time");
    let crashed = replica(&app, &sink.url());
    // Plan without delivering (a dry run would roll back: plan for real, then claim).
    tindak::reminders::plan::plan(&app.db, &crashed.policy, &[], day, t0)
        .await
        .expect("plan");
    let claim = crashed.courier().claim("a@a.id", t0).await.expect("claim");
    assert_eq!(
        claim.rows.len(),
        1,
        "the crashed worker holds a@a.id's reminder"
    );

    let other = replica(&app, &sink.url());
    let r = other
        .courier()
        .run(day, t0 + Duration::seconds(60), &|| false)
        .await
        .expect("run");
    assert_eq!(r.sent, 1, "only b@b.id's: a@a.id's is still leased");
    let r = other
        .courier()
        .run(day, t0 + Duration::seconds(121), &|| false)
        .await
        .expect("run");
    assert_eq!(r.sent, 1, "the lease expired: taken over");
    let mut to: Vec<String> = sink.received().iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["a@a.id", "b@b.id"]);

    // The crashed worker wakes up and finishes its old claim: the fence keeps the record.
    let late = crashed
        .courier()
        .deliver(&claim, day, t0 + Duration::seconds(130))
        .await
        .expect("deliver");
    assert_eq!(late.sent, 0, "its outcome is not recorded");
    let sent = app.data(LIST, json!({ "f": { "status": ["SENT"] } })).await;
    assert_eq!(sent["reminders"]["totalCount"], 2);
    let attempts: Vec<i64> = sent["reminders"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["attempts"].as_i64().expect("n"))
        .collect();
    assert!(
        attempts.contains(&2),
        "the takeover was a second attempt: {attempts:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn three_workers_deliver_a_thousand_reminders_exactly_once() {
    let (app, sink) = app_with_sink(&[]).await;
    const MINISTRIES: usize = 250;
    for i in 0..MINISTRIES {
        let input = tindak::ministries::service::NewMinistry {
            code: format!("KL{i:03}"),
            name: format!("Kementerian {i}"),
            short_name: None,
            kind: tindak::ministries::service::MinistryKind::Ministry,
            parent: None,
        };
        tindak::ministries::service::create(&app.db, &tindak::actor::Who::cli(), input)
            .await
            .expect("ministry");
        let liaison = tindak::ministries::liaisons::AddLiaisonInput {
            ministry: tindak::ministries::service::MinistryRef::Code(format!("KL{i:03}")),
            name: format!("Liaison {i}"),
            email: format!("liaison{i}@kl.example.go.id"),
            position: None,
            language: None,
            receives_reminders: None,
        };
        tindak::ministries::liaisons::add(&app.db, &tindak::actor::Who::cli(), liaison)
            .await
            .expect("liaison");
    }
    let actions: Vec<Value> = (0..1000)
        .map(|i| json!({ "title": format!("Aksi {i}"), "leadMinistry": { "code": format!("KL{:03}", i % MINISTRIES) }, "dueOn": "2026-03-13" }))
        .collect();
    app.data(
        "mutation($input: RecordMeetingInput!) { recordMeeting(input: $input) { id } }",
        json!({ "input": { "title": "Rakor besar", "startsAt": "2026-02-02T09:00:00+07:00", "convenedBy": { "code": "KL000" }, "actions": actions } }),
    )
    .await;
    let day = date("2026-03-13");
    let now = Utc
        .with_ymd_and_hms(2026, 3, 13, 1, 0, 0)
        .single()
        .expect("time");
    let workers: Vec<Reminders> = (0..3).map(|_| replica(&app, &sink.url())).collect();
    let planned = tindak::reminders::plan::plan(&app.db, &workers[0].policy, &[], day, now)
        .await
        .expect("plan");
    assert_eq!(planned, 1000);
    let couriers: Vec<_> = workers.iter().map(Reminders::courier).collect();
    let (a, b, c) = tokio::join!(
        couriers[0].run(day, now, &|| false),
        couriers[1].run(day, now, &|| false),
        couriers[2].run(day, now, &|| false),
    );
    let results = [
        a.expect("worker 1"),
        b.expect("worker 2"),
        c.expect("worker 3"),
    ];
    println!(
        "three workers: {:?}",
        results.iter().map(|r| r.sent).collect::<Vec<_>>()
    );
    assert_eq!(results.iter().map(|r| r.sent).sum::<u64>(), 1000);
    let mail = sink.received();
    assert_eq!(mail.len(), MINISTRIES, "one digest per liaison");
    let mut to: Vec<String> = mail.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), MINISTRIES, "nobody got two");
    let items: usize = mail
        .iter()
        .map(|m| text(m).matches("\n* Aksi ").count())
        .sum();
    assert_eq!(items, 1000, "every reminder delivered once");
    let sent = app.data(LIST, json!({ "f": { "status": ["SENT"] } })).await;
    assert_eq!(sent["reminders"]["totalCount"], 1000);
}

fn link_in(m: &Received) -> String {
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

#[tokio::test]
async fn progress_links_record_updates_and_refuse_what_they_must() {
    let (app, sink) = app_with_sink(&[]).await;
    let action = one_action(&app).await;
    run(&app, "2026-03-06").await;
    let mail = sink.received();
    let lead_link = link_in(mail.iter().find(|m| m.to == ["a@a.id"]).expect("lead"));
    let support_link = link_in(mail.iter().find(|m| m.to == ["b@b.id"]).expect("supporter"));
    let client = &app.client;
    let url = |path: &str| format!("{}{}", app.base, path);

    let page = client.get(url(&lead_link)).send().await.expect("get");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("Aksi")
            && html.contains("Laporkan kemajuan")
            && html.contains("<select name=\"status\">")
    );
    let support_page = client
        .get(url(&support_link))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(
        support_page.contains("Report progress") && !support_page.contains("<select"),
        "a supporter only adds notes (in English)"
    );

    let done = client
        .post(url(&lead_link))
        .header("origin", &app.base)
        .form(&[("note", "Draf pedoman selesai"), ("status", "IN_PROGRESS")])
        .send()
        .await
        .expect("post");
    assert_eq!(done.status(), 200);
    assert!(done.text().await.expect("html").contains("Terima kasih"));
    let refused = client
        .post(url(&support_link))
        .header("origin", &app.base)
        .form(&[("note", "x"), ("status", "DONE")])
        .send()
        .await
        .expect("post");
    assert_eq!(
        refused.status(),
        403,
        "a supporter may not change the status"
    );
    let noted = client
        .post(url(&support_link))
        .header("origin", &app.base)
        .form(&[("note", "Data dari Kemlu sudah dikirim")])
        .send()
        .await
        .expect("post");
    assert_eq!(noted.status(), 200);

    let a = app
        .data(
            "query($id: ID!) { action(id: $id) { status updates { note author toStatus } } }",
            json!({ "id": action }),
        )
        .await;
    assert_eq!(a["action"]["status"], "IN_PROGRESS");
    assert_eq!(
        a["action"]["updates"],
        json!([
            { "note": "Draf pedoman selesai", "author": "A", "toStatus": "IN_PROGRESS" },
            { "note": "Data dari Kemlu sudah dikirim", "author": "B", "toStatus": null }
        ])
    );
    let audit = app.data("query($id: ID!) { auditEvents(filter: { entityId: $id }) { nodes { operation actorName } } }", json!({ "id": action })).await;
    assert!(
        audit["auditEvents"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .any(|e| e["operation"] == "respond"
                && e["actorName"]
                    .as_str()
                    .expect("name")
                    .starts_with("A (liaison"))
    );

    // Forged, altered, expired and other-ministry links change nothing.
    let mut altered = lead_link.clone();
    let last = altered.pop().expect("char");
    altered.push(if last == 'A' { 'B' } else { 'A' });
    let (liaison_a, liaison_c) = {
        let list = app.data("{ a: ministry(code: \"A\") { liaisons { id } } c: ministry(code: \"C\") { liaisons { id } } }", json!({})).await;
        let id = |k: &str| {
            uuid::Uuid::parse_str(list[k]["liaisons"][0]["id"].as_str().expect("id")).expect("uuid")
        };
        (id("a"), id("c"))
    };
    let action_id = uuid::Uuid::parse_str(&action).expect("uuid");
    let expired =
        app.reminders
            .signer
            .sign(action_id, liaison_a, Utc::now() - Duration::minutes(1));
    let other = app.reminders.signer.link(action_id, liaison_c, Utc::now());
    let forged = tindak::reminders::links::LinkSigner::new(b"not our key").link(
        action_id,
        liaison_a,
        Utc::now(),
    );
    for (path, status) in [
        (altered, 403),
        (format!("/respond/{forged}"), 403),
        (format!("/respond/{expired}"), 410),
        (format!("/respond/{other}"), 403),
        ("/respond/garbage".to_owned(), 403),
    ] {
        let get = client.get(url(&path)).send().await.expect("get");
        assert_eq!(get.status(), status, "{path}");
        assert!(
            get.text()
                .await
                .expect("html")
                .contains("Tautan tidak dapat digunakan")
        );
        let post = client
            .post(url(&path))
            .header("origin", &app.base)
            .form(&[("note", "palsu"), ("status", "DONE")])
            .send()
            .await
            .expect("post");
        assert_eq!(post.status(), status, "{path}");
    }
    let after = app
        .data(
            "query($id: ID!) { action(id: $id) { status updates { note } } }",
            json!({ "id": action }),
        )
        .await;
    assert_eq!(after["action"]["status"], "IN_PROGRESS");
    assert_eq!(
        after["action"]["updates"]
            .as_array()
            .expect("updates")
            .len(),
        2
    );
}

#[tokio::test]
async fn dry_runs_save_and_send_nothing_and_only_staff_run_reminders() {
    let (app, sink) = app_with_sink(&[]).await;
    app.load_demo().await;
    let dry = app
        .data(RUN, json!({ "d": "2026-03-01", "dry": true }))
        .await["runReminders"]
        .clone();
    assert_eq!(
        (
            dry["planned"].clone(),
            dry["due"].clone(),
            dry["sent"].clone(),
            dry["dryRun"].clone()
        ),
        (json!(7), json!(7), json!(0), json!(true))
    );
    assert!(sink.received().is_empty());
    assert_eq!(app.count("reminders").await, 0);
    let leadership = app
        .token("Pimpinan", tindak::auth::service::Role::Leadership, None)
        .await;
    let refused = app
        .gql_as(&leadership, RUN, json!({ "d": "2026-03-01" }))
        .await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let listing = app.gql_as(&leadership, LIST, json!({})).await;
    assert_eq!(listing["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let nested = app
        .gql_as(
            &leadership,
            "{ actions(first: 5) { nodes { title reminders { kind } } } }",
            json!({}),
        )
        .await;
    assert_eq!(nested["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(
        nested["errors"].as_array().expect("errors").len(),
        5,
        "refused on each action"
    );
    let trail = app
        .data(
            "{ auditEvents(first: 100) { nodes { operation outcome } } }",
            json!({}),
        )
        .await;
    let refusals = trail["auditEvents"]["nodes"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["operation"] == "reminders" && e["outcome"] == "FORBIDDEN")
        .count();
    assert_eq!(
        refusals, 2,
        "one refusal recorded per request: the list above and the nested field"
    );
    let secretariat = app
        .token(
            "Sekretariat",
            tindak::auth::service::Role::Secretariat,
            None,
        )
        .await;
    let ran = app
        .gql_as(&secretariat, RUN, json!({ "d": "2026-03-01" }))
        .await;
    assert_eq!(ran["data"]["runReminders"]["sent"], 7);
    let of_action = app.gql_as(&secretariat, "{ actions(first: 1, orderBy: { field: DUE_ON }) { nodes { reminders { kind status } } } }", json!({})).await;
    assert!(
        of_action["data"]["actions"]["nodes"][0]["reminders"]
            .as_array()
            .expect("reminders")
            .iter()
            .all(|r| r["status"] == "SENT")
    );
}
