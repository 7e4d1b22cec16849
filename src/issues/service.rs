//! Rules and queries for issues.

pub use entity::enums::IssueStatus;
use entity::{issue, meeting};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, Select, Set,
};
use uuid::Uuid;

use crate::{
    actions::service::{self as actions, NewAction},
    actor::Who,
    audit::service::{self as audit, Entry},
    auth::policy::{Operation, authorize},
    error::{AppError, AppResult},
    patch::Patch,
    search, validate,
};

/// An issue identified at a meeting, with the actions agreed for it.
#[derive(Debug, Clone, Default)]
pub struct NewIssue {
    pub title: String,
    pub description: Option<String>,
    /// Free text, e.g. the phase: pra-penempatan, masa penempatan, purna penempatan.
    pub category: Option<String>,
    pub actions: Vec<NewAction>,
}

/// Changes to an issue; what is left out stays.
#[derive(Debug, Clone, Default)]
pub struct IssueChanges {
    pub title: Option<String>,
    pub description: Patch<String>,
    pub category: Patch<String>,
    pub status: Option<IssueStatus>,
}

/// Which issues to list.
#[derive(Debug, Clone, Default)]
pub struct IssueFilter {
    pub meeting_id: Option<Uuid>,
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
    input: NewIssue,
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
        status: Set(IssueStatus::Open),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    for (i, action) in input.actions.into_iter().enumerate() {
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

/// `addIssue`: adds an issue to a meeting.
pub async fn add(
    db: &DatabaseConnection,
    who: &Who,
    meeting_id: Uuid,
    input: NewIssue,
) -> AppResult<issue::Model> {
    authorize(db, who, Operation::ManageRegistry, "addIssue").await?;
    let txn = crate::db::begin_write(db).await?;
    if meeting::Entity::find_by_id(meeting_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(AppError::bad_input(
            "input.meetingId",
            "no meeting has this ID",
        ));
    }
    let i = insert(&txn, meeting_id, input, "input").await?;
    audit::record(&txn, who, Entry::created("addIssue", "Issue", i.id, &i)).await?;
    txn.commit().await?;
    Ok(i)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Option<issue::Model>> {
    Ok(issue::Entity::find_by_id(id).one(db).await?)
}

/// `updateIssue`: changes an issue, including its status.
pub async fn update(
    db: &DatabaseConnection,
    who: &Who,
    id: Uuid,
    input: IssueChanges,
) -> AppResult<issue::Model> {
    authorize(db, who, Operation::ManageRegistry, "updateIssue").await?;
    let txn = crate::db::begin_write(db).await?;
    let (before, after) = change(&txn, id, input).await?;
    audit::record(
        &txn,
        who,
        Entry::changed("updateIssue", "Issue", id, &before, &after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

async fn change<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    input: IssueChanges,
) -> AppResult<(issue::Model, issue::Model)> {
    let current = find(db, id)
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
        model.status = Set(status);
    }
    model.updated_at = Set(crate::db::now());
    Ok((current, model.update(db).await?))
}

/// Issues matching `filter`, oldest first.
pub fn list_query(f: IssueFilter) -> Select<issue::Entity> {
    let mut cond = Condition::all();
    if let Some(id) = f.meeting_id {
        cond = cond.add(issue::Column::MeetingId.eq(id));
    }
    if let Some(statuses) = f.status {
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
    issue::Entity::find()
        .filter(cond)
        .order_by_asc(issue::Column::CreatedAt)
        .order_by_asc(issue::Column::Id)
}
