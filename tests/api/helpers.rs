//! `spawn_app`: a server of our own on 127.0.0.1:0 with a database of its own.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use tindak::{
    app::Application,
    auth::service::{CreateUserInput, Role},
    config::{MailSettings, RemindSettings, ServeSettings, Settings},
    ministries::service::MinistryRef,
};
use tokio::sync::oneshot;

pub struct TestApp {
    pub base: String,
    /// Where the app writes emails when no SMTP server is set, and its secret.
    pub files: tempfile::TempDir,
    /// The reminder service of the app (to run it at a chosen day and time).
    pub reminders: std::sync::Arc<tindak::reminders::worker::Reminders>,
    /// The ADMIN token that `gql` and its helpers send.
    pub admin: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub settings: Settings,
    statements: Arc<AtomicU64>,
    shutdown: Option<oneshot::Sender<()>>,
    _store: Store,
}

/// Where a test's data lives; removed when the test ends, pass or fail.
pub(crate) enum Store {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Store::Postgres { admin_url, name } = self {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs outside async code: use a runtime of its own on a thread of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                rt.block_on(async {
                    if let Ok(admin) = Database::connect(&admin_url).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                        let _ = admin.close().await;
                    }
                });
                Ok::<_, std::io::Error>(())
            })
            .join();
        }
    }
}

pub(crate) async fn fresh_database() -> (String, Store) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!("tindak_test_{}", uuid::Uuid::now_v7().simple());
            let admin = Database::connect(&admin_url)
                .await
                .expect("TEST_DATABASE_URL reachable");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            admin.close().await.expect("close admin connection");
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url.as_str(), |(b, _)| b);
            let url = format!("{base}/{name}");
            (url, Store::Postgres { admin_url, name })
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("tindak.db").display()
            );
            (url, Store::Sqlite(dir))
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// `spawn_app` with server settings changed by `configure`.
pub async fn spawn_app_with(configure: impl FnOnce(&mut ServeSettings)) -> TestApp {
    spawn_app_on(None, configure).await
}

/// `spawn_app` whose server and `TestApp::db` share a pool of `size` connections (with one,
/// the test's own statements run in the session the server's ran in).
pub async fn spawn_app_with_pool(size: u32) -> TestApp {
    spawn_app_on(Some(size), |_| {}).await
}

async fn spawn_app_on(pool: Option<u32>, configure: impl FnOnce(&mut ServeSettings)) -> TestApp {
    let (url, store) = fresh_database().await;
    let store_dir = tempfile::tempdir().expect("mail dir");
    let mut db = match pool {
        Some(size) => tindak::db::connect_with_pool(&url, size).await,
        None => tindak::db::connect(&url).await,
    }
    .expect("connect");
    tindak::db::migrate(&db).await.expect("migrate");
    let statements = Arc::new(AtomicU64::new(0));
    let counter = statements.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let settings = Settings {
        database_url: url.into(),
        timezone: chrono_tz::Asia::Jakarta,
        slow_statement_ms: 0,
    };
    let mut serve = ServeSettings {
        bind: "127.0.0.1:0".parse().expect("address"),
        name: "Sekretariat Uji".into(),
        demo: false,
        max_body_bytes: 1024 * 1024,
        request_timeout_secs: 30,
        max_depth: 16,
        max_complexity: 2_000,
        playground: true,
        admin_token_file: std::env::temp_dir().join("unused-admin.token"),
        no_worker: true,
        metrics: true,
        remind: remind_settings(&store_dir),
    };
    configure(&mut serve);
    let admin = new_token(&db, "Admin", Role::Admin, None).await;
    let app = Application::build(settings.clone(), &serve, db.clone())
        .await
        .expect("build app");
    let addr = app.local_addr().expect("local addr");
    let reminders = app.reminders();
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(app.run_until_stopped(async {
        let _ = rx.await;
    }));
    TestApp {
        base: format!("http://{addr}"),
        files: store_dir,
        reminders,
        admin,
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
        db,
        settings,
        statements,
        shutdown: Some(tx),
        _store: store,
    }
}

/// Reminder settings as shipped, with mail written to files in `dir` and a fixed secret.
pub fn remind_settings(dir: &tempfile::TempDir) -> RemindSettings {
    RemindSettings {
        remind_before_days: vec![7, 1],
        remind_overdue_every_days: 7,
        escalate_after_days: 14,
        escalation_emails: vec![],
        remind_interval: Duration::from_secs(300),
        remind_max_attempts: 6,
        remind_lease_secs: 120,
        leadership_digest: tindak::config::Weekly::Off,
        leadership_emails: vec![],
        mail: MailSettings {
            smtp_url: None,
            mail_from: "Tindak <tindak@example.go.id>".parse().expect("sender"),
            mail_dir: dir.path().join("outbox"),
            smtp_timeout_secs: 5,
            public_url: "http://tindak.example".into(),
            secret: Some("test secret".into()),
            secret_file: dir.path().join("secret.key"),
        },
    }
}

