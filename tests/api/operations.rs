//! Running Tindak: readiness, metrics, a reminder run that outlives its request, and the
//! private link page.

use std::time::Duration as StdDuration;

use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::{
    helpers::spawn_app_with,
    reminders::{LIST, app_with_sink, run, text},
    smtp::SmtpSink,
};

#[tokio::test]
async fn readiness_fails_with_a_reason_when_the_worker_stops_completing_runs() {
    let app = spawn_app_with(|s| {
        s.no_worker = false;
        s.remind.remind_interval = StdDuration::from_secs(1);
    })
    .await;
    let url = format!("{}/readyz", app.base);
    tokio::time::sleep(StdDuration::from_millis(1_500)).await;
    let ready = app.client.get(&url).send().await.expect("readyz");
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.expect("body"), "ready");
    // Every run now fails.
    app.db
        .execute_unprepared("DROP TABLE reminders")
        .await
        .expect("drop");
    let mut status = 200;
    for _ in 0..80 {
        tokio::time::sleep(StdDuration::from_millis(100)).await;
        let res = app.client.get(&url).send().await.expect("readyz");
        status = res.status().as_u16();
        if status == 503 {
            let reason = res.text().await.expect("body");
            assert!(reason.contains("reminder worker"), "{reason}");
            break;
        }
    }
    assert_eq!(
        status, 503,
        "not ready after three intervals without a completed run"
    );
}

#[tokio::test]
async fn metrics_show_requests_reminders_and_the_outbox() {
    let (app, _sink) = app_with_sink(&[]).await;
    crate::reminders::one_action(&app).await;
    app.data("{ ministries { totalCount } }", json!({})).await;
    run(&app, "2026-03-06").await;
    let page = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .expect("metrics");
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/plain")
    );
    let body = page.text().await.expect("body");
    for needle in [
        "tindak_http_requests_total{operation=\"ministries\",outcome=\"ok\"}",
        "tindak_http_request_duration_seconds_bucket{operation=\"runReminders\"",
        "tindak_reminders_sent_total",
        "tindak_reminders_planned_total",
        "tindak_outbox_due 0",
        "tindak_outbox_leased 0",
        "tindak_outbox_oldest_due_age_seconds 0",
    ] {
        assert!(body.contains(needle), "{needle} in:\n{body}");
    }
    let off = spawn_app_with(|s| s.metrics = false).await;
    let res = off
        .client
        .get(format!("{}/metrics", off.base))
        .send()
        .await
        .expect("metrics");
    assert_eq!(res.status(), 404, "TINDAK_METRICS=false");
}

#[tokio::test]
async fn run_reminders_is_audited_first_and_finishes_when_the_request_times_out() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = spawn_app_with(move |s| {
        s.remind.mail.smtp_url = Some(url.into());
        s.request_timeout_secs = 1;
    })
    .await;
    crate::reminders::one_action(&app).await;
    sink.set_delay(StdDuration::from_millis(1_500));
    let res = app
        .post(
            Some(&app.admin),
            &json!({ "query": "mutation { runReminders(asOf: \"2026-03-06\") { sent } }" }),
        )
        .await;
    assert_eq!(res.status(), 408, "the request gave up");
    let mut waited = 0;
    while sink.received().len() < 2 && waited < 100 {
        tokio::time::sleep(StdDuration::from_millis(100)).await;
        waited += 1;
    }
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 2, "the run went on to the end");
    let sent = app.data(LIST, json!({ "f": { "status": ["SENT"] } })).await;
    assert_eq!(sent["reminders"]["totalCount"], 2, "nothing left leased");
    let events = app
        .data(
            "{ auditEvents(first: 10) { nodes { operation after } } }",
            json!({}),
        )
        .await;
    let runs: Vec<&serde_json::Value> = events["auditEvents"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|e| e["operation"] == "runReminders")
        .collect();
    assert_eq!(runs.len(), 2, "started, then finished: {runs:?}");
    assert!(runs.iter().any(|e| e["after"]["started"] == true));
    assert!(runs.iter().any(|e| e["after"]["sent"] == 2));
}

#[tokio::test]
async fn the_link_page_is_private_and_takes_posts_from_itself_only() {
    let (app, sink) = app_with_sink(&[]).await;
    let action = crate::reminders::one_action(&app).await;
    run(&app, "2026-03-06").await;
    let lead = sink
        .received()
        .into_iter()
        .find(|m| m.to == ["a@a.id"])
        .expect("lead");
    let body = text(&lead);
    let start = body.find("http://tindak.example/respond/").expect("link");
    let path = body[start..]
        .split_whitespace()
        .next()
        .expect("link")
        .trim_start_matches("http://tindak.example")
        .to_owned();
    let url = format!("{}{path}", app.base);
    for res in [
        app.client.get(&url).send().await.expect("get"),
        app.client
            .get(format!("{}/respond/forged", app.base))
            .send()
            .await
            .expect("get"),
    ] {
        let h = res.headers();
        assert_eq!(h["cache-control"], "no-store");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-frame-options"], "DENY");
        let csp = h["content-security-policy"].to_str().expect("csp");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"));
    }
    let post = |origin: Option<&'static str>, fetch_site: Option<&'static str>| {
        let mut req = app.client.post(&url).form(&[("note", "Catatan dari luar")]);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(s) = fetch_site {
            req = req.header("sec-fetch-site", s);
        }
        req.send()
    };
    for (origin, site) in [
        (Some("https://evil.example"), Some("cross-site")),
        (None, None),
        (Some("null"), Some("cross-site")),
    ] {
        let res = post(origin, site).await.expect("post");
        assert_eq!(res.status(), 403, "{origin:?} {site:?}");
    }
    let updates = "query($id: ID!) { action(id: $id) { updates { note } } }";
    let none = app.data(updates, json!({ "id": action })).await;
    assert_eq!(none["action"]["updates"], json!([]), "nothing recorded");
    // What a browser sends from the page itself under `Referrer-Policy: no-referrer`.
    let res = post(Some("null"), Some("same-origin")).await.expect("post");
    assert_eq!(res.status(), 200);
    let own = post(Some("http://tindak.example"), None)
        .await
        .expect("post");
    assert_eq!(own.status(), 200, "the public address is ours");
    let one = app.data(updates, json!({ "id": action })).await;
    assert_eq!(
        one["action"]["updates"].as_array().expect("updates").len(),
        2
    );
}
