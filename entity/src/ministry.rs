use sea_orm::{Set, entity::prelude::*};
use serde::{Deserialize, Serialize};

use crate::enums::MinistryKind;

/// A ministry, agency, task force, local government or one of their units (K/L).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "ministries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: MinistryKind,
    pub parent_id: Option<Uuid>,
    /// Code, name and short name folded for search (see [`crate::search`]).
    pub search: String,
    /// Bumped to revoke the address of the ministry's calendar feed.
    pub calendar_key_generation: i32,
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
        if let (Some(code), Some(name), Some(short)) = (
            self.code.try_as_ref(),
            self.name.try_as_ref(),
            self.short_name.try_as_ref(),
        ) {
            self.search = Set(search_of(code, name, short.as_deref()));
        }
        Ok(self)
    }
}

/// What a ministry is found by.
pub fn search_of(code: &str, name: &str, short_name: Option<&str>) -> String {
    crate::search::fold([Some(code), Some(name), short_name])
}
