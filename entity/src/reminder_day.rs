//! When planning must next look at an action: one narrow row per action, so that writing the
//! day touches two small indexes instead of every index of `actions` (see the migration
//! `m20261129_000010_reminder_days`).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::ActionStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "reminder_days")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub action_id: Uuid,
    /// The next day planning must look at the action (see [`PLAN_NOW`], [`PLAN_NEVER`]).
    pub next_on: Date,
    /// Counts the changes that call for a new look (the action's own, its ministries'
    /// liaisons, its meeting's convener), so that a planner that read the action before such a
    /// change does not overwrite the "look now".
    pub generation: i32,
    /// The generation whose stale reminders were last cancelled: while it differs from
    /// `generation`, the action's pending reminders are checked on the next run.
    pub settled: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// `next_on` of an action planning must look at on its next run.
pub const PLAN_NOW: Date = match Date::from_ymd_opt(1, 1, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// `next_on` of an action no reminder is planned for (it is closed).
pub const PLAN_NEVER: Date = match Date::from_ymd_opt(9999, 12, 31) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// Where planning starts for an action with `status`: at once when open, never when closed.
pub fn plan_from(status: ActionStatus) -> Date {
    match status {
        ActionStatus::Done | ActionStatus::Cancelled => PLAN_NEVER,
        _ => PLAN_NOW,
    }
}

/// The row of a new action with `status`.
pub fn start(action_id: Uuid, status: ActionStatus) -> ActiveModel {
    ActiveModel {
        action_id: sea_orm::Set(action_id),
        next_on: sea_orm::Set(plan_from(status)),
        generation: sea_orm::Set(0),
        settled: sea_orm::Set(0),
    }
}
