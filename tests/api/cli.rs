//! The `tindak` binary: schema, demo, tokens, reminders, and a graceful stop of `serve`.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::Duration,
};

/// The binary, run in the folder of `db` so that whatever it writes beside itself (the
/// outbox, the secret) stays in the test's temporary folder.
fn tindak(db: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tindak"));
    if let Some(dir) = db.parent() {
        cmd.current_dir(dir);
    }
    cmd.env(
        "DATABASE_URL",
        format!("sqlite://{}?mode=rwc", db.display()),
    )
    .env("RUST_LOG", "info")
    .env_remove("TINDAK_BIND")
    .env_remove("SMTP_URL")
    .env_remove("TINDAK_MAIL_DIR")
    .env_remove("TINDAK_SECRET")
    .env_remove("TINDAK_SLOW_STATEMENT_MS");
    cmd
}

#[test]
fn schema_command_prints_the_sdl() {
    let dir = tempfile::tempdir().expect("dir");
    let out = tindak(&dir.path().join("t.db"))
        .arg("schema")
        .output()
        .expect("run");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).expect("utf-8"),
        tindak::graphql::sdl()
    );
}

#[test]
fn demo_command_is_idempotent() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.db");
    let first = tindak(&db).arg("demo").output().expect("run");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&first.stdout).trim(),
        "demo data loaded: 9 ministries, 7 liaisons, 1 meeting"
    );
    let second = tindak(&db).arg("demo").output().expect("run");
    assert!(second.status.success());
    assert_eq!(
        String::from_utf8_lossy(&second.stdout).trim(),
        "demo data already present: nothing changed"
    );
}

fn output(cmd: &mut Command) -> (String, String) {
    let out = cmd.output().expect("run");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    assert!(out.status.success(), "{stdout}\n{stderr}");
    (stdout, stderr)
}

#[test]
fn token_commands_create_list_and_revoke() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.db");
    output(tindak(&db).arg("demo"));
    let (stdout, _) = output(tindak(&db).args([
        "token",
        "create",
        "--name",
        "Liaison Kemlu",
        "--role",
        "liaison",
        "--ministry",
        "KEMLU",
        "--expires-in",
        "30",
    ]));
    let token = stdout.lines().last().expect("a last line").to_owned();
    assert!(token.starts_with("tdk_") && token.len() == 47, "{stdout}");
    assert!(stdout.contains("expires"));
    let id = stdout
        .split_whitespace()
        .nth(1)
        .expect("token id")
        .to_owned();

    let (list, _) = output(tindak(&db).args(["token", "list"]));
    assert!(
        list.contains(&id) && list.contains("Liaison Kemlu") && list.contains("LIAISON"),
        "{list}"
    );
    assert!(list.contains(&token[..10]), "the prefix is shown");
    assert!(!list.contains(&token[10..]), "never the token");

    let dates = |list: &str| {
        list.lines()
            .find(|l| l.contains(&id))
            .expect("listed")
            .matches("+00:00")
            .count()
    };
    assert_eq!(dates(&list), 1, "an expiry, not yet revoked: {list}");
    output(tindak(&db).args(["token", "revoke", &id]));
    let (list, _) = output(tindak(&db).args(["token", "list"]));
    assert_eq!(dates(&list), 2, "expiry and revocation: {list}");

    let bad = tindak(&db)
        .args([
            "token",
            "create",
            "--name",
            "X",
            "--role",
            "liaison",
            "--ministry",
            "NOPE",
        ])
        .output()
        .expect("run");
    assert!(!bad.status.success());
    let bad_role = tindak(&db)
        .args(["token", "create", "--name", "X", "--role", "king"])
        .output()
        .expect("run");
    assert!(!bad_role.status.success());
}

/// `serve` on a fresh database: the first ADMIN's token lands in a file only its owner can
/// read; it works; the log holds neither tokens nor emails, even at trace level; SIGTERM stops
/// the server cleanly.
#[tokio::test]
async fn first_start_admin_token_and_a_clean_stop() {
    let dir = tempfile::tempdir().expect("dir");
    let token_file = dir.path().join("admin.token");
    let mut child = tindak(&dir.path().join("t.db"))
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .env("TINDAK_ADMIN_TOKEN_FILE", &token_file)
        .env("RUST_LOG", "trace")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("serving GraphQL on http://").nth(1) {
                let _ = addr_tx.send(rest.trim_end_matches("/graphql").to_owned());
            }
            all.push(line);
        }
        all
    });
    let addr = addr_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the server logs its address");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&token_file)
            .expect("token file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
    }
    let token = std::fs::read_to_string(&token_file)
        .expect("read")
        .trim()
        .to_owned();
    // The server keeps its memory in small pages (`memory::small_pages_only`).
    #[cfg(target_os = "linux")]
    assert!(
        std::fs::read_to_string(format!("/proc/{}/status", child.id()))
            .expect("the server's status")
            .lines()
            .any(|l| l.split_whitespace().eq(["THP_enabled:", "0"])),
        "transparent huge pages are off for the server"
    );
    let client = reqwest::Client::new();
    let email = "rahasia.liaison@kemlu.example.go.id";
    let res = client
        .post(format!("http://{addr}/graphql"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "query": "mutation($e: String!) { addLiaison(input: { ministry: { code: \"KEMLU\" }, name: \"Rahasia\", email: $e }) { email } }", "variables": { "e": email } }))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["data"]["addLiaison"]["email"], email, "{body:#}");
    let me: serde_json::Value = client
        .post(format!("http://{addr}/graphql"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "query": "{ me { role } }" }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(me["data"]["me"]["role"], "ADMIN");

    // The reminder worker runs inside serve: the demo's deadlines are past, so digests are due.
    let outbox = dir.path().join("outbox");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let digests = loop {
        let files: Vec<String> = std::fs::read_dir(&outbox)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .collect()
            })
            .unwrap_or_default();
        if files.len() >= 5 || std::time::Instant::now() > deadline {
            break files;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        !digests.is_empty(),
        "the worker wrote digests to the outbox"
    );
    assert!(digests.iter().all(|d| d.contains("Subject: [Tindak]")));

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not stop"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = reader.join().expect("log reader").join("\n");
    assert!(log.contains("shutting down"));
    assert!(
        log.contains(&token_file.display().to_string()),
        "the log says where the token is"
    );
    assert!(!log.contains(&token[4..]), "the token is not in the log");
    assert!(!log.contains(email), "emails are not in the log");
}

