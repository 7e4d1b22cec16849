//! The follow-up matrix and the per-ministry summary as a workbook (`.xlsx`): dates as dates,
//! counts as numbers, a styled header row and frozen panes.

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError};

use super::{
    Report,
    export::{action_cells, ministry_cells, plain, total_cells},
    query::Row,
    state,
};
use crate::words::ReportWords;

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let (y, m, day) = (d.year(), d.month(), d.day());
    ExcelDateTime::from_ymd(
        u16::try_from(y).unwrap_or(1900),
        u8::try_from(m).unwrap_or(1),
        u8::try_from(day).unwrap_or(1),
    )
}

/// The formats of the workbook.
struct Styles {
    header: Format,
    text: Format,
    date: Format,
    late_text: Format,
    late_date: Format,
}

impl Styles {
    fn new() -> Self {
        let late = Color::RGB(0xFDE8E8);
        let text = Format::new().set_text_wrap();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        Self {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0x0B3D6E))
                .set_font_color(Color::White)
                .set_border_bottom(FormatBorder::Thin)
                .set_text_wrap(),
            late_text: text.clone().set_background_color(late),
            late_date: date.clone().set_background_color(late),
            text,
            date,
        }
    }
}

fn header(sheet: &mut Worksheet, columns: &[&str], styles: &Styles) -> Result<(), XlsxError> {
    for (c, name) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &styles.header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The actions sheet; overdue rows filled in light red.
fn actions_sheet(
    sheet: &mut Worksheet,
    w: &ReportWords,
    tz: Tz,
    rows: &[Row],
    styles: &Styles,
) -> Result<(), XlsxError> {
    sheet.set_name(w.actions_sheet)?;
    header(sheet, &w.action_columns, styles)?;
    let widths = [
        5.0, 30.0, 12.0, 30.0, 18.0, 40.0, 26.0, 30.0, 12.0, 12.0, 12.0, 12.0, 9.0, 40.0, 40.0,
        10.0,
    ];
    for (c, width) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *width)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let late = row.days_overdue.is_some();
        let (text, date) = if late {
            (&styles.late_text, &styles.late_date)
        } else {
            (&styles.text, &styles.date)
        };
        let cells = action_cells(w, tz, i as u64 + 1, row, plain);
        let dates = [
            (2, Some(state::date_in(tz, row.meeting_at))),
            (8, Some(row.original_due_on)),
            (9, Some(row.due_on)),
            (11, row.completed_on),
        ];
        for (c, value) in cells.iter().enumerate() {
            let c16 = c as u16;
            if let Some((_, d)) = dates.iter().find(|(col, _)| *col == c) {
                match d {
                    Some(d) => sheet.write_datetime_with_format(r, c16, excel_date(*d)?, date)?,
                    None => sheet.write_blank(r, c16, text)?,
                };
            } else if c == 0 {
                sheet.write_number_with_format(r, c16, (i + 1) as f64, text)?;
            } else if c == 12 {
                match row.days_overdue {
                    Some(d) => sheet.write_number_with_format(r, c16, d as f64, text)?,
                    None => sheet.write_blank(r, c16, text)?,
                };
            } else {
                // Written as text: nothing in a cell is ever taken for a formula.
                sheet.write_string_with_format(r, c16, value, text)?;
            }
        }
    }
    sheet.autofilter(0, 0, rows.len() as u32, 15)?;
    Ok(())
}

/// The per-ministry sheet, with numbers as numbers.
fn ministries_sheet(
    sheet: &mut Worksheet,
    w: &ReportWords,
    report: &Report,
    styles: &Styles,
) -> Result<(), XlsxError> {
    // Excel forbids '/' in sheet names; U+2215 looks the same.
    sheet.set_name(w.ministries_sheet.replace('/', "\u{2215}"))?;
    header(sheet, &w.ministry_columns, styles)?;
    sheet.set_column_width(1, 40.0)?;
    let lines = report
        .ministries
        .iter()
        .map(|m| ministry_cells(m, plain))
        .chain(std::iter::once(total_cells(w, &report.totals)));
    let mut last = 0;
    for (i, cells) in lines.enumerate() {
        let r = i as u32 + 1;
        last = r;
        for (c, value) in cells.iter().enumerate() {
            let c16 = c as u16;
            if c < 2 {
                sheet.write_string_with_format(r, c16, value, &styles.text)?;
            } else if let Ok(n) = value.parse::<f64>() {
                sheet.write_number(r, c16, n)?;
            }
        }
    }
    sheet.autofilter(0, 0, last, 16)?;
    Ok(())
}

/// `/reports/actions.xlsx`: the actions sheet and the per-ministry sheet.
pub fn workbook(
    w: &ReportWords,
    tz: Tz,
    rows: &[Row],
    report: &Report,
) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new();
    let mut book = Workbook::new();
    actions_sheet(book.add_worksheet(), w, tz, rows, &styles)?;
    ministries_sheet(book.add_worksheet(), w, report, &styles)?;
    book.save_to_buffer()
}
