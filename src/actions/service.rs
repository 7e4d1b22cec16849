//! Rules for actions: creation, edits, status changes and the timeline they leave. Each
//! public change is one unit of work: authorised for the actor, written with its timeline
//! entry and audit event in one transaction.

use chrono::NaiveDate;
pub use entity::enums::{ActionStatus, Priority};
use entity::{action, action_supporter, action_update, issue, meeting};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::{
    supporters::{replace_supporters, supporters},
    timeline::{TimelineEntry, write_update},
};
use crate::{
    actor::{Author, Who},
    audit::service::{self as audit, Entry},
    auth::policy::{Operation, authorize},
    db::{begin_write, check_version, save_versioned},
    error::{AppError, AppResult},
    ministries::service::{MinistryRef, resolve},
    patch::Patch,
    validate,
};

/// An action as agreed at a meeting (its meeting and issue are given apart).
#[derive(Debug, Clone)]
pub struct NewAction {
    pub title: String,
    pub description: Option<String>,
    pub lead_ministry: MinistryRef,
    pub supporting_ministries: Vec<MinistryRef>,
    pub due_on: NaiveDate,
    /// NORMAL when not given.
    pub priority: Option<Priority>,
}

/// Changes to an action; what is left out stays.
#[derive(Debug, Clone, Default)]
pub struct ActionChanges {
    pub issue_id: Patch<Uuid>,
    pub title: Option<String>,
    pub description: Patch<String>,
    pub lead_ministry: Option<MinistryRef>,
    /// Replaces the whole list.
    pub supporting_ministries: Option<Vec<MinistryRef>>,
    /// A new due date; the original one is kept and the change is written to the timeline.
    pub due_on: Option<NaiveDate>,
    pub priority: Option<Priority>,
    /// Why the action changed, kept in the timeline.
    pub note: Option<String>,
}

/// Inserts an action of `meeting_id` (in the caller's transaction); `path` prefixes field
/// names in errors.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    meeting_id: Uuid,
    issue_id: Option<Uuid>,
    input: NewAction,
    path: &str,
) -> AppResult<action::Model> {
    let title = validate::required(&input.title, &format!("{path}.title"), validate::LINE)?;
    let description = validate::optional(
        input.description.as_deref(),
        &format!("{path}.description"),
        validate::TEXT,
    )?;
    let lead = resolve(db, &input.lead_ministry, &format!("{path}.leadMinistry")).await?;
    let supporters = supporters(db, lead.id, &input.supporting_ministries, path).await?;
    let now = crate::db::now();
    let model = action::ActiveModel {
        // Filled in from the other fields when the row is saved.
        search: sea_orm::ActiveValue::NotSet,
        id: Set(Uuid::now_v7()),
        meeting_id: Set(meeting_id),
        issue_id: Set(issue_id),
        title: Set(title),
        description: Set(description),
        lead_ministry_id: Set(lead.id),
        due_on: Set(input.due_on),
        original_due_on: Set(input.due_on),
        priority: Set(input.priority.unwrap_or(Priority::Normal)),
        status: Set(ActionStatus::Open),
        completed_on: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    crate::reminders::next_day::start(db, model.id, model.status).await?;
    replace_supporters(db, model.id, &supporters).await?;
    Ok(model)
}

/// `createAction`: adds an action to a meeting (and to one of its issues, if given).
pub async fn create(
    db: &DatabaseConnection,
    who: &Who,
    meeting_id: Uuid,
    issue_id: Option<Uuid>,
    input: NewAction,
) -> AppResult<action::Model> {
    authorize(db, who, Operation::ManageRegistry, "createAction").await?;
    let txn = begin_write(db).await?;
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
    let issue_id = match issue_id {
        Some(id) => Some(issue_of_meeting(&txn, id, meeting_id, "input.issueId").await?),
        None => None,
    };
    let a = insert(&txn, meeting_id, issue_id, input, "input").await?;
    audit::record(
        &txn,
        who,
        Entry::created("createAction", "Action", a.id, &a),
    )
    .await?;
    txn.commit().await?;
    Ok(a)
}

async fn issue_of_meeting<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    meeting_id: Uuid,
    field: &str,
) -> AppResult<Uuid> {
    let issue = issue::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::bad_input(field, "no issue has this ID"))?;
    if !crate::issues::service::discussed_at(db, issue.id, meeting_id).await? {
        return Err(AppError::bad_input(
            field,
            "the issue was not taken up at this meeting",
        ));
    }
    Ok(issue.id)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Option<action::Model>> {
    Ok(action::Entity::find_by_id(id).one(db).await?)
}

/// Loads an action for a change, checking the version the client last saw.
async fn load_for_change<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<action::Model> {
    let action = find(db, id)
        .await?
        .ok_or_else(|| AppError::not_found_at("action", "id"))?;
    check_version(action.version, expected_version)?;
    Ok(action)
}

/// Writes `next` over the stored row only if nobody changed it since `version` was read.
async fn save<C: ConnectionTrait>(
    db: &C,
    mut next: action::Model,
    version: i32,
) -> AppResult<action::Model> {
    next.version = version + 1;
    next.updated_at = crate::db::now();
    let next = next.with_search();
    let current = Condition::all()
        .add(action::Column::Id.eq(next.id))
        .add(action::Column::Version.eq(version));
    save_versioned(
        db,
        action::ActiveModel::from(next.clone()),
        current,
        "action",
    )
    .await?;
    crate::reminders::next_day::reset(db, next.id, next.status).await?;
    Ok(next)
}

