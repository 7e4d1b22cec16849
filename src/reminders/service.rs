//! The outbox as the API sees it: listing reminders, and running the service by hand.

use std::sync::Arc;

use chrono::NaiveDate;
use entity::{enums::ReminderStatus, reminder};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Select,
};
use uuid::Uuid;

use super::worker::{Reminders, RunReport};
use crate::{
    actions::filter::involving,
    actor::Who,
    audit::service::{self as audit, Entry},
    auth::policy::{Operation, authorize},
    error::{AppError, AppResult},
    ministries::service::{MinistryRef, resolve},
};

/// Which reminders to list.
#[derive(Debug, Clone, Default)]
pub struct ReminderFilter {
    pub status: Option<Vec<ReminderStatus>>,
    pub action_id: Option<Uuid>,
    /// Reminders about actions this ministry leads or supports.
    pub ministry: Option<MinistryRef>,
}

/// Reminders matching `filter`, newest first.
pub async fn list_query<C: ConnectionTrait>(
    db: &C,
    f: ReminderFilter,
) -> AppResult<Select<reminder::Entity>> {
    let mut cond = Condition::all();
    if let Some(statuses) = f.status {
        cond = cond.add(super::lease::status_in(&statuses));
    }
    if let Some(id) = f.action_id {
        cond = cond.add(reminder::Column::ActionId.eq(id));
    }
    if let Some(r) = &f.ministry {
        let m = resolve(db, r, "filter.ministry").await?;
        cond = cond.add(involving(reminder::Column::ActionId, m.id));
    }
    Ok(reminder::Entity::find()
        .filter(cond)
        .order_by_desc(reminder::Column::CreatedAt)
        .order_by_asc(reminder::Column::Id))
}

/// `runReminders`: plans for `as_of` (today by default) and delivers what is due now. A dry
/// run plans in a transaction it rolls back and sends nothing (and is not audited: it changes
/// nothing). A real run is audited before it starts and runs to completion in a task of its
/// own, whatever happens to the caller; a second event records what it did.
pub async fn run_by_hand(
    db: &DatabaseConnection,
    service: &Arc<Reminders>,
    who: &Who,
    as_of: Option<NaiveDate>,
    dry_run: bool,
) -> AppResult<RunReport> {
    authorize(db, who, Operation::RunReminders, "runReminders").await?;
    if dry_run {
        return service.run(as_of, true).await;
    }
    let run_id = Uuid::now_v7();
    let started = serde_json::json!({ "asOf": as_of, "runId": run_id, "started": true });
    audit::record(db, who, Entry::ran("runReminders", &started)).await?;
    let service = service.clone();
    let who = who.detached();
    let task = tokio::spawn(async move {
        let result = service.run(as_of, false).await;
        let outcome = match &result {
            Ok(r) => serde_json::json!({
                "asOf": as_of, "runId": run_id, "planned": r.planned,
                "cancelled": r.cancelled, "sent": r.sent, "emails": r.emails,
                "retried": r.retried, "failed": r.failed,
            }),
            Err(e) => serde_json::json!({ "asOf": as_of, "runId": run_id, "error": e.to_string() }),
        };
        let entry = Entry::ran("runReminders", &outcome);
        if let Err(error) = audit::record(&service.db, &who, entry).await {
            tracing::error!(%run_id, %error, "could not record the outcome of a reminder run");
        }
        result
    });
    task.await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the reminder run failed: {e}")))?
}
