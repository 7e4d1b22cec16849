//! `tindak bench run`: measures a running server against the same rows read by hand-written
//! SQL, in one run on one machine, and prints the figures side by side with their ratios.
//!
//! - the nested page (the first 100 OPEN actions with their lead ministry's name and their
//!   meeting's title) over HTTP with `clients` concurrent connections, and the same rows by
//!   hand-written SQL over a pool of the same size: requests per second, p50, p99;
//! - the server's CPU time per request and its peak RSS, from `/proc/{pid}` (Linux);
//! - `statusReport` (today and a past date) against the plain GROUP BY it stands on.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use super::{
    load::{Client, Load, Stepper, cpu_time, get, load, median, ms},
    reminders,
};
use crate::{
    config::Settings,
    reports::{Scope, service},
};

/// The query the benchmark sends.
pub const PAGE_QUERY: &str = "{ actions(first: 100, filter: { status: [OPEN] }) { nodes { id title dueOn leadMinistry { name } meeting { title } } } }";

/// The same rows, by hand.
pub(super) const PAGE_SQL: &str = "SELECT a.id, a.title, a.due_on, l.name, m.title AS meeting \
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
    /// The database (the server's) and the time zone.
    pub settings: Settings,
    /// Measure reminder planning and delivery too (on a seeded database only).
    pub reminders: bool,
    /// Measure reminder planning and delivery only: no server.
    pub only_reminders: bool,
}

/// What one run measured.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    /// The nested page over HTTP, and the same rows by SQL.
    pub http: Load,
    pub sql: Load,
    /// SQL statements per request, when the server counts them (`/metrics` on).
    pub statements: Option<f64>,
    pub cpu_per_request: Option<Duration>,
    pub reminders: Option<reminders::Figures>,
    pub split: super::inproc::Split,
}

