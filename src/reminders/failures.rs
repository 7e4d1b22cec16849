//! Failure reports: reminders that could not be delivered are listed in the next escalation
//! to the ministry that convened their meeting (all of them for an escalation address), and
//! marked reported by the rows the email listed.

use chrono::{DateTime, Utc};
use entity::{
    action,
    enums::{ReminderKind, ReminderStatus},
    liaison, meeting, reminder,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Statement,
    sea_query::{Expr, ExprTrait, Query},
};
use uuid::Uuid;

use super::digest::Undelivered;
use crate::error::AppResult;

/// Most failures one escalation lists; the rest wait for the next one.
const MAX_LISTED: u64 = 200;

/// The index of the outbox's failures (migration `m20261129_000013_outbox_failed`).
const FAILED_INDEX: &str = "idx_reminders_failed";

/// The failures an escalation digest made of `rows` reports: FAILED reminders not yet
/// reported, of meetings convened by the ministries whose liaison the escalation is for (every
/// meeting when one of its rows is for an escalation address). Oldest first; the limit applies
/// after that choice, so that one convener's failures never hide another's.
pub async fn undelivered<C: ConnectionTrait>(
    db: &C,
    rows: &[reminder::Model],
) -> AppResult<Vec<Undelivered>> {
    let escalations: Vec<&reminder::Model> = rows
        .iter()
        .filter(|r| r.kind == ReminderKind::Escalation)
        .collect();
    if escalations.is_empty() {
        return Ok(vec![]);
    }
    let mut query = reminder::Entity::find()
        .filter(super::lease::status_in(&[ReminderStatus::Failed]))
        .filter(reminder::Column::ReportedAt.is_null());
    let everything = escalations.iter().any(|r| r.liaison_id.is_none());
    if !everything {
        let liaisons: Vec<Uuid> = escalations.iter().filter_map(|r| r.liaison_id).collect();
        let conveners = Query::select()
            .column(liaison::Column::MinistryId)
            .from(liaison::Entity)
            .and_where(Expr::col(liaison::Column::Id).is_in(liaisons))
            .to_owned();
        let meetings = Query::select()
            .column(meeting::Column::Id)
            .from(meeting::Entity)
            .and_where(Expr::col(meeting::Column::ConvenedById).in_subquery(conveners))
            .to_owned();
        let actions = Query::select()
            .column(action::Column::Id)
            .from(action::Entity)
            .and_where(Expr::col(action::Column::MeetingId).in_subquery(meetings))
            .to_owned();
        query = query.filter(reminder::Column::ActionId.in_subquery(actions));
    }
    let query = query
        .order_by_asc(reminder::Column::UpdatedAt)
        .order_by_asc(reminder::Column::Id)
        .limit(MAX_LISTED);
    let failed = if db.get_database_backend() == DbBackend::Sqlite {
        // Through the index of failures, named: with the statistics of an outbox where nothing
        // had failed (taken after a large plan), SQLite walked the reminders of every action of
        // the convener's meetings by the plan's key instead, reading each of them (0.25 to 0.5 s
        // an escalation at a million actions, against 0.4 ms through the index), and a pooled
        // connection keeps the statistics it read when it opened (see `db::sqlite_indexed_by`).
        let statement = query.build(DbBackend::Sqlite);
        let sql = crate::db::sqlite_indexed_by(&statement.sql, "reminders", FAILED_INDEX)?;
        reminder::Entity::find()
            .from_raw_sql(Statement { sql, ..statement })
            .all(db)
            .await?
    } else {
        query.all(db).await?
    };
    let titles: std::collections::HashMap<Uuid, String> = action::Entity::find()
        .select_only()
        .columns([action::Column::Id, action::Column::Title])
        .filter(action::Column::Id.is_in(failed.iter().map(|r| r.action_id)))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(failed
        .into_iter()
        .map(|r| Undelivered {
            id: r.id,
            action: titles.get(&r.action_id).cloned().unwrap_or_default(),
            email: r.email,
            error: r.last_error.unwrap_or_default(),
        })
        .collect())
}

/// Marks exactly the failures an email listed as reported.
pub async fn mark_reported<C: ConnectionTrait>(
    db: &C,
    listed: &[Undelivered],
    now: DateTime<Utc>,
) -> AppResult<()> {
    if listed.is_empty() {
        return Ok(());
    }
    reminder::Entity::update_many()
        .col_expr(reminder::Column::ReportedAt, Expr::value(now))
        .filter(super::lease::id_among(
            db,
            listed.iter().map(|u| u.id).collect(),
        ))
        .filter(reminder::Column::ReportedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
