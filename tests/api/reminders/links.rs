//! Progress links: recording updates, and refusing what they must.

use chrono::{Duration, Utc};
use serde_json::json;

use super::*;

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
