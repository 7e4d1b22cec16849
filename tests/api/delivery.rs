//! Delivery under strain: slow servers and short leases, failure reports per convener, merged
//! digests, a worker that must not die or hide that it is stuck, metrics, and the link page.

use std::time::Duration as StdDuration;

use chrono::Utc;
use sea_orm::ConnectionTrait;
use serde_json::json;
use tindak::reminders::worker::Reminders;

use crate::{
    helpers::{TestApp, remind_settings, spawn_app_with},
    reminders::{LIST, app_with_sink, run, text},
    smtp::{Mode, SmtpSink},
};

/// `n` ministries `KLnnn`, each with one liaison `liaisonN@kl.example.go.id`, each leading one
/// action due on `due`, at a meeting convened by the first.
async fn ministries_with_actions(app: &TestApp, n: usize, due: &str) {
    for i in 0..n {
        app.ministry(&format!("KL{i:03}")).await;
        app.data(
            "mutation($c: String!, $e: String!) { addLiaison(input: { ministry: { code: $c }, name: $c, email: $e }) { id } }",
            json!({ "c": format!("KL{i:03}"), "e": format!("liaison{i}@kl.example.go.id") }),
        )
        .await;
    }
    let meeting = app.meeting("Rakor", "KL000").await;
    for i in 0..n {
        app.action(&meeting, &format!("Aksi {i}"), &format!("KL{i:03}"), due)
            .await;
    }
}

/// Ministries L (liaison l@l.id), C1 (c1@c1.id) and C2 (c2@c2.id).
async fn lead_and_two_conveners(app: &TestApp) {
    for (code, email) in [("L", "l@l.id"), ("C1", "c1@c1.id"), ("C2", "c2@c2.id")] {
        app.ministry(code).await;
        app.data(
            "mutation($c: String!, $e: String!) { addLiaison(input: { ministry: { code: $c }, name: $c, email: $e }) { id } }",
            json!({ "c": code, "e": email }),
        )
        .await;
    }
}

/// A replica of the app's reminder service with a lease of `lease_secs`, sending to `smtp`.
fn replica_with_lease(app: &TestApp, smtp: &str, lease_secs: i64) -> Reminders {
    let mut remind = remind_settings(&app.files);
    remind.mail.smtp_url = Some(smtp.into());
    remind.remind_lease_secs = lease_secs;
    Reminders::new(app.db.clone(), app.settings.clone(), remind).expect("replica")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_run_longer_than_the_lease_never_sends_twice() {
    let (app, sink) = app_with_sink(&[]).await;
    const RECIPIENTS: usize = 24;
    let today = app.settings.today();
    ministries_with_actions(&app, RECIPIENTS, &today.to_string()).await;
    // Each message takes longer than the lease: only renewal keeps it ours.
    sink.set_delay(StdDuration::from_millis(1_300));
    let first = replica_with_lease(&app, &sink.url(), 1);
    let second = replica_with_lease(&app, &sink.url(), 1);
    tindak::reminders::plan::plan(&app.db, &first.policy, &[], today, Utc::now())
        .await
        .expect("plan");
    let one = tokio::spawn(async move {
        first
            .courier()
            .run(today, Utc::now(), &|| false)
            .await
            .expect("first worker")
    });
    // The second worker starts once the first has been running for longer than its lease.
    tokio::time::sleep(StdDuration::from_millis(1_500)).await;
    let two = second
        .courier()
        .run(today, Utc::now(), &|| false)
        .await
        .expect("second worker");
    let one = one.await.expect("first worker");
    let mail = sink.received();
    let mut to: Vec<String> = mail.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    let before = to.len();
    to.dedup();
    assert_eq!(before, to.len(), "nobody got two emails: {to:?}");
    assert_eq!(to.len(), RECIPIENTS, "everybody got one");
    assert_eq!(one.sent + two.sent, RECIPIENTS as u64);
    assert!(two.sent > 0, "the second worker shared the work");
    let sent = app.data(LIST, json!({ "f": { "status": ["SENT"] } })).await;
    assert_eq!(sent["reminders"]["totalCount"], RECIPIENTS);
}

#[tokio::test]
async fn each_convener_is_told_of_its_own_failures_and_only_those_are_marked() {
    let (app, sink) = app_with_sink(&[]).await;
    lead_and_two_conveners(&app).await;
    let m1 = app.meeting("Rakor C1", "C1").await;
    let m2 = app.meeting("Rakor C2", "C2").await;
    app.action(&m1, "Aksi C1", "L", "2026-03-13").await;
    app.action(&m2, "Aksi C2", "L", "2026-03-14").await;
    sink.set_mode(Mode::Permanent);
    run(&app, "2026-03-14").await;
    let failed = app
        .data(LIST, json!({ "f": { "status": ["FAILED"] } }))
        .await;
    assert_eq!(
        failed["reminders"]["totalCount"], 2,
        "both of l@l.id's reminders failed"
    );
    sink.set_mode(Mode::Accept);
    // C1 escalates first (its action is a day older); C2's failure must wait for C2.
    run(&app, "2026-03-27").await;
    let c1 = sink
        .received()
        .into_iter()
        .find(|m| m.to == ["c1@c1.id"])
        .expect("C1's escalation");
    let body = text(&c1);
    assert!(
        body.contains("Aksi C1 <l@l.id>") && !body.contains("Aksi C2"),
        "{body}"
    );
    run(&app, "2026-03-28").await;
    let c2 = sink
        .received()
        .into_iter()
        .find(|m| m.to == ["c2@c2.id"])
        .expect("C2's escalation");
    let body = text(&c2);
    assert!(
        body.contains("Aksi C2 <l@l.id>") && !body.contains("Aksi C1"),
        "{body}"
    );
    let reported = app
        .data(
            "{ reminders(first: 10, filter: { status: [FAILED] }) { nodes { reportedAt } } }",
            json!({}),
        )
        .await;
    assert!(
        reported["reminders"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .all(|n| !n["reportedAt"].is_null())
    );
}

#[tokio::test]
async fn one_person_for_two_ministries_gets_one_digest_whose_links_all_work() {
    let (app, sink) = app_with_sink(&[]).await;
    for code in ["A", "B", "C"] {
        app.ministry(code).await;
    }
    for code in ["A", "B"] {
        app.data(
            "mutation($c: String!) { addLiaison(input: { ministry: { code: $c }, name: \"Rina\", email: \"rina@x.example.go.id\" }) { id } }",
            json!({ "c": code }),
        )
        .await;
    }
    let meeting = app.meeting("Rakor", "C").await;
    app.action(&meeting, "Aksi A", "A", "2026-03-13").await;
    app.action(&meeting, "Aksi B", "B", "2026-03-13").await;
    run(&app, "2026-03-13").await;
    let mail = sink.received();
    assert_eq!(mail.len(), 1, "one merged digest");
    let body = text(&mail[0]);
    let links: Vec<&str> = body
        .split_whitespace()
        .filter(|w| w.starts_with("http://tindak.example/respond/"))
        .collect();
    assert_eq!(links.len(), 2, "{body}");
    for link in links {
        let path = link.trim_start_matches("http://tindak.example");
        let page = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .expect("get");
        assert_eq!(page.status(), 200, "{path}");
        let html = page.text().await.expect("html");
        assert!(
            html.contains("<select name=\"status\">"),
            "each link is for its lead ministry"
        );
    }
}

#[tokio::test]
async fn the_worker_survives_bad_stored_data_and_still_delivers_to_everyone() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = spawn_app_with(move |s| {
        s.remind.mail.smtp_url = Some(url.into());
        s.no_worker = false;
        s.remind.remind_interval = StdDuration::from_secs(1);
    })
    .await;
    let today = app.settings.today();
    ministries_with_actions(&app, 3, &today.to_string()).await;
    // Data written before names were checked: a line break in a liaison's name, and text
    // full of control characters.
    let newline = match app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "chr(10)",
        _ => "char(10)",
    };
    app.db
        .execute_unprepared(&format!(
            "UPDATE liaisons SET name = 'Rina' || {newline} || 'Bcc: evil@x.id' WHERE email = 'liaison1@kl.example.go.id'"
        ))
        .await
        .expect("legacy name");
    let mut waited = 0;
    while sink.received().len() < 3 && waited < 100 {
        tokio::time::sleep(StdDuration::from_millis(100)).await;
        waited += 1;
    }
    let mut to: Vec<String> = sink.received().iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "liaison0@kl.example.go.id",
            "liaison1@kl.example.go.id",
            "liaison2@kl.example.go.id"
        ],
        "nobody else was added, nobody was left out"
    );
    let ready = app
        .client
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
}

