//! A page of actions read together with their lead ministries and meetings, when the query
//! asks for them: one statement instead of the page's and one per kind of data.
//!
//! Of the ministries and meetings only the columns their selected fields read are joined (a
//! field not listed here reads them all; the rest of the model holds placeholders), and they
//! travel with each action (`Action.leadMinistry` and `Action.meeting` return them without
//! asking the request's loader); a ministry or meeting met again further down the page is
//! not decoded twice. The joins use aliases of their own, so a filter that reads the same
//! tables is not disturbed.
//!
//! The same lists of fields say what a page's rows have at hand, so that they resolve their
//! fields in turn (see [`crate::graphql::in_turn`]).

use std::sync::Arc;

use async_graphql::{SelectionField, parser::types::Field};
use entity::{
    action, meeting,
    ministry::{self, Column as M},
};
use sea_orm::{
    DbErr, Iterable, QueryResult, QuerySelect, QueryTrait, Select,
    sea_query::{Alias, Expr, ExprTrait, JoinType, SelectStatement},
};
use uuid::Uuid;

use super::{columns, graphql::Action};
use crate::{
    graphql::in_turn::{AtHand, all_at_hand},
    meetings::graphql::Meeting,
    ministries::graphql::Ministry,
};

/// The columns of the lead ministry and of the meeting the query selects, if it selects
/// them at all.
#[derive(Debug, Clone, Default)]
pub struct Joins {
    pub lead: Option<Vec<ministry::Column>>,
    pub meeting: Option<Vec<meeting::Column>>,
}

impl Joins {
    /// What nodes with these selected fields read of their ministry and meeting (see
    /// [`columns::node_fields`]).
    pub fn wanted(fields: &[SelectionField<'_>]) -> Self {
        Self {
            lead: joined(fields, "leadMinistry", M::Id, ministry_columns),
            meeting: joined(fields, "meeting", meeting::Column::Id, meeting_columns),
        }
    }
}

/// The columns the selections of the record named `name` need, its id first; every column
/// when a selected field is not known here; `None` when it is not selected.
fn joined<C: Copy + Iterable>(
    fields: &[SelectionField<'_>],
    name: &str,
    id: C,
    columns_of: fn(&str) -> Option<&'static [C]>,
) -> Option<Vec<C>> {
    let mut selections = fields.iter().filter(|f| f.name() == name).peekable();
    selections.peek()?;
    let inner = selections.flat_map(|s| s.selection_set());
    Some(columns::needed(inner, id, columns_of).unwrap_or_else(|| C::iter().collect()))
}

/// The columns each field of `Ministry` reads; `None` for a field not listed here.
fn ministry_columns(field: &str) -> Option<&'static [ministry::Column]> {
    Some(match field {
        "__typename" | "id" => &[],
        "code" => &[M::Code],
        "name" => &[M::Name],
        "shortName" => &[M::ShortName],
        "kind" => &[M::Kind],
        "createdAt" => &[M::CreatedAt],
        "updatedAt" => &[M::UpdatedAt],
        _ => return None,
    })
}

/// The columns each field of `Meeting` reads; `None` for a field not listed here.
fn meeting_columns(field: &str) -> Option<&'static [meeting::Column]> {
    use meeting::Column as C;
    Some(match field {
        "__typename" | "id" => &[],
        "title" => &[C::Title],
        "startsAt" => &[C::StartsAt, C::TimeZone],
        "timeZone" => &[C::TimeZone],
        "location" => &[C::Location],
        "chair" => &[C::Chair],
        "chairPosition" => &[C::ChairPosition],
        "summary" => &[C::Summary],
        "sourceUrl" => &[C::SourceUrl],
        "version" => &[C::Version],
        "createdAt" => &[C::CreatedAt],
        "updatedAt" => &[C::UpdatedAt],
        _ => return None,
    })
}

const LEAD: &str = "page_lead";
const MEETING: &str = "page_meeting";

/// `select` reading `columns` of each action, then the columns asked for of its lead
/// ministry and of its meeting.
pub fn shape(
    select: Select<action::Entity>,
    columns: &[action::Column],
    joins: &Joins,
) -> SelectStatement {
    let mut statement = select
        .select_only()
        .columns(columns.iter().copied())
        .into_query();
    if let Some(wanted) = &joins.lead {
        statement.join_as(
            JoinType::InnerJoin,
            ministry::Entity,
            Alias::new(LEAD),
            Expr::col((Alias::new(LEAD), M::Id))
                .equals((action::Entity, action::Column::LeadMinistryId)),
        );
        for column in wanted {
            statement.expr(Expr::col((Alias::new(LEAD), *column)));
        }
    }
    if let Some(wanted) = &joins.meeting {
        statement.join_as(
            JoinType::InnerJoin,
            meeting::Entity,
            Alias::new(MEETING),
            Expr::col((Alias::new(MEETING), meeting::Column::Id))
                .equals((action::Entity, action::Column::MeetingId)),
        );
        for column in wanted {
            statement.expr(Expr::col((Alias::new(MEETING), *column)));
        }
    }
    statement
}

/// An action's lead ministry and meeting, when the statement that read the action joined
/// them.
#[derive(Debug, Clone, Default)]
pub struct Attached {
    pub lead: Option<Arc<ministry::Model>>,
    pub meeting: Option<Arc<meeting::Model>>,
}

/// The ministries and meetings of a page met so far while its rows are decoded: each is
/// decoded once and shared by the actions that name it. (Looked up by id twice a row, with
/// a fast hash rather than the standard SipHash, which keys no one outside chooses here.)
#[derive(Default)]
pub struct Related {
    ministries: foldhash::HashMap<Uuid, Arc<ministry::Model>>,
    meetings: foldhash::HashMap<Uuid, Arc<meeting::Model>>,
}

