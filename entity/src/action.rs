use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::{ActionStatus, Priority};

/// A follow-up action (tindak lanjut) agreed at a meeting.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub issue_id: Option<Uuid>,
    pub title: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub lead_ministry_id: Uuid,
    pub due_on: Date,
    pub original_due_on: Date,
    pub priority: Priority,
    pub status: ActionStatus,
    pub completed_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
