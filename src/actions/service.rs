//! Rules for actions: creation, edits, status changes and the timeline they leave.

use async_graphql::{Enum, ID, InputObject, MaybeUndefined};
use chrono::NaiveDate;
use entity::{action, action_supporter, action_update, enums as db, issue};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult},
    graphql::scalars::{Date, parse_id},
    ministries::service::{MinistryRef, resolve},
    validate,
};

/// Who writes a timeline entry.
#[derive(Debug, Clone)]
pub struct Author {
    /// The user, when the author is one (a liaison answering a progress link is not).
    pub id: Option<Uuid>,
    pub name: String,
}

impl From<&entity::user::Model> for Author {
    fn from(user: &entity::user::Model) -> Self {
        Self {
            id: Some(user.id),
            name: user.name.clone(),
        }
    }
}

crate::mirror_enum! {
    /// Where a follow-up action stands.
    ActionStatus => db::ActionStatus { Open, InProgress, Blocked, Done, Cancelled }
}

crate::mirror_enum! {
    /// How urgent an action is.
    Priority => db::Priority { Low, Normal, High, Urgent }
}

/// An action agreed at the meeting being recorded (its meeting is implied).
#[derive(InputObject, Debug, Clone)]
pub struct MeetingActionInput {
    pub title: String,
    pub description: Option<String>,
    pub lead_ministry: MinistryRef,
    pub supporting_ministries: Option<Vec<MinistryRef>>,
    pub due_on: Date,
    /// NORMAL when not given.
    pub priority: Option<Priority>,
}

#[derive(InputObject, Debug, Clone)]
pub struct CreateActionInput {
    pub meeting_id: ID,
    /// The issue this action addresses; it must belong to the same meeting.
    pub issue_id: Option<ID>,
    pub title: String,
    pub description: Option<String>,
    pub lead_ministry: MinistryRef,
    pub supporting_ministries: Option<Vec<MinistryRef>>,
    pub due_on: Date,
    pub priority: Option<Priority>,
}

#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdateActionInput {
    pub issue_id: MaybeUndefined<ID>,
    pub title: Option<String>,
    pub description: MaybeUndefined<String>,
    pub lead_ministry: Option<MinistryRef>,
    /// Replaces the whole list.
    pub supporting_ministries: Option<Vec<MinistryRef>>,
    /// A new due date; the original one is kept and the change is written to the timeline.
    pub due_on: Option<Date>,
    pub priority: Option<Priority>,
    /// Why the action changed (e.g. the reason for a new due date), kept in the timeline.
    pub note: Option<String>,
}

impl From<CreateActionInput> for (MeetingActionInput, ID, Option<ID>) {
    fn from(i: CreateActionInput) -> Self {
        let rest = MeetingActionInput {
            title: i.title,
            description: i.description,
            lead_ministry: i.lead_ministry,
            supporting_ministries: i.supporting_ministries,
            due_on: i.due_on,
            priority: i.priority,
        };
        (rest, i.meeting_id, i.issue_id)
    }
}

/// Inserts an action of `meeting_id`; `path` prefixes field names in errors.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    meeting_id: Uuid,
    issue_id: Option<Uuid>,
    input: MeetingActionInput,
    path: &str,
) -> AppResult<action::Model> {
    let title = validate::required(&input.title, &format!("{path}.title"), validate::LINE)?;
    let description = validate::optional(
        input.description.as_deref(),
        &format!("{path}.description"),
        validate::TEXT,
    )?;
    let lead = resolve(db, &input.lead_ministry, &format!("{path}.leadMinistry")).await?;
    let supporters = supporters(
        db,
        lead.id,
        input.supporting_ministries.as_deref().unwrap_or_default(),
        path,
    )
    .await?;
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
        due_on: Set(input.due_on.0),
        original_due_on: Set(input.due_on.0),
        priority: Set(input.priority.unwrap_or(Priority::Normal).into()),
        status: Set(db::ActionStatus::Open),
        completed_on: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    replace_supporters(db, model.id, &supporters).await?;
    Ok(model)
}

