//! Calendar feeds: parsed with a calendar parser, UIDs kept across changes, old keys refused
//! after rotation.

use icalendar::{Calendar, CalendarComponent, Component, DatePerhapsTime};
use serde_json::json;
use tindak::auth::service::Role;

use crate::helpers::{TestApp, spawn_app};

const URL: &str = "query($m: MinistryRef!) { calendarFeedUrl(ministry: $m) }";
const ROTATE: &str = "mutation($m: MinistryRef!) { rotateCalendarKey(ministry: $m) }";

/// `(uid, date, summary)` of each entry of the feed at `url`.
async fn entries(app: &TestApp, url: &str) -> Vec<(String, String, String)> {
    let res = app
        .client
        .get(url.replace("http://tindak.example", &app.base))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/calendar")
    );
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body = res.text().await.expect("body");
    let calendar: Calendar = body.parse().expect("a calendar");
    assert!(body.contains("REFRESH-INTERVAL;VALUE=DURATION:PT1H"));
    let mut out: Vec<(String, String, String)> = calendar
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .map(|e| {
            let date = match e.get_start() {
                Some(DatePerhapsTime::Date(d)) => d.to_string(),
                other => panic!("an all-day entry, not {other:?}"),
            };
            (
                e.get_uid().expect("uid").to_owned(),
                date,
                e.get_summary().expect("summary").to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

async fn status(app: &TestApp, url: &str) -> u16 {
    app.client
        .get(url.replace("http://tindak.example", &app.base))
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_feed_holds_the_open_deadlines_keeps_its_uids_and_rotates() {
    let app = spawn_app().await;
    for code in ["POLKAM", "KEMLU", "BNPB"] {
        app.ministry(code).await;
    }
    let m = app.meeting("Rapat", "POLKAM").await;
    let a = app.action(&m, "Led", "KEMLU", "2026-03-01").await;
    let b = app
        .data(
            "mutation($m: ID!) { createAction(input: { meetingId: $m, title: \"Supported\", leadMinistry: { code: \"BNPB\" }, supportingMinistries: [{ code: \"KEMLU\" }], dueOn: \"2026-04-01\" }) { id } }",
            json!({ "m": m }),
        )
        .await["createAction"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let c = app.action(&m, "Not ours", "BNPB", "2026-05-01").await;
    let url = app.data(URL, json!({ "m": { "code": "KEMLU" } })).await["calendarFeedUrl"]
        .as_str()
        .expect("url")
        .to_owned();
    assert!(
        url.starts_with("http://tindak.example/calendar/KEMLU.ics?key="),
        "{url}"
    );
    let a_id = a["id"].as_str().expect("id").to_owned();
    let feed = entries(&app, &url).await;
    let mut expected = vec![
        (
            format!("{a_id}@tindak"),
            "2026-03-01".to_owned(),
            "Tenggat: Led".to_owned(),
        ),
        (
            format!("{b}@tindak"),
            "2026-04-01".to_owned(),
            "Tenggat: Supported".to_owned(),
        ),
    ];
    expected.sort();
    assert_eq!(feed, expected);
    assert!(
        !feed
            .iter()
            .any(|(uid, _, _)| uid.starts_with(c["id"].as_str().expect("id")))
    );

    // Rescheduled: the same entry moves; done: it leaves.
    app.data(
        "mutation($id: ID!) { updateAction(id: $id, input: { dueOn: \"2026-03-15\" }) { id } }",
        json!({ "id": a_id }),
    )
    .await;
    app.data(
        "mutation($id: ID!) { changeActionStatus(id: $id, status: DONE) { id } }",
        json!({ "id": b }),
    )
    .await;
    let feed = entries(&app, &url).await;
    assert_eq!(
        feed,
        [(
            format!("{a_id}@tindak"),
            "2026-03-15".to_owned(),
            "Tenggat: Led".to_owned()
        )]
    );

    // Who may ask.
    let own = app
        .token("Liaison KEMLU", Role::Liaison, Some("KEMLU"))
        .await;
    let body = app
        .gql_as(&own, URL, json!({ "m": { "code": "KEMLU" } }))
        .await;
    assert_eq!(body["data"]["calendarFeedUrl"], url.as_str(), "{body:#}");
    let other = app.token("Liaison BNPB", Role::Liaison, Some("BNPB")).await;
    let body = app
        .gql_as(&other, URL, json!({ "m": { "code": "KEMLU" } }))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let leader = app.token("Deputi", Role::Leadership, None).await;
    let body = app
        .gql_as(&leader, ROTATE, json!({ "m": { "code": "KEMLU" } }))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");

    // Altered, unknown, rotated.
    assert_eq!(status(&app, &url.replace("key=", "key=x")).await, 403);
    assert_eq!(
        status(&app, &url.replace("KEMLU.ics", "BNPB.ics")).await,
        403
    );
    assert_eq!(
        status(&app, &url.replace("KEMLU.ics", "NOPE.ics")).await,
        403
    );
    assert_eq!(status(&app, &url.replace("?key=", "?nokey=")).await, 403);
    let body = app
        .gql_as(&own, ROTATE, json!({ "m": { "code": "KEMLU" } }))
        .await;
    let fresh = body["data"]["rotateCalendarKey"]
        .as_str()
        .expect("url")
        .to_owned();
    assert_ne!(fresh, url);
    assert_eq!(
        status(&app, &url).await,
        403,
        "the old address stops working"
    );
    assert_eq!(status(&app, &fresh).await, 200);
    assert_eq!(
        app.data(URL, json!({ "m": { "code": "KEMLU" } })).await["calendarFeedUrl"],
        fresh.as_str()
    );
    let audit = app
        .data(
            "{ auditEvents(first: 50) { nodes { operation } } }",
            json!({}),
        )
        .await;
    assert!(
        audit["auditEvents"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .any(|e| e["operation"] == "rotateCalendarKey")
    );
}
