//! `statusReport`'s median days overdue where several actions are the same number of days
//! late: each of them counts, not each distinct number.

use serde_json::{Value, json};

use super::{
    RECORD, act,
    query::{ministry, query},
    today,
};
use crate::helpers::spawn_app;

/// Medians over repeated values: the middle ranks fall inside a run of equal days overdue,
/// or one on each side of two runs.
#[tokio::test]
async fn the_median_counts_each_action_of_a_run_of_equal_days_overdue() {
    let app = spawn_app().await;
    for code in ["KEMLU", "KEMENKES"] {
        app.ministry(code).await;
    }
    let today = today();
    let due = |days: u64| {
        today
            .checked_sub_days(chrono::Days::new(days))
            .expect("a date")
            .to_string()
    };
    // KEMLU leads four actions 10, 10, 10 and 40 days late: ranks 2 and 3 are both 10.
    // KEMENKES leads four 5, 5, 30 and 30 days late: ranks 2 and 3 are 5 and 30.
    let actions: Vec<Value> = [("KEMLU", 10), ("KEMLU", 10), ("KEMLU", 10), ("KEMLU", 40)]
        .into_iter()
        .chain([
            ("KEMENKES", 5),
            ("KEMENKES", 5),
            ("KEMENKES", 30),
            ("KEMENKES", 30),
        ])
        .map(|(lead, late)| act(&format!("{lead} {late}"), lead, &[], &due(late)))
        .collect();
    app.data(
        RECORD,
        json!({ "input": {
            "title": "Rapat Koordinasi",
            "startsAt": "2026-01-10T09:00:00+07:00",
            "convenedBy": { "code": "KEMLU" },
            "issues": [ { "title": "I", "actions": actions } ]
        } }),
    )
    .await;
    let r = &app.data(&query(), json!({})).await["statusReport"];
    assert_eq!(ministry(r, "KEMLU")["asLead"]["medianDaysOverdue"], 10.0);
    assert_eq!(ministry(r, "KEMENKES")["asLead"]["medianDaysOverdue"], 17.5);
    // All eight: 5 5 10 10 | 10 30 30 40, ranks 4 and 5 are both 10.
    assert_eq!(r["totals"]["medianDaysOverdue"], 10.0);
    assert_eq!(r["totals"]["overdue"], 8);
}
