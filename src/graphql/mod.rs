//! Schema assembly: the merged query and mutation roots, limits, and shared context helpers.

pub mod loaders;
pub mod node;
pub mod pagination;
pub mod scalars;

use async_graphql::{Context, EmptySubscription, MergedObject, Schema, SchemaBuilder};
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};

use crate::{
    actions::graphql::{ActionMutation, ActionQuery},
    config::Settings,
    error::AppResult,
    issues::graphql::{IssueMutation, IssueQuery},
    meetings::graphql::{MeetingMutation, MeetingQuery},
    ministries::graphql::{MinistryMutation, MinistryQuery},
};

#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    MinistryQuery,
    MeetingQuery,
    IssueQuery,
    ActionQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    MinistryMutation,
    MeetingMutation,
    IssueMutation,
    ActionMutation,
);

pub type TindakSchema = Schema<Query, Mutation, EmptySubscription>;

/// Deepest query accepted; GraphiQL's introspection query needs 13.
pub const MAX_DEPTH: usize = 16;
/// Most fields one query may select (each field counts 1).
pub const MAX_COMPLEXITY: usize = 2_000;

/// The schema without data: enough for the SDL.
pub fn builder() -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
}

/// The schema wired to a database.
pub fn build(db: DatabaseConnection, settings: Settings) -> TindakSchema {
    builder().data(db).data(settings).finish()
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
    Ok(db(ctx).begin().await?)
}

pub async fn commit(txn: DatabaseTransaction) -> AppResult<()> {
    Ok(txn.commit().await?)
}
