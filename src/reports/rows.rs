//! The rows behind the report: each action as it stood on the day, with the names around it,
//! for the exports and the page's lists of overdue actions.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::enums::{ActionStatus, Priority};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{
    Scope,
    query::{get, with_facts},
    state::{Moment, Sql, literal},
};
use crate::error::AppResult;

/// One action of the export, as it stood on the day, with the names around it.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: Uuid,
    pub meeting: String,
    pub meeting_at: DateTime<Utc>,
    pub issue: Option<String>,
    pub category: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub lead_id: Uuid,
    pub lead: String,
    pub supporters: Vec<String>,
    pub original_due_on: NaiveDate,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    pub completed_on: Option<NaiveDate>,
    /// `None` when not overdue.
    pub days_overdue: Option<i64>,
    pub last_update: Option<(DateTime<Utc>, Option<String>)>,
    pub last_update_id: Option<Uuid>,
    pub priority: Priority,
}

impl Row {
    /// The last update in a line: its date written by `date`, then its note (one line).
    pub fn last_update_line(&self, tz: Tz, date: impl Fn(NaiveDate) -> String) -> Option<String> {
        let (at, note) = self.last_update.as_ref()?;
        let day = date(super::state::date_in(tz, *at));
        Some(
            match note
                .as_deref()
                .map(crate::words::one_line)
                .filter(|n| !n.is_empty())
            {
                Some(note) => format!("{day}: {note}"),
                None => day,
            },
        )
    }

    /// The action as it stood on the day.
    pub fn on_date(&self) -> super::OnDate {
        super::OnDate {
            action_id: self.id,
            status: self.status,
            due_on: self.due_on,
            days_overdue: self.days_overdue.unwrap_or_default(),
            last_update_id: self.last_update_id,
        }
    }
}

/// Rows per statement of the export.
pub const PAGE: u64 = 1_000;

/// Which rows to read.
#[derive(Debug, Clone, Copy)]
pub enum Pick {
    /// A page of [`PAGE`] rows from `offset`, in meeting order, then in the order the
    /// actions were recorded.
    Page(u64),
    /// The most overdue actions of each lead ministry, at most this many each, most
    /// overdue first.
    OverduePerLead(u32),
    /// Every action not DONE or CANCELLED, by lead ministry, oldest due date first.
    Pending,
}

/// Rows of the export as they stood on the day, with the names around them.
pub async fn rows<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    tz: Tz,
    at: Moment,
    pick: Pick,
) -> AppResult<Vec<Row>> {
    let mut sql = Sql::new(db.get_database_backend());
    let with = with_facts(&mut sql, scope, tz, at);
    let end = sql.bind(at.end);
    let (page, order) = match pick {
        Pick::Page(offset) => {
            let (limit, skip) = (sql.bind(PAGE as i64), sql.bind(offset as i64));
            (
                format!(
                    "SELECT f.* FROM facts f ORDER BY f.starts_at, f.meeting_id, f.id \
                     LIMIT {limit} OFFSET {skip}"
                ),
                "p.starts_at, p.meeting_id, p.id",
            )
        }
        Pick::OverduePerLead(each) => {
            let each = sql.bind(i64::from(each));
            (
                format!(
                    "SELECT * FROM (SELECT f.*, ROW_NUMBER() OVER \
                       (PARTITION BY f.lead ORDER BY f.late DESC, f.id) AS k \
                       FROM facts f WHERE f.late IS NOT NULL) o WHERE o.k <= {each}"
                ),
                "p.lead, p.late DESC, p.id",
            )
        }
        Pick::Pending => (
            format!(
                "SELECT f.* FROM facts f WHERE f.status NOT IN ({}, {})",
                literal(ActionStatus::Done),
                literal(ActionStatus::Cancelled)
            ),
            "p.lead, p.due_on, p.starts_at, p.id",
        ),
    };
    sql.push(&with);
    sql.push(&format!(
        ", picked AS ({page}), \
         page AS ( \
           SELECT p.*, (SELECT u.id FROM action_updates u WHERE u.action_id = p.id \
                         AND u.created_at < {end} ORDER BY u.created_at DESC, u.id DESC LIMIT 1) AS last_id \
             FROM picked p) \
         SELECT p.id, p.lead, p.status, p.due_on, p.completed_on, CAST(p.late AS BIGINT) AS late, p.starts_at, p.category, \
                m.title AS meeting, i.title AS issue, a.title, a.description, a.original_due_on, \
                a.priority, l.name AS lead_name, p.last_id, u.created_at AS update_at, u.note AS update_note \
           FROM page p JOIN actions a ON a.id = p.id JOIN meetings m ON m.id = p.meeting_id \
           JOIN ministries l ON l.id = p.lead \
           LEFT JOIN issues i ON i.id = a.issue_id \
           LEFT JOIN action_updates u ON u.id = p.last_id \
          ORDER BY {order}"
    ));
    let found = db.query_all_raw(sql.statement()).await?;
    let mut rows = Vec::with_capacity(found.len());
    for row in found {
        let update_at: Option<DateTime<Utc>> = get(&row, "update_at")?;
        rows.push(Row {
            id: get(&row, "id")?,
            meeting: get(&row, "meeting")?,
            meeting_at: get(&row, "starts_at")?,
            issue: get(&row, "issue")?,
            category: get(&row, "category")?,
            title: get(&row, "title")?,
            description: get(&row, "description")?,
            lead_id: get(&row, "lead")?,
            lead: get(&row, "lead_name")?,
            supporters: Vec::new(),
            original_due_on: get(&row, "original_due_on")?,
            due_on: get(&row, "due_on")?,
            status: get(&row, "status")?,
            completed_on: get(&row, "completed_on")?,
            days_overdue: get(&row, "late")?,
            last_update: match update_at {
                Some(at) => Some((at, get(&row, "update_note")?)),
                None => None,
            },
            last_update_id: get(&row, "last_id")?,
            priority: get(&row, "priority")?,
        });
    }
    supporters_of(db, &mut rows).await?;
    Ok(rows)
}

/// Fills in each row's supporting ministries (today's), in their recorded order.
async fn supporters_of<C: ConnectionTrait>(db: &C, rows: &mut [Row]) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new(db.get_database_backend());
    let list = sql.bind_all(rows.iter().map(|r| r.id));
    sql.push(&format!(
        "SELECT s.action_id, m.name FROM action_supporters s JOIN ministries m ON m.id = s.ministry_id \
          WHERE s.action_id IN ({list}) ORDER BY s.action_id, s.position"
    ));
    let mut names: HashMap<Uuid, Vec<String>> = HashMap::new();
    for row in db.query_all_raw(sql.statement()).await? {
        names
            .entry(get(&row, "action_id")?)
            .or_default()
            .push(get(&row, "name")?);
    }
    for row in rows {
        row.supporters = names.remove(&row.id).unwrap_or_default();
    }
    Ok(())
}
