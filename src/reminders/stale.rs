//! Pending reminders that no longer apply, cancelled at the start of each planning run.

use entity::enums::{ActionStatus, ReminderStatus};
use sea_orm::{ActiveEnum, ConnectionTrait, Statement};
use uuid::Uuid;

use crate::error::AppResult;

/// Actions whose pending reminders are checked per statement.
const CHECKED: usize = 1_000;

/// Cancels pending reminders that no longer apply: their action was closed or rescheduled,
/// or their liaison was removed or stopped receiving reminders. Only the actions whose
/// generation moved since the last check are looked at (every such change raises it; see
/// the migration `m20261129_000012_settled_days`). Returns how many.
///
/// The actions are marked checked first, in a statement of their own: on PostgreSQL that
/// locks their day rows, so a change to one of them made meanwhile waits for this run's
/// commit and raises the generation again for the next run, and a change committed before
/// is seen by the cancelling statements, which start later.
pub async fn cancel_stale<C: ConnectionTrait>(db: &C) -> AppResult<u64> {
    let backend = db.get_database_backend();
    let changed: Vec<Uuid> = db
        .query_all_raw(Statement::from_string(
            backend,
            "UPDATE reminder_days SET settled = generation WHERE generation <> settled \
             RETURNING action_id",
        ))
        .await?
        .iter()
        .map(|row| row.try_get_by_index::<Uuid>(0))
        .collect::<Result<_, _>>()?;
    let mut cancelled = 0;
    let p = |n: usize| crate::db::param(backend, n);
    for chunk in changed.chunks(CHECKED) {
        let ids: Vec<String> = (7..7 + chunk.len()).map(p).collect();
        let sql = format!(
            "UPDATE reminders SET status = {}, updated_at = {} \
             WHERE status = {pending} AND ( \
               NOT EXISTS (SELECT 1 FROM actions a WHERE a.id = reminders.action_id \
                           AND a.due_on = reminders.planned_for AND a.status NOT IN ({}, {})) \
               OR (reminders.liaison_id IS NOT NULL AND NOT EXISTS ( \
                           SELECT 1 FROM liaisons l WHERE l.id = reminders.liaison_id \
                           AND l.active = {} AND l.receives_reminders = {}))) \
             AND action_id IN ({})",
            p(1),
            p(2),
            p(3),
            p(4),
            p(5),
            p(6),
            ids.join(", "),
            pending = super::lease::PENDING,
        );
        let mut values: Vec<sea_orm::Value> = vec![
            ReminderStatus::Cancelled.to_value().into(),
            crate::db::now().into(),
            ActionStatus::Done.to_value().into(),
            ActionStatus::Cancelled.to_value().into(),
            true.into(),
            true.into(),
        ];
        values.extend(chunk.iter().map(|id| sea_orm::Value::from(*id)));
        let result = db
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        cancelled += result.rows_affected();
    }
    Ok(cancelled)
}
