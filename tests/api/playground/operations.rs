//! The ready-made operations, run as shipped against the demo data.

use serde_json::{Value, json};

use super::*;

/// The tabs GraphiQL opens with, as the page's `operations.js` hands them over.
async fn ready_operations(app: &TestApp) -> Vec<(String, Value)> {
    let (_, _, _, assets) = graphiql_page(app).await;
    let url = assets
        .iter()
        .find(|u| u.path().ends_with("/operations.js"))
        .expect("operations.js");
    let script = browse(app, url).await.text().await.expect("script");
    let json = script
        .split_once("window.TINDAK_OPERATIONS = ")
        .and_then(|(_, rest)| rest.trim_end().strip_suffix(';'))
        .expect("an assignment");
    let tabs: Vec<Value> = serde_json::from_str(json).expect("JSON");
    tabs.into_iter()
        .map(|tab| {
            let query = tab["query"].as_str().expect("query").to_owned();
            let variables = match tab["variables"].as_str() {
                Some(text) => serde_json::from_str(text).expect("variables are JSON"),
                None => json!({}),
            };
            (query, variables)
        })
        .collect()
}

/// The operation names of a document, in order.
fn operation_names(document: &str) -> Vec<String> {
    document
        .lines()
        .filter_map(|line| {
            let rest = line
                .strip_prefix("query ")
                .or_else(|| line.strip_prefix("mutation "))?;
            Some(
                rest.split(|c: char| !c.is_alphanumeric())
                    .next()?
                    .to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_ready_made_operations_run_as_written_on_the_demo_data() {
    let app = spawn_app().await;
    app.load_demo().await;
    let tabs = ready_operations(&app).await;
    let names: Vec<Vec<String>> = tabs.iter().map(|(q, _)| operation_names(q)).collect();
    assert_eq!(
        names,
        [
            vec!["RecordMeeting"],
            vec!["Overdue"],
            vec!["OpenActions", "Start", "Reschedule", "Finish"],
            vec!["AddLiaison", "Liaisons"],
            vec!["DryRun", "Reminders"],
            vec!["Status", "ReportLink"],
        ]
    );
    for (query, _) in &tabs {
        assert!(query.starts_with("# "), "each tab opens with what it does");
    }

    // Runs one named operation of a tab as GraphiQL sends it, and returns its data.
    let run = |index: usize, name: &'static str, variables: Value| {
        let query = tabs[index].0.clone();
        let app = &app;
        async move {
            let res = app
                .post(
                    Some(&app.admin),
                    &json!({ "query": query, "variables": variables, "operationName": name }),
                )
                .await;
            assert_eq!(res.status(), 200, "{name}");
            let body: Value = res.json().await.expect("JSON");
            assert!(body.get("errors").is_none(), "{name}: {body}");
            body["data"].clone()
        }
    };

    let meeting = run(0, "RecordMeeting", tabs[0].1.clone()).await;
    let action = &meeting["recordMeeting"]["issues"][0]["actions"][0];
    assert_eq!(action["leadMinistry"]["code"], "KP2MI");

    let overdue = run(1, "Overdue", tabs[1].1.clone()).await;
    let late = overdue["actions"]["nodes"].as_array().expect("nodes");
    assert!(!late.is_empty(), "the demo has overdue KP2MI actions");
    assert!(late.iter().all(|a| a["daysOverdue"].as_i64() > Some(0)));

    // Start, reschedule, finish one action, passing the version each step gave back.
    let open = run(2, "OpenActions", json!({})).await;
    let first = &open["actions"]["nodes"][0];
    let id = first["id"].clone();
    let mut version = first["version"].clone();
    let started = run(2, "Start", json!({ "id": id, "version": version })).await;
    assert_eq!(started["changeActionStatus"]["status"], "IN_PROGRESS");
    version = started["changeActionStatus"]["version"].clone();
    let moved = run(2, "Reschedule", json!({ "id": id, "version": version })).await;
    assert_eq!(moved["updateAction"]["dueOn"], "2027-02-26");
    version = moved["updateAction"]["version"].clone();
    let done = run(2, "Finish", json!({ "id": id, "version": version })).await;
    assert_eq!(done["changeActionStatus"]["status"], "DONE");
    // The placeholder the tab ships with gets a clear error, not a crash.
    let placeholder = app
        .post(
            Some(&app.admin),
            &json!({ "query": tabs[2].0, "variables": tabs[2].1, "operationName": "Start" }),
        )
        .await
        .json::<Value>()
        .await
        .expect("JSON");
    assert_eq!(
        placeholder["errors"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );

    let liaison = run(3, "AddLiaison", tabs[3].1.clone()).await;
    assert_eq!(liaison["addLiaison"]["active"], true);
    let liaisons = run(3, "Liaisons", tabs[3].1.clone()).await;
    assert!(
        liaisons["ministry"]["liaisons"]
            .as_array()
            .expect("liaisons")
            .iter()
            .any(|l| l["email"] == "dewi.lestari@kemlu.example.go.id")
    );

    let outbox_before = app.count("reminders").await;
    let dry = run(4, "DryRun", tabs[4].1.clone()).await;
    assert_eq!(dry["runReminders"]["dryRun"], true);
    assert!(dry["runReminders"]["planned"].as_i64() > Some(0));
    assert_eq!(
        app.count("reminders").await,
        outbox_before,
        "a dry run keeps nothing"
    );
    run(4, "Reminders", json!({})).await;

    let status = run(5, "Status", tabs[5].1.clone()).await;
    assert!(status["statusReport"]["totals"]["overdue"].as_i64() > Some(0));
    assert_eq!(
        status["statusReport"]["trend"].as_array().map(Vec::len),
        Some(12)
    );
    let link = run(5, "ReportLink", json!({})).await;
    let link = link["reportLink"].as_str().expect("link");
    assert!(link.contains("/reports/status.html?"), "{link}");
}
