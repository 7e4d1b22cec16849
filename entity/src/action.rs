use sea_orm::{Set, entity::prelude::*};
use serde::{Deserialize, Serialize};

use crate::enums::{ActionStatus, Priority};

/// A follow-up action (tindak lanjut) agreed at a meeting.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub issue_id: Option<Uuid>,
    pub title: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub lead_ministry_id: Uuid,
    pub due_on: Date,
    pub original_due_on: Date,
    pub priority: Priority,
    pub status: ActionStatus,
    pub completed_on: Option<Date>,
    /// Title and description folded for search (see [`crate::search`]).
    pub search: String,
    pub version: i32,
    /// The next day planning must look at this action (see [`PLAN_NOW`], [`PLAN_NEVER`]).
    pub next_reminder_on: Date,
    /// Changes made to the action's reminders from outside it (liaisons, convener).
    pub reminder_generation: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    async fn before_save<C>(mut self, _db: &C, _insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        if let (Some(title), Some(description)) =
            (self.title.try_as_ref(), self.description.try_as_ref())
        {
            self.search = Set(search_of(title, description.as_deref()));
        }
        Ok(self)
    }
}

/// `next_reminder_on` of an action planning must look at on its next run.
pub const PLAN_NOW: Date = match Date::from_ymd_opt(1, 1, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// `next_reminder_on` of an action no reminder is planned for (it is closed).
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

impl Model {
    /// After a change: an open action is looked at by the next planning run, a closed one
    /// never.
    pub fn with_planning_reset(mut self) -> Self {
        self.next_reminder_on = plan_from(self.status);
        self
    }

    /// The search column as this model's fields call for.
    pub fn with_search(mut self) -> Self {
        self.search = search_of(&self.title, self.description.as_deref());
        self
    }
}

/// What an action is found by.
pub fn search_of(title: &str, description: Option<&str>) -> String {
    crate::search::fold([Some(title), description])
}
