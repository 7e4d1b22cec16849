//! Rules and queries for issues.

pub use entity::enums::IssueStatus;
use entity::{issue, issue_meeting, meeting};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, Select, Set,
};
use uuid::Uuid;

pub use super::history::{carry, discussed_at, meetings_of, updates};
use super::history::{link, write_update};
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

/// An issue taken up at a meeting: a new one, or one raised at an earlier meeting, with the
/// actions agreed for it there.
#[derive(Debug, Clone)]
pub enum MeetingIssue {
    New(NewIssue),
    Carried {
        issue_id: Uuid,
        actions: Vec<NewAction>,
    },
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
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    link(db, model.id, meeting_id).await?;
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

/// Sets an issue's status with an entry in its timeline (in the caller's transaction,
/// unchecked and unaudited: for data loaded by the operator).
pub async fn set_status<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    status: IssueStatus,
    note: Option<String>,
    meeting_id: Option<Uuid>,
    author: Option<&crate::actor::Author>,
) -> AppResult<issue::Model> {
    let current = find(db, id)
        .await?
        .ok_or_else(|| AppError::not_found_at("issue", "id"))?;
    let mut model: issue::ActiveModel = current.clone().into();
    model.status = Set(status);
    model.version = Set(current.version + 1);
    model.updated_at = Set(crate::db::now());
    let saved = model.update(db).await?;
    let change = Some((current.status, status));
    write_update(db, id, meeting_id, change, note, author, crate::db::now()).await?;
    Ok(saved)
}

/// `changeIssueStatus`: moves an issue to another status, with an optional note, in its
/// timeline. A stale `expected_version` is a CONFLICT.
pub async fn change_status(
    db: &DatabaseConnection,
    who: &Who,
    id: Uuid,
    status: IssueStatus,
    note: Option<&str>,
    expected_version: Option<i32>,
) -> AppResult<issue::Model> {
    authorize(db, who, Operation::ManageRegistry, "changeIssueStatus").await?;
    let txn = crate::db::begin_write(db).await?;
    let current = find(&txn, id)
        .await?
        .ok_or_else(|| AppError::not_found_at("issue", "id"))?;
    crate::db::check_version(current.version, expected_version)?;
    if current.status == status {
        return Err(AppError::bad_input(
            "status",
            format!(
                "the issue is already {}",
                sea_orm::ActiveEnum::to_value(&status)
            ),
        ));
    }
    let note = validate::optional(note, "note", validate::TEXT)?;
    let mut saved = current.clone();
    saved.status = status;
    saved.version = current.version + 1;
    saved.updated_at = crate::db::now();
    let row = Condition::all()
        .add(issue::Column::Id.eq(id))
        .add(issue::Column::Version.eq(current.version));
    crate::db::save_versioned(&txn, issue::ActiveModel::from(saved.clone()), row, "issue").await?;
    write_update(
        &txn,
        id,
        None,
        Some((current.status, status)),
        note,
        who.author().as_ref(),
        crate::db::now(),
    )
    .await?;
    let entry = Entry::changed("changeIssueStatus", "Issue", id, &current, &saved);
    audit::record(&txn, who, entry).await?;
    txn.commit().await?;
    Ok(saved)
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
    let (before, after) = change(&txn, id, input, who.author().as_ref()).await?;
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
    author: Option<&crate::actor::Author>,
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
    model.version = Set(current.version + 1);
    model.updated_at = Set(crate::db::now());
    let saved = model.update(db).await?;
    if saved.status != current.status {
        let change = Some((current.status, saved.status));
        write_update(db, id, None, change, None, author, crate::db::now()).await?;
    }
    Ok((current, saved))
}

/// Issues matching `filter`, oldest first.
pub fn list_query(f: IssueFilter) -> Select<issue::Entity> {
    let mut cond = Condition::all();
    if let Some(id) = f.meeting_id {
        let discussed = sea_orm::sea_query::Query::select()
            .column(issue_meeting::Column::IssueId)
            .from(issue_meeting::Entity)
            .and_where(issue_meeting::Column::MeetingId.eq(id))
            .to_owned();
        cond = cond.add(issue::Column::Id.in_subquery(discussed));
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
