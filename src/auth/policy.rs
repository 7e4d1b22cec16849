//! What each role may do: the one place every operation is checked.
//!
//! Every GraphQL operation needs a valid token (checked before execution). Queries are open to
//! every role except the user list (ADMIN) and the audit trail (ADMIN, LEADERSHIP). Each
//! mutation calls [`authorize`] first with the [`Operation`] it performs.

use async_graphql::Context;
use entity::enums::Role;
use uuid::Uuid;

use super::service::Actor;
use crate::{
    actions::service::{self as actions, Stake},
    audit::service::{self as audit, Entry},
    error::{AppError, AppResult},
    graphql::db,
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
    /// Read the list of users.
    ReadUsers,
    /// Read the audit trail.
    ReadAudit,
    /// Plan and send reminders by hand.
    RunReminders,
    /// Read the reminder outbox.
    ReadReminders,
}

/// What the liaison's ministry has to do with the action.
async fn stake(ctx: &Context<'_>, action_id: Uuid, ministry: Uuid) -> AppResult<Option<Stake>> {
    let action = actions::find(db(ctx), action_id)
        .await?
        .ok_or_else(|| AppError::not_found_at("action", "id"))?;
    actions::stake(db(ctx), &action, ministry).await
}

/// The actor of the request (set by the HTTP layer once the token checked out).
pub fn actor<'a>(ctx: &Context<'a>) -> AppResult<&'a Actor> {
    ctx.data_opt::<Actor>().ok_or(AppError::Unauthenticated)
}

async fn allowed(ctx: &Context<'_>, actor: &Actor, op: Operation) -> AppResult<bool> {
    let role = actor.user.role;
    Ok(match (role, op) {
        (Role::Admin, _) => true,
        (Role::Secretariat, Operation::ManageRegistry)
        | (Role::Secretariat, Operation::ChangeActionStatus(_))
        | (Role::Secretariat, Operation::AddActionUpdate(_))
        | (Role::Secretariat, Operation::RunReminders)
        | (Role::Secretariat, Operation::ReadReminders) => true,
        (Role::Leadership, Operation::ReadAudit) => true,
        (Role::Liaison, Operation::ChangeActionStatus(id)) => match actor.user.ministry_id {
            Some(m) => stake(ctx, id, m).await? == Some(Stake::Leads),
            None => false,
        },
        (Role::Liaison, Operation::AddActionUpdate(id)) => match actor.user.ministry_id {
            Some(m) => stake(ctx, id, m).await?.is_some(),
            None => false,
        },
        _ => false,
    })
}

/// The refusals already recorded for this request, so that a field refused on every item of a
/// list is recorded once, not once per item.
#[derive(Default)]
pub struct Refusals(std::sync::Mutex<std::collections::HashSet<(String, Option<Uuid>)>>);

fn first_refusal(ctx: &Context<'_>, operation: &str, entity: Option<Uuid>) -> bool {
    match ctx.data_opt::<Refusals>() {
        Some(seen) => seen
            .0
            .lock()
            .map(|mut set| set.insert((operation.to_owned(), entity)))
            .unwrap_or(true),
        None => true,
    }
}

/// Lets the operation through, or refuses it with FORBIDDEN and records the refusal in the
/// audit trail. The operation's name is the GraphQL field being resolved.
pub async fn authorize<'a>(ctx: &Context<'a>, op: Operation) -> AppResult<&'a Actor> {
    let actor = actor(ctx)?;
    if allowed(ctx, actor, op).await? {
        return Ok(actor);
    }
    let operation = ctx.field().name();
    let entity_id = match op {
        Operation::ChangeActionStatus(id) | Operation::AddActionUpdate(id) => Some(id),
        _ => None,
    };
    if first_refusal(ctx, operation, entity_id) {
        let entry = Entry::refused(operation, entity_id.map(|id| ("Action", id)));
        audit::record(db(ctx), Some(actor), audit::request_id(ctx), entry).await?;
    }
    tracing::info!(operation, user = %actor.user.id, "refused");
    Err(AppError::Forbidden(format!(
        "your role ({}) may not {operation}{}",
        sea_orm::ActiveEnum::to_value(&actor.user.role),
        if entity_id.is_some() {
            " on this action"
        } else {
            ""
        }
    )))
}
