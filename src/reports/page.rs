//! `/reports/status.html`: the printable page, its charts drawn as inline SVG from the
//! report's figures (text labels, no script, nothing loaded from elsewhere).

use std::collections::HashMap;

use askama::Template;
use chrono::Datelike;
use chrono_tz::Tz;
use entity::enums::ActionStatus;
use uuid::Uuid;

use super::{Report, TrendPoint, export, query::Row};
use crate::words::{ReportWords, Words, one_line};

/// The most ministries the bar chart shows (the most overdue).
pub const MAX_BARS: usize = 30;

pub struct Tile {
    pub label: &'static str,
    pub value: String,
    pub late: bool,
    pub ok: bool,
}

pub struct Segment {
    pub class: &'static str,
    pub x: f64,
    pub width: f64,
    pub title: String,
}

pub struct BarRow {
    pub label: String,
    pub y: f64,
    pub segments: Vec<Segment>,
    pub end: f64,
    pub total: i64,
    pub late: i64,
    pub late_width: f64,
    pub late_title: String,
}

pub struct Bars {
    pub width: f64,
    pub height: f64,
    pub label_width: f64,
    pub rows: Vec<BarRow>,
    pub legend: Vec<(&'static str, &'static str)>,
    pub hidden: usize,
}

pub struct Line {
    pub class: &'static str,
    pub text_class: &'static str,
    pub label: &'static str,
    pub points: String,
    pub end_y: f64,
    pub last: i64,
}

pub struct Trend {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub grid: Vec<(f64, i64)>,
    pub lines: Vec<Line>,
    pub ticks: Vec<(f64, String)>,
}

pub struct OverdueRow {
    pub title: String,
    pub status: &'static str,
    pub meeting: String,
    pub due: String,
    pub days: i64,
    pub update: String,
}

pub struct Section {
    pub name: String,
    pub late: i64,
    pub silent_days: Option<i64>,
    pub rows: Vec<OverdueRow>,
    pub more: i64,
}

#[derive(Template)]
#[template(path = "status_report.html")]
pub struct StatusPage<'a> {
    pub w: &'a Words,
    pub r: &'a ReportWords,
    pub title: &'a str,
    pub heading: String,
    pub date: String,
    pub filters: String,
    pub tiles: Vec<Tile>,
    pub bars: Bars,
    pub trend: Trend,
    pub silent: Vec<(String, i64)>,
    pub silent_days: i64,
    pub sections: Vec<Section>,
    pub cols: [&'static str; 16],
}

fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn tiles(r: &ReportWords, report: &Report) -> Vec<Tile> {
    let t = &report.totals;
    let w = r.words;
    let tile = |label, value: String, late, ok| Tile {
        label,
        value,
        late,
        ok,
    };
    vec![
        tile(r.total, t.total.to_string(), false, false),
        tile(r.pending, t.pending().to_string(), false, false),
        tile(r.overdue, t.overdue.to_string(), t.overdue > 0, false),
        tile(r.due_soon, t.due_within_7_days.to_string(), false, false),
        tile(
            w.status(ActionStatus::Done),
            t.done.to_string(),
            false,
            t.done > 0,
        ),
        tile(
            r.on_time,
            t.on_time_rate()
                .map_or("—".into(), |x| format!("{:.0}%", x * 100.0)),
            false,
            false,
        ),
        tile(
            r.median,
            t.median_days_overdue
                .map_or("—".into(), |m| format!("{m:.1} {}", r.days)),
            false,
            false,
        ),
    ]
}

fn bars(r: &ReportWords, report: &Report) -> Bars {
    let w = r.words;
    let (width, label_width, row_height) = (720.0, 200.0, 34.0);
    let area = width - label_width - 90.0;
    let leads: Vec<_> = report
        .ministries
        .iter()
        .filter(|m| m.as_lead.total > 0)
        .collect();
    let shown: Vec<_> = leads.iter().take(MAX_BARS).collect();
    let max = shown
        .iter()
        .map(|m| m.as_lead.total)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let statuses = [
        ("s-done", ActionStatus::Done),
        ("s-progress", ActionStatus::InProgress),
        ("s-blocked", ActionStatus::Blocked),
        ("s-open", ActionStatus::Open),
        ("s-cancelled", ActionStatus::Cancelled),
    ];
    let rows = shown
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let c = &m.as_lead;
            let y = 6.0 + i as f64 * row_height;
            let mut x = label_width;
            let mut segments = Vec::new();
            for (class, status) in statuses {
                let n = match status {
                    ActionStatus::Done => c.done,
                    ActionStatus::InProgress => c.in_progress,
                    ActionStatus::Blocked => c.blocked,
                    ActionStatus::Open => c.open,
                    ActionStatus::Cancelled => c.cancelled,
                };
                if n == 0 {
                    continue;
                }
                let width = round(n as f64 / max * area);
                segments.push(Segment {
                    class,
                    x: round(x),
                    width,
                    title: format!("{}: {n}", w.status(status)),
                });
                x += width;
            }
            let label = one_line(m.ministry.short_name.as_deref().unwrap_or(&m.ministry.name));
            let label = if label.chars().count() > 28 {
                format!("{}…", label.chars().take(27).collect::<String>())
            } else {
                label
            };
            BarRow {
                label,
                y,
                segments,
                end: round(x),
                total: c.total,
                late: c.overdue,
                late_width: round(c.overdue as f64 / max * area),
                late_title: format!("{}: {}", r.overdue, c.overdue),
            }
        })
        .collect::<Vec<_>>();
    Bars {
        width,
        height: 12.0 + rows.len() as f64 * row_height,
        label_width,
        hidden: leads.len() - shown.len(),
        rows,
        legend: statuses
            .iter()
            .map(|(class, s)| (*class, w.status(*s)))
            .chain(std::iter::once(("s-late", r.overdue)))
            .collect(),
    }
}

