//! Schema assembly: the merged query and mutation roots, limits, and shared context helpers.

pub mod http;
pub mod loaders;
pub mod node;
pub mod pagination;
pub mod scalars;

use std::sync::Arc;

use async_graphql::{Context, EmptySubscription, MergedObject, Schema, SchemaBuilder};
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use crate::{
    actions::graphql::{ActionMutation, ActionQuery},
    audit::graphql::AuditQuery,
    auth::graphql::{AuthMutation, AuthQuery},
    config::Settings,
    error::AppResult,
    issues::graphql::{IssueMutation, IssueQuery},
    meetings::graphql::{MeetingMutation, MeetingQuery},
    ministries::graphql::{MinistryMutation, MinistryQuery},
    reminders::{
        graphql::{ReminderMutation, ReminderQuery},
        worker::Reminders,
    },
};

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
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    MinistryMutation,
    MeetingMutation,
    IssueMutation,
    ActionMutation,
    AuthMutation,
    ReminderMutation,
);

pub type TindakSchema = Schema<Query, Mutation, EmptySubscription>;

/// What one query may ask for; checked before any resolver runs.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of fields.
    pub max_depth: usize,
    /// Most fields selected, each counting 1.
    pub max_complexity: usize,
    /// Whether clients may read the schema (GraphiQL needs it).
    pub introspection: bool,
}

/// The schema without data: enough for the SDL.
pub fn builder() -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
}

/// The schema wired to a database, with the request limits applied.
pub fn build(
    db: DatabaseConnection,
    settings: Settings,
    limits: Limits,
    reminders: Arc<Reminders>,
) -> TindakSchema {
    let builder = builder()
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .data(db)
        .data(settings)
        .data(reminders);
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

/// Starts the transaction a mutation writes in; dropping it uncommitted rolls back.
pub async fn begin(ctx: &Context<'_>) -> AppResult<DatabaseTransaction> {
    Ok(crate::db::begin_write(db(ctx)).await?)
}

pub async fn commit(txn: DatabaseTransaction) -> AppResult<()> {
    Ok(txn.commit().await?)
}
