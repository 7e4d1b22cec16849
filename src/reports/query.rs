//! The report's statements: every figure is a GROUP BY over the state of the actions on the
//! day, in the database (medians by `percentile_cont` on PostgreSQL and from a histogram of
//! days overdue on SQLite, the oldest overdue action by a window function).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::enums::ActionStatus;
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, TryGetable};
use uuid::Uuid;

use super::{
    Counts, OnDate, Scope, TrendPoint,
    state::{self, Moment, Sql, literal},
};
use crate::error::AppResult;

pub use super::rows::{PAGE, Pick, Row, rows};
pub use super::week::{rescheduled, week_changes};

/// Which rows a count belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Group {
    Total,
    Lead(Uuid),
    Support(Uuid),
    Meeting(Uuid),
    /// By folded category; `None` for actions without one.
    Category(Option<String>),
}

/// The conditions of `scope` on `a` (actions), `m` (meetings) and `i` (issues).
fn conditions(sql: &mut Sql, scope: &Scope, tz: Tz) -> String {
    let mut out = String::new();
    let involving = |sql: &mut Sql, ids: &[Uuid]| {
        let list = sql.bind_all(ids.iter().copied());
        format!(
            " AND (a.lead_ministry_id IN ({list}) OR EXISTS (SELECT 1 FROM action_supporters s \
               WHERE s.action_id = a.id AND s.ministry_id IN ({list})))"
        )
    };
    if !scope.ministries.is_empty() {
        out.push_str(&involving(sql, &scope.ministries));
    }
    if let Some(m) = scope.only_ministry {
        out.push_str(&involving(sql, &[m]));
    }
    if let Some(c) = scope.convened_by {
        out.push_str(&format!(" AND m.convened_by_id = {}", sql.bind(c)));
    }
    if !scope.meeting_ids.is_empty() {
        let list = sql.bind_all(scope.meeting_ids.iter().copied());
        out.push_str(&format!(" AND a.meeting_id IN ({list})"));
    }
    if let Some(from) = scope.from {
        let at = sql.bind(state::start_of_day(tz, from));
        out.push_str(&format!(" AND m.starts_at >= {at}"));
    }
    if let Some(to) = scope.to {
        let at = sql.bind(state::end_of_day(tz, to));
        out.push_str(&format!(" AND m.starts_at < {at}"));
    }
    if let Some(key) = &scope.category_key {
        out.push_str(&format!(" AND i.category_key = {}", sql.bind(key.clone())));
    }
    if !scope.priority.is_empty() {
        let ranks = scope.priority.iter().map(sea_orm::ActiveEnum::to_value);
        let list = sql.bind_all(ranks);
        out.push_str(&format!(" AND a.priority IN ({list})"));
    }
    out
}

/// `WITH state AS (...), facts AS (...)`: each counted action with its status, due date,
/// completion date and days overdue (`late`, NULL when not overdue) at the end of the day.
pub(super) fn with_facts(sql: &mut Sql, scope: &Scope, tz: Tz, at: Moment) -> String {
    let end = sql.bind(at.end);
    let day = sql.bind(at.day);
    let filters = conditions(sql, scope, tz);
    let from = "FROM actions a JOIN meetings m ON m.id = a.meeting_id \
                LEFT JOIN issues i ON i.id = a.issue_id";
    let (timeline, joins, [status, due, completed]) = if at.current {
        (
            String::new(),
            String::new(),
            ["a.status", "a.due_on", "a.completed_on"].map(String::from),
        )
    } else {
        // A narrowed report reads the timelines of its own actions only.
        let within = (!filters.is_empty())
            .then(|| format!("SELECT a.id {from} WHERE m.starts_at < {end}{filters}"));
        state::latest_facts(&end, within.as_deref())
    };
    let closed = format!(
        "{}, {}",
        literal(ActionStatus::Done),
        literal(ActionStatus::Cancelled)
    );
    let late = sql.days_between("f.due_on", &day);
    format!(
        "WITH {timeline}state AS MATERIALIZED ( \
           SELECT a.id, a.lead_ministry_id AS lead, a.meeting_id, m.starts_at, \
                  i.category_key AS ckey, i.category, \
                  {status} AS status, {due} AS due_on, {completed} AS completed_on \
             {from}{joins} \
            WHERE m.starts_at < {end}{filters}), \
         facts AS ( \
           SELECT f.*, CASE WHEN f.status NOT IN ({closed}) AND f.due_on < {day} \
                  THEN {late} END AS late \
             FROM state f)"
    )
}

