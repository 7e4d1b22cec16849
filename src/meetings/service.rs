//! Rules and queries for meetings: recording a whole meeting at once, and editing it.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entity::{meeting, meeting_attendee};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    Order, QueryFilter, QueryOrder, Select, Set, sea_query::Query,
};
use uuid::Uuid;

use crate::{
    actions::service::{self as actions, NewAction},
    actor::Who,
    audit::service::{self as audit, Entry},
    auth::policy::{Operation, authorize},
    db::{Direction, begin_write, check_version, save_versioned},
    error::{AppError, AppResult},
    issues::service::{self as issues, MeetingIssue},
    ministries::service::{MinistryRef, resolve},
    patch::Patch,
    search, validate,
};

/// A ministry that attended, with the names of its representatives.
#[derive(Debug, Clone)]
pub struct Attendee {
    pub ministry: MinistryRef,
    pub representatives: Vec<String>,
}

/// A whole meeting to record.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    /// IANA time zone of the meeting; the configured zone by default.
    pub time_zone: Option<String>,
    pub location: Option<String>,
    pub chair: Option<String>,
    pub chair_position: Option<String>,
    pub convened_by: MinistryRef,
    pub summary: Option<String>,
    pub source_url: Option<String>,
    pub attendees: Vec<Attendee>,
    /// New issues and issues carried forward from earlier meetings.
    pub issues: Vec<MeetingIssue>,
    /// Actions agreed at the meeting that address no single issue.
    pub actions: Vec<NewAction>,
}

/// Changes to a meeting; what is left out stays.
#[derive(Debug, Clone, Default)]
pub struct MeetingChanges {
    pub title: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub time_zone: Option<String>,
    pub location: Patch<String>,
    pub chair: Patch<String>,
    pub chair_position: Patch<String>,
    pub convened_by: Option<MinistryRef>,
    pub summary: Patch<String>,
    pub source_url: Patch<String>,
    /// Replaces the whole list of attendees.
    pub attendees: Option<Vec<Attendee>>,
}

/// Which meetings to list.
#[derive(Debug, Clone, Default)]
pub struct MeetingFilter {
    pub convened_by: Option<MinistryRef>,
    /// Meetings this ministry attended.
    pub attendee: Option<MinistryRef>,
    /// Meetings starting at or after this instant.
    pub starts_after: Option<DateTime<Utc>>,
    /// Meetings starting before this instant.
    pub starts_before: Option<DateTime<Utc>>,
    /// Case-insensitive match on title, summary or location.
    pub search: Option<String>,
}

/// What meetings are sorted by.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum MeetingOrderField {
    #[default]
    StartsAt,
    CreatedAt,
    UpdatedAt,
}

/// How meetings are sorted: newest first unless asked otherwise.
#[derive(Debug, Clone, Copy)]
pub struct MeetingOrder {
    pub field: MeetingOrderField,
    pub direction: Direction,
}

impl Default for MeetingOrder {
    fn default() -> Self {
        Self {
            field: MeetingOrderField::StartsAt,
            direction: Direction::Desc,
        }
    }
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Option<meeting::Model>> {
    Ok(meeting::Entity::find_by_id(id).one(db).await?)
}

fn time_zone(value: Option<&str>, default: Tz, field: &str) -> AppResult<String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default.name().to_owned()),
        Some(v) => v.parse::<Tz>().map(|tz| tz.name().to_owned()).map_err(|_| {
            AppError::bad_input(
                field,
                format!("\"{v}\" is not a time zone (e.g. Asia/Jakarta)"),
            )
        }),
    }
}

