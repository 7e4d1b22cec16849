//! The timeline of an action: every status change, reschedule and note, with its author.

use chrono::NaiveDate;
use entity::{action_update, enums::ActionStatus};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

use crate::{actor::Author, error::AppResult};

/// One entry: what changed, and why.
pub struct TimelineEntry {
    pub note: Option<String>,
    pub from_status: Option<ActionStatus>,
    pub to_status: Option<ActionStatus>,
    pub previous_due_on: Option<NaiveDate>,
    pub new_due_on: Option<NaiveDate>,
    /// The completion date, on the entry that marks the action DONE.
    pub completed_on: Option<NaiveDate>,
}

pub async fn write_update<C: ConnectionTrait>(
    db: &C,
    action_id: Uuid,
    entry: TimelineEntry,
    author: Option<&Author>,
) -> AppResult<action_update::Model> {
    Ok(action_update::ActiveModel {
        id: Set(Uuid::now_v7()),
        action_id: Set(action_id),
        note: Set(entry.note),
        from_status: Set(entry.from_status),
        to_status: Set(entry.to_status),
        previous_due_on: Set(entry.previous_due_on),
        new_due_on: Set(entry.new_due_on),
        completed_on: Set(entry.completed_on),
        author: Set(author.map(|a| a.name.clone())),
        author_id: Set(author.and_then(|a| a.id)),
        created_at: Set(crate::db::now()),
    }
    .insert(db)
    .await?)
}

/// One timeline entry by its id.
pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Option<action_update::Model>> {
    Ok(action_update::Entity::find_by_id(id).one(db).await?)
}