pub(super) fn get<T: TryGetable>(row: &QueryResult, column: &str) -> AppResult<T> {
    Ok(row.try_get::<T>("", column)?)
}

/// The counts of every group at once: totals, per lead and supporting ministry, per meeting
/// and per category.
pub async fn counts<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    tz: Tz,
    at: Moment,
) -> AppResult<HashMap<Group, (Counts, Option<String>)>> {
    let mut sql = Sql::new(db.get_database_backend());
    let with = with_facts(&mut sql, scope, tz, at);
    let day = sql.bind(at.day);
    let week = sql.bind(
        at.day
            .checked_add_days(chrono::Days::new(7))
            .unwrap_or(NaiveDate::MAX),
    );
    let s = |status| literal(status);
    let (open, progress, blocked, done, cancelled) = (
        s(ActionStatus::Open),
        s(ActionStatus::InProgress),
        s(ActionStatus::Blocked),
        s(ActionStatus::Done),
        s(ActionStatus::Cancelled),
    );
    let aggregates = format!(
        "COUNT(*) AS total, \
         SUM(CASE WHEN f.status = {open} THEN 1 ELSE 0 END) AS open, \
         SUM(CASE WHEN f.status = {progress} THEN 1 ELSE 0 END) AS in_progress, \
         SUM(CASE WHEN f.status = {blocked} THEN 1 ELSE 0 END) AS blocked, \
         SUM(CASE WHEN f.status = {done} THEN 1 ELSE 0 END) AS done, \
         SUM(CASE WHEN f.status = {cancelled} THEN 1 ELSE 0 END) AS cancelled, \
         SUM(CASE WHEN f.late IS NOT NULL THEN 1 ELSE 0 END) AS overdue, \
         SUM(CASE WHEN f.status NOT IN ({done}, {cancelled}) AND f.due_on >= {day} \
                   AND f.due_on <= {week} THEN 1 ELSE 0 END) AS soon, \
         SUM(CASE WHEN f.status = {done} AND f.completed_on IS NOT NULL \
                   AND f.completed_on <= f.due_on THEN 1 ELSE 0 END) AS on_time"
    );
    // Each grouping is a GROUP BY of its own over the day's state: by its key alone for the
    // counts, or (SQLite's medians) over the overdue actions by its key and days overdue.
    let groupings = |columns: &str, by_late: bool| {
        [
            ("'T'", "CAST(NULL AS uuid)", "CAST(NULL AS TEXT)", "", None),
            ("'L'", "f.lead", "NULL", "", Some("f.lead")),
            (
                "'S'",
                "s.ministry_id",
                "NULL",
                " JOIN action_supporters s ON s.action_id = f.id",
                Some("s.ministry_id"),
            ),
            ("'M'", "f.meeting_id", "NULL", "", Some("f.meeting_id")),
            ("'C'", "NULL", "f.ckey", "", Some("f.ckey")),
        ]
        .map(|(kind, gid, ckey, join, key)| {
            let tail = match (by_late, key) {
                (false, Some(key)) => format!(" GROUP BY {key}"),
                (false, None) => String::new(),
                (true, Some(key)) => format!(" WHERE f.late IS NOT NULL GROUP BY {key}, f.late"),
                (true, None) => " WHERE f.late IS NOT NULL GROUP BY f.late".into(),
            };
            format!(
                "SELECT {kind} AS kind, {gid} AS gid, {ckey} AS ckey, {columns} \
                   FROM facts f{join}{tail}"
            )
        })
        .join(" UNION ALL ")
    };
    sql.push(&with);
    if sql.backend == DbBackend::Postgres {
        // The median is an aggregate of each grouping's own (a sort per group); the window
        // functions below took 1.1 s of 2.8 s over 100,000 actions (README, Performance).
        let median = "percentile_cont(0.5) WITHIN GROUP (ORDER BY f.late) AS median";
        let counts = groupings(
            &format!("MIN(f.category) AS label, {aggregates}, {median}"),
            false,
        );
        sql.push(&format!(" {counts}"));
    } else {
        // SQLite has no ordered-set aggregate. Each grouping's overdue actions are counted
        // per number of days (`n`), with a running total in that order (`upto`): the value
        // at rank r is the one whose run `upto - n < r <= upto` holds it, and the median is
        // the mean of the values at the middle ranks, `(cnt + 1) / 2` and `(cnt + 2) / 2`
        // (the same rank when the count is odd). Ranking every overdue action instead took
        // twice as long (README, Performance).
        let counts = groupings(&format!("MIN(f.category) AS label, {aggregates}"), false);
        let histogram = groupings("f.late AS late, COUNT(*) AS n", true);
        let holds = |rank: &str| format!("(upto - n < {rank} AND {rank} <= upto)");
        let (low, high) = (holds("(cnt + 1) / 2"), holds("(cnt + 2) / 2"));
        sql.push(&format!(
            ", counts AS ({counts}), \
             histogram AS ({histogram}), \
             running AS ( \
               SELECT h.*, SUM(n) OVER (PARTITION BY kind, gid, ckey ORDER BY late \
                                        ROWS UNBOUNDED PRECEDING) AS upto, \
                      SUM(n) OVER (PARTITION BY kind, gid, ckey) AS cnt \
                 FROM histogram h), \
             medians AS ( \
               SELECT kind, gid, ckey, SUM(late * ({low} + {high})) AS mid_sum \
                 FROM running GROUP BY kind, gid, ckey) \
             SELECT c.*, CAST(m.mid_sum AS REAL) / 2 AS median \
               FROM counts c LEFT JOIN medians m \
                 ON m.kind = c.kind AND m.gid IS NOT DISTINCT FROM c.gid \
                AND m.ckey IS NOT DISTINCT FROM c.ckey"
        ));
    }
    let rows = db.query_all_raw(sql.statement()).await?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        let kind: String = get(&row, "kind")?;
        let gid: Option<Uuid> = get(&row, "gid")?;
        let ckey: Option<String> = get(&row, "ckey")?;
        let group = match (kind.as_str(), gid) {
            ("L", Some(id)) => Group::Lead(id),
            ("S", Some(id)) => Group::Support(id),
            ("M", Some(id)) => Group::Meeting(id),
            ("C", _) => Group::Category(ckey),
            _ => Group::Total,
        };
        let n = |c: &str| get::<Option<i64>>(&row, c).map(Option::unwrap_or_default);
        let done = n("done")?;
        let on_time = n("on_time")?;
        let counts = Counts {
            total: n("total")?,
            open: n("open")?,
            in_progress: n("in_progress")?,
            blocked: n("blocked")?,
            done,
            cancelled: n("cancelled")?,
            overdue: n("overdue")?,
            due_within_7_days: n("soon")?,
            done_on_time: on_time,
            done_late: done - on_time,
            median_days_overdue: get(&row, "median")?,
        };
        out.insert(group, (counts, get(&row, "label")?));
    }
    Ok(out)
}

