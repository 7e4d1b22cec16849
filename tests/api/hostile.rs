//! What a prober tries: control characters, extreme dates, odd addresses, private records,
//! the last ADMIN, replicas starting together, and searches in other alphabets.

use serde_json::json;
use tindak::auth::service::Role;

use crate::helpers::{fresh_database, spawn_app};

const ADD_LIAISON: &str = "mutation($i: AddLiaisonInput!) { addLiaison(input: $i) { id name } }";

#[tokio::test]
async fn single_line_fields_refuse_control_characters_and_notes_keep_their_lines() {
    let app = spawn_app().await;
    app.ministry("KEMLU").await;
    for bad in [
        "Rina\nSari",
        "Rina\tSari",
        "Rina\rSari",
        "Ri\u{7}na",
        "Rina\u{85}",
    ] {
        app.expect_error(
            ADD_LIAISON,
            json!({ "i": { "ministry": { "code": "KEMLU" }, "name": format!("x {bad} y"), "email": "r@kemlu.example.go.id" } }),
            "BAD_USER_INPUT",
            Some("input.name"),
        )
        .await;
    }
    app.expect_error(
        "mutation($i: CreateMinistryInput!) { createMinistry(input: $i) { id } }",
        json!({ "i": { "code": "KEMSOS", "name": "Kementerian\u{2028}Sosial", "kind": "MINISTRY" } }),
        "BAD_USER_INPUT",
        Some("input.name"),
    )
    .await;
    app.expect_error(
        "mutation($i: RecordMeetingInput!) { recordMeeting(input: $i) { id } }",
        json!({ "i": { "title": "Rakor", "startsAt": "2026-02-02T10:00:00+07:00", "convenedBy": { "code": "KEMLU" },
                       "issues": [{ "title": "Isu", "category": "Pra\npenempatan" }] } }),
        "BAD_USER_INPUT",
        Some("input.issues[0].category"),
    )
    .await;
    assert_eq!(app.count("liaisons").await, 0);
    assert_eq!(app.count("meetings").await, 0, "nothing half-written");

    let meeting = app.meeting("Rakor", "KEMLU").await;
    let action = app.action(&meeting, "Aksi", "KEMLU", "2026-05-01").await;
    let data = app
        .data(
            "mutation($id: ID!, $n: String!) { addActionUpdate(actionId: $id, note: $n) { note } }",
            json!({ "id": action["id"], "n": "satu\r\ndua\rtiga\n\tempat" }),
        )
        .await;
    assert_eq!(data["addActionUpdate"]["note"], "satu\ndua\ntiga\n\tempat");
}

