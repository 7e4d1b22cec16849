//! What each actor may do: the one place every operation is checked.
//!
//! Every GraphQL operation needs a valid token (checked before execution). Queries are open to
//! every role except the user list and whole user records (ADMIN) and the audit trail (ADMIN,
//! LEADERSHIP). Each change is checked by the service that makes it, with the [`Operation`] it
//! performs, whoever asks: a user, the command line, or a liaison through a progress link.

use entity::{action, action_supporter, enums::Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    actor::{Actor, Who},
    audit::service::{self as audit, Entry},
    error::{AppError, AppResult},
};

/// What an operation does, with the record it touches when that matters for the decision.
#[derive(Debug, Clone, Copy)]
pub enum Operation {
    /// Ministries, liaisons, meetings, issues and actions: create and change.
    ManageRegistry,
    /// Change the status of this action.
    ChangeActionStatus(Uuid),
    /// Add a progress note to this action.
    AddActionUpdate(Uuid),
    /// Users and tokens.
    ManageUsers,
    /// Read the list of users, or a whole user record.
    ReadUsers,
    /// Read the audit trail.
    ReadAudit,
    /// Plan and send reminders by hand.
    RunReminders,
    /// Read the reminder outbox.
    ReadReminders,
    /// Read status reports (a liaison's are limited to its ministry's actions).
    ReadReports,
    /// Sign a link to a report or meeting page.
    SignReportLink,
    /// Get, or revoke and renew, the address of this ministry's calendar feed.
    CalendarFeed(Uuid),
}

/// What a ministry has to do with an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stake {
    Leads,
    Supports,
}

/// Whether `ministry` leads or supports `action` (`None`: neither).
pub async fn stake<C: ConnectionTrait>(
    db: &C,
    action: &action::Model,
    ministry: Uuid,
) -> AppResult<Option<Stake>> {
    if action.lead_ministry_id == ministry {
        return Ok(Some(Stake::Leads));
    }
    let supports = action_supporter::Entity::find()
        .filter(action_supporter::Column::ActionId.eq(action.id))
        .filter(action_supporter::Column::MinistryId.eq(ministry))
        .one(db)
        .await?;
    Ok(supports.map(|_| Stake::Supports))
}

/// The stake of the actor's ministry in the action `id`.
async fn stake_of<C: ConnectionTrait>(db: &C, who: &Who, id: Uuid) -> AppResult<Option<Stake>> {
    let Some(ministry) = who.ministry_id() else {
        return Ok(None);
    };
    let action = action::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found_at("action", "id"))?;
    stake(db, &action, ministry).await
}

async fn allowed<C: ConnectionTrait>(db: &C, who: &Who, op: Operation) -> AppResult<bool> {
    if let Actor::User { user, .. } = &who.actor
        && !user.active
    {
        return Ok(false);
    }
    Ok(match (who.role(), op) {
        (Role::Admin, _) => true,
        (Role::Secretariat, Operation::ManageRegistry)
        | (Role::Secretariat, Operation::ChangeActionStatus(_))
        | (Role::Secretariat, Operation::AddActionUpdate(_))
        | (Role::Secretariat, Operation::RunReminders)
        | (Role::Secretariat, Operation::ReadReminders) => true,
        (Role::Leadership, Operation::ReadAudit) => true,
        (_, Operation::ReadReports) => true,
        (Role::Secretariat | Role::Leadership, Operation::SignReportLink) => true,
        (Role::Secretariat, Operation::CalendarFeed(_)) => true,
        (Role::Liaison, Operation::CalendarFeed(ministry)) => who.ministry_id() == Some(ministry),
        (Role::Liaison, Operation::ChangeActionStatus(id)) => {
            stake_of(db, who, id).await? == Some(Stake::Leads)
        }
        (Role::Liaison, Operation::AddActionUpdate(id)) => stake_of(db, who, id).await?.is_some(),
        _ => false,
    })
}

/// Lets `operation` (named as the client called it, e.g. `changeActionStatus`) through, or
/// refuses it with FORBIDDEN and records the refusal in the audit trail, once per request.
pub async fn authorize<C: ConnectionTrait>(
    db: &C,
    who: &Who,
    op: Operation,
    operation: &str,
) -> AppResult<()> {
    if allowed(db, who, op).await? {
        return Ok(());
    }
    let entity_id = match op {
        Operation::ChangeActionStatus(id) | Operation::AddActionUpdate(id) => Some(id),
        _ => None,
    };
    if who.first_refusal(operation, entity_id) {
        let entry = Entry::refused(operation, entity_id.map(|id| ("Action", id)));
        audit::record(db, who, entry).await?;
    }
    tracing::info!(operation, actor = %who.name(), "refused");
    let role = sea_orm::ActiveEnum::to_value(&who.role());
    Err(AppError::Forbidden(match (&who.actor, entity_id) {
        (Actor::Liaison { .. }, _) => {
            "only the lead ministry changes the status; a supporting ministry adds notes".into()
        }
        (_, Some(_)) => format!("your role ({role}) may not {operation} on this action"),
        (_, None) => format!("your role ({role}) may not {operation}"),
    }))
}
