//! `statusReport`: every figure against the hand-worked registry of `super`.

use serde_json::{Value, json};
use tindak::auth::service::Role;

use super::{date, registry, today};
use crate::helpers::spawn_app;

const COUNTS: &str = "total open inProgress blocked done cancelled overdue dueWithin7Days \
                      doneOnTime doneLate onTimeRate medianDaysOverdue";

pub(super) fn query() -> String {
    format!(
        "query($asOf: Date, $filter: ReportFilter, $weeks: Int) {{
          statusReport(asOf: $asOf, filter: $filter) {{
            asOf
            totals {{ {COUNTS} }}
            byMinistry {{
              ministry {{ code }}
              asLead {{ {COUNTS} }}
              asSupport {{ {COUNTS} }}
              oldestOverdue {{ action {{ title }} status dueOn daysOverdue lastUpdate {{ note }} }}
              silentDays
            }}
            byMeeting {{ meeting {{ title }} counts {{ total open overdue done }} }}
            byCategory {{ category counts {{ total done overdue }} }}
            trend(weeks: $weeks) {{ weekEnding pending overdue completed }}
          }}
        }}"
    )
}

/// `StatusCounts` as the test writes them: the ten integers in order, then the rate and the
/// median.
#[allow(clippy::too_many_arguments)]
fn counts(n: [i64; 10], rate: Option<f64>, median: Option<f64>) -> Value {
    json!({
        "total": n[0], "open": n[1], "inProgress": n[2], "blocked": n[3], "done": n[4],
        "cancelled": n[5], "overdue": n[6], "dueWithin7Days": n[7], "doneOnTime": n[8],
        "doneLate": n[9], "onTimeRate": rate, "medianDaysOverdue": median,
    })
}

pub(super) fn ministry<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["byMinistry"]
        .as_array()
        .expect("byMinistry")
        .iter()
        .find(|m| m["ministry"]["code"] == code)
        .unwrap_or_else(|| panic!("{code} in {report:#}"))
}

fn codes(report: &Value) -> Vec<String> {
    report["byMinistry"]
        .as_array()
        .expect("byMinistry")
        .iter()
        .map(|m| m["ministry"]["code"].as_str().expect("code").to_owned())
        .collect()
}

#[tokio::test]
async fn the_report_for_a_past_date_counts_each_action_as_it_stood_then() {
    let app = spawn_app().await;
    registry(&app).await;
    let data = app
        .data(&query(), json!({ "asOf": "2026-03-15", "weeks": 3 }))
        .await;
    let r = &data["statusReport"];
    assert_eq!(r["asOf"], "2026-03-15");
    // X1 done on time (due moved to 20 Feb), X2 done late, X3 still OPEN (BLOCKED only at
    // 00:30 on the 16th) and 14 days overdue, X4 cancelled, X5 due on the 20th, X6 open.
    assert_eq!(
        r["totals"],
        counts([6, 3, 0, 0, 2, 1, 1, 1, 1, 1], Some(0.5), Some(14.0))
    );
    assert_eq!(
        codes(r),
        ["KEMLU", "BNPB", "KEMENKES"],
        "most overdue first"
    );
    let a = ministry(r, "KEMLU");
    assert_eq!(
        a["asLead"],
        counts([3, 2, 0, 0, 1, 0, 1, 0, 1, 0], Some(1.0), Some(14.0))
    );
    assert_eq!(
        a["asSupport"],
        counts([1, 0, 0, 0, 1, 0, 0, 0, 0, 1], Some(0.0), None)
    );
    assert_eq!(
        a["oldestOverdue"],
        json!({ "action": { "title": "X3" }, "status": "OPEN", "dueOn": "2026-03-01",
                "daysOverdue": 14, "lastUpdate": { "note": "Draf disusun" } })
    );
    assert_eq!(a["silentDays"], 38, "5 Feb to 15 Mar");
    let b = ministry(r, "KEMENKES");
    assert_eq!(
        b["asLead"],
        counts([2, 1, 0, 0, 1, 0, 0, 1, 0, 1], Some(0.0), None)
    );
    assert_eq!(
        b["asSupport"],
        counts([2, 1, 0, 0, 1, 0, 0, 0, 1, 0], Some(1.0), None)
    );
    assert_eq!(b["silentDays"], Value::Null);
    assert_eq!(b["oldestOverdue"], Value::Null);
    let c = ministry(r, "BNPB");
    assert_eq!(
        c["asLead"],
        counts([1, 0, 0, 0, 0, 1, 0, 0, 0, 0], None, None)
    );
    assert_eq!(
        c["asSupport"],
        counts([2, 1, 0, 0, 1, 0, 1, 0, 0, 1], Some(0.0), Some(14.0))
    );
    assert_eq!(
        r["byMeeting"],
        json!([
            { "meeting": { "title": "Rapat Koordinasi Maret" },
              "counts": { "total": 2, "open": 2, "overdue": 0, "done": 0 } },
            { "meeting": { "title": "Rapat Koordinasi Januari" },
              "counts": { "total": 4, "open": 1, "overdue": 1, "done": 2 } },
        ])
    );
    assert_eq!(
        r["byCategory"],
        json!([
            { "category": "Pra-penempatan", "counts": { "total": 2, "done": 2, "overdue": 0 } },
            { "category": "Purna penempatan", "counts": { "total": 2, "done": 0, "overdue": 1 } },
            { "category": null, "counts": { "total": 2, "done": 0, "overdue": 0 } },
        ])
    );
    // 1 Mar: M2 not held yet; X2 in progress and late, X3 due that very day.
    // 8 Mar: M2's two actions join; X3 is late too.
    assert_eq!(
        r["trend"],
        json!([
            { "weekEnding": "2026-03-01", "pending": 2, "overdue": 1, "completed": 1 },
            { "weekEnding": "2026-03-08", "pending": 4, "overdue": 2, "completed": 1 },
            { "weekEnding": "2026-03-15", "pending": 3, "overdue": 1, "completed": 2 },
        ])
    );
}

