//! GraphQL view of the audit trail (ADMIN and LEADERSHIP).

use async_graphql::{Context, ID, InputObject, Json, Object, Result};
use entity::audit_event;

use super::service;
use crate::{
    auth::{graphql::User, policy::Operation, service::find_user},
    error::AppResult,
    graphql::{
        authorize, db,
        pagination::{Conn, Page, paginate},
        scalars::{DateTime, parse_id, to_id},
    },
};

/// Which audit events to list.
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

impl AuditFilter {
    fn into_domain(self) -> AppResult<service::AuditFilter> {
        Ok(service::AuditFilter {
            entity_id: self
                .entity_id
                .map(|id| parse_id(&id, "filter.entityId"))
                .transpose()?,
            actor_id: self
                .actor_id
                .map(|id| parse_id(&id, "filter.actorId"))
                .transpose()?,
            from: self.from.map(|d| d.0.to_utc()),
            to: self.to.map(|d| d.0.to_utc()),
        })
    }
}

/// One change, or one refusal, and who caused it.
pub struct AuditEvent(pub audit_event::Model);

impl From<audit_event::Model> for AuditEvent {
    fn from(m: audit_event::Model) -> Self {
        Self(m)
    }
}

/// One change, or one refusal, and who caused it.
#[Object]
impl AuditEvent {
    /// The event's ID.
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// The user who acted (their whole record); null for the command line. ADMIN only, like
    /// `users`: `actorName` stays readable.
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        authorize(ctx, Operation::ReadUsers).await?;
        Ok(match self.0.actor_id {
            Some(id) => find_user(db(ctx), id).await?.map(User),
            None => None,
        })
    }
    /// The actor's name at the time, or `cli`.
    async fn actor_name(&self) -> Option<&str> {
        self.0.actor_name.as_deref()
    }
    /// The token the actor used.
    async fn token_id(&self) -> Option<ID> {
        self.0.token_id.map(to_id)
    }
    /// The GraphQL operation (or command), e.g. `changeActionStatus`.
    async fn operation(&self) -> &str {
        &self.0.operation
    }
    /// `OK`, or `FORBIDDEN` for a refusal.
    async fn outcome(&self) -> &str {
        &self.0.outcome
    }
    /// The kind of record, e.g. `Action`.
    async fn entity_type(&self) -> Option<&str> {
        self.0.entity_type.as_deref()
    }
    /// The ID of the record concerned.
    async fn entity_id(&self) -> Option<ID> {
        self.0.entity_id.map(to_id)
    }
    /// The record before the change.
    async fn before(&self) -> Option<Json<serde_json::Value>> {
        self.0.before.clone().map(Json)
    }
    /// The record after the change.
    async fn after(&self) -> Option<Json<serde_json::Value>> {
        self.0.after.clone().map(Json)
    }
    /// The id of the HTTP request, as in the server log.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    /// When it happened.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit trail, newest first. ADMIN and LEADERSHIP only.
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AuditFilter>,
    ) -> Result<Conn<AuditEvent>> {
        authorize(ctx, Operation::ReadAudit).await?;
        let page = Page::from_args(first, after.as_deref())?;
        let filter = filter.unwrap_or_default().into_domain()?;
        Ok(paginate(db(ctx), service::list_query(filter), page).await?)
    }
}
