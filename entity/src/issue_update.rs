use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::IssueStatus;

/// One entry in an issue's timeline: a status change, or a meeting that took it up again.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "issue_updates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub issue_id: Uuid,
    /// The meeting that discussed the issue again, for such an entry.
    pub meeting_id: Option<Uuid>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub from_status: Option<IssueStatus>,
    pub to_status: Option<IssueStatus>,
    pub author: Option<String>,
    pub author_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
