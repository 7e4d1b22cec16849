//! Which actions a list shows and in what order.

use async_graphql::{Enum, ID, InputObject};
use chrono::NaiveDate;
use entity::{action, action_supporter, enums as db};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder, Select,
    sea_query::Query,
};
use uuid::Uuid;

use super::service::{ActionStatus, Priority};
use crate::{
    error::{AppError, AppResult},
    graphql::scalars::{Date, parse_id},
    ministries::service::{MinistryRef, resolve},
    search,
};

#[derive(InputObject, Debug, Clone, Default)]
pub struct ActionFilter {
    /// Any of these statuses.
    pub status: Option<Vec<ActionStatus>>,
    /// Any of these priorities.
    pub priority: Option<Vec<Priority>>,
    /// Led by this ministry.
    pub lead_ministry: Option<MinistryRef>,
    /// Led or supported by this ministry.
    pub ministry: Option<MinistryRef>,
    pub meeting_id: Option<ID>,
    pub issue_id: Option<ID>,
    /// Due on or after this date.
    pub due_from: Option<Date>,
    /// Due on or before this date.
    pub due_to: Option<Date>,
    /// Only overdue actions (true) or only those that are not (false).
    pub overdue: Option<bool>,
    /// The day "overdue" is judged on; today in the configured time zone by default.
    pub as_of: Option<Date>,
    /// Case-insensitive match on title or description.
    pub search: Option<String>,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum ActionOrderField {
    #[default]
    DueOn,
    CreatedAt,
    UpdatedAt,
    Priority,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum OrderDirection {
    #[default]
    Asc,
    Desc,
}

impl From<OrderDirection> for Order {
    fn from(d: OrderDirection) -> Self {
        match d {
            OrderDirection::Asc => Order::Asc,
            OrderDirection::Desc => Order::Desc,
        }
    }
}

#[derive(InputObject, Debug, Clone, Copy, Default)]
pub struct ActionOrder {
    pub field: ActionOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

const CLOSED: [db::ActionStatus; 2] = [db::ActionStatus::Done, db::ActionStatus::Cancelled];

/// The condition "overdue on `as_of`": still open and due before that day.
pub fn overdue_on(as_of: NaiveDate) -> Condition {
    Condition::all()
        .add(action::Column::Status.is_not_in(CLOSED))
        .add(action::Column::DueOn.lt(as_of))
}

/// True where `action_id` names an action that `ministry` leads or supports.
pub fn involving<C: ColumnTrait>(action_id: C, ministry: Uuid) -> Condition {
    let led = Query::select()
        .column(action::Column::Id)
        .from(action::Entity)
        .and_where(action::Column::LeadMinistryId.eq(ministry))
        .to_owned();
    let supported = Query::select()
        .column(action_supporter::Column::ActionId)
        .from(action_supporter::Entity)
        .and_where(action_supporter::Column::MinistryId.eq(ministry))
        .to_owned();
    Condition::any()
        .add(action_id.in_subquery(led))
        .add(action_id.in_subquery(supported))
}

/// Actions matching `filter`, in `order` (due date first by default), ties broken by id.
pub async fn list_query<C: ConnectionTrait>(
    db: &C,
    filter: Option<ActionFilter>,
    order: Option<ActionOrder>,
    today: NaiveDate,
) -> AppResult<Select<action::Entity>> {
    let f = filter.unwrap_or_default();
    let mut cond = Condition::all();
    if let Some(statuses) = f.status {
        let statuses: Vec<db::ActionStatus> = statuses.into_iter().map(Into::into).collect();
        cond = cond.add(action::Column::Status.is_in(statuses));
    }
    if let Some(priorities) = f.priority {
        let priorities: Vec<db::Priority> = priorities.into_iter().map(Into::into).collect();
        cond = cond.add(action::Column::Priority.is_in(priorities));
    }
    if let Some(r) = &f.lead_ministry {
        let m = resolve(db, r, "filter.leadMinistry").await?;
        cond = cond.add(action::Column::LeadMinistryId.eq(m.id));
    }
    if let Some(r) = &f.ministry {
        let m = resolve(db, r, "filter.ministry").await?;
        cond = cond.add(involving(action::Column::Id, m.id));
    }
    if let Some(id) = &f.meeting_id {
        cond = cond.add(action::Column::MeetingId.eq(parse_id(id, "filter.meetingId")?));
    }
    if let Some(id) = &f.issue_id {
        cond = cond.add(action::Column::IssueId.eq(parse_id(id, "filter.issueId")?));
    }
    if let (Some(from), Some(to)) = (f.due_from, f.due_to)
        && from > to
    {
        return Err(AppError::bad_input(
            "filter.dueTo",
            "dueTo must not be before dueFrom",
        ));
    }
    if let Some(from) = f.due_from {
        cond = cond.add(action::Column::DueOn.gte(from.0));
    }
    if let Some(to) = f.due_to {
        cond = cond.add(action::Column::DueOn.lte(to.0));
    }
    if let Some(overdue) = f.overdue {
        let on = overdue_on(f.as_of.map_or(today, |d| d.0));
        cond = cond.add(if overdue { on } else { on.not() });
    }
    if let Some(pattern) = search::pattern(f.search.as_deref()) {
        cond = cond.add(search::matches(action::Column::Search, &pattern));
    }
    let order = order.unwrap_or_default();
    let column = match order.field {
        ActionOrderField::DueOn => action::Column::DueOn,
        ActionOrderField::CreatedAt => action::Column::CreatedAt,
        ActionOrderField::UpdatedAt => action::Column::UpdatedAt,
        ActionOrderField::Priority => action::Column::Priority,
    };
    let direction: Order = order.direction.into();
    Ok(action::Entity::find()
        .filter(cond)
        .order_by(column, direction.clone())
        .order_by(action::Column::Id, direction))
}
