//! Measures `statusReport` over generated data against the plain GROUP BY it stands on, in
//! the same run on the same rows: the report for today and for a past date (rebuilt from
//! the timelines), and `SELECT lead, status, COUNT(*) ... GROUP BY` for comparison.
//!
//! ```sh
//! cargo run --release --example bench_report -- [ACTIONS] [ROUNDS]
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench cargo run --release --example bench_report
//! ```
//! Without `DATABASE_URL` it uses a fresh SQLite file in a temporary folder. The database
//! given is filled by `tindak bench seed`'s generator: use an empty one.

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Statement};
use tindak::{
    bench::seed::{Plan, seed},
    reports::{Scope, service},
};

/// The median of `rounds` runs of `f`.
async fn timed<F, Fut, T>(rounds: usize, mut f: F) -> anyhow::Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        f().await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times[times.len() / 2])
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let actions: u64 = args.next().map_or(Ok(100_000), |a| a.parse())?;
    let rounds: usize = args.next().map_or(Ok(5), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        )
    });
    let db = tindak::db::connect(&url).await?;
    tindak::db::migrate(&db).await?;
    let tz = chrono_tz::Asia::Jakarta;
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let started = Instant::now();
    let seeded = seed(
        &db,
        tz,
        Plan {
            actions,
            meetings: (actions / 50).max(1),
            ministries: 60,
            seed: 1,
            today,
        },
    )
    .await?;
    println!(
        "{} on {:?}: seeded {} actions, {} timeline entries in {:.1?}",
        if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        db.get_database_backend(),
        seeded.actions,
        seeded.updates,
        started.elapsed()
    );
    let scope = Scope::default();
    let past = today - chrono::Duration::days(180);
    let now = tindak::db::now();
    let plain = || async {
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT lead_ministry_id, status, COUNT(*) AS n FROM actions \
                 GROUP BY lead_ministry_id, status",
            ))
            .await?;
        Ok(rows.len())
    };
    let group_by = timed(rounds, plain).await?;
    let report_today = timed(rounds, || async {
        Ok(service::report(&db, &scope, tz, today, now).await?)
    })
    .await?;
    let report_past = timed(rounds, || async {
        Ok(service::report(&db, &scope, tz, past, now).await?)
    })
    .await?;
    let trend = timed(rounds, || async {
        Ok(service::trend(&db, &scope, tz, today, 12, now).await?)
    })
    .await?;
    let ratio = |d: Duration| d.as_secs_f64() / group_by.as_secs_f64();
    println!("median of {rounds} rounds:");
    println!("  plain GROUP BY lead, status      {group_by:>10.1?}   1.0x");
    println!(
        "  statusReport, today              {report_today:>10.1?}   {:.1}x",
        ratio(report_today)
    );
    println!(
        "  statusReport, {past}         {report_past:>10.1?}   {:.1}x",
        ratio(report_past)
    );
    println!(
        "  trend, 12 weeks (11 rebuilt)     {trend:>10.1?}   {:.1}x",
        ratio(trend)
    );
    Ok(())
}
