//! An issue's history across a meeting series: the meetings that took it up, the issue carried
//! forward to a later meeting with the actions agreed there, and its timeline of updates.

use entity::{enums::IssueStatus, issue, issue_meeting, issue_update, meeting};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::service::find;
use crate::{
    actions::service::{self as actions, NewAction},
    error::{AppError, AppResult},
};

/// Records that `issue_id` was taken up at `meeting_id`.
pub(super) async fn link<C: ConnectionTrait>(
    db: &C,
    issue_id: Uuid,
    meeting_id: Uuid,
) -> AppResult<()> {
    issue_meeting::ActiveModel {
        issue_id: Set(issue_id),
        meeting_id: Set(meeting_id),
        created_at: Set(crate::db::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Whether `issue_id` was taken up at `meeting_id`.
pub async fn discussed_at<C: ConnectionTrait>(
    db: &C,
    issue_id: Uuid,
    meeting_id: Uuid,
) -> AppResult<bool> {
    Ok(issue_meeting::Entity::find_by_id((issue_id, meeting_id))
        .one(db)
        .await?
        .is_some())
}

/// Takes up at `meeting` the issue `issue_id`, raised at an earlier meeting, and inserts the
/// actions agreed for it there (in the caller's transaction). `path` prefixes field names.
pub async fn carry<C: ConnectionTrait>(
    db: &C,
    meeting: &meeting::Model,
    issue_id: Uuid,
    actions: Vec<NewAction>,
    author: Option<&crate::actor::Author>,
    path: &str,
) -> AppResult<issue::Model> {
    let field = format!("{path}.issueId");
    let found = find(db, issue_id)
        .await?
        .ok_or_else(|| AppError::bad_input(&field, "no issue has this ID"))?;
    let first = meeting::Entity::find_by_id(found.meeting_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("meeting"))?;
    if first.starts_at >= meeting.starts_at {
        return Err(AppError::bad_input(
            &field,
            "an issue is carried forward from an earlier meeting only",
        ));
    }
    if discussed_at(db, issue_id, meeting.id).await? {
        return Err(AppError::bad_input(
            &field,
            "the issue is already on this meeting's agenda",
        ));
    }
    link(db, issue_id, meeting.id).await?;
    write_update(
        db,
        issue_id,
        Some(meeting.id),
        None,
        None,
        author,
        crate::db::now(),
    )
    .await?;
    for (i, action) in actions.into_iter().enumerate() {
        actions::insert(
            db,
            meeting.id,
            Some(issue_id),
            action,
            &format!("{path}.actions[{i}]"),
        )
        .await?;
    }
    Ok(found)
}

/// One entry in an issue's timeline.
pub(super) async fn write_update<C: ConnectionTrait>(
    db: &C,
    issue_id: Uuid,
    meeting_id: Option<Uuid>,
    change: Option<(IssueStatus, IssueStatus)>,
    note: Option<String>,
    author: Option<&crate::actor::Author>,
    at: chrono::DateTime<chrono::Utc>,
) -> AppResult<issue_update::Model> {
    Ok(issue_update::ActiveModel {
        id: Set(Uuid::now_v7()),
        issue_id: Set(issue_id),
        meeting_id: Set(meeting_id),
        note: Set(note),
        from_status: Set(change.map(|c| c.0)),
        to_status: Set(change.map(|c| c.1)),
        author: Set(author.map(|a| a.name.clone())),
        author_id: Set(author.and_then(|a| a.id)),
        created_at: Set(at),
    }
    .insert(db)
    .await?)
}

/// An issue's timeline, oldest first.
pub async fn updates<C: ConnectionTrait>(
    db: &C,
    issue_id: Uuid,
) -> AppResult<Vec<issue_update::Model>> {
    Ok(issue_update::Entity::find()
        .filter(issue_update::Column::IssueId.eq(issue_id))
        .order_by_asc(issue_update::Column::CreatedAt)
        .order_by_asc(issue_update::Column::Id)
        .all(db)
        .await?)
}

/// The meetings that took up an issue, oldest first.
pub async fn meetings_of<C: ConnectionTrait>(
    db: &C,
    issue_id: Uuid,
) -> AppResult<Vec<meeting::Model>> {
    let ids: Vec<Uuid> = issue_meeting::Entity::find()
        .filter(issue_meeting::Column::IssueId.eq(issue_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.meeting_id)
        .collect();
    Ok(meeting::Entity::find()
        .filter(meeting::Column::Id.is_in(ids))
        .order_by_asc(meeting::Column::StartsAt)
        .order_by_asc(meeting::Column::Id)
        .all(db)
        .await?)
}