/// `createAction`: checks that the meeting exists and that the issue is one of its own.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    input: CreateActionInput,
) -> AppResult<action::Model> {
    let (rest, meeting_id, issue_id) = input.into();
    let meeting_id = parse_id(&meeting_id, "input.meetingId")?;
    if crate::meetings::service::find(db, meeting_id)
        .await?
        .is_none()
    {
        return Err(AppError::bad_input(
            "input.meetingId",
            "no meeting has this ID",
        ));
    }
    let issue_id = match &issue_id {
        Some(id) => Some(issue_of_meeting(db, id, meeting_id, "input.issueId").await?),
        None => None,
    };
    insert(db, meeting_id, issue_id, rest, "input").await
}

async fn issue_of_meeting<C: ConnectionTrait>(
    db: &C,
    id: &ID,
    meeting_id: Uuid,
    field: &str,
) -> AppResult<Uuid> {
    let issue = issue::Entity::find_by_id(parse_id(id, field)?)
        .one(db)
        .await?
        .ok_or_else(|| AppError::bad_input(field, "no issue has this ID"))?;
    if issue.meeting_id != meeting_id {
        return Err(AppError::bad_input(
            field,
            "the issue belongs to another meeting",
        ));
    }
    Ok(issue.id)
}

/// Resolves supporting ministries: no duplicates, and the lead is not also a supporter.
async fn supporters<C: ConnectionTrait>(
    db: &C,
    lead: Uuid,
    refs: &[MinistryRef],
    path: &str,
) -> AppResult<Vec<Uuid>> {
    let mut ids = Vec::with_capacity(refs.len());
    for (i, r) in refs.iter().enumerate() {
        let field = format!("{path}.supportingMinistries[{i}]");
        let m = resolve(db, r, &field).await?;
        if m.id == lead {
            return Err(AppError::bad_input(
                field,
                format!("{} leads this action and cannot also support it", m.code),
            ));
        }
        if !ids.contains(&m.id) {
            ids.push(m.id);
        }
    }
    Ok(ids)
}

async fn replace_supporters<C: ConnectionTrait>(
    db: &C,
    action_id: Uuid,
    ministries: &[Uuid],
) -> AppResult<()> {
    action_supporter::Entity::delete_many()
        .filter(action_supporter::Column::ActionId.eq(action_id))
        .exec(db)
        .await?;
    if ministries.is_empty() {
        return Ok(());
    }
    let rows = ministries
        .iter()
        .enumerate()
        .map(|(i, m)| action_supporter::ActiveModel {
            action_id: Set(action_id),
            ministry_id: Set(*m),
            position: Set(i as i32),
        });
    action_supporter::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

/// What a ministry has to do with an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stake {
    Leads,
    Supports,
}

/// Whether `ministry` leads or supports `action` (`None`: neither).
pub async fn stake<C: ConnectionTrait>(
    db: &C,
    action: &action::Model,
    ministry: Uuid,
) -> AppResult<Option<Stake>> {
    if action.lead_ministry_id == ministry {
        return Ok(Some(Stake::Leads));
    }
    let supports = action_supporter::Entity::find()
        .filter(action_supporter::Column::ActionId.eq(action.id))
        .filter(action_supporter::Column::MinistryId.eq(ministry))
        .one(db)
        .await?;
    Ok(supports.map(|_| Stake::Supports))
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Option<action::Model>> {
    Ok(action::Entity::find_by_id(id).one(db).await?)
}

/// Loads an action for a change, checking the version the client last saw.
async fn load_for_change<C: ConnectionTrait>(
    db: &C,
    id: &ID,
    field: &str,
    expected_version: Option<i32>,
) -> AppResult<action::Model> {
    let action = find(db, parse_id(id, field)?)
        .await?
        .ok_or_else(|| AppError::not_found_at("action", field))?;
    check_version(action.version, expected_version)?;
    Ok(action)
}

pub fn check_version(current: i32, expected: Option<i32>) -> AppResult<()> {
    match expected {
        Some(v) if v != current => Err(AppError::Conflict(format!(
            "the record was changed by someone else (it is at version {current}, you had version {v}); reload it and try again"
        ))),
        _ => Ok(()),
    }
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
    let result = action::Entity::update_many()
        .set(action::ActiveModel::from(next.clone()).reset_all())
        .filter(action::Column::Id.eq(next.id))
        .filter(action::Column::Version.eq(version))
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        return Err(AppError::Conflict(
            "the action was changed by someone else meanwhile; reload it and try again".into(),
        ));
    }
    Ok(next)
}

