//! Nested fields of a list are batched: the number of SQL statements does not grow with the
//! page.

use serde_json::{Value, json};

use crate::helpers::{spawn_app, spawn_app_with_pool};

const NESTED: &str = "query($first: Int) { actions(first: $first) { nodes {
  title leadMinistry { code } supportingMinistries { code } meeting { title } issue { title } } } }";

#[tokio::test]
async fn a_page_of_actions_with_nested_fields_takes_a_fixed_number_of_statements() {
    let app = spawn_app().await;
    let codes: Vec<String> = (0..10).map(|i| format!("KL{i}")).collect();
    for code in &codes {
        app.ministry(code).await;
    }
    let action = |i: usize| {
        json!({
            "title": format!("Tindak lanjut {i}"),
            "leadMinistry": { "code": codes[i % 10] },
            "supportingMinistries": [{ "code": codes[(i + 1) % 10] }, { "code": codes[(i + 2) % 10] }],
            "dueOn": format!("2026-03-{:02}", 1 + i % 28),
        })
    };
    let issues: Vec<Value> = (0..5)
        .map(|k| json!({ "title": format!("Isu {k}"), "actions": (0..20).map(|j| action(k * 20 + j)).collect::<Vec<_>>() }))
        .collect();
    app.data(
        "mutation($input: RecordMeetingInput!) { recordMeeting(input: $input) { id } }",
        json!({ "input": { "title": "Rakor besar", "startsAt": "2026-02-02T09:00:00+07:00", "convenedBy": { "code": "KL0" }, "issues": issues } }),
    )
    .await;

    let mut counts = Vec::new();
    for first in [10, 100] {
        app.reset_statements();
        let data = app.data(NESTED, json!({ "first": first })).await;
        counts.push(app.statements());
        let nodes = data["actions"]["nodes"].as_array().expect("nodes");
        assert_eq!(nodes.len(), first);
        assert!(
            nodes
                .iter()
                .all(|n| n["supportingMinistries"].as_array().expect("list").len() == 2)
        );
        assert!(
            nodes
                .iter()
                .all(|n| n["meeting"]["title"] == "Rakor besar" && n["issue"]["title"].is_string())
        );
        for node in nodes {
            let title = node["title"].as_str().expect("title");
            let i: usize = title["Tindak lanjut ".len()..].parse().expect("number");
            assert_eq!(node["leadMinistry"]["code"], codes[i % 10], "{title}");
        }
    }
    println!("SQL statements for a nested page of 10 and of 100 actions: {counts:?}");
    // The page with its lead ministries and meeting joined, then one statement per other
    // kind of nested data: supporter rows, supporting ministries, issues. The token was
    // checked by an earlier request and is in the server's token cache.
    assert_eq!(
        counts,
        [4, 4],
        "a fixed number of statements, whatever the page size"
    );
}

