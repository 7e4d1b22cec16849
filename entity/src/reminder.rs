use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::{Language, RecipientRole, ReminderKind, ReminderStatus};

/// One planned email about one action to one recipient: the outbox. Rows of the same
/// recipient that are due together go out as one digest.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "reminders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub action_id: Uuid,
    /// The liaison it is for; none for an escalation address.
    pub liaison_id: Option<Uuid>,
    pub email: String,
    pub recipient_name: Option<String>,
    pub language: Language,
    pub role: RecipientRole,
    pub kind: ReminderKind,
    /// The due date the reminder was planned for; a rescheduled action gets new ones.
    pub planned_for: Date,
    /// Days from the due date to the day it is sent (negative before, positive after).
    pub offset_days: i32,
    pub status: ReminderStatus,
    /// Delivery attempts so far; also the fencing token of the current lease.
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub message_id: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    /// When a FAILED reminder was reported in an escalation.
    pub reported_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