fn trend(r: &ReportWords, points: &[TrendPoint]) -> Trend {
    let (width, height, left, right, top, bottom) = (720.0, 240.0, 44.0, 680.0, 12.0, 210.0);
    let max = points
        .iter()
        .flat_map(|p| [p.pending, p.overdue, p.completed])
        .max()
        .unwrap_or(0)
        .max(1);
    // A round top for the axis: 1, 2 or 5 times a power of ten.
    let mut step = 1i64;
    while max / step > 5 {
        step = match step.to_string().chars().next() {
            Some('1') => step * 2,
            Some('2') => step / 2 * 5,
            _ => step * 2,
        };
    }
    let top_value = ((max + step - 1) / step * step).max(1);
    let y = |v: i64| round(bottom - (v as f64 / top_value as f64) * (bottom - top));
    let n = points.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            (left + right) / 2.0
        } else {
            round(left + (right - left) * i as f64 / (n - 1) as f64)
        }
    };
    let line = |class, text_class, label, value: fn(&TrendPoint) -> i64| {
        let pts: Vec<String> = points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{},{}", x(i), y(value(p))))
            .collect();
        let last = points.last().map(value).unwrap_or_default();
        Line {
            class,
            text_class,
            label,
            points: pts.join(" "),
            end_y: y(last),
            last,
        }
    };
    let months = r.words;
    let every = n.div_ceil(6).max(1);
    let ticks = points
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0 || *i == n - 1)
        .map(|(i, p)| {
            let d = p.week_ending;
            let month: String = months
                .date(d)
                .split_whitespace()
                .find(|s| s.chars().all(char::is_alphabetic))
                .unwrap_or_default()
                .chars()
                .take(3)
                .collect();
            (x(i), format!("{} {month}", d.day()))
        })
        .collect();
    let mut lines = vec![
        line("l-pending", "", r.pending, |p| p.pending),
        line("l-late", "late", r.overdue, |p| p.overdue),
        line("l-done", "", r.completed, |p| p.completed),
    ];
    // End labels at least a line apart, so that equal values stay readable.
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|a, b| lines[*a].end_y.total_cmp(&lines[*b].end_y));
    let mut previous = f64::MIN;
    for i in order {
        let y = lines[i].end_y.max(previous + 13.0);
        lines[i].end_y = y;
        previous = y;
    }
    Trend {
        width,
        height,
        left,
        right,
        grid: (0..=top_value / step)
            .map(|k| (y(k * step), k * step))
            .collect(),
        lines,
        ticks,
    }
}

/// The page, from the report, its trend, the most overdue actions of each lead ministry and
/// a line naming the filters.
pub fn render(
    r: &ReportWords,
    tz: Tz,
    report: &Report,
    points: &[TrendPoint],
    overdue: &[Row],
    heading: String,
    filters: String,
) -> askama::Result<String> {
    let w = r.words;
    let mut by_lead: HashMap<Uuid, Vec<&Row>> = HashMap::new();
    for row in overdue {
        by_lead.entry(row.lead_id).or_default().push(row);
    }
    let sections = report
        .ministries
        .iter()
        .filter(|m| m.as_lead.overdue > 0)
        .map(|m| {
            let rows: Vec<OverdueRow> = by_lead
                .remove(&m.ministry.id)
                .unwrap_or_default()
                .into_iter()
                .map(|a| OverdueRow {
                    title: one_line(&a.title),
                    status: w.status(a.status),
                    meeting: one_line(&a.meeting),
                    due: w.date(a.due_on),
                    days: a.days_overdue.unwrap_or_default(),
                    update: a
                        .last_update_line(tz, |d| w.date(d))
                        .unwrap_or_else(|| "—".into()),
                })
                .collect();
            Section {
                name: one_line(&m.ministry.name),
                late: m.as_lead.overdue,
                silent_days: m.silent_days,
                more: m.as_lead.overdue - rows.len() as i64,
                rows,
            }
        })
        .collect();
    StatusPage {
        w,
        r,
        title: r.title,
        heading,
        date: w.date(report.as_of),
        filters,
        tiles: tiles(r, report),
        bars: bars(r, report),
        trend: trend(r, points),
        silent: export::silent(report)
            .into_iter()
            .map(|m| {
                (
                    one_line(&m.ministry.name),
                    m.silent_days.unwrap_or_default(),
                )
            })
            .collect(),
        silent_days: export::SILENT_DAYS,
        sections,
        cols: r.action_columns,
    }
    .render()
}
