use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Who did what, when, to which record; the record before and after.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub token_id: Option<Uuid>,
    /// The GraphQL operation or CLI command, e.g. `changeActionStatus`.
    pub operation: String,
    /// `OK`, or `FORBIDDEN` for a refusal.
    pub outcome: String,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub before: Option<Json>,
    pub after: Option<Json>,
    pub request_id: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
