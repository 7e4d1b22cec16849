//! The weekly leadership digest: once per slot and recipient with two workers, the right
//! figures, a link that opens, and nothing when turned off.

use chrono::{NaiveDate, NaiveTime, Utc, Weekday};
use serde_json::json;
use tindak::{config::Weekly, reminders::worker::Reminders};

use crate::{
    helpers::{TestApp, remind_settings},
    reports::registry,
    smtp::SmtpSink,
};

fn replica(app: &TestApp, smtp: &str, schedule: Weekly) -> Reminders {
    let mut remind = remind_settings(&app.files);
    remind.mail.smtp_url = Some(smtp.into());
    remind.leadership_digest = schedule;
    remind.leadership_emails = vec!["pimpinan@example.go.id".into()];
    Reminders::new(app.db.clone(), app.settings.clone(), remind).expect("replica")
}

fn monday_seven() -> Weekly {
    Weekly::At {
        weekday: Weekday::Mon,
        time: NaiveTime::from_hms_opt(7, 0, 0).expect("time"),
    }
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_digest_goes_once_a_week_to_each_leader_with_the_figures_of_its_day() {
    let app = crate::helpers::spawn_app().await;
    registry(&app).await;
    app.data(
        r#"mutation { createUser(input: { name: "Deputi Bidang", email: "deputi@example.go.id", role: LEADERSHIP }) { id } }"#,
        json!({}),
    )
    .await;
    app.data(
        r#"mutation { createUser(input: { name: "Pimpinan Tanpa Surel", role: LEADERSHIP }) { id } }"#,
        json!({}),
    )
    .await;
    let sink = SmtpSink::start().await;
    let first = replica(&app, &sink.url(), monday_seven());
    let second = replica(&app, &sink.url(), monday_seven());
    // Both workers run for Monday 16 March 2026 at the same moment.
    let now = Utc::now();
    let (a, b) = tokio::join!(
        first.run_at(day("2026-03-16"), now, false, &|| false),
        second.run_at(day("2026-03-16"), now, false, &|| false),
    );
    let (a, b) = (a.expect("first"), b.expect("second"));
    assert_eq!(a.leadership_planned + b.leadership_planned, 2);
    assert_eq!(a.leadership_sent + b.leadership_sent, 2);
    let mail = sink.received();
    let mut to: Vec<String> = mail.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        ["deputi@example.go.id", "pimpinan@example.go.id"],
        "each once"
    );

    let deputi = mail
        .iter()
        .find(|m| m.to == ["deputi@example.go.id"])
        .expect("the deputy's");
    let parsed = deputi.parsed();
    assert_eq!(
        parsed.subject(),
        Some("[Tindak] Ringkasan mingguan tindak lanjut · 16 Maret 2026")
    );
    let text = parsed.body_text(0).expect("text").to_string();
    // On 16 March: six actions, X3 blocked since 00:30 and 15 days late; X2 completed on
    // the 10th, within the week.
    for line in [
        "Yth. Deputi Bidang,",
        "Jumlah tindak lanjut: 6 (Belum dimulai: 2, Sedang berjalan: 0, Terhambat: 1, Selesai: 2, Dibatalkan: 1)",
        "Terlambat: 1",
        "- Diselesaikan: 1",
        "- Menjadi terlambat: 0",
        "1. Kementerian KEMLU: 1 terlambat (terlama 15 hari)",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    let html = parsed.body_html(0).expect("html").to_string();
    let doc = scraper::Html::parse_document(&html);
    let button = scraper::Selector::parse("a.button").expect("selector");
    let link = doc
        .select(&button)
        .next()
        .and_then(|a| a.value().attr("href"))
        .expect("a link")
        .to_owned();
    assert!(
        link.starts_with("http://tindak.example/reports/status.html?asOf=2026-03-16&by="),
        "{link}"
    );
    let res = app
        .client
        .get(link.replace("http://tindak.example", &app.base))
        .send()
        .await
        .expect("request");
    assert_eq!(
        res.status(),
        200,
        "the link opens the page as its recipient"
    );
    assert!(res.text().await.expect("page").contains("16 Maret 2026"));
    // The configured address gets a link of the server's own, which works too.
    let other = mail
        .iter()
        .find(|m| m.to == ["pimpinan@example.go.id"])
        .expect("the configured address's");
    let other_html = other.parsed().body_html(0).expect("html").to_string();
    assert!(other_html.contains("by=tindak"));

    // Again on Monday, then on Wednesday: the same slot, nothing more.
    first
        .run_at(day("2026-03-16"), Utc::now(), false, &|| false)
        .await
        .expect("again");
    second
        .run_at(day("2026-03-18"), Utc::now(), false, &|| false)
        .await
        .expect("wednesday");
    assert_eq!(sink.received().len(), 2);
    // The next Monday: the next slot. A week skipped is never sent late.
    let report = first
        .run_at(day("2026-03-30"), Utc::now(), false, &|| false)
        .await
        .expect("two weeks on");
    assert_eq!(report.leadership_sent, 2);
    let slots: Vec<String> = sink
        .received()
        .iter()
        .map(|m| m.parsed().subject().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        slots
            .iter()
            .filter(|s| s.ends_with("30 Maret 2026"))
            .count(),
        2
    );
    assert!(!slots.iter().any(|s| s.ends_with("23 Maret 2026")));
    let listed = app
        .data(
            "{ leadershipDigests { slot email status attempts } }",
            json!({}),
        )
        .await;
    let rows = listed["leadershipDigests"].as_array().expect("rows");
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter()
            .all(|r| r["status"] == "SENT" && r["attempts"] == 1)
    );
    assert_eq!(rows[0]["slot"], "2026-03-30");
}

#[tokio::test]
async fn no_digest_when_it_is_turned_off_and_a_failing_server_is_retried() {
    let app = crate::helpers::spawn_app().await;
    registry(&app).await;
    let sink = SmtpSink::start().await;
    let off = replica(&app, &sink.url(), Weekly::Off);
    let report = off
        .run_at(day("2026-03-16"), Utc::now(), false, &|| false)
        .await
        .expect("run");
    assert_eq!(report.leadership_planned, 0);
    assert!(sink.received().is_empty());
    let listed = app.data("{ leadershipDigests { id } }", json!({})).await;
    assert_eq!(listed["leadershipDigests"], json!([]));

    // A server that refuses for now: the digest waits for its next attempt.
    sink.set_mode(crate::smtp::Mode::Temporary);
    let on = replica(&app, &sink.url(), monday_seven());
    let report = on
        .run_at(day("2026-03-16"), Utc::now(), false, &|| false)
        .await
        .expect("run");
    assert_eq!(report.leadership_planned, 1);
    assert_eq!(report.leadership_sent, 0);
    let listed = app
        .data(
            "{ leadershipDigests { status attempts lastError } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["leadershipDigests"][0]["status"], "PENDING");
    assert_eq!(listed["leadershipDigests"][0]["attempts"], 1);
    assert!(listed["leadershipDigests"][0]["lastError"].is_string());
}
