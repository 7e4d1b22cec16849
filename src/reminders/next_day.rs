//! Each action's next reminder day (`reminder_days`): written by planning, and set back to
//! "look now" when something that decides the action's reminders changes (see the migrations
//! `m20261128_000007_planning` and `m20261129_000010_reminder_days`).

use chrono::NaiveDate;
use entity::{
    enums::ActionStatus,
    reminder_day::{self, PLAN_NOW},
};
use sea_orm::{ActiveEnum, ConnectionTrait, EntityTrait, FromQueryResult, Statement};
use uuid::Uuid;

use super::policy::Policy;
use crate::error::AppResult;

/// What planning reads of an action whose next reminder day has come.
#[derive(Debug, Clone, FromQueryResult)]
pub(super) struct Due {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub lead_ministry_id: Uuid,
    pub due_on: NaiveDate,
    pub next_on: NaiveDate,
    pub generation: i32,
}

/// The first row of a new action: planning looks at it on its next run (never when closed).
pub async fn start<C: ConnectionTrait>(
    db: &C,
    action: Uuid,
    status: ActionStatus,
) -> AppResult<()> {
    reminder_day::Entity::insert(reminder_day::start(action, status))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// After the action itself changed: looked at on the next run when open, never when closed;
/// a planner that read it before the change does not overwrite this (another generation).
pub async fn reset<C: ConnectionTrait>(
    db: &C,
    action: Uuid,
    status: ActionStatus,
) -> AppResult<()> {
    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        "UPDATE reminder_days SET next_on = $1, generation = generation + 1 WHERE action_id = $2",
        [reminder_day::plan_from(status).into(), action.into()],
    ))
    .await?;
    Ok(())
}

/// Writes each action's next reminder day, unless the action changed meanwhile (another
/// generation), so that a change made while planning is looked at on the next run. One
/// statement per page.
pub(super) async fn set<C: ConnectionTrait>(
    db: &C,
    policy: &Policy,
    actions: &[Due],
    day: NaiveDate,
) -> AppResult<()> {
    if actions.is_empty() {
        return Ok(());
    }
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        return set_arrays(db, policy, actions, day).await;
    }
    use crate::db::rows::{Lent, TABLE};
    let days = NextDays(
        actions
            .iter()
            .map(|a| {
                let next = crate::graphql::scalars::ymd(policy.next_change(a.due_on, day));
                (a.id, a.generation, next)
            })
            .collect(),
    );
    let lent = Lent::new(std::sync::Arc::new(days));
    let sql = format!(
        "UPDATE reminder_days SET next_on = v.c2 FROM {TABLE}(?) AS v \
         WHERE reminder_days.action_id = v.c0 AND reminder_days.generation = v.c1"
    );
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        [lent.token().into()],
    ))
    .await?;
    Ok(())
}

/// On SQLite, a page's next days as the statement of [`set`] reads them from memory
/// ([`crate::db::rows`]; before, three bound parameters per action): the action's id as
/// SQLite stores it, its generation, the day as `YYYY-MM-DD`.
struct NextDays(Vec<(Uuid, i32, String)>);

impl crate::db::rows::Rows for NextDays {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn cell(&self, row: usize, column: usize) -> crate::db::rows::Cell<'_> {
        use crate::db::rows::Cell;
        let (id, generation, next) = &self.0[row];
        match column {
            0 => Cell::Blob(id.as_bytes()),
            1 => Cell::Integer((*generation).into()),
            2 => Cell::Text(next),
            _ => Cell::Null,
        }
    }
}

/// On PostgreSQL, the page's next days in one statement of three arrays (the page's ids,
/// generations and days), unnested by the server, instead of three parameters per action.
async fn set_arrays<C: ConnectionTrait>(
    db: &C,
    policy: &Policy,
    actions: &[Due],
    day: NaiveDate,
) -> AppResult<()> {
    use crate::db::array;
    use sea_orm::sea_query::ArrayType;
    let values = vec![
        array(ArrayType::Uuid, actions.iter().map(|a| a.id)),
        array(ArrayType::Int, actions.iter().map(|a| a.generation)),
        array(
            ArrayType::ChronoDate,
            actions.iter().map(|a| policy.next_change(a.due_on, day)),
        ),
    ];
    db.execute_raw(Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "UPDATE reminder_days SET next_on = v.next_on \
         FROM unnest($1::uuid[], $2::integer[], $3::date[]) AS v(id, generation, next_on) \
         WHERE reminder_days.action_id = v.id AND reminder_days.generation = v.generation",
        values,
    ))
    .await?;
    Ok(())
}

