//! Writing and reading audit events.

use async_graphql::{Context, ID, InputObject};
use entity::audit_event;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Select, Set,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    auth::service::Actor,
    db::now,
    error::AppResult,
    graphql::scalars::{DateTime, parse_id},
};

/// The id of the HTTP request being served, kept in the GraphQL request data.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub fn request_id<'a>(ctx: &Context<'a>) -> Option<&'a str> {
    ctx.data_opt::<RequestId>().map(|r| r.0.as_str())
}

/// One event to record.
#[derive(Debug, Clone)]
pub struct Entry {
    operation: String,
    outcome: &'static str,
    entity_type: Option<&'static str>,
    entity_id: Option<Uuid>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

fn json<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

impl Entry {
    /// A record came into being.
    pub fn created<T: Serialize>(
        operation: &str,
        entity_type: &'static str,
        id: Uuid,
        after: &T,
    ) -> Self {
        Self {
            operation: operation.to_owned(),
            outcome: "OK",
            entity_type: Some(entity_type),
            entity_id: Some(id),
            before: None,
            after: json(after),
        }
    }

    /// A record changed.
    pub fn changed<T: Serialize>(
        operation: &str,
        entity_type: &'static str,
        id: Uuid,
        before: &T,
        after: &T,
    ) -> Self {
        Self {
            before: json(before),
            ..Self::created(operation, entity_type, id, after)
        }
    }

    /// An operation that changed no single record, with what it did.
    pub fn ran<T: Serialize>(operation: &str, outcome: &T) -> Self {
        Self {
            operation: operation.to_owned(),
            outcome: "OK",
            entity_type: None,
            entity_id: None,
            before: None,
            after: json(outcome),
        }
    }

    /// An operation was refused.
    pub fn refused(operation: &str, entity: Option<(&'static str, Uuid)>) -> Self {
        Self {
            operation: operation.to_owned(),
            outcome: "FORBIDDEN",
            entity_type: entity.map(|e| e.0),
            entity_id: entity.map(|e| e.1),
            before: None,
            after: None,
        }
    }
}

/// Writes one audit event; in the mutation's own transaction, so both commit or neither.
/// Without an actor, the change came from the command line.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    request_id: Option<&str>,
    entry: Entry,
) -> AppResult<()> {
    let name = actor.map_or_else(|| "cli".to_owned(), |a| a.user.name.clone());
    write(db, actor, &name, request_id, entry).await
}

/// Writes one audit event for someone who is not a user, e.g. a liaison answering a
/// progress link.
pub async fn record_named<C: ConnectionTrait>(
    db: &C,
    name: &str,
    request_id: Option<&str>,
    entry: Entry,
) -> AppResult<()> {
    write(db, None, name, request_id, entry).await
}

async fn write<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    name: &str,
    request_id: Option<&str>,
    entry: Entry,
) -> AppResult<()> {
    audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        actor_id: Set(actor.map(|a| a.user.id)),
        actor_name: Set(Some(name.to_owned())),
        token_id: Set(actor.map(|a| a.token_id)),
        operation: Set(entry.operation),
        outcome: Set(entry.outcome.to_owned()),
        entity_type: Set(entry.entity_type.map(str::to_owned)),
        entity_id: Set(entry.entity_id),
        before: Set(entry.before),
        after: Set(entry.after),
        request_id: Set(request_id.map(str::to_owned)),
        created_at: Set(now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Records what the mutation being resolved changed, as the request's actor.
pub async fn log<C: ConnectionTrait>(ctx: &Context<'_>, db: &C, entry: Entry) -> AppResult<()> {
    record(db, ctx.data_opt::<Actor>(), request_id(ctx), entry).await
}

#[derive(InputObject, Debug, Clone, Default)]
pub struct AuditFilter {
    /// Events about this record.
    pub entity_id: Option<ID>,
    /// Events caused by this user.
    pub actor_id: Option<ID>,
    /// At or after this instant.
    pub from: Option<DateTime>,
    /// Before this instant.
    pub to: Option<DateTime>,
}

/// Events matching `filter`, newest first.
pub fn list_query(filter: Option<AuditFilter>) -> AppResult<Select<audit_event::Entity>> {
    let f = filter.unwrap_or_default();
    let mut cond = Condition::all();
    if let Some(id) = &f.entity_id {
        cond = cond.add(audit_event::Column::EntityId.eq(parse_id(id, "filter.entityId")?));
    }
    if let Some(id) = &f.actor_id {
        cond = cond.add(audit_event::Column::ActorId.eq(parse_id(id, "filter.actorId")?));
    }
    if let Some(from) = f.from {
        cond = cond.add(audit_event::Column::CreatedAt.gte(from.0.to_utc()));
    }
    if let Some(to) = f.to {
        cond = cond.add(audit_event::Column::CreatedAt.lt(to.0.to_utc()));
    }
    Ok(audit_event::Entity::find()
        .filter(cond)
        .order_by_desc(audit_event::Column::CreatedAt)
        .order_by_desc(audit_event::Column::Id))
}
