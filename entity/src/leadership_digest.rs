use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::ReminderStatus;

/// One weekly leadership digest to one recipient for one slot (the digest's day), with its
/// delivery state; at most one per slot and address.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "leadership_digests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub slot: Date,
    pub email: String,
    pub recipient_name: Option<String>,
    /// The LEADERSHIP user it goes to (none for a configured address).
    pub user_id: Option<Uuid>,
    pub status: ReminderStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub message_id: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