/// The benchmark's page (README, Performance): the actions, their lead ministries and their
/// meetings in one statement, each action with its own ministry and meeting.
#[tokio::test]
async fn a_page_of_actions_with_their_ministry_and_meeting_takes_one_statement() {
    let app = spawn_app().await;
    for code in ["KLA", "KLB"] {
        app.ministry(code).await;
    }
    app.data(
        "mutation($input: CreateMinistryInput!) { createMinistry(input: $input) { id } }",
        json!({ "input": { "code": "KLC", "name": "Kementerian KLC", "kind": "MINISTRY", "parent": { "code": "KLA" } } }),
    )
    .await;
    for (m, codes) in [
        ("Rakor satu", ["KLA", "KLB"]),
        ("Rakor dua", ["KLC", "KLA"]),
    ] {
        let actions: Vec<Value> = codes
            .iter()
            .map(|code| json!({ "title": format!("{m} / {code}"), "leadMinistry": { "code": code }, "dueOn": "2026-03-01" }))
            .collect();
        app.data(
            "mutation($input: RecordMeetingInput!) { recordMeeting(input: $input) { id } }",
            json!({ "input": { "title": m, "startsAt": "2026-02-02T09:00:00+07:00", "convenedBy": { "code": "KLB" }, "actions": actions } }),
        )
        .await;
    }
    let page = "{ actions(first: 100, filter: { status: [OPEN] }) { nodes { id title dueOn \
                leadMinistry { name code } meeting { title startsAt } } } }";
    app.reset_statements();
    let data = app.data(page, json!({})).await;
    assert_eq!(app.statements(), 1, "the page alone");
    let nodes = data["actions"]["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 4);
    for node in nodes {
        let title = node["title"].as_str().expect("title");
        let (meeting, code) = title.split_once(" / ").expect("title");
        assert_eq!(node["meeting"]["title"], meeting, "{title}");
        assert_eq!(node["meeting"]["startsAt"], "2026-02-02T09:00:00+07:00");
        assert_eq!(node["leadMinistry"]["code"], code, "{title}");
        assert_eq!(node["leadMinistry"]["name"], format!("Kementerian {code}"));
    }

    // The same through `edges { node }`.
    let edges = "{ actions(first: 4) { edges { node { title leadMinistry { code } } } } }";
    app.reset_statements();
    let data = app.data(edges, json!({})).await;
    assert_eq!(app.statements(), 1, "the page alone, through edges");
    for edge in data["actions"]["edges"].as_array().expect("edges") {
        let title = edge["node"]["title"].as_str().expect("title");
        let code = title.split_once(" / ").expect("title").1;
        assert_eq!(edge["node"]["leadMinistry"]["code"], code, "{title}");
    }

    // A field the join does not know (`parent`, `convenedBy`) reads the whole record.
    // A filter that reads the ministries itself, and the same ministry asked for twice.
    let by_ministry = "{ ministry(code: \"KLA\") { actions(first: 10, filter: { ministry: { code: \"KLA\" } }) { \
        nodes { title leadMinistry { code parent { code } } meeting { title convenedBy { code } } } } } }";
    let data = app.data(by_ministry, json!({})).await;
    let nodes = data["ministry"]["actions"]["nodes"]
        .as_array()
        .expect("nodes");
    let mut titles: Vec<&str> = nodes
        .iter()
        .map(|n| n["title"].as_str().expect("title"))
        .collect();
    titles.sort_unstable();
    assert_eq!(titles, ["Rakor dua / KLA", "Rakor satu / KLA"]);
    assert!(nodes.iter().all(|n| n["leadMinistry"]["code"] == "KLA"
        && n["leadMinistry"]["parent"].is_null()
        && n["meeting"]["convenedBy"]["code"] == "KLB"));
    let child = "{ actions(first: 10, filter: { leadMinistry: { code: \"KLC\" } }) { \
        nodes { title leadMinistry { code parent { code } } } } }";
    let data = app.data(child, json!({})).await;
    let nodes = data["actions"]["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0]["leadMinistry"]["parent"]["code"], "KLA");
}

/// A first page's statement carries its limit in its text, so that PostgreSQL plans it a few
/// times and then runs it on the plan it keeps (with the limit bound, it plans every execution
/// anew, for ever: its plan for an unknown limit guesses a tenth of the rows, which over a few
/// thousand actions never looks cheaper). The server shares one connection with the test here,
/// so the test reads the session's prepared statements after the server's requests. Later
/// pages bind their offset; every page reads the right rows, on both engines.
#[tokio::test]
async fn a_first_pages_statement_runs_on_the_plan_postgres_keeps() {
    use entity::{action, enums::ActionStatus};
    use sea_orm::{
        ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, Statement,
    };
    let app = spawn_app_with_pool(1).await;
    let plan = tindak::bench::seed::Plan {
        actions: 5_000,
        meetings: 20,
        ministries: 10,
        seed: 11,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("a day"),
    };
    tindak::bench::seed::seed(&app.db, app.settings.timezone, plan)
        .await
        .expect("seeded");
    let open: Vec<String> = action::Entity::find()
        .filter(action::Column::Status.eq(ActionStatus::Open))
        .order_by_asc(action::Column::DueOn)
        .order_by_asc(action::Column::Id)
        .all(&app.db)
        .await
        .expect("the open actions")
        .into_iter()
        .map(|a| a.id.to_string())
        .collect();
    assert!(open.len() > 1_000, "{} open actions", open.len());
    // The benchmark's page, and the pages after it.
    let page = "query($after: String) { actions(first: 100, after: $after, filter: { status: [OPEN] }) { \
                nodes { id title dueOn leadMinistry { name } meeting { title } } pageInfo { endCursor } } }";
    let ids = |data: &Value| -> Vec<String> {
        let nodes = data["actions"]["nodes"].as_array().expect("nodes");
        assert!(nodes.iter().all(|n| n["leadMinistry"]["name"].is_string() && n["meeting"]["title"].is_string()));
        nodes
            .iter()
            .map(|n| n["id"].as_str().expect("an id").to_owned())
            .collect()
    };
    let mut after = Value::Null;
    for round in 0..8 {
        let first = app.data(page, json!({})).await;
        assert_eq!(ids(&first), open[..100]);
        if after.is_null() {
            after = first["actions"]["pageInfo"]["endCursor"].clone();
        }
        let later = app.data(page, json!({ "after": after })).await;
        let from = 100 * (round + 1);
        assert_eq!(ids(&later), open[from..from + 100], "round {round}");
        after = later["actions"]["pageInfo"]["endCursor"].clone();
    }
    if app.db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements \
             WHERE statement LIKE '%FROM \"actions\"%LIMIT%' AND statement NOT LIKE '%OFFSET%'",
        ))
        .await
        .expect("the session's statements");
    let plans: Vec<(String, i64, i64)> = rows
        .iter()
        .map(|r| {
            let get = |c: &str| r.try_get::<i64>("", c).expect("a count");
            (
                r.try_get("", "statement").expect("text"),
                get("generic_plans"),
                get("custom_plans"),
            )
        })
        .collect();
    assert_eq!(
        plans.len(),
        1,
        "the first page's statement, once: {plans:?}"
    );
    let (_, generic, custom) = &plans[0];
    assert!(
        *generic >= 1 && generic + custom == 8,
        "eight executions, the last on the kept plan: {plans:?}"
    );
}

