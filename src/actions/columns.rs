//! The columns of `actions` a page reads: only those the fields the query selects need.
//!
//! A page of 100 actions read whole decodes 17 columns a row, among them the folded search
//! text and the description a list rarely shows; decoding by name was a tenth of the
//! server's CPU for the benchmark's page (README, Performance). Rows read this way carry
//! placeholders in the columns left out, which no selected field reads: each field of
//! [`super::graphql::Action`] names its columns in `columns_of`, and a field it does not
//! know (one added later) reads every column.

use async_graphql::{Context, SelectionField};
use entity::{
    action::{self, Column},
    enums::{ActionStatus, Priority},
};
use sea_orm::{DbErr, QueryResult};
use uuid::Uuid;

/// The columns each field of `Action` reads; `None` for a field not listed here.
fn columns_of(field: &str) -> Option<&'static [Column]> {
    Some(match field {
        "__typename" | "id" | "supportingMinistries" | "updates" | "reminders" => &[],
        "meeting" => &[Column::MeetingId],
        "issue" => &[Column::IssueId],
        "title" => &[Column::Title],
        "description" => &[Column::Description],
        "leadMinistry" => &[Column::LeadMinistryId],
        "dueOn" => &[Column::DueOn],
        "originalDueOn" => &[Column::OriginalDueOn],
        "priority" => &[Column::Priority],
        "status" => &[Column::Status],
        "completedOn" => &[Column::CompletedOn],
        "isOverdue" | "daysOverdue" => &[Column::Status, Column::DueOn],
        "version" => &[Column::Version],
        "createdAt" => &[Column::CreatedAt],
        "updatedAt" => &[Column::UpdatedAt],
        _ => return None,
    })
}

/// Whether `field` of `Action` is read from the action's own row alone (its columns, or the
/// request's settings), so that it resolves without waiting (see [`crate::graphql::in_turn`]).
pub fn from_row(field: &str) -> bool {
    !matches!(
        field,
        "supportingMinistries" | "updates" | "reminders" | "meeting" | "issue" | "leadMinistry"
    ) && columns_of(field).is_some()
}

/// The fields selected on the nodes of the connection being resolved: under its `nodes` and
/// under its `edges { node }`.
pub fn node_fields<'a>(ctx: &'a Context<'_>) -> Vec<SelectionField<'a>> {
    let look = ctx.look_ahead();
    let nodes = look
        .field("nodes")
        .selection_fields()
        .into_iter()
        .chain(look.field("edges").field("node").selection_fields());
    let mut fields = Vec::new();
    for node in nodes {
        fields.extend(node.selection_set());
    }
    fields
}

/// The columns nodes with these selected fields need (see [`node_fields`]), the id first;
/// `None` when they need every column.
pub fn wanted(fields: &[SelectionField<'_>]) -> Option<Vec<Column>> {
    needed(fields.iter().copied(), Column::Id, columns_of)
}

/// The columns `fields` read by `columns_of`, each once, `first` first; `None` when one of
/// the fields is not listed there.
pub fn needed<'a, C: Copy>(
    fields: impl IntoIterator<Item = SelectionField<'a>>,
    first: C,
    columns_of: fn(&str) -> Option<&'static [C]>,
) -> Option<Vec<C>> {
    let mut columns = vec![first];
    for field in fields {
        for column in columns_of(field.name())? {
            let same = |c: &C| std::mem::discriminant(c) == std::mem::discriminant(column);
            if !columns.iter().any(same) {
                columns.push(*column);
            }
        }
    }
    Some(columns)
}

/// An action with only `columns` read from `row` (in that order, by position); the other
/// fields hold placeholders.
pub fn decode(row: &QueryResult, columns: &[Column]) -> Result<action::Model, DbErr> {
    let mut a = placeholder();
    for (i, column) in columns.iter().enumerate() {
        match column {
            Column::Id => a.id = row.try_get_by_index(i)?,
            Column::MeetingId => a.meeting_id = row.try_get_by_index(i)?,
            Column::IssueId => a.issue_id = row.try_get_by_index(i)?,
            Column::Title => a.title = row.try_get_by_index(i)?,
            Column::Description => a.description = row.try_get_by_index(i)?,
            Column::LeadMinistryId => a.lead_ministry_id = row.try_get_by_index(i)?,
            Column::DueOn => a.due_on = row.try_get_by_index(i)?,
            Column::OriginalDueOn => a.original_due_on = row.try_get_by_index(i)?,
            Column::Priority => a.priority = row.try_get_by_index(i)?,
            Column::Status => a.status = row.try_get_by_index(i)?,
            Column::CompletedOn => a.completed_on = row.try_get_by_index(i)?,
            Column::Search => a.search = row.try_get_by_index(i)?,
            Column::Version => a.version = row.try_get_by_index(i)?,
            Column::CreatedAt => a.created_at = row.try_get_by_index(i)?,
            Column::UpdatedAt => a.updated_at = row.try_get_by_index(i)?,
        }
    }
    Ok(a)
}

fn placeholder() -> action::Model {
    action::Model {
        id: Uuid::nil(),
        meeting_id: Uuid::nil(),
        issue_id: None,
        title: String::new(),
        description: None,
        lead_ministry_id: Uuid::nil(),
        due_on: chrono::NaiveDate::MIN,
        original_due_on: chrono::NaiveDate::MIN,
        priority: Priority::Normal,
        status: ActionStatus::Open,
        completed_on: None,
        search: String::new(),
        version: 0,
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
    }
}
