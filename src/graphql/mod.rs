//! Schema assembly: the merged query and mutation roots, limits, and shared context helpers.
//!
//! **Small field futures.** async-graphql resolves each selected field of an object in a
//! future of its own, boxed, whose size is that of the largest field of the object's type:
//! a field that awaits a statement or a whole list (sea-orm's futures run to kilobytes) makes
//! every field of every row allocate and copy that much. Such fields of the types a page
//! repeats per row (`Action.reminders`, `Ministry.actions`, `Issue.meetings`, ...) box their
//! own work, so that the others stay a few hundred bytes (README, Performance).

pub mod documents;
pub mod enums;
pub mod http;
pub mod in_turn;
pub mod input;
pub mod loaders;
pub mod node;
pub mod pagination;
pub mod scalars;

use std::sync::Arc;

use async_graphql::{
    Context, EmptySubscription, MaybeUndefined, MergedObject, Schema, SchemaBuilder,
};
use sea_orm::DatabaseConnection;

use crate::{
    actions::graphql::{ActionMutation, ActionQuery},
    actor::Who,
    audit::graphql::AuditQuery,
    auth::{
        graphql::{AuthMutation, AuthQuery},
        policy::{self, Operation},
    },
    config::{Limits, Settings},
    error::{AppError, AppResult},
    issues::graphql::{IssueMutation, IssueQuery},
    meetings::graphql::{MeetingMutation, MeetingQuery},
    ministries::graphql::{MinistryMutation, MinistryQuery},
    patch::Patch,
    reminders::{
        graphql::{ReminderMutation, ReminderQuery},
        worker::Reminders,
    },
    reports::graphql::{ArisingQuery, ReportMutation, ReportQuery},
};

/// What can be read: the registry, users, the audit trail and the reminder outbox.
#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    MinistryQuery,
    MeetingQuery,
    IssueQuery,
    ActionQuery,
    AuthQuery,
    AuditQuery,
    ReminderQuery,
    ReportQuery,
    ArisingQuery,
);

/// What can be changed; every change is checked against the caller's role and audited.
#[derive(MergedObject, Default)]
pub struct Mutation(
    MinistryMutation,
    MeetingMutation,
    IssueMutation,
    ActionMutation,
    AuthMutation,
    ReminderMutation,
    ReportMutation,
);

pub type TindakSchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema without data: enough for the SDL.
pub fn builder() -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
}

/// The schema wired to a database, with the request limits applied. It registers no
/// extension: the plain fields of a page's rows are resolved without async-graphql's
/// per-field hooks (`in_turn`); one added here must make `in_turn::plain` refuse.
pub fn build(
    db: DatabaseConnection,
    settings: Settings,
    limits: Limits,
    reminders: Arc<Reminders>,
    tokens: Arc<crate::auth::cache::TokenCache>,
) -> TindakSchema {
    let builder = builder()
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .data(db)
        .data(settings)
        .data(reminders)
        .data(tokens);
    if limits.introspection {
        builder.finish()
    } else {
        builder.disable_introspection().finish()
    }
}

/// The API's SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}

pub fn db<'a>(ctx: &Context<'a>) -> &'a DatabaseConnection {
    ctx.data_unchecked::<DatabaseConnection>()
}

pub fn settings<'a>(ctx: &Context<'a>) -> &'a Settings {
    ctx.data_unchecked::<Settings>()
}

/// The actor of the request (set by the HTTP layer once the token checked out).
pub fn who<'a>(ctx: &Context<'a>) -> AppResult<&'a Who> {
    ctx.data_opt::<Who>().ok_or(AppError::Unauthenticated)
}

/// Lets the field being resolved through for the request's actor, or refuses it (FORBIDDEN,
/// audited once per request) under the field's own name.
pub async fn authorize<'a>(ctx: &Context<'a>, op: Operation) -> AppResult<&'a Who> {
    let who = who(ctx)?;
    policy::authorize(db(ctx), who, op, ctx.field().name()).await?;
    Ok(who)
}

impl<T> From<MaybeUndefined<T>> for Patch<T> {
    fn from(value: MaybeUndefined<T>) -> Self {
        match value {
            MaybeUndefined::Undefined => Patch::Keep,
            MaybeUndefined::Null => Patch::Clear,
            MaybeUndefined::Value(v) => Patch::Set(v),
        }
    }
}
