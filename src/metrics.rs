//! Metrics for operators, in the Prometheus text format at `GET /metrics`.
//!
//! Counters and histograms are recorded as things happen (requests, reminder runs); the state
//! of the outbox is read from the database when the page is asked for, so that every replica
//! reports the same shared outbox.

use std::{sync::OnceLock, time::Duration};

use chrono::Utc;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sea_orm::DatabaseConnection;

/// Latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The process's recorder (one per process: every server in it shares it).
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new().set_buckets(&BUCKETS).ok()?;
            match builder.install_recorder() {
                Ok(handle) => Some(handle),
                Err(error) => {
                    tracing::warn!(%error, "metrics are not recorded");
                    None
                }
            }
        })
        .as_ref()
}

/// One GraphQL request: its root field (or `invalid`, `unauthenticated`, `refused`), how it
/// ended (`ok`, `error`, `rejected`) and how long it took.
pub fn request(operation: &str, outcome: &'static str, took: Duration) {
    let operation = operation.to_owned();
    metrics::counter!("tindak_http_requests_total", "operation" => operation.clone(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("tindak_http_request_duration_seconds", "operation" => operation)
        .record(took.as_secs_f64());
}

/// What a reminder run did, by counter: `planned`, `cancelled`, `sent`, `retried`,
/// `failed`, and `emails`.
pub fn reminders_ran(counts: [(&'static str, u64); 6]) {
    for (what, n) in counts {
        let name = match what {
            "emails" => "tindak_reminder_emails_total".to_owned(),
            _ => format!("tindak_reminders_{what}_total"),
        };
        metrics::counter!(name).increment(n);
    }
}

/// The worker of this process completed a run at `at` (seconds since the epoch).
pub fn worker_completed(at: i64) {
    metrics::gauge!("tindak_worker_last_success_timestamp_seconds").set(at as f64);
}

/// Counts every SQL statement `db` (and every clone made of it afterwards) runs, as
/// `tindak_sql_statements_total`: what `tindak bench run` divides by the requests it sent.
pub fn count_statements(db: &mut DatabaseConnection) {
    let counter = metrics::counter!("tindak_sql_statements_total");
    db.set_metric_callback(move |_| counter.increment(1));
}

/// The page: what was recorded, and the outbox as it is now.
pub async fn render(db: &DatabaseConnection) -> crate::error::AppResult<String> {
    let crate::reminders::deliver::Depth {
        due,
        leased,
        oldest_due_secs: oldest,
    } = crate::reminders::deliver::depth(db, Utc::now()).await?;
    let mut page = handle().map(PrometheusHandle::render).unwrap_or_default();
    page.push_str(&format!(
        "# HELP tindak_outbox_due Reminders due for delivery now.\n\
         # TYPE tindak_outbox_due gauge\ntindak_outbox_due {due}\n\
         # HELP tindak_outbox_leased Due reminders whose recipient a worker holds under a lease.\n\
         # TYPE tindak_outbox_leased gauge\ntindak_outbox_leased {leased}\n\
         # HELP tindak_outbox_oldest_due_age_seconds How long the oldest due reminder has waited.\n\
         # TYPE tindak_outbox_oldest_due_age_seconds gauge\ntindak_outbox_oldest_due_age_seconds {oldest}\n"
    ));
    Ok(page)
}
