//! The reminder service: one run plans and delivers; the worker repeats runs on an interval.

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;
use tokio::sync::watch;
use tracing::Instrument;

use super::{
    deliver::{Courier, Delivered},
    links::{LinkSigner, load_or_create_key},
    load::Links,
    mail::Mailer,
    plan,
    policy::Policy,
};
use crate::{
    config::{RemindSettings, Settings},
    db::now,
    error::AppResult,
};

/// Everything a run needs; shared by `serve`'s worker, `tindak remind` and `runReminders`.
pub struct Reminders {
    pub db: DatabaseConnection,
    pub settings: Settings,
    pub remind: RemindSettings,
    pub policy: Policy,
    pub mailer: Mailer,
    pub signer: LinkSigner,
    /// Names this process in leases, so that an operator can tell workers apart.
    pub worker: String,
    /// Where deliveries of this process take turns writing, on SQLite.
    write_turn: tokio::sync::Mutex<()>,
    health: Health,
}

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    pub planned: u64,
    pub cancelled: u64,
    pub emails: u64,
    pub sent: u64,
    pub retried: u64,
    pub failed: u64,
    /// Reminders due for delivery (filled in on a dry run, which sends nothing).
    pub due: u64,
    /// Weekly leadership digests planned, and sent.
    pub leadership_planned: u64,
    pub leadership_sent: u64,
}

impl std::fmt::Display for RunReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "planned {}, cancelled {}, sent {} in {} emails, retried {}, failed {}",
            self.planned, self.cancelled, self.sent, self.emails, self.retried, self.failed
        )?;
        if self.due > 0 {
            write!(f, ", due {}", self.due)?;
        }
        if self.leadership_planned > 0 || self.leadership_sent > 0 {
            write!(
                f,
                "; leadership digests planned {}, sent {}",
                self.leadership_planned, self.leadership_sent
            )?;
        }
        Ok(())
    }
}

impl Reminders {
    pub fn new(
        db: DatabaseConnection,
        settings: Settings,
        remind: RemindSettings,
    ) -> anyhow::Result<Self> {
        let secret = remind.mail.secret.as_ref().map(|s| s.expose_secret());
        let key = load_or_create_key(secret, &remind.mail.secret_file)?;
        let mailer = Mailer::from_settings(&remind.mail)?;
        let worker = format!("{}-{}", std::process::id(), uuid::Uuid::now_v7().simple());
        Ok(Self {
            policy: Policy::from_settings(&remind),
            signer: LinkSigner::new(&key),
            mailer,
            db,
            settings,
            remind,
            worker,
            write_turn: tokio::sync::Mutex::new(()),
            health: Health::default(),
        })
    }

