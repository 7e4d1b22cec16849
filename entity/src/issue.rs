use sea_orm::{Set, entity::prelude::*};
use serde::{Deserialize, Serialize};

use crate::enums::IssueStatus;

/// A problem identified at a meeting (permasalahan).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "issues")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub title: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub category: Option<String>,
    /// The category folded, for case-insensitive matching (see [`crate::search`]).
    pub category_key: Option<String>,
    /// Title and description folded for search.
    pub search: String,
    pub status: IssueStatus,
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
        if let Some(category) = self.category.try_as_ref() {
            self.category_key = Set(category.as_deref().map(|c| crate::search::fold([Some(c)])));
        }
        Ok(self)
    }
}

/// What an issue is found by.
pub fn search_of(title: &str, description: Option<&str>) -> String {
    crate::search::fold([Some(title), description])
}
