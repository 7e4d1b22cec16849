//! Which worker is delivering to a recipient, until when: one row per address that has ever
//! been claimed (see the migration `m20261206_000014_outbox_leases`).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "outbox_leases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub email: String,
    /// The claim that holds the recipient; none once its outcome is recorded.
    pub owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    /// When the current owner claimed.
    pub claimed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
