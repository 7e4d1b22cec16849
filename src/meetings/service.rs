//! Rules and queries for meetings: recording a whole meeting at once, and editing it.

use async_graphql::{Enum, ID, InputObject, MaybeUndefined};
use chrono_tz::Tz;
use entity::{meeting, meeting_attendee};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter,
    QueryOrder, Select, Set, sea_query::Query,
};
use uuid::Uuid;

use crate::{
    actions::{
        filter::OrderDirection,
        service::{self as actions, MeetingActionInput, check_version},
    },
    error::{AppError, AppResult},
    graphql::scalars::{DateTime, parse_id},
    issues::service::{self as issues, MeetingIssueInput},
    ministries::service::{MinistryRef, resolve},
    search, validate,
};

/// A ministry that attended, with the names of its representatives.
#[derive(InputObject, Debug, Clone)]
pub struct AttendeeInput {
    pub ministry: MinistryRef,
    pub representatives: Option<Vec<String>>,
}

#[derive(InputObject, Debug, Clone)]
pub struct RecordMeetingInput {
    pub title: String,
    pub starts_at: DateTime,
    /// IANA time zone of the meeting, e.g. `Asia/Jakarta`; the configured zone by default.
    pub time_zone: Option<String>,
    pub location: Option<String>,
    pub chair: Option<String>,
    pub chair_position: Option<String>,
    pub convened_by: MinistryRef,
    pub summary: Option<String>,
    pub source_url: Option<String>,
    pub attendees: Option<Vec<AttendeeInput>>,
    pub issues: Option<Vec<MeetingIssueInput>>,
    /// Actions agreed at the meeting that address no single issue.
    pub actions: Option<Vec<MeetingActionInput>>,
}

#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdateMeetingInput {
    pub title: Option<String>,
    pub starts_at: Option<DateTime>,
    pub time_zone: Option<String>,
    pub location: MaybeUndefined<String>,
    pub chair: MaybeUndefined<String>,
    pub chair_position: MaybeUndefined<String>,
    pub convened_by: Option<MinistryRef>,
    pub summary: MaybeUndefined<String>,
    pub source_url: MaybeUndefined<String>,
    /// Replaces the whole list of attendees.
    pub attendees: Option<Vec<AttendeeInput>>,
}

#[derive(InputObject, Debug, Clone, Default)]
pub struct MeetingFilter {
    pub convened_by: Option<MinistryRef>,
    /// Meetings this ministry attended.
    pub attendee: Option<MinistryRef>,
    /// Meetings starting at or after this instant.
    pub starts_after: Option<DateTime>,
    /// Meetings starting before this instant.
    pub starts_before: Option<DateTime>,
    /// Case-insensitive match on title, summary or location.
    pub search: Option<String>,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum MeetingOrderField {
    #[default]
    StartsAt,
    CreatedAt,
    UpdatedAt,
}

/// Newest meetings first unless asked otherwise.
#[derive(InputObject, Debug, Clone, Copy)]
pub struct MeetingOrder {
    pub field: MeetingOrderField,
    #[graphql(default_with = "OrderDirection::Desc")]
    pub direction: OrderDirection,
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

/// Records a meeting with its attendees, issues and actions. Run it in a transaction: the
/// first mistake anywhere in the input aborts the whole record.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    input: RecordMeetingInput,
    default_tz: Tz,
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
        starts_at: Set(input.starts_at.0.to_utc()),
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
    write_attendees(db, model.id, input.attendees.as_deref().unwrap_or_default()).await?;
    for (i, issue) in input.issues.unwrap_or_default().into_iter().enumerate() {
        issues::insert(db, model.id, issue, &format!("input.issues[{i}]")).await?;
    }
    for (i, action) in input.actions.unwrap_or_default().into_iter().enumerate() {
        actions::insert(db, model.id, None, action, &format!("input.actions[{i}]")).await?;
    }
    Ok(model)
}

async fn write_attendees<C: ConnectionTrait>(
    db: &C,
    meeting_id: Uuid,
    attendees: &[AttendeeInput],
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
        for (j, name) in a.representatives.iter().flatten().enumerate() {
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

pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: &ID,
    input: UpdateMeetingInput,
    expected_version: Option<i32>,
) -> AppResult<(meeting::Model, meeting::Model)> {
    let current = find(db, parse_id(id, "id")?)
        .await?
        .ok_or_else(|| AppError::not_found_at("meeting", "id"))?;
    check_version(current.version, expected_version)?;
    let mut next = current.clone();
    if let Some(title) = &input.title {
        next.title = validate::required(title, "input.title", validate::LINE)?;
    }
    if let Some(starts_at) = input.starts_at {
        next.starts_at = starts_at.0.to_utc();
    }
    if let Some(tz) = &input.time_zone {
        let tz = validate::required(tz, "input.timeZone", validate::Shape::line(64))?;
        next.time_zone = time_zone(Some(&tz), Tz::UTC, "input.timeZone")?;
    }
    let short = |v: &MaybeUndefined<String>, f: &str| validate::patch(v, f, validate::LINE);
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
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => next.source_url = None,
        MaybeUndefined::Value(v) => next.source_url = validate::url(Some(v), "input.sourceUrl")?,
    }
    if let Some(r) = &input.convened_by {
        next.convened_by_id = resolve(db, r, "input.convenedBy").await?.id;
    }
    next.version = current.version + 1;
    next.updated_at = crate::db::now();
    let next = next.with_search();
    let result = meeting::Entity::update_many()
        .set(meeting::ActiveModel::from(next.clone()).reset_all())
        .filter(meeting::Column::Id.eq(current.id))
        .filter(meeting::Column::Version.eq(current.version))
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        return Err(AppError::Conflict(
            "the meeting was changed by someone else meanwhile; reload it and try again".into(),
        ));
    }
    if let Some(attendees) = &input.attendees {
        write_attendees(db, current.id, attendees).await?;
    }
    Ok((current, next))
}

/// Meetings matching `filter`, newest first unless `order` says otherwise.
pub async fn list_query<C: ConnectionTrait>(
    db: &C,
    filter: Option<MeetingFilter>,
    order: Option<MeetingOrder>,
) -> AppResult<Select<meeting::Entity>> {
    let f = filter.unwrap_or_default();
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
        cond = cond.add(meeting::Column::StartsAt.gte(after.0.to_utc()));
    }
    if let Some(before) = f.starts_before {
        cond = cond.add(meeting::Column::StartsAt.lt(before.0.to_utc()));
    }
    if let Some(pattern) = search::pattern(f.search.as_deref()) {
        cond = cond.add(search::matches(meeting::Column::Search, &pattern));
    }
    let order = order.unwrap_or(MeetingOrder {
        field: MeetingOrderField::StartsAt,
        direction: OrderDirection::Desc,
    });
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
