//! When reminders are planned, cancelled and replanned; dry runs; who may run them.

use serde_json::json;

use super::*;

#[tokio::test]
async fn each_timing_rule_at_its_boundary_days() {
    let (app, sink) = app_with_sink(&["pimpinan@polkam.example.go.id"]).await;
    one_action(&app).await;
    // (day, reminders planned and sent, (kind, recipient) of each)
    type Step<'a> = (&'a str, u64, &'a [(&'a str, &'a str)]);
    let steps: [Step; 9] = [
        ("2026-03-05", 0, &[]),
        (
            "2026-03-06",
            2,
            &[("BEFORE_DUE", "a@a.id"), ("BEFORE_DUE", "b@b.id")],
        ),
        ("2026-03-07", 0, &[]),
        (
            "2026-03-12",
            2,
            &[("BEFORE_DUE", "a@a.id"), ("BEFORE_DUE", "b@b.id")],
        ),
        (
            "2026-03-13",
            2,
            &[("DUE_TODAY", "a@a.id"), ("DUE_TODAY", "b@b.id")],
        ),
        ("2026-03-19", 0, &[]),
        (
            "2026-03-20",
            2,
            &[("OVERDUE", "a@a.id"), ("OVERDUE", "b@b.id")],
        ),
        ("2026-03-26", 0, &[]),
        (
            "2026-03-27",
            4,
            &[
                ("OVERDUE", "a@a.id"),
                ("OVERDUE", "b@b.id"),
                ("ESCALATION", "c@c.id"),
                ("ESCALATION", "pimpinan@polkam.example.go.id"),
            ],
        ),
    ];
    let mut seen = 0;
    for (day, planned, expected) in steps {
        let r = run(&app, day).await;
        assert_eq!(r["planned"], planned, "{day}: {r}");
        assert_eq!(r["sent"], planned, "{day}: {r}");
        let mail = sink.received();
        let new: Vec<&Received> = mail[seen..].iter().collect();
        seen = mail.len();
        let mut got: Vec<String> = new.iter().flat_map(|m| m.to.clone()).collect();
        got.sort();
        let mut want: Vec<String> = expected.iter().map(|(_, to)| (*to).to_owned()).collect();
        want.sort();
        assert_eq!(got, want, "{day}: who gets an email");
        for (kind, to) in expected {
            let list = app.data(LIST, json!({})).await;
            assert!(
                list["reminders"]["nodes"]
                    .as_array()
                    .expect("nodes")
                    .iter()
                    .any(|n| n["kind"] == *kind && n["email"] == *to),
                "{day}: a {kind} reminder to {to}"
            );
        }
    }
    let escalation = sink
        .received()
        .into_iter()
        .find(|m| m.to == ["c@c.id"])
        .expect("escalated");
    assert!(
        subject(&escalation).contains("1 dieskalasi"),
        "{}",
        subject(&escalation)
    );
    assert!(
        !text(&escalation).contains("/respond/"),
        "the convener follows up; it does not report progress"
    );
    let english = sink
        .received()
        .into_iter()
        .find(|m| m.to == ["b@b.id"])
        .expect("the supporter");
    assert!(subject(&english).starts_with("[Tindak] Follow-up reminder"));
    // Who each reminder is for, as planning wrote it: a liaison with their name and record,
    // an escalation address of the settings with neither.
    let list = app
        .data(
            "{ reminders(first: 100) { nodes { email kind role language recipientName liaisonId offsetDays plannedFor } } }",
            json!({}),
        )
        .await;
    let nodes = list["reminders"]["nodes"].as_array().expect("nodes");
    let of = |email: &str, kind: &str, offset: i64| {
        nodes
            .iter()
            .find(|n| n["email"] == email && n["kind"] == kind && n["offsetDays"] == offset)
            .unwrap_or_else(|| panic!("a {kind} reminder to {email}"))
            .clone()
    };
    let leader = of("pimpinan@polkam.example.go.id", "ESCALATION", 14);
    assert_eq!(leader["recipientName"], Value::Null);
    assert_eq!(leader["liaisonId"], Value::Null);
    assert_eq!(
        (leader["role"].clone(), leader["language"].clone()),
        (json!("ESCALATION"), json!("ID"))
    );
    let supporter = of("b@b.id", "OVERDUE", 14);
    assert_eq!(supporter["recipientName"], "B");
    assert!(supporter["liaisonId"].is_string(), "{supporter}");
    assert_eq!(
        (
            supporter["role"].clone(),
            supporter["language"].clone(),
            supporter["plannedFor"].clone(),
            supporter["offsetDays"].clone()
        ),
        (
            json!("SUPPORT"),
            json!("EN"),
            json!("2026-03-13"),
            json!(14)
        )
    );
}

