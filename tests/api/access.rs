//! Who may do what: every mutation × every role × own/other ministry, with the state and the
//! audit trail checked after each attempt.

use sea_orm::{FromQueryResult, JsonValue, Statement};
use serde_json::{Value, json};
use tindak::auth::service::Role;

use crate::helpers::{TestApp, spawn_app};

/// Ids of what the mutations act on.
struct Targets {
    meeting: String,
    issue: String,
    action: String,
    liaison: String,
    user: String,
    token: String,
    other_ministry: String,
}

async fn targets(app: &TestApp) -> Targets {
    for code in ["OWN", "SUP", "OTH"] {
        app.ministry(code).await;
    }
    let meeting = app.meeting("Rakor", "OTH").await;
    let issue = app
        .data(
            "mutation($m: ID!) { addIssue(input: { meetingId: $m, title: \"Isu\" }) { id } }",
            json!({ "m": meeting }),
        )
        .await["addIssue"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let action = app
        .data(
            "mutation($m: ID!) { createAction(input: { meetingId: $m, title: \"Aksi\", leadMinistry: { code: \"OWN\" },
               supportingMinistries: [{ code: \"SUP\" }], dueOn: \"2026-06-30\" }) { id } }",
            json!({ "m": meeting }),
        )
        .await["createAction"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let liaison = app
        .data("mutation { addLiaison(input: { ministry: { code: \"OWN\" }, name: \"Rina\", email: \"rina@own.go.id\" }) { id } }", json!({}))
        .await["addLiaison"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let created = app
        .data(
            "mutation { createUser(input: { name: \"Staf\", role: SECRETARIAT }) { id } }",
            json!({}),
        )
        .await;
    let user = created["createUser"]["id"].as_str().expect("id").to_owned();
    let token = app
        .data(
            "mutation($u: ID!) { issueToken(userId: $u, name: \"laptop\") { apiToken { id } } }",
            json!({ "u": user }),
        )
        .await["issueToken"]["apiToken"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let other_ministry = app
        .data("{ ministry(code: \"OTH\") { id } }", json!({}))
        .await["ministry"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    Targets {
        meeting,
        issue,
        action,
        liaison,
        user,
        token,
        other_ministry,
    }
}

/// Every mutation of the API, as (name, operation, variables).
fn mutations(t: &Targets, run: &str) -> Vec<(&'static str, String, Value)> {
    vec![
        ("createMinistry", "mutation($c: String!) { createMinistry(input: { code: $c, name: \"Baru\", kind: AGENCY }) { id } }".into(), json!({ "c": format!("NEW-{run}") })),
        ("updateMinistry", "mutation($id: ID!) { updateMinistry(id: $id, input: { name: \"Nama baru\" }) { id } }".into(), json!({ "id": t.other_ministry })),
        ("addLiaison", "mutation { addLiaison(input: { ministry: { code: \"OTH\" }, name: \"Budi\", email: \"budi@oth.go.id\" }) { id } }".into(), json!({})),
        ("updateLiaison", "mutation($id: ID!) { updateLiaison(id: $id, input: { position: \"Analis\" }) { id } }".into(), json!({ "id": t.liaison })),
        ("removeLiaison", "mutation($id: ID!) { removeLiaison(id: $id) { id } }".into(), json!({ "id": t.liaison })),
        ("recordMeeting", "mutation { recordMeeting(input: { title: \"Rakor 2\", startsAt: \"2026-05-05T09:00:00+07:00\", convenedBy: { code: \"OTH\" } }) { id } }".into(), json!({})),
        ("updateMeeting", "mutation($id: ID!) { updateMeeting(id: $id, input: { location: \"Jakarta\" }) { id } }".into(), json!({ "id": t.meeting })),
        ("addIssue", "mutation($m: ID!) { addIssue(input: { meetingId: $m, title: \"Isu 2\" }) { id } }".into(), json!({ "m": t.meeting })),
        ("updateIssue", "mutation($id: ID!) { updateIssue(id: $id, input: { status: ADDRESSED }) { id } }".into(), json!({ "id": t.issue })),
        ("createAction", "mutation($m: ID!) { createAction(input: { meetingId: $m, title: \"Aksi 2\", leadMinistry: { code: \"OWN\" }, dueOn: \"2026-07-01\" }) { id } }".into(), json!({ "m": t.meeting })),
        ("updateAction", "mutation($id: ID!) { updateAction(id: $id, input: { dueOn: \"2026-08-01\", note: \"mundur\" }) { id } }".into(), json!({ "id": t.action })),
        ("changeActionStatus", "mutation($id: ID!) { changeActionStatus(id: $id, status: IN_PROGRESS, note: \"mulai\") { id } }".into(), json!({ "id": t.action })),
        ("addActionUpdate", "mutation($id: ID!) { addActionUpdate(actionId: $id, note: \"kemajuan\") { id } }".into(), json!({ "id": t.action })),
        ("createUser", "mutation { createUser(input: { name: \"Pimpinan\", role: LEADERSHIP }) { id } }".into(), json!({})),
        ("updateUser", "mutation($u: ID!) { updateUser(id: $u, input: { name: \"Staf Sekretariat\" }) { id } }".into(), json!({ "u": t.user })),
        ("issueToken", "mutation($u: ID!) { issueToken(userId: $u, name: \"baru\") { token } }".into(), json!({ "u": t.user })),
        ("revokeToken", "mutation($id: ID!) { revokeToken(id: $id) { id } }".into(), json!({ "id": t.token })),
    ]
}

/// Every table but the audit trail (which a refusal does write to).
const TABLES: [&str; 12] = [
    "ministries",
    "liaisons",
    "meetings",
    "meeting_attendees",
    "issues",
    "actions",
    "action_supporters",
    "action_updates",
    "users",
    "api_tokens",
    "reminders",
    "seaql_migrations",
];

/// Everything in [`TABLES`], as sorted JSON rows per table.
async fn dump(app: &TestApp) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for table in TABLES {
        let rows = JsonValue::find_by_statement(Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT * FROM {table}"),
        ))
        .all(&app.db)
        .await
        .expect("dump");
        let mut rows: Vec<String> = rows.iter().map(Value::to_string).collect();
        rows.sort();
        all.push(rows);
    }
    all
}

async fn audit_events(app: &TestApp) -> Vec<Value> {
    app.data(
        "{ auditEvents(first: 100) { nodes { operation outcome entityId actor { id } } } }",
        json!({}),
    )
    .await["auditEvents"]["nodes"]
        .as_array()
        .expect("events")
        .clone()
}

/// Runs every mutation as a user of `role` and checks each outcome against `allowed`.
async fn check_role(role: Role, ministry: Option<&str>, allowed: &[&str]) {
    let app = spawn_app().await;
    let t = targets(&app).await;
    let token = app.token("Pengguna", role, ministry).await;
    let me = app.gql_as(&token, "{ me { id role } }", json!({})).await;
    let my_id = me["data"]["me"]["id"].as_str().expect("me").to_owned();
    for (name, query, vars) in mutations(&t, &format!("{role:?}")) {
        let before = dump(&app).await;
        let events_before = audit_events(&app).await.len();
        let body = app.gql_as(&token, &query, vars).await;
        let events = audit_events(&app).await;
        assert_eq!(
            events.len(),
            events_before + 1,
            "{role:?} {name}: exactly one audit event"
        );
        let event = &events[0];
        assert_eq!(event["operation"], name);
        assert_eq!(
            event["actor"]["id"],
            my_id.as_str(),
            "{role:?} {name}: the actor is recorded"
        );
        if allowed.contains(&name) {
            assert!(
                body.get("errors").is_none(),
                "{role:?} may {name}: {body:#}"
            );
            assert_eq!(event["outcome"], "OK");
        } else {
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "FORBIDDEN",
                "{role:?} may not {name}: {body:#}"
            );
            assert!(body["data"].is_null());
            assert_eq!(event["outcome"], "FORBIDDEN");
            assert_eq!(
                dump(&app).await,
                before,
                "{role:?} {name}: a refusal changes nothing"
            );
        }
    }
}

const ALL: [&str; 17] = [
    "createMinistry",
    "updateMinistry",
    "addLiaison",
    "updateLiaison",
    "removeLiaison",
    "recordMeeting",
    "updateMeeting",
    "addIssue",
    "updateIssue",
    "createAction",
    "updateAction",
    "changeActionStatus",
    "addActionUpdate",
    "createUser",
    "updateUser",
    "issueToken",
    "revokeToken",
];

#[tokio::test]
async fn admin_may_do_everything() {
    check_role(Role::Admin, None, &ALL).await;
}

#[tokio::test]
async fn secretariat_runs_the_registry_but_not_users_or_tokens() {
    check_role(Role::Secretariat, None, &ALL[..13]).await;
}

#[tokio::test]
async fn leadership_reads_only() {
    check_role(Role::Leadership, None, &[]).await;
}

#[tokio::test]
async fn liaison_of_the_lead_ministry_reports_progress_on_its_action() {
    check_role(
        Role::Liaison,
        Some("OWN"),
        &["changeActionStatus", "addActionUpdate"],
    )
    .await;
}

#[tokio::test]
async fn liaison_of_a_supporting_ministry_may_only_add_notes() {
    check_role(Role::Liaison, Some("SUP"), &["addActionUpdate"]).await;
}

#[tokio::test]
async fn liaison_of_another_ministry_may_do_nothing() {
    check_role(Role::Liaison, Some("OTH"), &[]).await;
}

#[tokio::test]
async fn every_role_reads_but_only_admin_and_leadership_read_the_audit_trail() {
    let app = spawn_app().await;
    app.ministry("OWN").await;
    for (role, ministry, audit, users) in [
        (Role::Secretariat, None, false, false),
        (Role::Leadership, None, true, false),
        (Role::Liaison, Some("OWN"), false, false),
        (Role::Admin, None, true, true),
    ] {
        let token = app.token("Pembaca", role, ministry).await;
        let read = app.gql_as(&token, "{ ministries { totalCount } actions { totalCount } meetings { totalCount } issues { totalCount } }", json!({})).await;
        assert!(read.get("errors").is_none(), "{role:?} reads: {read:#}");
        let trail = app
            .gql_as(&token, "{ auditEvents { totalCount } }", json!({}))
            .await;
        assert_eq!(
            trail.get("errors").is_none(),
            audit,
            "{role:?} audit: {trail:#}"
        );
        let list = app
            .gql_as(&token, "{ users { totalCount } }", json!({}))
            .await;
        assert_eq!(
            list.get("errors").is_none(),
            users,
            "{role:?} users: {list:#}"
        );
        if !users {
            assert_eq!(list["errors"][0]["extensions"]["code"], "FORBIDDEN");
        }
    }
}

#[tokio::test]
async fn changes_are_traced_to_users_with_before_and_after() {
    let app = spawn_app().await;
    let t = targets(&app).await;
    let liaison = app.token("Rina Liaison", Role::Liaison, Some("OWN")).await;
    let me = app
        .gql_as(
            &liaison,
            "{ me { id name role ministry { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(me["data"]["me"]["role"], "LIAISON");
    assert_eq!(me["data"]["me"]["ministry"]["code"], "OWN");
    let user_id = me["data"]["me"]["id"].as_str().expect("id").to_owned();
    let done = app
        .gql_as(&liaison, "mutation($id: ID!) { changeActionStatus(id: $id, status: DONE, note: \"Selesai\") { id } }", json!({ "id": t.action }))
        .await;
    assert!(done.get("errors").is_none(), "{done:#}");

    let timeline = app
        .data(
            "query($id: ID!) { action(id: $id) { updates { author authoredBy { id } toStatus } } }",
            json!({ "id": t.action }),
        )
        .await;
    let update = &timeline["action"]["updates"][0];
    assert_eq!(update["author"], "Rina Liaison");
    assert_eq!(update["authoredBy"]["id"], user_id.as_str());

    let trail = app
        .data(
            "query($e: ID!, $a: ID!) { auditEvents(filter: { entityId: $e, actorId: $a }) { totalCount nodes {
               operation outcome entityType entityId actorName tokenId requestId before after createdAt } } }",
            json!({ "e": t.action, "a": user_id }),
        )
        .await;
    assert_eq!(trail["auditEvents"]["totalCount"], 1);
    let e = &trail["auditEvents"]["nodes"][0];
    assert_eq!(e["operation"], "changeActionStatus");
    assert_eq!(e["entityType"], "Action");
    assert_eq!(e["entityId"], t.action.as_str());
    assert_eq!(e["actorName"], "Rina Liaison");
    assert!(e["tokenId"].is_string());
    assert!(uuid::Uuid::parse_str(e["requestId"].as_str().expect("request id")).is_ok());
    assert_eq!(e["before"]["status"], "OPEN");
    assert_eq!(e["after"]["status"], "DONE");
    assert_eq!(e["after"]["version"], 2);

    let created = e["createdAt"].as_str().expect("time");
    let window = app
        .data("query($from: DateTime) { auditEvents(filter: { from: $from }) { nodes { operation } } }", json!({ "from": created }))
        .await;
    assert_eq!(
        window["auditEvents"]["nodes"],
        json!([{ "operation": "changeActionStatus" }])
    );
    let before = app
        .data(
            "query($to: DateTime) { auditEvents(filter: { to: $to }) { totalCount } }",
            json!({ "to": created }),
        )
        .await;
    assert!(
        before["auditEvents"]["totalCount"].as_u64().expect("count") >= 6,
        "the setup's changes came before"
    );
}