/// The statements the server has run so far, from its `/metrics` page.
async fn statements(addr: &str) -> Option<u64> {
    let page = get(addr, "/metrics").await.ok()?;
    page.lines()
        .find_map(|l| l.strip_prefix("tindak_sql_statements_total "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|v| v as u64)
}

/// Runs every phase, prints the tables, and returns what it measured.
pub async fn run(db: &DatabaseConnection, plan: Plan) -> anyhow::Result<Figures> {
    use secrecy::ExposeSecret as _;
    let database_url = plan.settings.database_url.expose_secret().to_owned();
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
    if plan.only_reminders {
        println!("{engine}, {actions} actions");
        let day = plan.settings.today();
        let figures = reminders::run(db, &plan.settings, day).await?;
        print_reminders(&figures, day);
        return Ok(Figures {
            reminders: Some(figures),
            ..Figures::default()
        });
    }
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
    let statements_before = statements(&plan.addr).await;
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
    let statements_after = statements(&plan.addr).await;
    let mem = plan.pid.and_then(crate::memory::resident);
    let pool = crate::db::connect_with_pool(&database_url, plan.clients as u32).await?;
    let sql = load(plan.clients, plan.seconds, move |_| {
        let pool = pool.clone();
        async move { Ok(Stepper::Sql(pool)) }
    })
    .await;
    let per_request = |n: f64| n / http.requests.max(1) as f64;
    let statements = statements_before
        .zip(statements_after)
        .map(|(b, a)| per_request(a.saturating_sub(b) as f64));
    let cpu_per_request = cpu_before
        .zip(cpu_after)
        .map(|(b, a)| (a - b).div_f64(http.requests.max(1) as f64));
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
    println!();
    match cpu_per_request {
        Some(cpu) => println!(
            "server CPU per request: {:.2} ms",
            cpu.as_secs_f64() * 1000.0
        ),
        None => println!("server CPU per request: unknown (pass --pid)"),
    }
    if let Some((peak, now)) = mem {
        println!(
            "server memory: peak {} MiB, now {} MiB",
            peak / 1024,
            now / 1024
        );
    }
    match statements {
        Some(n) => println!("SQL statements per request: {n:.2}"),
        None => println!("SQL statements per request: unknown (the server runs without /metrics)"),
    }
    let split = super::inproc::run(db, &plan.settings, 500).await?;
    print_split(&split);
    status_report(db, &plan.settings).await?;
    let reminders = if plan.reminders {
        let day = plan.settings.today();
        let figures = reminders::run(db, &plan.settings, day).await?;
        print_reminders(&figures, day);
        Some(figures)
    } else {
        None
    };
    Ok(Figures {
        http,
        sql,
        statements,
        cpu_per_request,
        reminders,
        split,
    })
}

/// `statusReport` for today and 180 days ago against the plain GROUP BY it stands on.
async fn status_report(db: &DatabaseConnection, settings: &Settings) -> anyhow::Result<()> {
    let scope = Scope::default();
    let now = crate::db::now();
    let tz = settings.timezone;
    let today = now.with_timezone(&tz).date_naive();
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
        Ok(service::report(db, &scope, tz, today, now).await?)
    })
    .await?;
    let report_past = median(3, || async {
        Ok(service::report(db, &scope, tz, past, now).await?)
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
    Ok(())
}

fn print_split(s: &super::inproc::Split) {
    let ms2 = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
    println!(
        "\n| the nested page in the process, one at a time ({} each) | per request | ratio | CPU per request | ratio |",
        s.rounds
    );
    println!("| --- | --- | --- | --- | --- |");
    let ratio = |d: Duration, of: Duration| d.as_secs_f64() / of.as_secs_f64().max(1e-9);
    let line = |what: &str, wall: Duration, cpu: Duration| {
        println!(
            "| {what} | {} | {:.1}x | {} | {:.1}x |",
            ms2(wall),
            ratio(wall, s.wall.sql),
            ms2(cpu),
            ratio(cpu, s.cpu.sql)
        );
    };
    line("its statement by hand-written SQL", s.wall.sql, s.cpu.sql);
    line(
        "the GraphQL execution (validate, resolve)",
        s.wall.graphql,
        s.cpu.graphql,
    );
    line(
        "async-graphql alone: the same query, the rows in memory",
        s.wall.bare,
        s.cpu.bare,
    );
}

fn print_reminders(f: &reminders::Figures, day: chrono::NaiveDate) {
    println!(
        "\nreminders: {} open actions, {} liaisons, planned for {day} and the day after",
        f.open_actions, f.liaisons
    );
    println!("| reminders | reminders | time | rate |");
    println!("| --- | --- | --- | --- |");
    let planned = |what: &str, p: &reminders::Planned| {
        println!("| planning, {what} | {} | {} | |", p.reminders, ms(p.time));
    };
    let sent = |what: &str, s: &reminders::Sent| {
        println!(
            "| delivery, {what} ({} emails, {} accepted by the server) | {} | {} | {:.0} emails/s |",
            s.emails,
            s.accepted,
            s.reminders,
            ms(s.time),
            s.emails_per_second()
        );
    };
    planned("backlog (an empty outbox)", &f.backlog);
    println!(
        "| by hand: the backlog's reminders by one INSERT … SELECT (an empty outbox, one transaction) | {} | {} | planning {:.2}x |",
        f.by_hand.reminders,
        ms(f.by_hand.time),
        f.backlog.time.as_secs_f64() / f.by_hand.time.as_secs_f64().max(1e-9)
    );
    planned("the same day again", &f.again);
    sent("backlog", &f.backlog_sent);
    planned("the next day", &f.next_day);
    sent("the next day", &f.next_day_sent);
    sent("small digests (a few reminders each)", &f.small_sent);
    if let Some((kept, returned)) = f.resident {
        println!(
            "resident memory after the runs: {} MiB; {} MiB once the freed memory is given back",
            kept / 1024,
            returned / 1024
        );
    }
}