impl Related {
    /// The action of `row` (its `columns` first, by position) with the ministry and the
    /// meeting that follow them.
    pub fn decode(
        &mut self,
        row: &QueryResult,
        columns: &[action::Column],
        joins: &Joins,
    ) -> Result<(action::Model, Attached), DbErr> {
        let action = columns::decode(row, columns)?;
        let mut attached = Attached::default();
        let mut at = columns.len();
        if let Some(wanted) = &joins.lead {
            attached.lead = Some(match self.ministries.get(&action.lead_ministry_id) {
                Some(m) => m.clone(),
                None => {
                    let m = Arc::new(ministry_at(row, at, wanted)?);
                    self.ministries.insert(m.id, m.clone());
                    m
                }
            });
            at += wanted.len();
        }
        if let Some(wanted) = &joins.meeting {
            attached.meeting = Some(match self.meetings.get(&action.meeting_id) {
                Some(m) => m.clone(),
                None => {
                    let m = Arc::new(meeting_at(row, at, wanted)?);
                    self.meetings.insert(m.id, m.clone());
                    m
                }
            });
        }
        Ok((action, attached))
    }
}

/// A ministry with `columns` read by position from `row`, starting at column `at`; the other
/// fields hold placeholders, which no selected field reads (see `ministry_columns`).
fn ministry_at(row: &QueryResult, at: usize, columns: &[M]) -> Result<ministry::Model, DbErr> {
    let mut m = ministry::Model {
        id: Uuid::nil(),
        code: String::new(),
        name: String::new(),
        short_name: None,
        kind: entity::enums::MinistryKind::Ministry,
        parent_id: None,
        search: String::new(),
        calendar_key_generation: 0,
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
    };
    for (i, column) in columns.iter().enumerate() {
        let i = at + i;
        match column {
            M::Id => m.id = row.try_get_by_index(i)?,
            M::Code => m.code = row.try_get_by_index(i)?,
            M::Name => m.name = row.try_get_by_index(i)?,
            M::ShortName => m.short_name = row.try_get_by_index(i)?,
            M::Kind => m.kind = row.try_get_by_index(i)?,
            M::ParentId => m.parent_id = row.try_get_by_index(i)?,
            M::Search => m.search = row.try_get_by_index(i)?,
            M::CalendarKeyGeneration => m.calendar_key_generation = row.try_get_by_index(i)?,
            M::CreatedAt => m.created_at = row.try_get_by_index(i)?,
            M::UpdatedAt => m.updated_at = row.try_get_by_index(i)?,
        }
    }
    Ok(m)
}

/// A meeting with `columns` read by position from `row`, starting at column `at` (see
/// [`ministry_at`]).
fn meeting_at(
    row: &QueryResult,
    at: usize,
    columns: &[meeting::Column],
) -> Result<meeting::Model, DbErr> {
    use meeting::Column as C;
    let mut m = meeting::Model {
        id: Uuid::nil(),
        title: String::new(),
        starts_at: chrono::DateTime::UNIX_EPOCH,
        time_zone: String::new(),
        location: None,
        chair: None,
        chair_position: None,
        convened_by_id: Uuid::nil(),
        summary: None,
        source_url: None,
        search: String::new(),
        version: 0,
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
    };
    for (i, column) in columns.iter().enumerate() {
        let i = at + i;
        match column {
            C::Id => m.id = row.try_get_by_index(i)?,
            C::Title => m.title = row.try_get_by_index(i)?,
            C::StartsAt => m.starts_at = row.try_get_by_index(i)?,
            C::TimeZone => m.time_zone = row.try_get_by_index(i)?,
            C::Location => m.location = row.try_get_by_index(i)?,
            C::Chair => m.chair = row.try_get_by_index(i)?,
            C::ChairPosition => m.chair_position = row.try_get_by_index(i)?,
            C::ConvenedById => m.convened_by_id = row.try_get_by_index(i)?,
            C::Summary => m.summary = row.try_get_by_index(i)?,
            C::SourceUrl => m.source_url = row.try_get_by_index(i)?,
            C::Search => m.search = row.try_get_by_index(i)?,
            C::Version => m.version = row.try_get_by_index(i)?,
            C::CreatedAt => m.created_at = row.try_get_by_index(i)?,
            C::UpdatedAt => m.updated_at = row.try_get_by_index(i)?,
        }
    }
    Ok(m)
}

/// A field of `Ministry` that reads the ministry's own columns (see [`crate::graphql::in_turn`]).
fn ministry_field_at_hand(field: &Field) -> bool {
    ministry_columns(field.name.node.as_str()).is_some()
}

/// A field of `Meeting` that reads the meeting's own columns.
fn meeting_field_at_hand(field: &Field) -> bool {
    meeting_columns(field.name.node.as_str()).is_some()
}

impl AtHand for Ministry {
    fn at_hand(&self, field: &Field) -> bool {
        ministry_field_at_hand(field)
    }
}

impl AtHand for Meeting {
    fn at_hand(&self, field: &Field) -> bool {
        meeting_field_at_hand(field)
    }
}

/// An action's own fields are at hand, and its lead ministry and meeting when the statement
/// that read it joined them and the query selects only their own columns' fields.
impl AtHand for Action {
    fn at_hand(&self, field: &Field) -> bool {
        match field.name.node.as_str() {
            "leadMinistry" => self.1.lead.is_some() && all_at_hand(field, ministry_field_at_hand),
            "meeting" => self.1.meeting.is_some() && all_at_hand(field, meeting_field_at_hand),
            name => columns::from_row(name),
        }
    }
}
