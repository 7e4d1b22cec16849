//! Writing and reading audit events.

use chrono::{DateTime, Utc};
use entity::audit_event;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Select, Set,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    actor::{Actor, Who},
    db::now,
    error::AppResult,
};

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

/// Writes one audit event as `who`; given the change's own transaction, both commit or
/// neither.
pub async fn record<C: ConnectionTrait>(db: &C, who: &Who, entry: Entry) -> AppResult<()> {
    // A liaison acts only through a progress link; the trail names all of it `respond`, with
    // what was done in the record itself.
    let operation = match who.actor {
        Actor::Liaison { .. } => "respond".to_owned(),
        _ => entry.operation,
    };
    audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        actor_id: Set(who.user_model().map(|u| u.id)),
        actor_name: Set(Some(who.name())),
        token_id: Set(who.token_id()),
        operation: Set(operation),
        outcome: Set(entry.outcome.to_owned()),
        entity_type: Set(entry.entity_type.map(str::to_owned)),
        entity_id: Set(entry.entity_id),
        before: Set(entry.before),
        after: Set(entry.after),
        request_id: Set(who.request_id.clone()),
        created_at: Set(now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Events about this record.
    pub entity_id: Option<Uuid>,
    /// Events caused by this user.
    pub actor_id: Option<Uuid>,
    /// At or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub to: Option<DateTime<Utc>>,
}

/// Events matching `filter`, newest first.
pub fn list_query(f: AuditFilter) -> Select<audit_event::Entity> {
    let mut cond = Condition::all();
    if let Some(id) = f.entity_id {
        cond = cond.add(audit_event::Column::EntityId.eq(id));
    }
    if let Some(id) = f.actor_id {
        cond = cond.add(audit_event::Column::ActorId.eq(id));
    }
    if let Some(from) = f.from {
        cond = cond.add(audit_event::Column::CreatedAt.gte(from));
    }
    if let Some(to) = f.to {
        cond = cond.add(audit_event::Column::CreatedAt.lt(to));
    }
    audit_event::Entity::find()
        .filter(cond)
        .order_by_desc(audit_event::Column::CreatedAt)
        .order_by_desc(audit_event::Column::Id)
}
