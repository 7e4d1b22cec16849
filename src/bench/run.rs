//! `tindak bench run`: measures a running server against the same rows read by hand-written
//! SQL, in one run on one machine, and prints the figures side by side with their ratios.
//!
//! - the nested page (the first 100 OPEN actions with their lead ministry's name and their
//!   meeting's title) over HTTP with `clients` concurrent connections, and the same rows by
//!   hand-written SQL over a pool of the same size: requests per second, p50, p99;
//! - the server's CPU time per request and its peak RSS, from `/proc/{pid}` (Linux);
//! - `statusReport` (today and a past date) against the plain GROUP BY it stands on.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono_tz::Tz;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::reports::{Scope, service};

/// The query the benchmark sends.
pub const PAGE_QUERY: &str = "{ actions(first: 100, filter: { status: [OPEN] }) { nodes { id title dueOn leadMinistry { name } meeting { title } } } }";

/// The same rows, by hand.
const PAGE_SQL: &str = "SELECT a.id, a.title, a.due_on, l.name, m.title AS meeting \
     FROM actions a JOIN ministries l ON l.id = a.lead_ministry_id \
     JOIN meetings m ON m.id = a.meeting_id \
     WHERE a.status = 'OPEN' ORDER BY a.due_on, a.id LIMIT 100";

/// What to measure, and against what.
pub struct Plan {
    /// `host:port` of the running server.
    pub addr: String,
    pub token: String,
    pub clients: usize,
    pub seconds: u64,
    /// The server's process, for CPU time and RSS.
    pub pid: Option<u32>,
    pub tz: Tz,
}

/// Latencies of one phase.
#[derive(Debug, Clone, Default)]
pub struct Load {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
}

