use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::Language;

/// A contact at a ministry who receives reminders. A contact, not an account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "liaisons")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub ministry_id: Uuid,
    pub name: String,
    pub email: String,
    pub position: Option<String>,
    pub language: Language,
    pub receives_reminders: bool,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
