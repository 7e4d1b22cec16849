use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::ActionStatus;

/// One entry in an action's timeline: a note, a status change, a new due date.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "action_updates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub action_id: Uuid,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub from_status: Option<ActionStatus>,
    pub to_status: Option<ActionStatus>,
    pub previous_due_on: Option<Date>,
    pub new_due_on: Option<Date>,
    /// On the entry that marks the action DONE: the completion date it recorded.
    pub completed_on: Option<Date>,
    pub author: Option<String>,
    pub author_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