/// One row of `sql` on the test server's database, when it is PostgreSQL (these checks are
/// about PostgreSQL's connections and storage; SQLite has neither).
async fn postgres_row(sql: &str) -> Option<sea_orm::QueryResult> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let app = spawn_app().await;
    if app.db.get_database_backend() != DbBackend::Postgres {
        return None;
    }
    let row = app
        .db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect("the query runs")
        .expect("a row");
    Some(row)
}

/// A statement larger than one TCP segment (a page of reminders, a long `IN` list) leaves at
/// once instead of waiting 40 ms for the server's delayed ACK: the PostgreSQL connections
/// have `TCP_NODELAY`.
#[tokio::test]
async fn postgres_connections_send_without_waiting_for_the_servers_ack() {
    let sql = "SELECT inet_client_port() AS client, inet_server_port() AS server";
    let Some(row) = postgres_row(sql).await else {
        return;
    };
    let port = |name: &str| {
        let p: Option<i32> = row.try_get("", name).expect("a port");
        u16::try_from(p.expect("connected over TCP")).expect("a port number")
    };
    assert_eq!(
        tindak::db::socket_nodelay(port("client"), port("server")).expect("socket options"),
        Some(true),
        "the connection's socket has TCP_NODELAY"
    );
}

/// The reports' statements over many actions cost PostgreSQL more to JIT-compile than to run:
/// the connections turn JIT off for themselves, whatever the server's default (on).
#[tokio::test]
async fn postgres_connections_run_without_jit_compilation() {
    let Some(row) = postgres_row("SELECT current_setting('jit') AS jit").await else {
        return;
    };
    let jit: String = row.try_get("", "jit").expect("a setting");
    assert_eq!(jit, "off");
}

/// SQLite is built without its process-wide memory statistics and with a page cache per
/// connection (`.cargo/config.toml`): both took a process-wide mutex on every allocation and
/// every page read, which each connection's thread waited on in turn.
#[tokio::test]
async fn sqlite_is_built_without_process_wide_locks_on_memory() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let db = tindak::db::connect(&url).await.expect("connect");
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA compile_options",
        ))
        .await
        .expect("compile options");
    let options: Vec<String> = rows
        .iter()
        .map(|r| r.try_get_by_index(0).expect("text"))
        .collect();
    assert!(
        options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
        "{options:?}"
    );
    assert!(
        !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
        "{options:?}"
    );
}

/// On PostgreSQL the outbox's pages keep room for the updates a reminder goes through
/// (claim, outcome), so that they need not touch its indexes.
#[tokio::test]
async fn the_postgres_outbox_leaves_room_on_its_pages_for_updates() {
    let sql = "SELECT array_to_string(reloptions, ',') AS options FROM pg_class \
               WHERE relname = 'reminders' AND relkind = 'r'";
    let Some(row) = postgres_row(sql).await else {
        return;
    };
    let options: Option<String> = row.try_get("", "options").expect("text");
    assert_eq!(options.as_deref(), Some("fillfactor=60"));
}

/// A claim reads the recipient's due reminders oldest first through one index over
/// `(email, next_attempt_at)` that holds the pending reminders only, not every due reminder
/// of the outbox nor the history of what was sent; the index over `action_id` alone is gone
/// (the unique plan key starts with it). On both engines.
#[tokio::test]
async fn the_outbox_is_indexed_for_claims_by_recipient() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let app = spawn_app().await;
    let backend = app.db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT indexname AS name, indexdef AS def FROM pg_indexes \
             WHERE tablename = 'reminders' ORDER BY indexname"
        }
        _ => {
            "SELECT name, COALESCE(sql, '') AS def FROM sqlite_master \
             WHERE type = 'index' AND tbl_name = 'reminders' ORDER BY name"
        }
    };
    let rows = app
        .db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .expect("the query runs");
    let indexes: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            let name: String = r.try_get("", "name").expect("name");
            let def: String = r.try_get("", "def").expect("definition");
            (name, def.replace('"', ""))
        })
        .collect();
    let pending = indexes
        .iter()
        .find(|(name, _)| name == "idx_reminders_pending")
        .unwrap_or_else(|| panic!("no index of pending reminders among {indexes:?}"));
    assert!(
        pending.1.contains("(email, next_attempt_at)") && pending.1.contains("WHERE"),
        "{pending:?}"
    );
    assert!(pending.1.contains("'PENDING'"), "{pending:?}");
    for gone in [
        "idx_reminders_email",
        "idx_reminders_action",
        "idx_reminders_recipient",
    ] {
        assert!(
            indexes.iter().all(|(name, _)| name != gone),
            "{gone} is still there: {indexes:?}"
        );
    }
    assert!(indexes.iter().any(|(name, _)| name == "uq_reminders_plan"));
}
