//! The API's enums: each mirrors the stored enum of the same name variant for variant
//! (async-graphql's remote enums give the conversions both ways), so that the API and storage
//! can evolve apart.

use async_graphql::Enum;
use entity::enums as db;

/// What kind of body a ministry record is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "db::MinistryKind")]
pub enum MinistryKind {
    /// A ministry (kementerian).
    Ministry,
    /// A coordinating ministry (kementerian koordinator).
    CoordinatingMinistry,
    /// An agency (badan, lembaga).
    Agency,
    /// A task force (satuan tugas).
    TaskForce,
    /// A provincial or local government.
    LocalGovernment,
    /// Anything else.
    Other,
}

/// The language a liaison's email is written in.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "db::Language")]
pub enum Language {
    /// Indonesian.
    Id,
    /// English.
    En,
}

/// Where an issue stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "db::IssueStatus")]
pub enum IssueStatus {
    /// Still to be dealt with.
    Open,
    /// Follow-up agreed and under way.
    Addressed,
    /// Resolved or dropped.
    Closed,
}

/// Where a follow-up action stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "db::ActionStatus")]
pub enum ActionStatus {
    /// Agreed, not started.
    Open,
    /// Being worked on.
    InProgress,
    /// Stuck, waiting on something.
    Blocked,
    /// Finished.
    Done,
    /// Dropped.
    Cancelled,
}

/// How urgent an action is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "db::Priority")]
pub enum Priority {
    /// When time allows.
    Low,
    /// The default.
    Normal,
    /// Before normal work.
    High,
    /// Before anything else.
    Urgent,
}

/// What a user may do: ADMIN everything; SECRETARIAT the registry; LIAISON report progress
/// on its own ministry's actions; LEADERSHIP read.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "db::Role")]
pub enum Role {
    /// Everything, including users, tokens and the audit trail.
    Admin,
    /// The registry: ministries, liaisons, meetings, issues, actions, reminders.
    Secretariat,
    /// Progress on the actions of its own ministry.
    Liaison,
    /// Reads everything, including the audit trail; changes nothing.
    Leadership,
}

/// Why a reminder is sent.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "db::ReminderKind")]
pub enum ReminderKind {
    /// Days before the due date.
    BeforeDue,
    /// On the due date.
    DueToday,
    /// Repeatedly while overdue.
    Overdue,
    /// Once, to the convening ministry, when long overdue.
    Escalation,
}

/// Where a reminder is in the outbox.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "db::ReminderStatus")]
pub enum ReminderStatus {
    /// Waiting to be sent (or to be tried again).
    Pending,
    /// Accepted by the mail server.
    Sent,
    /// Given up.
    Failed,
    /// No longer needed (the action closed or moved, the liaison left).
    Cancelled,
}

/// Why the recipient gets it: to act (lead), to support, or as an escalation.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "db::RecipientRole")]
pub enum RecipientRole {
    /// The recipient's ministry leads the action.
    Act,
    /// The recipient's ministry supports it.
    Support,
    /// The recipient's ministry convened the meeting, or is an escalation address.
    Escalation,
}
