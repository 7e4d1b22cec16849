//! Every action filter and ordering.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, titles};

const LIST: &str = "query($f: ActionFilter, $o: ActionOrder) { actions(filter: $f, orderBy: $o) { totalCount nodes { title } } }";

struct Fixture {
    app: TestApp,
    m1: String,
    m2: String,
    issue: String,
}

async fn fixture() -> Fixture {
    let app = spawn_app().await;
    for code in ["A", "B", "C"] {
        app.ministry(code).await;
    }
    let m1 = app.meeting("Rakor satu", "A").await;
    let m2 = app.meeting("Rakor dua", "B").await;
    let issue = app
        .data(
            "mutation($input: AddIssueInput!) { addIssue(input: $input) { id } }",
            json!({ "input": { "meetingId": m1, "title": "Isu" } }),
        )
        .await["addIssue"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    const CREATE: &str =
        "mutation($input: CreateActionInput!) { createAction(input: $input) { id } }";
    // title, lead, supporters, due, priority, meeting, issue
    type Row<'a> = (
        &'a str,
        &'a str,
        &'a [&'a str],
        &'a str,
        &'a str,
        &'a String,
        Option<&'a String>,
    );
    let rows: [Row; 4] = [
        (
            "Alpha laporan",
            "A",
            &["B"],
            "2026-01-10",
            "LOW",
            &m1,
            Some(&issue),
        ),
        ("Beta kajian", "B", &[], "2026-02-10", "HIGH", &m1, None),
        (
            "Gamma 100% data_set",
            "C",
            &["A"],
            "2026-03-10",
            "URGENT",
            &m2,
            None,
        ),
        ("Delta rapat", "A", &[], "2026-04-10", "NORMAL", &m2, None),
    ];
    let mut ids = Vec::new();
    for (title, lead, support, due, priority, meeting, issue) in rows {
        let supporting: Vec<Value> = support.iter().map(|c| json!({ "code": c })).collect();
        let data = app
            .data(
                CREATE,
                json!({ "input": { "meetingId": meeting, "issueId": issue, "title": title, "leadMinistry": { "code": lead },
                        "supportingMinistries": supporting, "dueOn": due, "priority": priority } }),
            )
            .await;
        ids.push(data["createAction"]["id"].as_str().expect("id").to_owned());
    }
    app.data(
        "mutation($id: ID!) { changeActionStatus(id: $id, status: DONE) { id } }",
        json!({ "id": ids[3] }),
    )
    .await;
    app.data(
        "mutation($id: ID!) { updateAction(id: $id, input: { title: \"Alpha laporan akhir\" }) { id } }",
        json!({ "id": ids[0] }),
    )
    .await;
    Fixture { app, m1, m2, issue }
}

impl Fixture {
    async fn titles(&self, filter: Value) -> Vec<String> {
        let data = self.app.data(LIST, json!({ "f": filter })).await;
        let got = titles(&data["actions"]);
        assert_eq!(
            data["actions"]["totalCount"],
            got.len(),
            "totalCount agrees with the nodes"
        );
        got
    }

    async fn ordered(&self, field: &str, direction: &str) -> Vec<String> {
        let data = self
            .app
            .data(
                LIST,
                json!({ "o": { "field": field, "direction": direction } }),
            )
            .await;
        titles(&data["actions"])
    }
}

const A: &str = "Alpha laporan akhir";
const B: &str = "Beta kajian";
const G: &str = "Gamma 100% data_set";
const D: &str = "Delta rapat";

#[tokio::test]
async fn each_filter_narrows_the_list() {
    let f = fixture().await;
    assert_eq!(f.titles(json!({})).await, [A, B, G, D]);
    assert_eq!(f.titles(json!({ "status": ["DONE"] })).await, [D]);
    assert_eq!(
        f.titles(json!({ "status": ["OPEN", "IN_PROGRESS"] })).await,
        [A, B, G]
    );
    assert_eq!(
        f.titles(json!({ "priority": ["URGENT", "HIGH"] })).await,
        [B, G]
    );
    assert_eq!(
        f.titles(json!({ "leadMinistry": { "code": "A" } })).await,
        [A, D]
    );
    assert_eq!(
        f.titles(json!({ "ministry": { "code": "A" } })).await,
        [A, G, D],
        "lead or supporting"
    );
    assert_eq!(
        f.titles(json!({ "ministry": { "code": "B" } })).await,
        [A, B]
    );
    assert_eq!(f.titles(json!({ "meetingId": f.m2 })).await, [G, D]);
    assert_eq!(
        f.titles(json!({ "meetingId": f.m1, "leadMinistry": { "code": "B" } }))
            .await,
        [B]
    );
    assert_eq!(f.titles(json!({ "issueId": f.issue })).await, [A]);
    assert_eq!(
        f.titles(json!({ "dueFrom": "2026-02-10", "dueTo": "2026-03-10" }))
            .await,
        [B, G],
        "bounds are inclusive"
    );
    assert_eq!(f.titles(json!({ "dueFrom": "2026-03-01" })).await, [G, D]);
    assert_eq!(f.titles(json!({ "dueTo": "2026-01-31" })).await, [A]);
    assert_eq!(f.titles(json!({ "search": "KAJIAN" })).await, [B]);
    assert_eq!(f.titles(json!({ "search": "100%" })).await, [G]);
    assert_eq!(
        f.titles(json!({ "search": "_" })).await,
        [G],
        "wildcards are taken literally"
    );
    assert_eq!(
        f.titles(json!({ "search": "   " })).await,
        [A, B, G, D],
        "a blank search matches all"
    );
}

#[tokio::test]
async fn overdue_is_judged_on_as_of() {
    let f = fixture().await;
    assert_eq!(
        f.titles(json!({ "overdue": true, "asOf": "2026-02-10" }))
            .await,
        [A],
        "due today is not overdue"
    );
    assert_eq!(
        f.titles(json!({ "overdue": true, "asOf": "2026-02-11" }))
            .await,
        [A, B]
    );
    assert_eq!(
        f.titles(json!({ "overdue": false, "asOf": "2026-02-11" }))
            .await,
        [G, D]
    );
    assert_eq!(
        f.titles(json!({ "overdue": true, "asOf": "2026-12-31" }))
            .await,
        [A, B, G],
        "done is never overdue"
    );
    // Without asOf, today in the configured zone: every deadline of 2026 H1 has passed by then.
    let today = f.app.settings.today();
    if today > chrono::NaiveDate::from_ymd_opt(2026, 3, 10).expect("date") {
        assert_eq!(f.titles(json!({ "overdue": true })).await, [A, B, G]);
    }
}

#[tokio::test]
async fn each_ordering_in_both_directions() {
    let f = fixture().await;
    assert_eq!(f.ordered("DUE_ON", "ASC").await, [A, B, G, D]);
    assert_eq!(f.ordered("DUE_ON", "DESC").await, [D, G, B, A]);
    assert_eq!(f.ordered("CREATED_AT", "ASC").await, [A, B, G, D]);
    assert_eq!(f.ordered("CREATED_AT", "DESC").await, [D, G, B, A]);
    assert_eq!(
        f.ordered("PRIORITY", "DESC").await,
        [G, B, D, A],
        "by urgency, not by name"
    );
    assert_eq!(f.ordered("PRIORITY", "ASC").await, [A, D, B, G]);
    assert_eq!(f.ordered("UPDATED_AT", "DESC").await, [A, D, G, B]);
    assert_eq!(f.ordered("UPDATED_AT", "ASC").await, [B, G, D, A]);
}
