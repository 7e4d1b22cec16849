use sea_orm::entity::prelude::*;
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
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