#[test]
fn remind_writes_readable_indonesian_digests_to_the_outbox() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.db");
    output(tindak(&db).arg("demo"));
    let (dry, _) = output(tindak(&db).args(["remind", "--as-of", "2026-03-01", "--dry-run"]));
    assert!(
        dry.contains("planned:   7")
            && dry.contains("due:       7")
            && dry.contains("sent:      0"),
        "{dry}"
    );
    assert!(
        !dir.path().join("outbox").exists()
            || std::fs::read_dir(dir.path().join("outbox"))
                .expect("dir")
                .count()
                == 0
    );
    let (out, _) = output(tindak(&db).args(["remind", "--as-of", "2026-03-01"]));
    assert!(
        out.contains("planned:   7") && out.contains("sent:      7 (in 5 emails)"),
        "{out}"
    );
    let emails: Vec<String> = std::fs::read_dir(dir.path().join("outbox"))
        .expect("outbox")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("eml"))
        .collect();
    assert_eq!(emails.len(), 5);
    let kemlu = emails
        .iter()
        .find(|e| e.contains("pwni@kemlu.example.go.id"))
        .expect("Kemlu's digest");
    assert!(kemlu.contains("Subject: [Tindak] Pengingat tindak lanjut: 1 lewat tenggat"));
    assert!(kemlu.contains("Yth. Direktorat Pelindungan WNI,"));
    assert!(kemlu.contains("BEGIN:VCALENDAR"));
    assert!(
        dir.path().join("tindak-secret.key").exists(),
        "the link key is made on first use"
    );
    let (again, _) = output(tindak(&db).args(["remind", "--as-of", "2026-03-01"]));
    assert!(
        again.contains("planned:   0") && again.contains("sent:      0"),
        "{again}"
    );
}

#[test]
fn slow_statements_are_logged_with_their_sql_and_never_their_values() {
    let dir = tempfile::tempdir().expect("dir");
    let seed = ["bench", "seed", "--actions", "5000"];
    let quiet = tindak(&dir.path().join("quiet.db"))
        .args(seed)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&quiet.stderr);
    assert!(quiet.status.success(), "{stderr}");
    assert!(
        !stderr.contains("slow statement"),
        "off by default: {stderr}"
    );

    // Writing 5,000 actions takes some 10 ms a batch here: well over a millisecond.
    let timed = tindak(&dir.path().join("timed.db"))
        .env("TINDAK_SLOW_STATEMENT_MS", "1")
        .args(seed)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&timed.stderr);
    assert!(timed.status.success(), "{stderr}");
    let slow: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("slow statement"))
        .collect();
    assert!(
        slow.iter()
            .any(|l| l.contains(r#"INSERT INTO \"actions\""#) && l.contains("elapsed=")),
        "the batches of actions are logged with their SQL and time: {stderr}"
    );
    for line in &slow {
        // What was written: the seeded titles and addresses stay out of the log.
        assert!(
            !line.contains("uji") && !line.contains("example.go.id"),
            "a value in the log: {line}"
        );
    }
}

#[test]
fn settings_out_of_range_stop_the_start_with_the_variable_named() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.db");
    let cases: [(&str, &str); 10] = [
        ("TINDAK_REMIND_LEASE_SECS", "-5"),
        ("TINDAK_REMIND_LEASE_SECS", "9223372036854775807"),
        ("TINDAK_REMIND_BEFORE_DAYS", "7,4294967295"),
        ("TINDAK_REMIND_INTERVAL", "99999999999999h"),
        ("TINDAK_REMIND_INTERVAL", "0"),
        ("MAIL_FROM", "Tindak <a..b@x.id>"),
        ("TINDAK_ESCALATION_EMAILS", "ok@x.example.go.id,a@[1.2.3.4]"),
        ("TINDAK_SMTP_TIMEOUT_SECS", "0"),
        ("TINDAK_SLOW_STATEMENT_MS", "-1"),
        ("TINDAK_SLOW_STATEMENT_MS", "5 ms"),
    ];
    for (var, value) in cases {
        let out = tindak(&db)
            .env(var, value)
            .args(["remind", "--dry-run"])
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{var}={value} was accepted");
        assert!(stderr.contains(var), "{var}={value}: {stderr}");
    }
    let out = tindak(&db)
        .args(["remind", "--dry-run", "--as-of", "2200-01-01"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("2199-12-31"));
    let out = tindak(&db)
        .env("TINDAK_REMIND_INTERVAL", "90")
        .env("TINDAK_SLOW_STATEMENT_MS", "250")
        .env("MAIL_FROM", "Sekretariat <sekretariat@example.go.id>")
        .args(["remind", "--dry-run", "--as-of", "2026-03-01"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
