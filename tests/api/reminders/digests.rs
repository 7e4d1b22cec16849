//! One digest per recipient, in their language, with its calendar.

use serde_json::json;

use super::*;

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

#[tokio::test]
async fn a_digest_shows_the_supporters_and_the_latest_update() {
    let (app, sink) = app_with_sink(&[]).await;
    let action = one_action(&app).await;
    for note in ["catatan pertama", "catatan kedua"] {
        app.data(
            "mutation($a: ID!, $n: String!) { addActionUpdate(actionId: $a, note: $n) { id } }",
            json!({ "a": action, "n": note }),
        )
        .await;
    }
    // Written at 03:00 in Jakarta on 6 March, still 5 March in UTC: the digest names the
    // day of the settings' time zone, as every other page does.
    written_at(&app, "catatan pertama", "2026-03-05T10:00:00Z").await;
    written_at(&app, "catatan kedua", "2026-03-05T20:00:00Z").await;
    let r = run(&app, "2026-03-06").await;
    assert_eq!(r["emails"], 2, "{r}");
    let body = text(&sink.received_by("a@a.id"));
    assert!(body.contains("Pendukung: Kementerian B"), "{body}");
    assert!(
        body.contains("Pembaruan terakhir: 6 Maret 2026: catatan kedua"),
        "{body}"
    );
    assert!(!body.contains("catatan pertama"), "only the latest update");
    // The supporter's digest of the same run shows the same action the same way (a run
    // loads an action once for all its digests), in English.
    let body = text(&sink.received_by("b@b.id"));
    assert!(body.contains("Lead: Kementerian A"), "{body}");
    assert!(
        body.contains("Last update: March 6, 2026: catatan kedua"),
        "{body}"
    );
    assert!(!body.contains("catatan pertama"), "only the latest update");
}

#[tokio::test]
async fn a_status_change_without_a_note_is_named_in_the_readers_language() {
    let (app, sink) = app_with_sink(&[]).await;
    let action = one_action(&app).await;
    app.data(
        "mutation($a: ID!) { changeActionStatus(id: $a, status: IN_PROGRESS) { id } }",
        json!({ "a": action }),
    )
    .await;
    run(&app, "2026-03-06").await;
    let body = text(&sink.received_by("a@a.id"));
    let line = body
        .lines()
        .find(|l| l.contains("Pembaruan terakhir: "))
        .unwrap_or_else(|| panic!("a latest update: {body}"));
    assert!(line.ends_with(": Sedang berjalan"), "{line}");
    assert!(
        !body.contains("IN_PROGRESS"),
        "no code in the email: {body}"
    );
}

/// Dates the timeline entry with `note` at `at` (an RFC 3339 instant).
async fn written_at(app: &TestApp, note: &str, at: &str) {
    use entity::action_update;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let at = chrono::DateTime::parse_from_rfc3339(at)
        .expect("an instant")
        .with_timezone(&chrono::Utc);
    let done = action_update::Entity::update_many()
        .col_expr(action_update::Column::CreatedAt, Expr::value(at))
        .filter(action_update::Column::Note.eq(note))
        .exec(&app.db)
        .await
        .expect("dated");
    assert_eq!(done.rows_affected, 1);
}