async fn new_token(
    db: &DatabaseConnection,
    name: &str,
    role: Role,
    ministry: Option<&str>,
) -> String {
    let input = CreateUserInput {
        name: name.to_owned(),
        email: None,
        role,
        ministry: ministry.map(MinistryRef::code),
    };
    let cli = tindak::actor::Who::cli();
    let user = tindak::auth::service::create_user(db, &cli, input)
        .await
        .expect("user");
    let (token, _) = tindak::auth::service::issue_token(db, &cli, user.id, "test", None)
        .await
        .expect("token");
    secrecy::ExposeSecret::expose_secret(&token).to_owned()
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl TestApp {
    /// Posts one GraphQL operation as ADMIN and returns the whole JSON response; the HTTP
    /// status must be 200 (GraphQL errors travel in the body).
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_as(&self.admin, query, variables).await
    }

    /// Posts one GraphQL operation with `token`.
    pub async fn gql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let res = self
            .post(
                Some(token),
                &json!({ "query": query, "variables": variables }),
            )
            .await;
        assert_eq!(res.status(), 200, "HTTP status");
        res.json().await.expect("JSON body")
    }

    /// Posts any JSON body to `/graphql`, with `token` if given.
    pub async fn post(&self, token: Option<&str>, body: &Value) -> reqwest::Response {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.base))
            .json(body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req.send().await.expect("request")
    }

    /// A new user of `role` (a liaison of `ministry`, by code) and a token of theirs.
    pub async fn token(&self, name: &str, role: Role, ministry: Option<&str>) -> String {
        new_token(&self.db, name, role, ministry).await
    }

    /// Runs an operation that must succeed and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.gql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// Runs an operation that must fail and returns its first error.
    pub async fn error(&self, query: &str, variables: Value) -> Value {
        let body = self.gql(query, variables).await;
        let errors = body["errors"].as_array().cloned().unwrap_or_default();
        assert!(!errors.is_empty(), "expected an error, got {body:#}");
        errors[0].clone()
    }

    /// Runs an operation that must fail with `code` (and `field`, when given).
    pub async fn expect_error(
        &self,
        query: &str,
        variables: Value,
        code: &str,
        field: Option<&str>,
    ) -> Value {
        let err = self.error(query, variables).await;
        assert_eq!(err["extensions"]["code"], code, "error: {err:#}");
        if let Some(field) = field {
            assert_eq!(err["extensions"]["field"], field, "error: {err:#}");
        }
        err
    }

    pub fn reset_statements(&self) {
        self.statements.store(0, Ordering::SeqCst);
    }

    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::SeqCst)
    }

    /// Loads the demo data straight through the service, as `tindak demo` does.
    pub async fn load_demo(&self) -> tindak::demo::Outcome {
        tindak::demo::load(&self.db, self.settings.timezone)
            .await
            .expect("demo loads")
    }

    /// Creates a ministry by code and returns its id.
    pub async fn ministry(&self, code: &str) -> String {
        let data = self
            .data(
                "mutation($input: CreateMinistryInput!) { createMinistry(input: $input) { id } }",
                json!({ "input": { "code": code, "name": format!("Kementerian {code}"), "kind": "MINISTRY" } }),
            )
            .await;
        data["createMinistry"]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// Records a bare meeting convened by `convener` and returns its id.
    pub async fn meeting(&self, title: &str, convener: &str) -> String {
        let data = self
            .data(
                "mutation($input: RecordMeetingInput!) { recordMeeting(input: $input) { id } }",
                json!({ "input": { "title": title, "startsAt": "2026-02-02T10:00:00+07:00", "convenedBy": { "code": convener } } }),
            )
            .await;
        data["recordMeeting"]["id"].as_str().expect("id").to_owned()
    }

    /// Creates an action and returns `{ id version }`.
    pub async fn action(&self, meeting: &str, title: &str, lead: &str, due: &str) -> Value {
        let data = self
            .data(
                "mutation($input: CreateActionInput!) { createAction(input: $input) { id version } }",
                json!({ "input": { "meetingId": meeting, "title": title, "leadMinistry": { "code": lead }, "dueOn": due } }),
            )
            .await;
        data["createAction"].clone()
    }

    /// How many rows a table holds, straight from the database.
    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count query")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("count")
    }
}

/// The titles of a connection's nodes, in order.
pub fn titles(conn: &Value) -> Vec<String> {
    conn["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["title"].as_str().expect("title").to_owned())
        .collect()
}