    pub fn courier(&self) -> Courier<'_> {
        Courier {
            db: &self.db,
            mailer: &self.mailer,
            links: Links {
                signer: &self.signer,
                public_url: &self.remind.mail.public_url,
            },
            mail_from: &self.remind.mail.mail_from,
            lease: Duration::seconds(self.remind.remind_lease_secs),
            max_attempts: self.remind.remind_max_attempts,
            worker: &self.worker,
            timezone: self.settings.timezone,
            write_turn: (self.db.get_database_backend() == sea_orm::DbBackend::Sqlite)
                .then_some(&self.write_turn),
        }
    }

    /// Plans for `as_of` (today by default) and delivers what is due now.
    pub async fn run(&self, as_of: Option<NaiveDate>, dry_run: bool) -> AppResult<RunReport> {
        self.run_at(
            as_of.unwrap_or_else(|| self.settings.today()),
            now(),
            dry_run,
            &|| false,
        )
        .await
    }

    /// One run as if it were `now`; a dry run plans in a transaction it rolls back, and sends
    /// nothing.
    pub async fn run_at(
        &self,
        day: NaiveDate,
        now: DateTime<Utc>,
        dry_run: bool,
        stop: &(dyn Fn() -> bool + Send + Sync),
    ) -> AppResult<RunReport> {
        let escalation = &self.remind.escalation_emails;
        // A dry run plans in one transaction that it rolls back; a real one cancels what
        // became stale first, then plans reading beside its writes.
        let (txn, cancelled, planned) = if dry_run {
            let txn = plan::begin(&self.db).await?;
            let cancelled = plan::cancel_stale(&txn).await?;
            let planned = plan::plan(&txn, &self.policy, escalation, day, now).await?;
            (txn, cancelled, planned)
        } else {
            let cancelled = plan::settle(&self.db, &self.policy, escalation).await?;
            let txn = plan::begin(&self.db).await?;
            let planned =
                plan::plan_alongside(&txn, &self.db, &self.policy, escalation, day, now).await?;
            (txn, cancelled, planned)
        };
        let slot = super::leadership::slot(
            self.remind.leadership_digest,
            day,
            now,
            self.settings.timezone,
        );
        let leadership_planned = match slot {
            Some(slot) => {
                super::leadership::plan(&txn, slot, &self.remind.leadership_emails, now).await?
            }
            None => 0,
        };
        let mut report = RunReport {
            planned,
            cancelled,
            leadership_planned,
            ..RunReport::default()
        };
        if dry_run {
            report.due = super::deliver::count_due(&txn, now).await?;
            txn.rollback().await?;
            return Ok(report);
        }
        txn.commit().await?;
        plan::refresh_statistics(&self.db, planned).await?;
        let Delivered {
            emails,
            sent,
            retried,
            failed,
        } = self.courier().run(day, now, stop).await?;
        if !stop() {
            report.leadership_sent = super::leadership::deliver(self, now).await?.sent;
        }
        report.emails = emails;
        report.sent = sent;
        report.retried = retried;
        report.failed = failed;
        crate::metrics::reminders_ran([
            ("planned", report.planned),
            ("cancelled", report.cancelled),
            ("sent", report.sent),
            ("retried", report.retried),
            ("failed", report.failed),
            ("emails", report.emails),
        ]);
        Ok(report)
    }

    /// Runs every interval until `shutdown` turns true; the email in flight is finished and
    /// nothing else is claimed after that. Each run is a task of its own, with an id in the
    /// log: an error or a panic in one run is logged under that id, and the next run happens
    /// on schedule all the same.
    pub async fn run_forever(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let interval = self.remind.remind_interval;
        self.health.started();
        tracing::info!(
            every = ?interval,
            mail = %self.mailer.describe(&self.remind.mail),
            "reminder worker started"
        );
        loop {
            let run_id = uuid::Uuid::now_v7();
            let span = tracing::info_span!("reminder_run", run_id = %run_id);
            let stop = shutdown.clone();
            let this = self.clone();
            let run = tokio::spawn(
                async move {
                    let stopping = move || *stop.borrow();
                    this.run_at(this.settings.today(), now(), false, &stopping)
                        .await
                }
                .instrument(span),
            );
            match run.await {
                Ok(Ok(report)) => {
                    self.health.completed();
                    if report != RunReport::default() {
                        tracing::info!(%run_id, "reminders: {report}");
                        // What the run read, planned and sent is freed: give it back rather
                        // than keep it resident until the next run.
                        crate::memory::release_freed();
                    }
                }
                Ok(Err(err)) => {
                    tracing::error!(%run_id, error = %err, "reminder run failed; trying again next time")
                }
                Err(err) if err.is_panic() => {
                    let panic = err.into_panic();
                    let detail = crate::error::panic_message(panic.as_ref());
                    tracing::error!(%run_id, panic = detail, "reminder run panicked; trying again next time")
                }
                Err(err) => {
                    tracing::error!(%run_id, error = %err, "reminder run was cancelled")
                }
            }
            if *shutdown.borrow() {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = shutdown.changed() => break,
            }
        }
        tracing::info!("reminder worker stopped");
    }

    /// Why this process is not ready, if it is not: its worker has not completed a run for
    /// three intervals.
    pub fn unready(&self) -> Option<String> {
        self.health.stalled(self.remind.remind_interval * 3)
    }
}

/// When the worker of this process last completed a run (seconds since the epoch; 0 when it
/// has not started).
#[derive(Default)]
pub struct Health {
    started: AtomicI64,
    completed: AtomicI64,
}

impl Health {
    fn started(&self) {
        self.started
            .store(Utc::now().timestamp(), Ordering::Relaxed);
    }

    fn completed(&self) {
        let at = Utc::now().timestamp();
        self.completed.store(at, Ordering::Relaxed);
        crate::metrics::worker_completed(at);
    }

    /// The reason the worker looks stuck: no run completed within `limit` of now (counting
    /// from its start when none has completed yet). `None` when it is well or not running.
    fn stalled(&self, limit: std::time::Duration) -> Option<String> {
        let started = self.started.load(Ordering::Relaxed);
        if started == 0 {
            return None;
        }
        let completed = self.completed.load(Ordering::Relaxed);
        let since = completed.max(started);
        let quiet = Utc::now().timestamp() - since;
        let limit = i64::try_from(limit.as_secs()).unwrap_or(i64::MAX);
        (quiet > limit).then(|| {
            if completed == 0 {
                format!(
                    "the reminder worker has not completed a run in the {quiet} s since it started"
                )
            } else {
                format!("the reminder worker has not completed a run for {quiet} s")
            }
        })
    }
}
