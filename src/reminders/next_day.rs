//! Each action's next reminder day (`actions.next_reminder_on`): written by planning, and
//! set back to "look now" when something that decides the action's reminders changes
//! (see the migration `m20261128_000007_planning`).

use chrono::NaiveDate;
use entity::{action, enums::ActionStatus};
use sea_orm::{ActiveEnum, ConnectionTrait, Statement};
use uuid::Uuid;

use super::policy::Policy;
use crate::error::AppResult;

/// Writes each action's next reminder day, unless the action changed meanwhile (another
/// version, or its liaisons or convener changed: another generation), so that a change
/// made while planning is looked at on the next run. One statement per page.
pub(super) async fn set<C: ConnectionTrait>(
    db: &C,
    policy: &Policy,
    actions: &[action::Model],
    day: NaiveDate,
) -> AppResult<()> {
    if actions.is_empty() {
        return Ok(());
    }
    let postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
    let mut values: Vec<sea_orm::Value> = Vec::with_capacity(actions.len() * 4);
    let mut rows = Vec::with_capacity(actions.len());
    for (i, a) in actions.iter().enumerate() {
        let n = i * 4;
        let [id, version, generation, next_on] =
            [1, 2, 3, 4].map(|k| crate::db::param(db.get_database_backend(), n + k));
        // PostgreSQL types a VALUES list by its first row.
        rows.push(if postgres && i == 0 {
            format!("({id}::uuid, {version}::integer, {generation}::integer, {next_on}::date)")
        } else {
            format!("({id}, {version}, {generation}, {next_on})")
        });
        values.push(a.id.into());
        values.push(a.version.into());
        values.push(a.reminder_generation.into());
        values.push(policy.next_change(a.due_on, day).into());
    }
    let rows = rows.join(", ");
    let source = if postgres {
        format!("(VALUES {rows}) AS v(id, version, generation, next_on)")
    } else {
        format!(
            "(SELECT column1 AS id, column2 AS version, column3 AS generation, \
             column4 AS next_on FROM (VALUES {rows})) AS v"
        )
    };
    let sql = format!(
        "UPDATE actions SET next_reminder_on = v.next_on FROM {source} \
         WHERE actions.id = v.id AND actions.version = v.version \
           AND actions.reminder_generation = v.generation"
    );
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await?;
    Ok(())
}

/// Makes planning look at the open actions `scope` selects on its next run, whatever their
/// next reminder day: their recipients may have changed.
async fn look_again<C: ConnectionTrait>(
    db: &C,
    scope: &str,
    values: Vec<sea_orm::Value>,
) -> AppResult<()> {
    let mut all: Vec<sea_orm::Value> = vec![
        action::PLAN_NOW.into(),
        ActionStatus::Done.to_value().into(),
        ActionStatus::Cancelled.to_value().into(),
    ];
    all.extend(values);
    let sql = format!(
        "UPDATE actions SET next_reminder_on = $1, reminder_generation = reminder_generation + 1 \
         WHERE status NOT IN ($2, $3) AND ({scope})"
    );
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        all,
    ))
    .await?;
    Ok(())
}

/// After a ministry's liaisons changed: its actions, as lead, support or convener, are
/// looked at again (a new liaison gets the reminders that are due now).
pub async fn look_again_for_ministry<C: ConnectionTrait>(db: &C, ministry: Uuid) -> AppResult<()> {
    look_again(
        db,
        "lead_ministry_id = $4 \
         OR id IN (SELECT action_id FROM action_supporters WHERE ministry_id = $4) \
         OR meeting_id IN (SELECT id FROM meetings WHERE convened_by_id = $4)",
        vec![ministry.into()],
    )
    .await
}

/// After a meeting's convener changed: its actions' escalations go to someone else.
pub async fn look_again_for_meeting<C: ConnectionTrait>(db: &C, meeting: Uuid) -> AppResult<()> {
    look_again(db, "meeting_id = $4", vec![meeting.into()]).await
}

/// The policy the next days were computed under is kept in `planner_state`; under another
/// one (settings changed), every open action is looked at again.
pub(super) async fn look_again_if_policy_changed<C: ConnectionTrait>(
    db: &C,
    policy: &str,
) -> AppResult<()> {
    let backend = db.get_database_backend();
    let stored = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "SELECT value FROM planner_state WHERE name = $1",
            ["policy".into()],
        ))
        .await?
        .map(|row| row.try_get::<String>("", "value"))
        .transpose()?;
    if stored.as_deref() == Some(policy) {
        return Ok(());
    }
    look_again(db, "1 = 1", vec![]).await?;
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        "INSERT INTO planner_state (name, value) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        ["policy".into(), policy.into()],
    ))
    .await?;
    Ok(())
}
