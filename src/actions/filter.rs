//! Which actions a list shows and in what order.

use chrono::NaiveDate;
use entity::{action, action_supporter, enums as db};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder, Select,
    sea_query::Query,
};
use uuid::Uuid;

use crate::{
    db::Direction,
    error::{AppError, AppResult},
    ministries::service::{MinistryRef, resolve},
    search,
};

/// Which actions to list.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    /// Any of these statuses.
    pub status: Option<Vec<db::ActionStatus>>,
    /// Any of these priorities.
    pub priority: Option<Vec<db::Priority>>,
    /// Led by this ministry.
    pub lead_ministry: Option<MinistryRef>,
    /// Led or supported by this ministry.
    pub ministry: Option<MinistryRef>,
    pub meeting_id: Option<Uuid>,
    pub issue_id: Option<Uuid>,
    /// Due on or after this date.
    pub due_from: Option<NaiveDate>,
    /// Due on or before this date.
    pub due_to: Option<NaiveDate>,
    /// Only overdue actions (true) or only those that are not (false).
    pub overdue: Option<bool>,
    /// The day "overdue" is judged on; today by default.
    pub as_of: Option<NaiveDate>,
    /// Case-insensitive match on title or description.
    pub search: Option<String>,
}

/// What actions are sorted by.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum ActionOrderField {
    #[default]
    DueOn,
    CreatedAt,
    UpdatedAt,
    Priority,
}

/// How actions are sorted (ties broken by id).
#[derive(Debug, Clone, Copy, Default)]
pub struct ActionOrder {
    pub field: ActionOrderField,
    pub direction: Direction,
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
    f: ActionFilter,
    order: ActionOrder,
    today: NaiveDate,
) -> AppResult<Select<action::Entity>> {
    let mut cond = Condition::all();
    if let Some(statuses) = f.status {
        cond = cond.add(action::Column::Status.is_in(statuses));
    }
    if let Some(priorities) = f.priority {
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
    if let Some(id) = f.meeting_id {
        cond = cond.add(action::Column::MeetingId.eq(id));
    }
    if let Some(id) = f.issue_id {
        cond = cond.add(action::Column::IssueId.eq(id));
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
        cond = cond.add(action::Column::DueOn.gte(from));
    }
    if let Some(to) = f.due_to {
        cond = cond.add(action::Column::DueOn.lte(to));
    }
    if let Some(overdue) = f.overdue {
        let on = overdue_on(f.as_of.unwrap_or(today));
        cond = cond.add(if overdue { on } else { on.not() });
    }
    if let Some(pattern) = search::pattern(f.search.as_deref()) {
        cond = cond.add(search::matches(action::Column::Search, &pattern));
    }
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