/// `updateAction`: a new due date keeps the original one and is written to the timeline; a
/// stale `expected_version` is a CONFLICT and changes nothing.
pub async fn update(
    db: &DatabaseConnection,
    who: &Who,
    id: Uuid,
    input: ActionChanges,
    expected_version: Option<i32>,
) -> AppResult<action::Model> {
    authorize(db, who, Operation::ManageRegistry, "updateAction").await?;
    let txn = begin_write(db).await?;
    let (before, after) = change(&txn, id, input, expected_version, who.author().as_ref()).await?;
    let entry = Entry::changed("updateAction", "Action", id, &before, &after);
    audit::record(&txn, who, entry).await?;
    txn.commit().await?;
    Ok(after)
}

async fn change<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    input: ActionChanges,
    expected_version: Option<i32>,
    author: Option<&Author>,
) -> AppResult<(action::Model, action::Model)> {
    let current = load_for_change(db, id, expected_version).await?;
    let mut next = current.clone();
    let note = validate::optional(input.note.as_deref(), "input.note", validate::TEXT)?;
    if let Some(title) = &input.title {
        next.title = validate::required(title, "input.title", validate::LINE)?;
    }
    if let Some(d) = validate::patch(&input.description, "input.description", validate::TEXT)? {
        next.description = d;
    }
    match input.issue_id {
        Patch::Keep => {}
        Patch::Clear => next.issue_id = None,
        Patch::Set(issue) => {
            next.issue_id =
                Some(issue_of_meeting(db, issue, current.meeting_id, "input.issueId").await?);
        }
    }
    if let Some(lead) = &input.lead_ministry {
        next.lead_ministry_id = resolve(db, lead, "input.leadMinistry").await?.id;
    }
    if let Some(priority) = input.priority {
        next.priority = priority;
    }
    let new_supporters = match &input.supporting_ministries {
        Some(refs) => Some(supporters(db, next.lead_ministry_id, refs, "input").await?),
        None => None,
    };
    if input.lead_ministry.is_some() && new_supporters.is_none() {
        // The new lead may have been a supporter: it now leads instead.
        action_supporter::Entity::delete_many()
            .filter(action_supporter::Column::ActionId.eq(current.id))
            .filter(action_supporter::Column::MinistryId.eq(next.lead_ministry_id))
            .exec(db)
            .await?;
    }
    let rescheduled = input.due_on.filter(|d| *d != current.due_on);
    if let Some(due) = rescheduled {
        next.due_on = due;
    }
    let saved = save(db, next, current.version).await?;
    if let Some(ids) = new_supporters {
        replace_supporters(db, saved.id, &ids).await?;
    }
    if rescheduled.is_some() || note.is_some() {
        write_update(
            db,
            saved.id,
            TimelineEntry {
                note,
                from_status: None,
                to_status: None,
                previous_due_on: rescheduled.map(|_| current.due_on),
                new_due_on: rescheduled,
                completed_on: None,
            },
            author,
        )
        .await?;
    }
    Ok((current, saved))
}

/// `changeActionStatus`: DONE records `today` as the completion date, leaving DONE clears it,
/// and every change is written to the timeline. A liaison may do this on the actions its
/// ministry leads (by token or through a progress link).
pub async fn change_status(
    db: &DatabaseConnection,
    who: &Who,
    id: Uuid,
    status: ActionStatus,
    note: Option<&str>,
    expected_version: Option<i32>,
    today: NaiveDate,
) -> AppResult<action::Model> {
    authorize(
        db,
        who,
        Operation::ChangeActionStatus(id),
        "changeActionStatus",
    )
    .await?;
    let txn = begin_write(db).await?;
    let author = who.author();
    let current = load_for_change(&txn, id, expected_version).await?;
    if status == current.status {
        return Err(AppError::bad_input(
            "status",
            format!("the action is already {}", status.to_value()),
        ));
    }
    let note = validate::optional(note, "note", validate::TEXT)?;
    let mut next = current.clone();
    next.status = status;
    next.completed_on = (status == ActionStatus::Done).then_some(today);
    let saved = save(&txn, next, current.version).await?;
    write_update(
        &txn,
        saved.id,
        TimelineEntry {
            note,
            from_status: Some(current.status),
            to_status: Some(status),
            previous_due_on: None,
            new_due_on: None,
            completed_on: saved.completed_on,
        },
        author.as_ref(),
    )
    .await?;
    let entry = Entry::changed("changeActionStatus", "Action", id, &current, &saved);
    audit::record(&txn, who, entry).await?;
    txn.commit().await?;
    Ok(saved)
}

/// `addActionUpdate`: a progress note in the action's timeline. A liaison may do this on
/// the actions its ministry leads or supports.
pub async fn add_update(
    db: &DatabaseConnection,
    who: &Who,
    action_id: Uuid,
    note: &str,
) -> AppResult<action_update::Model> {
    authorize(
        db,
        who,
        Operation::AddActionUpdate(action_id),
        "addActionUpdate",
    )
    .await?;
    let txn = begin_write(db).await?;
    let action = find(&txn, action_id)
        .await?
        .ok_or_else(|| AppError::not_found_at("action", "actionId"))?;
    let note = validate::required(note, "note", validate::TEXT)?;
    let u = write_update(
        &txn,
        action.id,
        TimelineEntry {
            note: Some(note),
            from_status: None,
            to_status: None,
            previous_due_on: None,
            new_due_on: None,
            completed_on: None,
        },
        who.author().as_ref(),
    )
    .await?;
    let entry = Entry::created("addActionUpdate", "ActionUpdate", u.id, &u);
    audit::record(&txn, who, entry).await?;
    txn.commit().await?;
    Ok(u)
}