/// Makes planning look at the open actions `scope` selects on its next run, whatever their
/// next reminder day: their recipients may have changed. `scope` is a condition on `actions`.
/// Each action gets another generation, so that a planner that read it before does not
/// overwrite the "look now", and the next run checks its pending reminders.
async fn look_again<C: ConnectionTrait>(
    db: &C,
    scope: &str,
    values: Vec<sea_orm::Value>,
) -> AppResult<()> {
    look_again_as(db, scope, values, Generation::Next).await
}

/// What a "look now" does to an action's generation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Generation {
    /// Another one: a planner that read the action before does not overwrite the "look now".
    Next,
    /// The same (planning's own transaction): an action already to be looked at is left as
    /// it is instead of being written again, as every open action is on the first run after
    /// an upgrade or an import (measured on PostgreSQL, 60,000 open actions: 0.22 s).
    Kept,
}

async fn look_again_as<C: ConnectionTrait>(
    db: &C,
    scope: &str,
    values: Vec<sea_orm::Value>,
    generation: Generation,
) -> AppResult<()> {
    let mut all: Vec<sea_orm::Value> = vec![
        PLAN_NOW.into(),
        ActionStatus::Done.to_value().into(),
        ActionStatus::Cancelled.to_value().into(),
    ];
    all.extend(values);
    let (generation, unless) = match generation {
        Generation::Next => ("generation + 1", ""),
        Generation::Kept => ("generation", " AND next_on <> $1"),
    };
    let sql = format!(
        "UPDATE reminder_days SET next_on = $1, generation = {generation} \
         WHERE action_id IN (SELECT id FROM actions WHERE status NOT IN ($2, $3) AND ({scope})){unless}"
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
/// one (settings changed), every open action is looked at again. Returns whether it did.
pub(super) async fn look_again_if_policy_changed<C: ConnectionTrait>(
    db: &C,
    policy: &str,
) -> AppResult<bool> {
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
        return Ok(false);
    }
    // Planning's own transaction, with the new policy: no other change to make way for, and
    // no reminder made stale (the reminders already planned stay).
    look_again_as(db, "1 = 1", vec![], Generation::Kept).await?;
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        "INSERT INTO planner_state (name, value) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        ["policy".into(), policy.into()],
    ))
    .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use chrono::NaiveDate;
    use entity::{action, reminder_day};
    use sea_orm::EntityTrait;

    use super::{Due, set};
    use crate::reminders::policy::Policy;

    /// Each action's day row, by action.
    async fn days(db: &sea_orm::DatabaseConnection) -> HashMap<uuid::Uuid, reminder_day::Model> {
        reminder_day::Entity::find()
            .all(db)
            .await
            .expect("the days")
            .into_iter()
            .map(|d| (d.action_id, d))
            .collect()
    }

    #[tokio::test]
    async fn sqlite_sets_a_pages_next_days_unless_the_action_changed_meanwhile() {
        let (_dir, db, _) = crate::bench::seed::temporary_with_an_action(1).await;
        let before = days(&db).await;
        let actions = action::Entity::find().all(&db).await.expect("the actions");
        assert_eq!(actions.len(), 10);
        // Every third action changed after the page was read: another generation now.
        let changed = |n: usize| n.is_multiple_of(3);
        let page: Vec<Due> = actions
            .iter()
            .enumerate()
            .map(|(n, a)| Due {
                id: a.id,
                meeting_id: a.meeting_id,
                lead_ministry_id: a.lead_ministry_id,
                due_on: a.due_on,
                next_on: before[&a.id].next_on,
                generation: before[&a.id].generation - i32::from(changed(n)),
            })
            .collect();
        let policy = Policy::new(&[7, 1], 7, 14);
        let day = NaiveDate::from_ymd_opt(2026, 12, 6).expect("a day");
        set(&db, &policy, &page, day).await.expect("set");
        let after = days(&db).await;
        for (n, a) in actions.iter().enumerate() {
            let wanted = if changed(n) {
                before[&a.id].next_on
            } else {
                policy.next_change(a.due_on, day)
            };
            assert_eq!(after[&a.id].next_on, wanted, "action {n}");
            assert_eq!(after[&a.id].generation, before[&a.id].generation);
        }
        // Not vacuous: the unchanged ones moved.
        let moved = actions
            .iter()
            .filter(|a| after[&a.id].next_on != before[&a.id].next_on)
            .count();
        assert!(moved >= 6, "{moved}");
    }
}
