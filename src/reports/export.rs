//! The downloads: the follow-up matrix and the per-ministry summary as CSV and as a
//! workbook, and a short plain-text summary to paste into a messaging group.

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::{Counts, MinistryLine, Report, query::Row, state};
use crate::words::{self, ReportWords};

pub use super::workbook::workbook;

/// Ministries silent for at least this many days are named as silent.
pub const SILENT_DAYS: i64 = 14;

/// Excel shows a CSV as UTF-8 only when it starts with a byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A cell as a spreadsheet may safely read it: text that a spreadsheet would take for a
/// formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading apostrophe; line breaks are kept.
fn cell(s: &str) -> String {
    let s = words::one_text(s);
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s,
    }
}

fn iso(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// A cell for the workbook, where text is never taken for a formula.
pub(super) fn plain(s: &str) -> String {
    words::one_text(s)
}

/// The sixteen cells of one action, numbered `n`, text made safe by `cell`.
pub(super) fn action_cells(
    w: &ReportWords,
    tz: Tz,
    n: u64,
    row: &Row,
    cell: fn(&str) -> String,
) -> [String; 16] {
    [
        n.to_string(),
        cell(&row.meeting),
        state::date_in(tz, row.meeting_at).to_string(),
        cell(row.issue.as_deref().unwrap_or_default()),
        cell(row.category.as_deref().unwrap_or_default()),
        cell(&row.title),
        cell(&row.lead),
        cell(&row.supporters.join("; ")),
        row.original_due_on.to_string(),
        row.due_on.to_string(),
        w.words.status(row.status).to_owned(),
        iso(row.completed_on),
        row.days_overdue.map(|d| d.to_string()).unwrap_or_default(),
        cell(
            &row.last_update_line(tz, |d| d.to_string())
                .unwrap_or_default(),
        ),
        cell(row.description.as_deref().unwrap_or_default()),
        w.priority(row.priority).to_owned(),
    ]
}

/// `/reports/actions.csv`, written a page of rows at a time.
pub struct ActionsCsv<'w> {
    w: &'w ReportWords,
    tz: Tz,
    out: csv::Writer<Vec<u8>>,
    n: u64,
}

fn writer(sep: u8) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .delimiter(sep)
        .from_writer(BOM.to_vec())
}

impl<'w> ActionsCsv<'w> {
    pub fn new(w: &'w ReportWords, tz: Tz, sep: u8) -> csv::Result<Self> {
        let mut out = writer(sep);
        out.write_record(w.action_columns)?;
        Ok(Self { w, tz, out, n: 0 })
    }

    pub fn push(&mut self, rows: &[Row]) -> csv::Result<()> {
        for row in rows {
            self.n += 1;
            self.out
                .write_record(action_cells(self.w, self.tz, self.n, row, cell))?;
        }
        Ok(())
    }

    pub fn finish(self) -> Result<Vec<u8>, csv::Error> {
        self.out
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))
    }
}

fn percent(c: &Counts) -> String {
    c.on_time_rate()
        .map(|r| format!("{:.1}", r * 100.0))
        .unwrap_or_default()
}

fn median(c: &Counts) -> String {
    c.median_days_overdue
        .map(|m| format!("{m:.1}"))
        .unwrap_or_default()
}

/// The seventeen cells of a ministry's line, text made safe by `cell`.
pub(super) fn ministry_cells(m: &MinistryLine, cell: fn(&str) -> String) -> [String; 17] {
    let l = &m.as_lead;
    [
        cell(&m.ministry.code),
        cell(&m.ministry.name),
        l.total.to_string(),
        l.open.to_string(),
        l.in_progress.to_string(),
        l.blocked.to_string(),
        l.done.to_string(),
        l.cancelled.to_string(),
        l.overdue.to_string(),
        l.due_within_7_days.to_string(),
        l.done_on_time.to_string(),
        l.done_late.to_string(),
        percent(l),
        median(l),
        m.silent_days.map(|d| d.to_string()).unwrap_or_default(),
        m.as_support.total.to_string(),
        m.as_support.overdue.to_string(),
    ]
}

