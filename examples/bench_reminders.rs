//! Measures the reminder service: how long planning takes over many open actions, and how
//! many digests a run sends per second to an SMTP server on this machine.
//!
//! ```sh
//! cargo run --release --example bench_reminders -- [ACTIONS] [MINISTRIES]
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench cargo run --release --example bench_reminders
//! ```
//! Without `DATABASE_URL` it uses a fresh SQLite file in a temporary folder. The database
//! given is filled with generated data: use an empty one.

use std::{sync::Arc, time::Instant};

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use entity::{
    action,
    enums::{ActionStatus, Priority},
};
use sea_orm::{EntityTrait, Set};
use tindak::{
    actor::Who,
    config::{MailSettings, RemindSettings, Settings},
    meetings::service::NewMeeting,
    ministries::{liaisons, service as ministries},
    reminders::{plan, worker::Reminders},
};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};
use uuid::Uuid;

/// An SMTP server that accepts everything and keeps nothing, counting messages.
async fn sink(count: Arc<std::sync::atomic::AtomicU64>) -> anyhow::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let count = count.clone();
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read);
                let mut line = String::new();
                let _ = write.write_all(b"220 bench\r\n").await;
                let mut in_data = false;
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if in_data {
                        if line == ".\r\n" {
                            in_data = false;
                            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let _ = write.write_all(b"250 OK\r\n").await;
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-bench\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 go\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok(format!("smtp://{addr}"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let n_actions: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let n_ministries: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(500);
    let dir = tempfile::tempdir()?;
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        )
    });
    let engine = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let db = tindak::db::connect(&url).await?;
    tindak::db::migrate(&db).await?;

    let started = Instant::now();
    let cli = Who::cli();
    for i in 0..n_ministries {
        let code = format!("KL{i:04}");
        ministries::create(
            &db,
            &cli,
            ministries::NewMinistry {
                code: code.clone(),
                name: format!("Kementerian {i}"),
                short_name: None,
                kind: ministries::MinistryKind::Ministry,
                parent: None,
            },
        )
        .await?;
        liaisons::add(
            &db,
            &cli,
            liaisons::AddLiaisonInput {
                ministry: ministries::MinistryRef::Code(code),
                name: format!("Liaison {i}"),
                email: format!("liaison{i}@kl{i}.example.go.id"),
                position: None,
                language: None,
                receives_reminders: None,
            },
        )
        .await?;
    }
    let ids: Vec<Uuid> = {
        use sea_orm::{EntityTrait, QueryOrder};
        entity::ministry::Entity::find()
            .order_by_asc(entity::ministry::Column::Code)
            .all(&db)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect()
    };
    let meeting = tindak::meetings::service::record(
        &db,
        &cli,
        NewMeeting {
            title: "Rapat koordinasi (data uji)".into(),
            starts_at: Utc::now(),
            time_zone: None,
            location: None,
            chair: None,
            chair_position: None,
            convened_by: ministries::MinistryRef::Code("KL0000".into()),
            summary: None,
            source_url: None,
            attendees: vec![],
            issues: vec![],
            actions: vec![],
        },
        chrono_tz::Asia::Jakarta,
    )
    .await?;
    let day = NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
    let now = Utc::now();
    let mut rows = Vec::with_capacity(1_000);
    for i in 0..n_actions {
        // Deadlines spread over a year around the day measured.
        let due = day + Duration::days((i % 365) as i64 - 182);
        rows.push(action::ActiveModel {
            id: Set(Uuid::now_v7()),
            meeting_id: Set(meeting.id),
            issue_id: Set(None),
            title: Set(format!("Tindak lanjut {i}")),
            description: Set(None),
            lead_ministry_id: Set(ids[i % ids.len()]),
            due_on: Set(due),
            original_due_on: Set(due),
            priority: Set(Priority::Normal),
            status: Set(ActionStatus::Open),
            completed_on: Set(None),
            search: Set(action::search_of(&format!("Tindak lanjut {i}"), None)),
            version: Set(1),
            next_reminder_on: Set(action::PLAN_NOW),
            reminder_generation: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
        });
        if rows.len() == 1_000 {
            action::Entity::insert_many(std::mem::take(&mut rows))
                .exec(&db)
                .await?;
        }
    }
    if !rows.is_empty() {
        action::Entity::insert_many(rows).exec(&db).await?;
    }
    println!(
        "{engine}: {n_actions} open actions, {n_ministries} ministries with one liaison each (set up in {:.1?})",
        started.elapsed()
    );

    let count = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let smtp = sink(count.clone()).await?;
    let remind = RemindSettings {
        remind_before_days: vec![7, 1],
        remind_overdue_every_days: 7,
        escalate_after_days: 14,
        escalation_emails: vec![],
        remind_interval: std::time::Duration::from_secs(300),
        remind_max_attempts: 6,
        remind_lease_secs: 600,
        leadership_digest: tindak::config::Weekly::Off,
        leadership_emails: vec![],
        mail: MailSettings {
            smtp_url: std::env::var("BENCH_FILES").is_err().then_some(smtp.into()),
            mail_from: "Tindak <tindak@example.go.id>".parse().expect("sender"),
            mail_dir: dir.path().join("outbox"),
            smtp_timeout_secs: 30,
            public_url: "http://127.0.0.1:8080".into(),
            secret: Some("bench".into()),
            secret_file: dir.path().join("secret"),
        },
    };
    let settings = Settings {
        database_url: url.into(),
        timezone: chrono_tz::Asia::Jakarta,
    };
    let service = Reminders::new(db.clone(), settings, remind)?;

    let t = Instant::now();
    let planned = plan::plan(&db, &service.policy, &[], day, now).await?;
    plan::refresh_statistics(&db, planned).await?;
    let first = t.elapsed();
    let t = Instant::now();
    let again = plan::plan(&db, &service.policy, &[], day, now).await?;
    let second = t.elapsed();
    println!(
        "planning, first run (a backlog: every overdue action, plus escalations): {planned} reminders in {first:.2?}"
    );
    println!("planning, same day again (idempotent): {again} new in {second:.2?}");

    let t = Instant::now();
    let delivered = service
        .courier()
        .run(day, Utc.from_utc_datetime(&now.naive_utc()), &|| false)
        .await?;
    let elapsed = t.elapsed();
    println!(
        "delivery: {} emails carrying {} reminders in {elapsed:.2?}: {:.0} emails/s, {:.0} reminders/s (server counted {})",
        delivered.emails,
        delivered.sent,
        delivered.emails as f64 / elapsed.as_secs_f64(),
        delivered.sent as f64 / elapsed.as_secs_f64(),
        count.load(std::sync::atomic::Ordering::Relaxed)
    );

    // The everyday case: the next day, only what comes due that day.
    let next = day + Duration::days(1);
    let t = Instant::now();
    let planned = plan::plan(&db, &service.policy, &[], next, now).await?;
    plan::refresh_statistics(&db, planned).await?;
    let plan_next = t.elapsed();
    let t = Instant::now();
    let delivered = service.courier().run(next, now, &|| false).await?;
    println!(
        "next day: planned {planned} in {plan_next:.2?}; sent {} emails in {:.2?}",
        delivered.emails,
        t.elapsed()
    );
    Ok(())
}