/// Per lead ministry with overdue actions: its most overdue action, and when anything was
/// last written about its overdue actions (or, if nothing was, the earliest of their
/// meetings).
pub struct Quiet {
    pub oldest: OnDate,
    pub last_entry: Option<DateTime<Utc>>,
    pub first_meeting: DateTime<Utc>,
}

pub async fn overdue_by_lead<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    tz: Tz,
    at: Moment,
) -> AppResult<HashMap<Uuid, Quiet>> {
    let mut sql = Sql::new(db.get_database_backend());
    let with = with_facts(&mut sql, scope, tz, at);
    let end = sql.bind(at.end);
    let last_at = state::last_entry_at("f.id", &end);
    let last_id = format!(
        "(SELECT u.id FROM action_updates u WHERE u.action_id = o.id AND u.created_at < {end} \
           ORDER BY u.created_at DESC, u.id DESC LIMIT 1)"
    );
    sql.push(&with);
    sql.push(&format!(
        ", behind AS (SELECT f.*, {last_at} AS last_at FROM facts f WHERE f.late IS NOT NULL), \
         quiet AS (SELECT lead, MAX(last_at) AS last_at, MIN(starts_at) AS first_at \
                     FROM behind GROUP BY lead), \
         oldest AS (SELECT b.*, ROW_NUMBER() OVER (PARTITION BY lead ORDER BY late DESC, id) AS rn \
                     FROM behind b) \
         SELECT o.lead, o.id, o.status, o.due_on, CAST(o.late AS BIGINT) AS late, q.last_at, q.first_at, \
                {last_id} AS last_id \
           FROM oldest o JOIN quiet q ON q.lead = o.lead WHERE o.rn = 1"
    ));
    let rows = db.query_all_raw(sql.statement()).await?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        let oldest = OnDate {
            action_id: get(&row, "id")?,
            status: get(&row, "status")?,
            due_on: get(&row, "due_on")?,
            days_overdue: get(&row, "late")?,
            last_update_id: get(&row, "last_id")?,
        };
        let quiet = Quiet {
            oldest,
            last_entry: get(&row, "last_at")?,
            first_meeting: get(&row, "first_at")?,
        };
        out.insert(get(&row, "lead")?, quiet);
    }
    Ok(out)
}

