use sea_orm::{Set, entity::prelude::*};
use serde::{Deserialize, Serialize};

/// A coordination meeting (rapat koordinasi).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "meetings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    pub starts_at: DateTimeUtc,
    /// IANA name of the zone the meeting took place in, e.g. `Asia/Jakarta`.
    pub time_zone: String,
    pub location: Option<String>,
    pub chair: Option<String>,
    pub chair_position: Option<String>,
    pub convened_by_id: Uuid,
    #[sea_orm(column_type = "Text", nullable)]
    pub summary: Option<String>,
    pub source_url: Option<String>,
    /// Title, summary and location folded for search (see [`crate::search`]).
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
        if let (Some(title), Some(summary), Some(location)) = (
            self.title.try_as_ref(),
            self.summary.try_as_ref(),
            self.location.try_as_ref(),
        ) {
            self.search = Set(search_of(title, summary.as_deref(), location.as_deref()));
        }
        Ok(self)
    }
}

impl Model {
    /// The search column as this model's fields call for.
    pub fn with_search(mut self) -> Self {
        self.search = search_of(
            &self.title,
            self.summary.as_deref(),
            self.location.as_deref(),
        );
        self
    }
}

/// What a meeting is found by.
pub fn search_of(title: &str, summary: Option<&str>, location: Option<&str>) -> String {
    crate::search::fold([Some(title), summary, location])
}
