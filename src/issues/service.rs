//! Rules and queries for issues.

use async_graphql::{Enum, ID, InputObject, MaybeUndefined};
use entity::{enums as db, issue};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Select, Set,
};
use uuid::Uuid;

use crate::{
    actions::service::{self as actions, MeetingActionInput},
    error::{AppError, AppResult},
    graphql::scalars::parse_id,
    search, validate,
};

crate::mirror_enum! {
    /// Where an issue stands.
    IssueStatus => db::IssueStatus { Open, Addressed, Closed }
}

/// An issue identified at the meeting being recorded, with the actions agreed for it.
#[derive(InputObject, Debug, Clone)]
pub struct MeetingIssueInput {
    pub title: String,
    pub description: Option<String>,
    /// Free text, e.g. the phase: pra-penempatan, masa penempatan, purna penempatan.
    pub category: Option<String>,
    pub actions: Option<Vec<MeetingActionInput>>,
}

#[derive(InputObject, Debug, Clone)]
pub struct AddIssueInput {
    pub meeting_id: ID,
    pub title: String,
    pub description: Option<String>,
    pub category: Option<String>,
}

#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdateIssueInput {
    pub title: Option<String>,
    pub description: MaybeUndefined<String>,
    pub category: MaybeUndefined<String>,
    pub status: Option<IssueStatus>,
}

#[derive(InputObject, Debug, Clone, Default)]
pub struct IssueFilter {
    pub meeting_id: Option<ID>,
    pub status: Option<Vec<IssueStatus>>,
    /// Exact category, case-insensitive.
    pub category: Option<String>,
    /// Case-insensitive match on title or description.
    pub search: Option<String>,
}

/// Inserts an issue of `meeting_id` with its actions; `path` prefixes field names in errors.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    meeting_id: Uuid,
    input: MeetingIssueInput,
    path: &str,
) -> AppResult<issue::Model> {
    let now = crate::db::now();
    let model = issue::ActiveModel {
        // Filled in from the other fields when the row is saved.
        search: sea_orm::ActiveValue::NotSet,
        category_key: sea_orm::ActiveValue::NotSet,
        id: Set(Uuid::now_v7()),
        meeting_id: Set(meeting_id),
        title: Set(validate::required(
            &input.title,
            &format!("{path}.title"),
            validate::LINE,
        )?),
        description: Set(validate::optional(
            input.description.as_deref(),
            &format!("{path}.description"),
            validate::TEXT,
        )?),
        category: Set(validate::optional(
            input.category.as_deref(),
            &format!("{path}.category"),
            validate::LINE,
        )?),
        status: Set(db::IssueStatus::Open),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    for (i, action) in input.actions.unwrap_or_default().into_iter().enumerate() {
        actions::insert(
            db,
            meeting_id,
            Some(model.id),
            action,
            &format!("{path}.actions[{i}]"),
        )
        .await?;
    }
    Ok(model)
}

pub async fn add<C: ConnectionTrait>(db: &C, input: AddIssueInput) -> AppResult<issue::Model> {
    let meeting_id = parse_id(&input.meeting_id, "input.meetingId")?;
    if crate::meetings::service::find(db, meeting_id)
        .await?
        .is_none()
    {
        return Err(AppError::bad_input(
            "input.meetingId",
            "no meeting has this ID",
        ));
    }
    let spec = MeetingIssueInput {
        title: input.title,
        description: input.description,
        category: input.category,
        actions: None,
    };
    insert(db, meeting_id, spec, "input").await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Option<issue::Model>> {
    Ok(issue::Entity::find_by_id(id).one(db).await?)
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: &ID,
    input: UpdateIssueInput,
) -> AppResult<(issue::Model, issue::Model)> {
    let current = find(db, parse_id(id, "id")?)
        .await?
        .ok_or_else(|| AppError::not_found_at("issue", "id"))?;
    let mut model: issue::ActiveModel = current.clone().into();
    if let Some(title) = &input.title {
        model.title = Set(validate::required(title, "input.title", validate::LINE)?);
    }
    if let Some(d) = validate::patch(&input.description, "input.description", validate::TEXT)? {
        model.description = Set(d);
    }
    if let Some(c) = validate::patch(&input.category, "input.category", validate::LINE)? {
        model.category = Set(c);
    }
    if let Some(status) = input.status {
        model.status = Set(status.into());
    }
    model.updated_at = Set(crate::db::now());
    Ok((current, model.update(db).await?))
}

/// Issues matching `filter`, oldest first.
pub fn list_query(filter: Option<IssueFilter>) -> AppResult<Select<issue::Entity>> {
    let f = filter.unwrap_or_default();
    let mut cond = Condition::all();
    if let Some(id) = &f.meeting_id {
        cond = cond.add(issue::Column::MeetingId.eq(parse_id(id, "filter.meetingId")?));
    }
    if let Some(statuses) = f.status {
        let statuses: Vec<db::IssueStatus> = statuses.into_iter().map(Into::into).collect();
        cond = cond.add(issue::Column::Status.is_in(statuses));
    }
    if let Some(category) = f
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        cond = cond.add(search::matches(
            issue::Column::CategoryKey,
            &search::literal(category),
        ));
    }
    if let Some(pattern) = search::pattern(f.search.as_deref()) {
        cond = cond.add(search::matches(issue::Column::Search, &pattern));
    }
    Ok(issue::Entity::find()
        .filter(cond)
        .order_by_asc(issue::Column::CreatedAt)
        .order_by_asc(issue::Column::Id))
}