#[tokio::test]
async fn an_earlier_date_sees_earlier_statuses_due_dates_and_silence() {
    let app = spawn_app().await;
    registry(&app).await;
    let data = app.data(&query(), json!({ "asOf": "2026-02-05" })).await;
    let r = &data["statusReport"];
    // M2 is a month away; X1 in progress (its due date already moved to 20 Feb), X4 open
    // and 5 days late, X2 and X3 open.
    assert_eq!(
        r["totals"],
        counts([4, 3, 1, 0, 0, 0, 1, 0, 0, 0], None, Some(5.0))
    );
    let c = ministry(r, "BNPB");
    assert_eq!(c["asLead"]["overdue"], 1);
    assert_eq!(
        c["silentDays"], 26,
        "nothing written on X4: silent since its meeting on 10 Jan"
    );
    assert_eq!(c["oldestOverdue"]["lastUpdate"], Value::Null);
    assert_eq!(c["oldestOverdue"]["daysOverdue"], 5);
    assert_eq!(codes(r), ["BNPB", "KEMENKES", "KEMLU"]);
    let a = ministry(r, "KEMLU");
    assert_eq!(a["asLead"]["inProgress"], 1);
    assert_eq!(a["asLead"]["overdue"], 0);
    assert_eq!(r["trend"].as_array().expect("trend").len(), 12);
    assert_eq!(
        r["trend"][0],
        json!({ "weekEnding": "2025-11-20", "pending": 0, "overdue": 0, "completed": 0 }),
        "before the first meeting there was nothing"
    );
    // Before any meeting: nothing at all.
    let data = app.data(&query(), json!({ "asOf": "2026-01-09" })).await;
    let r = &data["statusReport"];
    assert_eq!(
        r["totals"],
        counts([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], None, None)
    );
    assert_eq!(r["byMinistry"], json!([]));
}

