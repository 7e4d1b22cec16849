use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A ministry that attended a meeting, with the names of its representatives.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "meeting_attendees")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub meeting_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub ministry_id: Uuid,
    /// Order in which attendees were listed.
    pub position: i32,
    /// JSON array of names.
    pub representatives: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
