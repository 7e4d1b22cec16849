use sea_orm::{Set, entity::prelude::*};
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
    /// Title and description folded for search (see [`crate::search`]).
    pub search: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    async fn before_save<C>(mut self, _db: &C, _insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        if let (Some(title), Some(description)) =
            (self.title.try_as_ref(), self.description.try_as_ref())
        {
            self.search = Set(search_of(title, description.as_deref()));
        }
        Ok(self)
    }
}

impl Model {
    /// The search column as this model's fields call for.
    pub fn with_search(mut self) -> Self {
        self.search = search_of(&self.title, self.description.as_deref());
        self
    }
}

/// What an action is found by.
pub fn search_of(title: &str, description: Option<&str>) -> String {
    crate::search::fold([Some(title), description])
}