#[tokio::test]
async fn a_convener_with_few_failures_behind_many_of_another_is_still_told() {
    let (app, sink) = app_with_sink(&[]).await;
    lead_and_two_conveners(&app).await;
    let m2 = app.meeting("Rakor C2", "C2").await;
    for i in 0..205 {
        app.action(&m2, &format!("Aksi C2 nomor {i}"), "L", "2026-03-13")
            .await;
    }
    let m1 = app.meeting("Rakor C1", "C1").await;
    app.action(&m1, "Aksi C1", "L", "2026-03-13").await;
    sink.set_mode(Mode::Permanent);
    run(&app, "2026-03-13").await;
    sink.set_mode(Mode::Accept);
    run(&app, "2026-03-27").await;
    let mail = sink.received();
    let c1 = mail
        .iter()
        .find(|m| m.to == ["c1@c1.id"])
        .expect("C1's escalation");
    let body = text(c1);
    assert!(
        body.contains("(1) ==") && body.contains("Aksi C1 <l@l.id>"),
        "{body}"
    );
    let c2 = mail
        .iter()
        .find(|m| m.to == ["c2@c2.id"])
        .expect("C2's escalation");
    assert!(text(c2).contains("(200) =="), "at most 200 in one email");
}

#[tokio::test]
async fn a_note_with_line_breaks_cannot_forge_lines_in_other_ministries_emails() {
    let (app, sink) = app_with_sink(&[]).await;
    let action = crate::reminders::one_action(&app).await;
    let forged = "Sudah dikirim\r\n* Aksi palsu [untuk didukung]\r  Laporkan kemajuan: http://evil.example/respond/x";
    app.data(
        "mutation($id: ID!, $n: String!) { addActionUpdate(actionId: $id, note: $n) { id } }",
        json!({ "id": action, "n": forged }),
    )
    .await;
    run(&app, "2026-03-06").await;
    let supporter = sink
        .received()
        .into_iter()
        .find(|m| m.to == ["b@b.id"])
        .expect("the supporting ministry's digest");
    let body = text(&supporter);
    assert!(body.contains("Aksi palsu"), "the note is kept: {body}");
    for line in body.lines() {
        assert!(!line.starts_with("* Aksi palsu"), "{line:?}");
        assert!(
            !line.starts_with("  Report progress: http://evil"),
            "{line:?}"
        );
        assert!(
            !line.starts_with("  Laporkan kemajuan: http://evil"),
            "{line:?}"
        );
    }
    assert_eq!(body.matches("\n* ").count(), 1, "one item: {body}");
    let ics = crate::reminders::calendar(&supporter);
    assert!(
        !ics.replace("\r\n", "").contains('\r'),
        "no bare CR in the calendar"
    );
    let events = crate::reminders::calendar_events(&ics);
    assert_eq!(events.len(), 1);
}