/// `recordMeeting`: a meeting with its attendees, issues and actions, in one transaction:
/// the first mistake anywhere in the input records nothing.
pub async fn record(
    db: &DatabaseConnection,
    who: &Who,
    input: NewMeeting,
    default_tz: Tz,
) -> AppResult<meeting::Model> {
    authorize(db, who, Operation::ManageRegistry, "recordMeeting").await?;
    let txn = begin_write(db).await?;
    let m = insert(&txn, input, default_tz, who.author().as_ref()).await?;
    audit::record(
        &txn,
        who,
        Entry::created("recordMeeting", "Meeting", m.id, &m),
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// Inserts a meeting with everything in it (in the caller's transaction).
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    input: NewMeeting,
    default_tz: Tz,
    author: Option<&crate::actor::Author>,
) -> AppResult<meeting::Model> {
    let convened_by = resolve(db, &input.convened_by, "input.convenedBy").await?;
    let now = crate::db::now();
    let model = meeting::ActiveModel {
        // Filled in from the other fields when the row is saved.
        search: sea_orm::ActiveValue::NotSet,
        id: Set(Uuid::now_v7()),
        title: Set(validate::required(
            &input.title,
            "input.title",
            validate::LINE,
        )?),
        starts_at: Set(input.starts_at),
        time_zone: Set(time_zone(
            input.time_zone.as_deref(),
            default_tz,
            "input.timeZone",
        )?),
        location: Set(validate::optional(
            input.location.as_deref(),
            "input.location",
            validate::LINE,
        )?),
        chair: Set(validate::optional(
            input.chair.as_deref(),
            "input.chair",
            validate::LINE,
        )?),
        chair_position: Set(validate::optional(
            input.chair_position.as_deref(),
            "input.chairPosition",
            validate::LINE,
        )?),
        convened_by_id: Set(convened_by.id),
        summary: Set(validate::optional(
            input.summary.as_deref(),
            "input.summary",
            validate::TEXT,
        )?),
        source_url: Set(validate::url(
            input.source_url.as_deref(),
            "input.sourceUrl",
        )?),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    write_attendees(db, model.id, &input.attendees).await?;
    for (i, issue) in input.issues.into_iter().enumerate() {
        let path = format!("input.issues[{i}]");
        match issue {
            MeetingIssue::New(issue) => {
                issues::insert(db, model.id, issue, &path).await?;
            }
            MeetingIssue::Carried { issue_id, actions } => {
                issues::carry(db, &model, issue_id, actions, author, &path).await?;
            }
        }
    }
    for (i, action) in input.actions.into_iter().enumerate() {
        actions::insert(db, model.id, None, action, &format!("input.actions[{i}]")).await?;
    }
    Ok(model)
}

async fn write_attendees<C: ConnectionTrait>(
    db: &C,
    meeting_id: Uuid,
    attendees: &[Attendee],
) -> AppResult<()> {
    meeting_attendee::Entity::delete_many()
        .filter(meeting_attendee::Column::MeetingId.eq(meeting_id))
        .exec(db)
        .await?;
    let mut seen = Vec::with_capacity(attendees.len());
    let mut rows = Vec::with_capacity(attendees.len());
    for (i, a) in attendees.iter().enumerate() {
        let field = format!("input.attendees[{i}]");
        let ministry = resolve(db, &a.ministry, &format!("{field}.ministry")).await?;
        if seen.contains(&ministry.id) {
            return Err(AppError::bad_input(
                format!("{field}.ministry"),
                format!("{} is listed twice among the attendees", ministry.code),
            ));
        }
        seen.push(ministry.id);
        let mut names = Vec::new();
        for (j, name) in a.representatives.iter().enumerate() {
            let path = format!("{field}.representatives[{j}]");
            if let Some(name) = validate::optional(Some(name), &path, validate::LINE)? {
                names.push(name);
            }
        }
        rows.push(meeting_attendee::ActiveModel {
            meeting_id: Set(meeting_id),
            ministry_id: Set(ministry.id),
            position: Set(i as i32),
            representatives: Set(serde_json::json!(names)),
        });
    }
    if !rows.is_empty() {
        meeting_attendee::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// `updateMeeting`: `attendees`, when given, replaces the list; a stale `expected_version`
/// is a CONFLICT and changes nothing.
pub async fn update(
    db: &DatabaseConnection,
    who: &Who,
    id: Uuid,
    input: MeetingChanges,
    expected_version: Option<i32>,
) -> AppResult<meeting::Model> {
    authorize(db, who, Operation::ManageRegistry, "updateMeeting").await?;
    let txn = begin_write(db).await?;
    let (before, after) = change(&txn, id, input, expected_version).await?;
    let entry = Entry::changed("updateMeeting", "Meeting", id, &before, &after);
    audit::record(&txn, who, entry).await?;
    txn.commit().await?;
    Ok(after)
}

async fn change<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    input: MeetingChanges,
    expected_version: Option<i32>,
) -> AppResult<(meeting::Model, meeting::Model)> {
    let current = find(db, id)
        .await?
        .ok_or_else(|| AppError::not_found_at("meeting", "id"))?;
    check_version(current.version, expected_version)?;
    let mut next = current.clone();
    if let Some(title) = &input.title {
        next.title = validate::required(title, "input.title", validate::LINE)?;
    }
    if let Some(starts_at) = input.starts_at {
        next.starts_at = starts_at;
    }
    if let Some(tz) = &input.time_zone {
        let tz = validate::required(tz, "input.timeZone", validate::Shape::line(64))?;
        next.time_zone = time_zone(Some(&tz), Tz::UTC, "input.timeZone")?;
    }
    let short = |v: &Patch<String>, f: &str| validate::patch(v, f, validate::LINE);
    if let Some(v) = short(&input.location, "input.location")? {
        next.location = v;
    }
    if let Some(v) = short(&input.chair, "input.chair")? {
        next.chair = v;
    }
    if let Some(v) = short(&input.chair_position, "input.chairPosition")? {
        next.chair_position = v;
    }
    if let Some(v) = validate::patch(&input.summary, "input.summary", validate::TEXT)? {
        next.summary = v;
    }
    match &input.source_url {
        Patch::Keep => {}
        Patch::Clear => next.source_url = None,
        Patch::Set(v) => next.source_url = validate::url(Some(v), "input.sourceUrl")?,
    }
    if let Some(r) = &input.convened_by {
        next.convened_by_id = resolve(db, r, "input.convenedBy").await?.id;
    }
    next.version = current.version + 1;
    next.updated_at = crate::db::now();
    let next = next.with_search();
    let current_row = Condition::all()
        .add(meeting::Column::Id.eq(current.id))
        .add(meeting::Column::Version.eq(current.version));
    save_versioned(
        db,
        meeting::ActiveModel::from(next.clone()),
        current_row,
        "meeting",
    )
    .await?;
    if let Some(attendees) = &input.attendees {
        write_attendees(db, current.id, attendees).await?;
    }
    if next.convened_by_id != current.convened_by_id {
        crate::reminders::next_day::look_again_for_meeting(db, current.id).await?;
    }
    Ok((current, next))
}

/// Meetings matching `filter`, newest first unless `order` says otherwise.
pub async fn list_query<C: ConnectionTrait>(
    db: &C,
    f: MeetingFilter,
    order: MeetingOrder,
) -> AppResult<Select<meeting::Entity>> {
    let mut cond = Condition::all();
    if let Some(r) = &f.convened_by {
        let m = resolve(db, r, "filter.convenedBy").await?;
        cond = cond.add(meeting::Column::ConvenedById.eq(m.id));
    }
    if let Some(r) = &f.attendee {
        let m = resolve(db, r, "filter.attendee").await?;
        let attended = Query::select()
            .column(meeting_attendee::Column::MeetingId)
            .from(meeting_attendee::Entity)
            .and_where(meeting_attendee::Column::MinistryId.eq(m.id))
            .to_owned();
        cond = cond.add(meeting::Column::Id.in_subquery(attended));
    }
    if let Some(after) = f.starts_after {
        cond = cond.add(meeting::Column::StartsAt.gte(after));
    }
    if let Some(before) = f.starts_before {
        cond = cond.add(meeting::Column::StartsAt.lt(before));
    }
    if let Some(pattern) = search::pattern(f.search.as_deref()) {
        cond = cond.add(search::matches(meeting::Column::Search, &pattern));
    }
    let column = match order.field {
        MeetingOrderField::StartsAt => meeting::Column::StartsAt,
        MeetingOrderField::CreatedAt => meeting::Column::CreatedAt,
        MeetingOrderField::UpdatedAt => meeting::Column::UpdatedAt,
    };
    let direction: Order = order.direction.into();
    Ok(meeting::Entity::find()
        .filter(cond)
        .order_by(column, direction.clone())
        .order_by(meeting::Column::Id, direction))
}