#[tokio::test]
async fn dates_outside_1900_to_2199_are_refused_with_their_field() {
    let app = spawn_app().await;
    app.ministry("KEMLU").await;
    let meeting = app.meeting("Rakor", "KEMLU").await;
    let audited = app.count("audit_events").await;
    let create = "mutation($i: CreateActionInput!) { createAction(input: $i) { id } }";
    for due in ["2200-01-01", "1899-12-31", "9999-12-31", "+262142-12-31"] {
        app.expect_error(
            create,
            json!({ "i": { "meetingId": meeting, "title": "x", "leadMinistry": { "code": "KEMLU" }, "dueOn": due } }),
            "BAD_USER_INPUT",
            Some("input.dueOn"),
        )
        .await;
    }
    app.expect_error(
        &format!(r#"mutation {{ createAction(input: {{ meetingId: "{meeting}", title: "x", leadMinistry: {{ code: "KEMLU" }}, dueOn: "2200-01-01" }}) {{ id }} }}"#),
        json!({}),
        "BAD_USER_INPUT",
        Some("input.dueOn"),
    )
    .await;
    app.expect_error(
        "mutation($i: RecordMeetingInput!) { recordMeeting(input: $i) { id } }",
        json!({ "i": { "title": "x", "startsAt": "2200-01-01T00:00:00Z", "convenedBy": { "code": "KEMLU" } } }),
        "BAD_USER_INPUT",
        Some("input.startsAt"),
    )
    .await;
    let last_day = app
        .data(
            "mutation { runReminders(asOf: \"2199-12-31\", dryRun: true) { planned } }",
            json!({}),
        )
        .await;
    assert_eq!(
        last_day["runReminders"]["planned"], 0,
        "the last day kept still runs"
    );
    app.expect_error(
        "mutation($d: Date) { runReminders(asOf: $d) { planned } }",
        json!({ "d": "2200-01-01" }),
        "BAD_USER_INPUT",
        Some("asOf"),
    )
    .await;
    app.expect_error(
        "query($d: Date) { actions(filter: { dueFrom: $d }) { totalCount } }",
        json!({ "d": "0001-01-01" }),
        "BAD_USER_INPUT",
        None,
    )
    .await;
    assert_eq!(app.count("actions").await, 0);
    assert_eq!(
        app.count("audit_events").await,
        audited,
        "nothing more was audited"
    );
}

#[tokio::test]
async fn addresses_the_mailer_would_refuse_are_refused_at_once() {
    let app = spawn_app().await;
    app.ministry("KEMLU").await;
    let odd = [
        "a..b@x.id",
        "a(b)@x.id",
        "a@-x.id",
        "a@x-.id",
        "a@[1.2.3.4]",
        "a@localhost",
        "a\u{1}b@x.id",
        "a\u{7f}@x.id",
        ".a@x.id",
        "a.@x.id",
        "a b@x.id",
        "a@x.id\nBcc: b@x.id",
        "a@x..id",
        "@x.id",
        "a@",
        "a@x.id.",
        "a@@x.id",
        "a@x_y.id",
        "a@x.id>",
        "<a@x.id>",
        "a@x.id, b@x.id",
    ];
    let mut accepted = Vec::new();
    for email in odd {
        let body = app
            .gql(
                ADD_LIAISON,
                json!({ "i": { "ministry": { "code": "KEMLU" }, "name": "Rina", "email": email } }),
            )
            .await;
        let err = &body["errors"][0]["extensions"];
        if err["code"] != "BAD_USER_INPUT" || err["field"] != "input.email" {
            accepted.push(email);
        }
    }
    assert!(accepted.is_empty(), "accepted: {accepted:?}");
    app.expect_error(
        "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
        json!({ "i": { "name": "X", "email": "a@[1.2.3.4]", "role": "SECRETARIAT" } }),
        "BAD_USER_INPUT",
        Some("input.email"),
    )
    .await;
    assert_eq!(app.count("liaisons").await, 0);
    let ok = app
        .data(
            ADD_LIAISON,
            json!({ "i": { "ministry": { "code": "KEMLU" }, "name": "Rina", "email": "rina.sari+tindak@kemlu.example.go.id" } }),
        )
        .await;
    assert_eq!(ok["addLiaison"]["name"], "Rina");
}

#[tokio::test]
async fn whole_user_records_behind_timelines_and_the_audit_trail_are_for_admins_only() {
    let app = spawn_app().await;
    app.ministry("KEMLU").await;
    let meeting = app.meeting("Rakor", "KEMLU").await;
    let action = app.action(&meeting, "Aksi", "KEMLU", "2026-05-01").await;
    app.data(
        "mutation($id: ID!) { addActionUpdate(actionId: $id, note: \"Catatan\") { id } }",
        json!({ "id": action["id"] }),
    )
    .await;
    let timeline =
        "query($id: ID!) { action(id: $id) { updates { author authoredBy { email role } } } }";
    let liaison = app.token("Liaison", Role::Liaison, Some("KEMLU")).await;
    let leader = app.token("Pimpinan", Role::Leadership, None).await;
    for token in [&liaison, &leader] {
        let body = app
            .gql_as(token, timeline, json!({ "id": action["id"] }))
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{body}"
        );
        assert_eq!(
            body["data"]["action"]["updates"][0]["author"], "Admin",
            "the name stays readable"
        );
        assert!(body["data"]["action"]["updates"][0]["authoredBy"].is_null());
    }
    let audit = "{ auditEvents(first: 50) { nodes { actorName actor { email } } } }";
    let body = app.gql_as(&leader, audit, json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let nodes = body["data"]["auditEvents"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    assert!(
        nodes
            .iter()
            .any(|n| n["actorName"] == "Admin" && n["actor"].is_null())
    );
    let admin = app.data(timeline, json!({ "id": action["id"] })).await;
    assert_eq!(admin["action"]["updates"][0]["authoredBy"]["role"], "ADMIN");
}

#[tokio::test]
async fn the_last_active_admin_cannot_demote_or_deactivate_itself() {
    let app = spawn_app().await;
    let me = app.data("{ me { id } }", json!({})).await["me"]["id"].clone();
    let update = "mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { role active } }";
    for input in [json!({ "role": "SECRETARIAT" }), json!({ "active": false })] {
        app.expect_error(update, json!({ "id": me, "i": input }), "CONFLICT", None)
            .await;
    }
    let still = app.data("{ me { role active } }", json!({})).await;
    assert_eq!(still["me"], json!({ "role": "ADMIN", "active": true }));
    app.data(
        "mutation { createUser(input: { name: \"Admin Dua\", role: ADMIN }) { id } }",
        json!({}),
    )
    .await;
    let demoted = app
        .data(update, json!({ "id": me, "i": { "role": "SECRETARIAT" } }))
        .await;
    assert_eq!(
        demoted["updateUser"]["role"], "SECRETARIAT",
        "another ADMIN remains"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_starting_together_on_an_empty_database_create_one_admin() {
    let (url, _store) = fresh_database().await;
    let db = tindak::db::connect(&url).await.expect("connect");
    tindak::db::migrate(&db).await.expect("migrate");
    let dir = tempfile::tempdir().expect("dir");
    let mut replicas = Vec::new();
    for i in 0..6 {
        let url = url.clone();
        let path = dir.path().join(format!("admin-{i}.token"));
        replicas.push(tokio::spawn(async move {
            let db = tindak::db::connect(&url).await.expect("connect");
            tindak::auth::service::bootstrap_admin(&db, &path)
                .await
                .expect("bootstrap")
        }));
    }
    let mut created = 0;
    for r in replicas {
        created += usize::from(r.await.expect("replica"));
    }
    assert_eq!(created, 1, "exactly one replica created the ADMIN");
    let admins = tindak::auth::service::users_query()
        .all(&db)
        .await
        .expect("users");
    assert_eq!(admins.len(), 1);
}

#[tokio::test]
async fn searches_fold_non_ascii_letters_alike_on_both_engines() {
    let app = spawn_app().await;
    app.data(
        "mutation { createMinistry(input: { code: \"AERZTE\", name: \"Évaluation des ÄRZTE\", kind: AGENCY }) { id } }",
        json!({}),
    )
    .await;
    let meeting = app.meeting("Rapat ÉVALUATION", "AERZTE").await;
    app.action(&meeting, "Kajian ÄRZTE", "AERZTE", "2026-05-01")
        .await;
    for term in ["évaluation", "ÉVALUATION", "ärzte", "ÄRZTE", "Ärzte"] {
        let found = app
            .data(
                "query($s: String) { ministries(filter: { search: $s }) { totalCount } meetings(filter: { search: $s }) { totalCount } }",
                json!({ "s": term }),
            )
            .await;
        assert_eq!(found["ministries"]["totalCount"], 1, "{term}");
        let meetings = if term.to_lowercase() == "évaluation" {
            1
        } else {
            0
        };
        assert_eq!(found["meetings"]["totalCount"], meetings, "{term}");
    }
    let actions = app
        .data(
            "{ actions(filter: { search: \"ärZTE\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(actions["actions"]["totalCount"], 1);
}
