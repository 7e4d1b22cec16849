//! What changed in the week before a day, for the leadership's Monday digest: actions that
//! became overdue or were completed, and actions whose due date moved.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::enums::ActionStatus;
use sea_orm::ConnectionTrait;

use super::{
    Scope,
    query::{get, with_facts},
    state::{Moment, Sql, literal},
};
use crate::error::AppResult;

/// What changed in the week before the day: actions that became overdue (overdue on the day,
/// their due date in force within the seven days before it) and actions completed in the
/// seven days up to it.
pub async fn week_changes<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    tz: Tz,
    at: Moment,
) -> AppResult<(i64, i64)> {
    let mut sql = Sql::new(db.get_database_backend());
    let with = with_facts(&mut sql, scope, tz, at);
    let since = sql.bind(
        at.day
            .checked_sub_days(chrono::Days::new(7))
            .unwrap_or(NaiveDate::MIN),
    );
    sql.push(&with);
    sql.push(&format!(
        " SELECT SUM(CASE WHEN f.late IS NOT NULL AND f.due_on >= {since} THEN 1 ELSE 0 END) AS late, \
                 SUM(CASE WHEN f.status = {done} AND f.completed_on > {since} THEN 1 ELSE 0 END) AS done \
            FROM facts f",
        done = literal(ActionStatus::Done)
    ));
    let row = db.query_one_raw(sql.statement()).await?;
    let n = |c: &str| -> AppResult<i64> {
        Ok(match &row {
            Some(r) => get::<Option<i64>>(r, c)?.unwrap_or_default(),
            None => 0,
        })
    };
    Ok((n("late")?, n("done")?))
}

/// How many actions had their due date changed between two instants.
pub async fn rescheduled<C: ConnectionTrait>(
    db: &C,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> AppResult<i64> {
    let mut sql = Sql::new(db.get_database_backend());
    let (a, u) = (sql.bind(after), sql.bind(until));
    sql.push(&format!(
        "SELECT COUNT(DISTINCT action_id) AS n FROM action_updates \
          WHERE new_due_on IS NOT NULL AND created_at >= {a} AND created_at < {u}"
    ));
    let row = db.query_one_raw(sql.statement()).await?;
    Ok(match row {
        Some(r) => get::<i64>(&r, "n")?,
        None => 0,
    })
}
