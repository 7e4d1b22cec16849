//! Enumerations stored as short strings (or ranks, for priority) so both engines agree.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What kind of body a ministry record is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum MinistryKind {
    #[sea_orm(string_value = "MINISTRY")]
    Ministry,
    #[sea_orm(string_value = "COORDINATING_MINISTRY")]
    CoordinatingMinistry,
    #[sea_orm(string_value = "AGENCY")]
    Agency,
    #[sea_orm(string_value = "TASK_FORCE")]
    TaskForce,
    #[sea_orm(string_value = "LOCAL_GOVERNMENT")]
    LocalGovernment,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// The language a liaison reads.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum Language {
    #[sea_orm(string_value = "id")]
    Id,
    #[sea_orm(string_value = "en")]
    En,
}

/// Where an issue identified at a meeting stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum IssueStatus {
    #[sea_orm(string_value = "OPEN")]
    Open,
    #[sea_orm(string_value = "ADDRESSED")]
    Addressed,
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

/// Where a follow-up action stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ActionStatus {
    #[sea_orm(string_value = "OPEN")]
    Open,
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    #[sea_orm(string_value = "BLOCKED")]
    Blocked,
    #[sea_orm(string_value = "DONE")]
    Done,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

impl ActionStatus {
    /// DONE and CANCELLED actions are closed: never overdue, never reminded.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Done | Self::Cancelled)
    }
}

/// Priority, stored as a rank so that ordering by it is ordering by urgency.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "i32", db_type = "Integer")]
pub enum Priority {
    #[sea_orm(num_value = 1)]
    Low,
    #[sea_orm(num_value = 2)]
    Normal,
    #[sea_orm(num_value = 3)]
    High,
    #[sea_orm(num_value = 4)]
    Urgent,
}

/// What a user may do.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Role {
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    #[sea_orm(string_value = "SECRETARIAT")]
    Secretariat,
    #[sea_orm(string_value = "LIAISON")]
    Liaison,
    #[sea_orm(string_value = "LEADERSHIP")]
    Leadership,
}

/// Why a reminder is sent.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ReminderKind {
    #[sea_orm(string_value = "BEFORE_DUE")]
    BeforeDue,
    #[sea_orm(string_value = "DUE_TODAY")]
    DueToday,
    #[sea_orm(string_value = "OVERDUE")]
    Overdue,
    #[sea_orm(string_value = "ESCALATION")]
    Escalation,
}

/// Where a reminder is in the outbox.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ReminderStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "SENT")]
    Sent,
    #[sea_orm(string_value = "FAILED")]
    Failed,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// Why a recipient gets a reminder.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RecipientRole {
    /// A liaison of the lead ministry.
    #[sea_orm(string_value = "ACT")]
    Act,
    /// A liaison of a supporting ministry.
    #[sea_orm(string_value = "SUPPORT")]
    Support,
    /// Convening ministry's liaisons and escalation addresses.
    #[sea_orm(string_value = "ESCALATION")]
    Escalation,
}
