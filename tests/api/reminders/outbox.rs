//! The outbox: retries, a server that is down, leases, and several workers.

use chrono::{Duration, TimeZone, Utc};
use serde_json::json;

use super::*;

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
    // Several statuses at once: the union; none: nothing.
    let both = app
        .data(LIST, json!({ "f": { "status": ["FAILED", "SENT"] } }))
        .await;
    assert_eq!(both["reminders"]["totalCount"], 4);
    let none = app.data(LIST, json!({ "f": { "status": [] } })).await;
    assert_eq!(none["reminders"]["totalCount"], 0);

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
    // What operators see meanwhile: b@b.id's reminder due, a@a.id's held.
    let depth = tindak::reminders::deliver::depth(&app.db, t0 + Duration::seconds(1))
        .await
        .expect("depth");
    assert_eq!((depth.due, depth.leased), (1, 1));

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

#[tokio::test]
async fn a_digest_whose_worker_stops_every_time_is_given_up_after_the_last_attempt() {
    let (app, sink) = app_with_sink(&[]).await;
    one_action(&app).await;
    let day = date("2026-03-13");
    let t0 = Utc
        .with_ymd_and_hms(2026, 3, 13, 1, 0, 0)
        .single()
        .expect("time");
    let worker = replica(&app, &sink.url());
    tindak::reminders::plan::plan(&app.db, &worker.policy, &[], day, t0)
        .await
        .expect("plan");
    // Six workers in turn claim a@a.id's reminder and stop before an outcome (the lease is
    // 120 s): each takeover counts the stopped one's attempt.
    for stopped in 0..6 {
        let at = t0 + Duration::seconds(121 * stopped);
        let claim = worker.courier().claim("a@a.id", at).await.expect("claim");
        assert_eq!(claim.rows.len(), 1, "claim {stopped}");
        assert_eq!(
            i64::from(claim.rows[0].attempts),
            stopped,
            "attempts so far"
        );
    }
    // The sixth stopped attempt was the last one (`remind_max_attempts` 6): given up, not
    // claimed again.
    let claim = worker
        .courier()
        .claim("a@a.id", t0 + Duration::seconds(121 * 6))
        .await
        .expect("claim");
    assert!(claim.rows.is_empty(), "given up");
    let failed = app
        .data(LIST, json!({ "f": { "status": ["FAILED"] } }))
        .await;
    let node = &failed["reminders"]["nodes"][0];
    assert_eq!(failed["reminders"]["totalCount"], 1);
    assert_eq!(node["attempts"], 6);
    let error = node["lastError"].as_str().expect("error");
    assert!(
        error.starts_with("gave up after 6 attempts: the worker delivering it stopped"),
        "{error}"
    );
    // b@b.id's reminder was not held by anyone: still sent.
    let r = worker
        .courier()
        .run(day, t0 + Duration::seconds(121 * 6), &|| false)
        .await
        .expect("run");
    assert_eq!((r.sent, r.failed), (1, 0));
    let to: Vec<String> = sink.received().iter().flat_map(|m| m.to.clone()).collect();
    assert_eq!(to, ["b@b.id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn three_workers_deliver_a_thousand_reminders_exactly_once() {
    let (app, sink) = app_with_sink(&[]).await;
    const MINISTRIES: usize = 250;
    ministries_with_liaisons(&app, MINISTRIES).await;
    let actions: Vec<Value> = (0..1000)
        .map(|i| json!({ "title": format!("Aksi {i}"), "leadMinistry": { "code": format!("KL{:03}", i % MINISTRIES) }, "dueOn": "2026-03-13" }))
        .collect();
    one_meeting(&app, actions).await;
    let (day, now) = at("2026-03-13");
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

/// A meeting convened by KL000 that agreed `actions`.
async fn one_meeting(app: &TestApp, actions: Vec<Value>) {
    app.data(
        "mutation($input: RecordMeetingInput!) { recordMeeting(input: $input) { id } }",
        json!({ "input": { "title": "Rakor besar", "startsAt": "2026-02-02T09:00:00+07:00", "convenedBy": { "code": "KL000" }, "actions": actions } }),
    )
    .await;
}

/// `day`, and 01:00 UTC on it.
fn at(day: &str) -> (chrono::NaiveDate, chrono::DateTime<Utc>) {
    let day = date(day);
    let now = day.and_hms_opt(1, 0, 0).expect("time").and_utc();
    (day, now)
}

/// Ministries KL000, KL001, … each with one liaison (liaison{i}@kl.example.go.id).
async fn ministries_with_liaisons(app: &TestApp, n: usize) {
    for i in 0..n {
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
}

#[tokio::test]
async fn replicas_running_at_once_plan_and_send_each_reminder_once() {
    let (app, sink) = app_with_sink(&[]).await;
    const MINISTRIES: usize = 40;
    ministries_with_liaisons(&app, MINISTRIES).await;
    // 400 actions, each led by one ministry and supported by the next: two reminders each
    // seven days before their date.
    let actions: Vec<Value> = (0..400)
        .map(|i| {
            json!({
                "title": format!("Aksi {i}"),
                "leadMinistry": { "code": format!("KL{:03}", i % MINISTRIES) },
                "supportingMinistries": [{ "code": format!("KL{:03}", (i + 1) % MINISTRIES) }],
                "dueOn": "2026-03-13"
            })
        })
        .collect();
    one_meeting(&app, actions).await;
    let (day, now) = at("2026-03-06");
    let workers: Vec<Reminders> = (0..3).map(|_| replica(&app, &sink.url())).collect();
    // A run a week before, with nothing due yet: the actions' days are set and the policy is
    // recorded, so the three runs below find the same 400 actions due at once.
    let before = workers[0]
        .run_at(date("2026-02-27"), now - Duration::days(7), false, &|| {
            false
        })
        .await
        .expect("run a week before");
    assert_eq!(before.planned, 0);
    let (a, b, c) = tokio::join!(
        workers[0].run_at(day, now, false, &|| false),
        workers[1].run_at(day, now, false, &|| false),
        workers[2].run_at(day, now, false, &|| false),
    );
    let runs = [
        a.expect("replica 1"),
        b.expect("replica 2"),
        c.expect("replica 3"),
    ];
    assert_eq!(runs.iter().map(|r| r.planned).sum::<u64>(), 800);
    assert_eq!(runs.iter().map(|r| r.sent).sum::<u64>(), 800);
    let all = app.data(LIST, json!({})).await;
    assert_eq!(all["reminders"]["totalCount"], 800);
    let mail = sink.received();
    assert_eq!(mail.len(), MINISTRIES, "one digest per liaison");
    let items: usize = mail
        .iter()
        .map(|m| text(m).matches("\n* Aksi ").count())
        .sum();
    assert_eq!(items, 800, "every reminder delivered once");
}