#[tokio::test]
async fn closed_and_rescheduled_actions_are_cancelled_or_replanned() {
    let (app, sink) = app_with_sink(&[]).await;
    let action = one_action(&app).await;
    // The server is down on the day: the reminders stay pending.
    sink.set_mode(Mode::Temporary);
    let r = run(&app, "2026-03-06").await;
    assert_eq!(
        (
            r["planned"].clone(),
            r["retried"].clone(),
            r["sent"].clone()
        ),
        (json!(2), json!(2), json!(0))
    );

    // Rescheduled before it could be delivered: the pending ones are cancelled and new ones
    // planned for the new date when their day comes.
    sink.set_mode(Mode::Accept);
    app.data(
        "mutation($id: ID!) { updateAction(id: $id, input: { dueOn: \"2026-04-30\" }) { id } }",
        json!({ "id": action }),
    )
    .await;
    let r = run(&app, "2026-03-07").await;
    assert_eq!(
        (
            r["cancelled"].clone(),
            r["planned"].clone(),
            r["sent"].clone()
        ),
        (json!(2), json!(0), json!(0))
    );
    assert!(sink.received().is_empty());
    let r = run(&app, "2026-04-23").await;
    assert_eq!(
        (r["planned"].clone(), r["sent"].clone()),
        (json!(2), json!(2))
    );
    let list = app
        .data(
            LIST,
            json!({ "f": { "actionId": action, "status": ["SENT"] } }),
        )
        .await;
    assert!(
        list["reminders"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .all(|n| n["plannedFor"] == "2026-04-30")
    );

    // Closed before its next reminder: nothing more.
    app.data(
        "mutation($id: ID!) { changeActionStatus(id: $id, status: DONE) { id } }",
        json!({ "id": action }),
    )
    .await;
    let r = run(&app, "2026-04-29").await;
    assert_eq!(
        (r["planned"].clone(), r["sent"].clone()),
        (json!(0), json!(0))
    );
    assert_eq!(sink.received().len(), 2);
    let cancelled = app
        .data(LIST, json!({ "f": { "status": ["CANCELLED"] } }))
        .await;
    assert_eq!(cancelled["reminders"]["totalCount"], 2);
}

#[tokio::test]
async fn dry_runs_save_and_send_nothing_and_only_staff_run_reminders() {
    let (app, sink) = app_with_sink(&[]).await;
    app.load_demo().await;
    let dry = app
        .data(RUN, json!({ "d": "2026-03-01", "dry": true }))
        .await["runReminders"]
        .clone();
    assert_eq!(
        (
            dry["planned"].clone(),
            dry["due"].clone(),
            dry["sent"].clone(),
            dry["dryRun"].clone()
        ),
        (json!(7), json!(7), json!(0), json!(true))
    );
    assert!(sink.received().is_empty());
    assert_eq!(app.count("reminders").await, 0);
    let leadership = app
        .token("Pimpinan", tindak::auth::service::Role::Leadership, None)
        .await;
    let refused = app
        .gql_as(&leadership, RUN, json!({ "d": "2026-03-01" }))
        .await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let listing = app.gql_as(&leadership, LIST, json!({})).await;
    assert_eq!(listing["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let nested = app
        .gql_as(
            &leadership,
            "{ actions(first: 5) { nodes { title reminders { kind } } } }",
            json!({}),
        )
        .await;
    assert_eq!(nested["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(
        nested["errors"].as_array().expect("errors").len(),
        5,
        "refused on each action"
    );
    let trail = app
        .data(
            "{ auditEvents(first: 100) { nodes { operation outcome } } }",
            json!({}),
        )
        .await;
    let refusals = trail["auditEvents"]["nodes"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["operation"] == "reminders" && e["outcome"] == "FORBIDDEN")
        .count();
    assert_eq!(
        refusals, 2,
        "one refusal recorded per request: the list above and the nested field"
    );
    let secretariat = app
        .token(
            "Sekretariat",
            tindak::auth::service::Role::Secretariat,
            None,
        )
        .await;
    let ran = app
        .gql_as(&secretariat, RUN, json!({ "d": "2026-03-01" }))
        .await;
    assert_eq!(ran["data"]["runReminders"]["sent"], 7);
    let of_action = app.gql_as(&secretariat, "{ actions(first: 1, orderBy: { field: DUE_ON }) { nodes { reminders { kind status } } } }", json!({})).await;
    assert!(
        of_action["data"]["actions"]["nodes"][0]["reminders"]
            .as_array()
            .expect("reminders")
            .iter()
            .all(|r| r["status"] == "SENT")
    );
}

#[tokio::test]
async fn a_removed_or_muted_liaison_loses_the_reminders_still_pending() {
    let (app, sink) = app_with_sink(&[]).await;
    one_action(&app).await;
    sink.set_mode(Mode::Temporary);
    let r = run(&app, "2026-03-06").await;
    assert_eq!(
        (r["planned"].clone(), r["sent"].clone()),
        (json!(2), json!(0))
    );
    let liaisons = app
        .data(
            r#"{ a: ministry(code: "A") { liaisons { id } } b: ministry(code: "B") { liaisons { id } } }"#,
            json!({}),
        )
        .await;
    let id_of = |code: &str| liaisons[code]["liaisons"][0]["id"].clone();
    app.data(
        "mutation($id: ID!) { removeLiaison(id: $id) { active } }",
        json!({ "id": id_of("a") }),
    )
    .await;
    let r = run(&app, "2026-03-07").await;
    assert_eq!(
        r["cancelled"], 1,
        "the lead's liaison removed: only their reminder goes"
    );
    let pending = app
        .data(LIST, json!({ "f": { "status": ["PENDING"] } }))
        .await;
    assert_eq!(pending["reminders"]["nodes"][0]["email"], "b@b.id");
    assert_eq!(pending["reminders"]["totalCount"], 1);
    app.data(
        "mutation($id: ID!) { updateLiaison(id: $id, input: { receivesReminders: false }) { receivesReminders } }",
        json!({ "id": id_of("b") }),
    )
    .await;
    sink.set_mode(Mode::Accept);
    let r = run(&app, "2026-03-08").await;
    assert_eq!(
        (r["cancelled"].clone(), r["sent"].clone()),
        (json!(1), json!(0))
    );
    assert!(sink.received().is_empty());
    let cancelled = app
        .data(LIST, json!({ "f": { "status": ["CANCELLED"] } }))
        .await;
    assert_eq!(cancelled["reminders"]["totalCount"], 2);
}