impl Load {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn from(mut times: Vec<Duration>, errors: u64, elapsed: Duration) -> Self {
        times.sort();
        let at = |q: f64| {
            times
                .get(((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        Self {
            requests: times.len() as u64,
            errors,
            elapsed,
            p50: at(0.50),
            p99: at(0.99),
        }
    }
}

/// One keep-alive HTTP/1.1 connection that posts the query and reads whole answers.
struct Client {
    stream: TcpStream,
    request: Vec<u8>,
    buf: Vec<u8>,
}

impl Client {
    async fn connect(addr: &str, token: &str, query: &str) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("could not connect to {addr}"))?;
        stream.set_nodelay(true)?;
        let body = serde_json::json!({ "query": query }).to_string();
        let request = format!(
            "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes();
        Ok(Self {
            stream,
            request,
            buf: Vec::with_capacity(64 * 1024),
        })
    }

    /// Sends the query once; `Ok(true)` for a 200 without GraphQL errors.
    async fn once(&mut self) -> anyhow::Result<bool> {
        self.stream.write_all(&self.request).await?;
        self.buf.clear();
        let mut chunk = [0u8; 16 * 1024];
        let (head_end, length) = loop {
            let n = self.stream.read(&mut chunk).await?;
            anyhow::ensure!(n > 0, "the server closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .context("an answer without Content-Length")?;
                break (end + 4, length);
            }
        };
        while self.buf.len() < head_end + length {
            let n = self.stream.read(&mut chunk).await?;
            anyhow::ensure!(n > 0, "the server closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
        }
        let ok = self.buf.starts_with(b"HTTP/1.1 200")
            && !self.buf[head_end..head_end + length]
                .windows(9)
                .any(|w| w == b"\"errors\"");
        Ok(ok)
    }
}

/// Runs `clients` loops of `step` for `seconds`, collecting each step's time.
async fn load<F, Fut>(clients: usize, seconds: u64, step: F) -> Load
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = anyhow::Result<Stepper>> + Send,
{
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let mut tasks = Vec::with_capacity(clients);
    for i in 0..clients {
        let make = step.clone();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0u64;
            let Ok(mut stepper) = make(i).await else {
                return (times, 1);
            };
            while Instant::now() < until {
                let t = Instant::now();
                match stepper.step().await {
                    Ok(true) => times.push(t.elapsed()),
                    _ => errors += 1,
                }
            }
            (times, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((times, e)) = t.await {
            all.extend(times);
            errors += e;
        }
    }
    Load::from(all, errors, started.elapsed())
}

/// One client of a load phase.
enum Stepper {
    Http(Client),
    Sql(DatabaseConnection),
}

impl Stepper {
    async fn step(&mut self) -> anyhow::Result<bool> {
        match self {
            Self::Http(c) => c.once().await,
            Self::Sql(db) => {
                let rows = db
                    .query_all_raw(Statement::from_string(db.get_database_backend(), PAGE_SQL))
                    .await?;
                Ok(!rows.is_empty())
            }
        }
    }
}

/// CPU time (user + system) of a process so far, from `/proc/{pid}/stat`.
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // The kernel counts in USER_HZ, 100 per second on Linux.
    Some(Duration::from_millis(ticks * 10))
}

/// Peak and current resident memory of a process, in KiB.
fn memory(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The median of `rounds` runs of `f`.
async fn median<F, Fut, T>(rounds: usize, mut f: F) -> anyhow::Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        f().await?;
        times.push(t.elapsed());
    }
    times.sort();
    Ok(times[times.len() / 2])
}

/// Runs every phase, prints the table, and returns the load of the page over HTTP and by SQL.
pub async fn run(
    db: &DatabaseConnection,
    database_url: &str,
    plan: Plan,
) -> anyhow::Result<(Load, Load)> {
    let engine = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "PostgreSQL",
        _ => "SQLite",
    };
    let actions = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM actions",
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or_default();
    println!(
        "{engine}, {actions} actions; {} clients for {} s each phase",
        plan.clients, plan.seconds
    );
    // A first request checks the token and warms the server.
    let mut probe = Client::connect(&plan.addr, &plan.token, PAGE_QUERY).await?;
    anyhow::ensure!(
        probe.once().await?,
        "the server did not answer the page query with data: is the token valid?"
    );
    let cpu_before = plan.pid.and_then(cpu_time);
    let (addr, token) = (plan.addr.clone(), plan.token.clone());
    let http = load(plan.clients, plan.seconds, move |_| {
        let (addr, token) = (addr.clone(), token.clone());
        async move {
            Ok(Stepper::Http(
                Client::connect(&addr, &token, PAGE_QUERY).await?,
            ))
        }
    })
    .await;
    let cpu_after = plan.pid.and_then(cpu_time);
    let mem = plan.pid.and_then(memory);
    let pool = crate::db::connect_with_pool(database_url, plan.clients as u32).await?;
    let sql = load(plan.clients, plan.seconds, move |_| {
        let pool = pool.clone();
        async move { Ok(Stepper::Sql(pool)) }
    })
    .await;
    println!();
    println!("| the nested page | req/s | p50 | p99 | errors |");
    println!("| --- | --- | --- | --- | --- |");
    println!(
        "| Tindak over HTTP | {:.0} | {} | {} | {} |",
        http.per_second(),
        ms(http.p50),
        ms(http.p99),
        http.errors
    );
    println!(
        "| the same rows by hand-written SQL | {:.0} | {} | {} | {} |",
        sql.per_second(),
        ms(sql.p50),
        ms(sql.p99),
        sql.errors
    );
    println!(
        "| ratio | {:.0}% | | | |",
        100.0 * http.per_second() / sql.per_second().max(1e-9)
    );
    if let (Some(before), Some(after)) = (cpu_before, cpu_after) {
        let per = (after - before).as_secs_f64() * 1000.0 / http.requests.max(1) as f64;
        println!("\nserver CPU per request: {per:.2} ms");
    }
    if let Some((peak, now)) = mem {
        println!(
            "server memory: peak {} MiB, now {} MiB",
            peak / 1024,
            now / 1024
        );
    }
    let scope = Scope::default();
    let now = crate::db::now();
    let today = now.with_timezone(&plan.tz).date_naive();
    let past = today - chrono::Duration::days(180);
    let plain = median(3, || async {
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT lead_ministry_id, status, COUNT(*) AS n FROM actions \
                 GROUP BY lead_ministry_id, status",
            ))
            .await?;
        Ok(rows.len())
    })
    .await?;
    let report_today = median(3, || async {
        Ok(service::report(db, &scope, plan.tz, today, now).await?)
    })
    .await?;
    let report_past = median(3, || async {
        Ok(service::report(db, &scope, plan.tz, past, now).await?)
    })
    .await?;
    println!("\n| statusReport (median of 3) | time | ratio |");
    println!("| --- | --- | --- |");
    println!("| plain GROUP BY lead, status | {} | 1x |", ms(plain));
    let ratio = |d: Duration| d.as_secs_f64() / plain.as_secs_f64().max(1e-9);
    println!(
        "| today | {} | {:.0}x |",
        ms(report_today),
        ratio(report_today)
    );
    println!(
        "| {past} (rebuilt from timelines) | {} | {:.0}x |",
        ms(report_past),
        ratio(report_past)
    );
    Ok((http, sql))
}