/// The totals line under the ministries (what they lead adds up to it).
pub(super) fn total_cells(w: &ReportWords, t: &Counts) -> [String; 17] {
    [
        String::new(),
        w.all.to_owned(),
        t.total.to_string(),
        t.open.to_string(),
        t.in_progress.to_string(),
        t.blocked.to_string(),
        t.done.to_string(),
        t.cancelled.to_string(),
        t.overdue.to_string(),
        t.due_within_7_days.to_string(),
        t.done_on_time.to_string(),
        t.done_late.to_string(),
        percent(t),
        median(t),
        String::new(),
        String::new(),
        String::new(),
    ]
}

/// `/reports/status.csv`: one row per ministry (as lead, with its part as support), then
/// the totals.
pub fn status_csv(w: &ReportWords, report: &Report, sep: u8) -> csv::Result<Vec<u8>> {
    let mut out = writer(sep);
    out.write_record(w.ministry_columns)?;
    for m in &report.ministries {
        out.write_record(ministry_cells(m, cell))?;
    }
    out.write_record(total_cells(w, &report.totals))?;
    out.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// The ministries to name as silent: silent for [`SILENT_DAYS`] or more, longest first.
pub fn silent(report: &Report) -> Vec<&MinistryLine> {
    let mut quiet: Vec<&MinistryLine> = report
        .ministries
        .iter()
        .filter(|m| m.silent_days.is_some_and(|d| d >= SILENT_DAYS))
        .collect();
    quiet.sort_by(|a, b| {
        b.silent_days
            .cmp(&a.silent_days)
            .then_with(|| a.ministry.name.cmp(&b.ministry.name))
    });
    quiet
}

/// `/reports/status.txt`: the totals, the five ministries most overdue, the silent ones,
/// and where to read more.
pub fn summary(w: &ReportWords, report: &Report, heading: &str, link: &str) -> String {
    let t = &report.totals;
    let ww = w.words;
    let mut out = format!(
        "{} · {} {}\n{heading}\n\n",
        w.title,
        w.as_of,
        ww.date(report.as_of)
    );
    out.push_str(&format!(
        "{}: {} ({}: {}, {}: {}, {}: {}, {}: {}, {}: {})\n",
        w.total,
        t.total,
        ww.status(entity::enums::ActionStatus::Open),
        t.open,
        ww.status(entity::enums::ActionStatus::InProgress),
        t.in_progress,
        ww.status(entity::enums::ActionStatus::Blocked),
        t.blocked,
        ww.status(entity::enums::ActionStatus::Done),
        t.done,
        ww.status(entity::enums::ActionStatus::Cancelled),
        t.cancelled,
    ));
    out.push_str(&format!("{}: {}", w.overdue, t.overdue));
    if let Some(m) = t.median_days_overdue {
        out.push_str(&format!(
            " ({}: {m:.1} {})",
            w.median.to_lowercase(),
            w.days
        ));
    }
    out.push_str(&format!("\n{}: {}\n", w.due_soon, t.due_within_7_days));
    if let Some(rate) = t.on_time_rate() {
        out.push_str(&format!("{}: {:.0}%\n", w.on_time, rate * 100.0));
    }
    let most: Vec<&MinistryLine> = report
        .ministries
        .iter()
        .filter(|m| m.as_lead.overdue > 0)
        .take(5)
        .collect();
    if !most.is_empty() {
        out.push_str(&format!("\n{}:\n", w.most_overdue));
        for (i, m) in most.iter().enumerate() {
            out.push_str(&format!(
                "{}. {}: {} {}",
                i + 1,
                words::one_line(&m.ministry.name),
                m.as_lead.overdue,
                w.overdue.to_lowercase()
            ));
            if let Some(o) = &m.oldest_overdue {
                out.push_str(&format!(" ({} {} {})", w.longest, o.days_overdue, w.days));
            }
            out.push('\n');
        }
    }
    let quiet = silent(report);
    out.push_str(&format!("\n{} (≥ {SILENT_DAYS} {}):\n", w.silent, w.days));
    if quiet.is_empty() {
        out.push_str(&format!("{}\n", w.none_silent));
    }
    for m in quiet {
        out.push_str(&format!(
            "- {}: {} {}\n",
            words::one_line(&m.ministry.name),
            m.silent_days.unwrap_or_default(),
            w.days
        ));
    }
    out.push_str(&format!("\n{}: {link}\n", w.more_at));
    out
}