/// Pending, overdue and completed actions at the end of each of `days`, in one statement.
pub async fn trend<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    tz: Tz,
    days: &[Moment],
) -> AppResult<Vec<TrendPoint>> {
    let mut sql = Sql::new(db.get_database_backend());
    let mut points = Vec::with_capacity(days.len());
    for at in days {
        let (d, e, c) = (
            sql.bind(at.day),
            sql.bind(at.end),
            sql.bind(i32::from(at.current)),
        );
        points.push(format!("({d}, {e}, {c})"));
    }
    let [status, due, _] = state::facts("p.e", Some("p.cur = 1"));
    let filters = conditions(&mut sql, scope, tz);
    let (done, cancelled) = (
        literal(ActionStatus::Done),
        literal(ActionStatus::Cancelled),
    );
    sql.push(&format!(
        "WITH points(d, e, cur) AS (VALUES {}), \
         state AS ( \
           SELECT p.d, {status} AS status, {due} AS due_on \
             FROM points p JOIN meetings m ON m.starts_at < p.e \
             JOIN actions a ON a.meeting_id = m.id \
             LEFT JOIN issues i ON i.id = a.issue_id \
            WHERE 1 = 1{filters}) \
         SELECT d, \
           SUM(CASE WHEN status NOT IN ({done}, {cancelled}) THEN 1 ELSE 0 END) AS pending, \
           SUM(CASE WHEN status NOT IN ({done}, {cancelled}) AND due_on < d THEN 1 ELSE 0 END) AS overdue, \
           SUM(CASE WHEN status = {done} THEN 1 ELSE 0 END) AS completed \
         FROM state GROUP BY d",
        points.join(", ")
    ));
    let rows = db.query_all_raw(sql.statement()).await?;
    let mut found = HashMap::new();
    for row in rows {
        let n = |c: &str| get::<Option<i64>>(&row, c).map(Option::unwrap_or_default);
        let day: NaiveDate = get(&row, "d")?;
        found.insert(day, (n("pending")?, n("overdue")?, n("completed")?));
    }
    Ok(days
        .iter()
        .map(|at| {
            let (pending, overdue, completed) = found.get(&at.day).copied().unwrap_or_default();
            TrendPoint {
                week_ending: at.day,
                pending,
                overdue,
                completed,
            }
        })
        .collect())
}
