//! The `tindak` binary: schema, demo, and a graceful stop of `serve`.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::Duration,
};

fn tindak(db: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tindak"));
    cmd.env(
        "DATABASE_URL",
        format!("sqlite://{}?mode=rwc", db.display()),
    )
    .env("RUST_LOG", "info")
    .env_remove("TINDAK_BIND");
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

#[test]
fn serve_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("dir");
    let mut child = tindak(&dir.path().join("t.db"))
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server logs its address")
            .expect("line");
        if let Some(rest) = line.split("serving GraphQL on http://").nth(1) {
            break rest.trim_end_matches("/graphql").to_owned();
        }
    };
    let health =
        std::net::TcpStream::connect_timeout(&addr.parse().expect("addr"), Duration::from_secs(5));
    assert!(health.is_ok(), "the server accepts connections on {addr}");
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
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("shutting down")), "{rest:?}");
}