struct TimelineEntry {
    note: Option<String>,
    from_status: Option<db::ActionStatus>,
    to_status: Option<db::ActionStatus>,
    previous_due_on: Option<NaiveDate>,
    new_due_on: Option<NaiveDate>,
}

async fn write_update<C: ConnectionTrait>(
    db: &C,
    action_id: Uuid,
    entry: TimelineEntry,
    author: Option<&Author>,
) -> AppResult<action_update::Model> {
    Ok(action_update::ActiveModel {
        id: Set(Uuid::now_v7()),
        action_id: Set(action_id),
        note: Set(entry.note),
        from_status: Set(entry.from_status),
        to_status: Set(entry.to_status),
        previous_due_on: Set(entry.previous_due_on),
        new_due_on: Set(entry.new_due_on),
        author: Set(author.map(|a| a.name.clone())),
        author_id: Set(author.and_then(|a| a.id)),
        created_at: Set(crate::db::now()),
    }
    .insert(db)
    .await?)
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: &ID,
    input: UpdateActionInput,
    expected_version: Option<i32>,
    author: Option<&Author>,
) -> AppResult<(action::Model, action::Model)> {
    let current = load_for_change(db, id, "id", expected_version).await?;
    let mut next = current.clone();
    let note = validate::optional(input.note.as_deref(), "input.note", validate::TEXT)?;
    if let Some(title) = &input.title {
        next.title = validate::required(title, "input.title", validate::LINE)?;
    }
    if let Some(d) = validate::patch(&input.description, "input.description", validate::TEXT)? {
        next.description = d;
    }
    match &input.issue_id {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => next.issue_id = None,
        MaybeUndefined::Value(issue) => {
            next.issue_id =
                Some(issue_of_meeting(db, issue, current.meeting_id, "input.issueId").await?);
        }
    }
    if let Some(lead) = &input.lead_ministry {
        next.lead_ministry_id = resolve(db, lead, "input.leadMinistry").await?.id;
    }
    if let Some(priority) = input.priority {
        next.priority = priority.into();
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
    let rescheduled = input.due_on.map(|d| d.0).filter(|d| *d != current.due_on);
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
            },
            author,
        )
        .await?;
    }
    Ok((current, saved))
}

/// Moves an action to `status`: DONE records the completion date, leaving DONE clears it,
/// and every change is written to the timeline.
pub async fn change_status<C: ConnectionTrait>(
    db: &C,
    id: &ID,
    status: ActionStatus,
    note: Option<&str>,
    expected_version: Option<i32>,
    today: NaiveDate,
    author: Option<&Author>,
) -> AppResult<(action::Model, action::Model)> {
    let current = load_for_change(db, id, "id", expected_version).await?;
    let status: db::ActionStatus = status.into();
    if status == current.status {
        return Err(AppError::bad_input(
            "status",
            format!("the action is already {}", status.to_value()),
        ));
    }
    let note = validate::optional(note, "note", validate::TEXT)?;
    let mut next = current.clone();
    next.status = status;
    next.completed_on = (status == db::ActionStatus::Done).then_some(today);
    let saved = save(db, next, current.version).await?;
    write_update(
        db,
        saved.id,
        TimelineEntry {
            note,
            from_status: Some(current.status),
            to_status: Some(status),
            previous_due_on: None,
            new_due_on: None,
        },
        author,
    )
    .await?;
    Ok((current, saved))
}

/// Adds a progress note to an action's timeline.
pub async fn add_update<C: ConnectionTrait>(
    db: &C,
    action_id: &ID,
    note: &str,
    author: Option<&Author>,
) -> AppResult<action_update::Model> {
    let action = find(db, parse_id(action_id, "actionId")?)
        .await?
        .ok_or_else(|| AppError::not_found_at("action", "actionId"))?;
    let note = validate::required(note, "note", validate::TEXT)?;
    write_update(
        db,
        action.id,
        TimelineEntry {
            note: Some(note),
            from_status: None,
            to_status: None,
            previous_due_on: None,
            new_due_on: None,
        },
        author,
    )
    .await
}