#[tokio::test]
async fn today_s_report_is_the_current_data() {
    let app = spawn_app().await;
    registry(&app).await;
    let data = app.data(&query(), json!({})).await;
    let r = &data["statusReport"];
    let today = today();
    assert_eq!(r["asOf"], today.to_string());
    let late = |due: chrono::NaiveDate| (today - due).num_days();
    // X3 BLOCKED, X5 OPEN, X6 IN_PROGRESS: all three late; the median is X5's.
    assert_eq!(
        r["totals"],
        counts(
            [6, 1, 1, 1, 2, 1, 3, 0, 1, 1],
            Some(0.5),
            Some(late(date(2026, 3, 20)) as f64)
        )
    );
    let a = ministry(r, "KEMLU");
    // X3 (due 1 Mar) and X6 (due 30 Apr): the median of two is their mean.
    let mean = (late(date(2026, 3, 1)) + late(date(2026, 4, 30))) as f64 / 2.0;
    assert_eq!(a["asLead"]["medianDaysOverdue"], mean);
    assert_eq!(a["oldestOverdue"]["action"]["title"], "X3");
    assert_eq!(a["oldestOverdue"]["status"], "BLOCKED");
    assert_eq!(
        a["silentDays"],
        late(date(2026, 5, 2)),
        "X6 was last touched on 2 May"
    );
    // The same figures as the actions list says today.
    let listed = app
        .data(
            "{ actions(filter: { overdue: true }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["actions"]["totalCount"], r["totals"]["overdue"]);
}

#[tokio::test]
async fn each_filter_narrows_the_count() {
    let app = spawn_app().await;
    let reg = registry(&app).await;
    let total = |filter: Value| {
        let app = &app;
        async move {
            let data = app
                .data(
                    "query($f: ReportFilter) { statusReport(asOf: \"2026-03-15\", filter: $f) { totals { total done overdue } } }",
                    json!({ "f": filter }),
                )
                .await;
            data["statusReport"]["totals"].clone()
        }
    };
    let t = |total: i64, done: i64, overdue: i64| json!({ "total": total, "done": done, "overdue": overdue });
    assert_eq!(
        total(json!({ "ministries": [{ "code": "KEMENKES" }] })).await,
        t(4, 2, 0),
        "X1, X2, X5, X6: led or supported"
    );
    assert_eq!(
        total(json!({ "ministries": [{ "code": "BNPB" }, { "code": "KEMENKES" }] })).await,
        t(6, 2, 1)
    );
    assert_eq!(
        total(json!({ "convenedBy": { "code": "KEMENKES" } })).await,
        t(2, 0, 0)
    );
    assert_eq!(total(json!({ "meetingIds": [reg.m1] })).await, t(4, 2, 1));
    assert_eq!(
        total(json!({ "meetingIds": [reg.m1, reg.m2] })).await,
        t(6, 2, 1)
    );
    assert_eq!(
        total(json!({ "from": "2026-03-05", "to": "2026-03-05" })).await,
        t(2, 0, 0),
        "the meeting date bounds are inclusive"
    );
    assert_eq!(total(json!({ "to": "2026-03-04" })).await, t(4, 2, 1));
    assert_eq!(
        total(json!({ "category": "  PRA-penempatan " })).await,
        t(2, 2, 0)
    );
    assert_eq!(total(json!({ "priority": ["HIGH"] })).await, t(1, 1, 0));
    assert_eq!(
        total(json!({ "priority": ["HIGH", "NORMAL"], "ministries": [] })).await,
        t(6, 2, 1),
        "an empty list does not narrow"
    );
    assert_eq!(
        total(json!({ "category": "Purna penempatan", "ministries": [{ "code": "BNPB" }] })).await,
        t(2, 0, 1)
    );
    for (filter, field) in [
        (
            json!({ "ministries": [{ "code": "NOPE" }] }),
            "filter.ministries[0]",
        ),
        (
            json!({ "convenedBy": { "code": "NOPE" } }),
            "filter.convenedBy",
        ),
        (json!({ "meetingIds": ["x"] }), "filter.meetingIds[0]"),
        (
            json!({ "from": "2026-03-02", "to": "2026-03-01" }),
            "filter.to",
        ),
    ] {
        app.expect_error(
            "query($f: ReportFilter) { statusReport(filter: $f) { totals { total } } }",
            json!({ "f": filter }),
            "BAD_USER_INPUT",
            Some(field),
        )
        .await;
    }
    for weeks in [0, 105, -3] {
        app.expect_error(
            "query($w: Int) { statusReport { trend(weeks: $w) { pending } } }",
            json!({ "w": weeks }),
            "BAD_USER_INPUT",
            Some("weeks"),
        )
        .await;
    }
    app.expect_error(
        "{ statusReport(asOf: \"2200-01-01\") { asOf } }",
        json!({}),
        "BAD_USER_INPUT",
        None,
    )
    .await;
}

#[tokio::test]
async fn a_liaison_sees_only_what_its_ministry_leads_or_supports() {
    let app = spawn_app().await;
    registry(&app).await;
    let liaison = app.token("Liaison BNPB", Role::Liaison, Some("BNPB")).await;
    let body = app
        .gql_as(
            &liaison,
            &query(),
            json!({ "asOf": "2026-03-15", "weeks": 1 }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let r = &body["data"]["statusReport"];
    // X2 (supports, done late), X3 (supports, open and overdue), X4 (leads, cancelled).
    assert_eq!(
        r["totals"],
        counts([3, 1, 0, 0, 1, 1, 1, 0, 0, 1], Some(0.0), Some(14.0))
    );
    assert_eq!(codes(r), ["KEMLU", "BNPB", "KEMENKES"]);
    assert_eq!(ministry(r, "KEMENKES")["asLead"]["total"], 1, "X2 only");
    assert_eq!(
        r["trend"],
        json!([{ "weekEnding": "2026-03-15", "pending": 1, "overdue": 1, "completed": 1 }])
    );
    // Its own filter cannot widen the view.
    let body = app
        .gql_as(
            &liaison,
            "{ statusReport(asOf: \"2026-03-15\", filter: { ministries: [{ code: \"KEMENKES\" }] }) { totals { total } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["statusReport"]["totals"]["total"], 1);
    // Leadership sees everything.
    let leader = app.token("Deputi", Role::Leadership, None).await;
    let body = app
        .gql_as(
            &leader,
            "{ statusReport(asOf: \"2026-03-15\") { totals { total } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["statusReport"]["totals"]["total"], 6);
}
