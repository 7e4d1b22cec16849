//! The downloads: the follow-up matrix and the per-ministry summary as CSV and XLSX, and the
//! text summary, read back as a user's program would.

use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx};
use serde_json::json;
use tindak::auth::service::Role;

use super::registry;
use crate::helpers::{TestApp, spawn_app};

const BOM: &[u8] = b"\xEF\xBB\xBF";

async fn get(app: &TestApp, token: Option<&str>, path: &str) -> reqwest::Response {
    let mut req = app.client.get(format!("{}{path}", app.base));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.expect("request")
}

async fn bytes(app: &TestApp, path: &str) -> Vec<u8> {
    let res = get(app, Some(&app.admin), path).await;
    assert_eq!(res.status(), 200, "{path}");
    assert_eq!(res.headers()["cache-control"], "no-store");
    res.bytes().await.expect("body").to_vec()
}

/// A CSV download parsed back: its header and its records, by column name.
fn parse(body: &[u8], sep: u8) -> (Vec<String>, Vec<std::collections::HashMap<String, String>>) {
    assert!(body.starts_with(BOM), "a UTF-8 byte-order mark first");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sep)
        .from_reader(&body[BOM.len()..]);
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_owned))
                .collect()
        })
        .collect();
    (header, rows)
}

#[tokio::test]
async fn the_actions_csv_is_the_matrix_as_it_stood_on_the_day() {
    let app = spawn_app().await;
    registry(&app).await;
    let body = bytes(&app, "/reports/actions.csv?asOf=2026-03-15").await;
    let (header, rows) = parse(&body, b',');
    assert_eq!(
        header,
        [
            "No",
            "Rapat",
            "Tanggal Rapat",
            "Permasalahan",
            "Kategori",
            "Rencana Tindak Lanjut",
            "Penanggung Jawab",
            "Pendukung",
            "Target Awal",
            "Target Waktu",
            "Status",
            "Tanggal Selesai",
            "Hari Terlambat",
            "Pembaruan Terakhir",
            "Keterangan",
            "Prioritas"
        ]
    );
    assert_eq!(rows.len(), 6);
    let numbers: Vec<&str> = rows.iter().map(|r| r["No"].as_str()).collect();
    assert_eq!(numbers, ["1", "2", "3", "4", "5", "6"]);
    let row = |title: &str| {
        rows.iter()
            .find(|r| r["Rencana Tindak Lanjut"] == title)
            .unwrap_or_else(|| panic!("{title}"))
    };
    let x3 = row("X3");
    assert_eq!(x3["Rapat"], "Rapat Koordinasi Januari");
    assert_eq!(x3["Tanggal Rapat"], "2026-01-10");
    assert_eq!(x3["Permasalahan"], "I2");
    assert_eq!(x3["Kategori"], "Purna penempatan");
    assert_eq!(x3["Penanggung Jawab"], "Kementerian KEMLU");
    assert_eq!(x3["Pendukung"], "Kementerian BNPB");
    assert_eq!(x3["Status"], "Belum dimulai", "BLOCKED only on the 16th");
    assert_eq!(x3["Hari Terlambat"], "14");
    assert_eq!(x3["Pembaruan Terakhir"], "2026-02-05: Draf disusun");
    assert_eq!(x3["Prioritas"], "Normal");
    let x1 = row("X1");
    assert_eq!(x1["Target Awal"], "2026-02-01");
    assert_eq!(x1["Target Waktu"], "2026-02-20");
    assert_eq!(x1["Status"], "Selesai");
    assert_eq!(x1["Tanggal Selesai"], "2026-02-18");
    assert_eq!(x1["Hari Terlambat"], "");
    assert_eq!(x1["Prioritas"], "Tinggi");
    assert_eq!(
        row("X2")["Pendukung"],
        "Kementerian KEMLU; Kementerian BNPB"
    );
    assert_eq!(
        row("X6")["Status"],
        "Belum dimulai",
        "in progress only from 1 Apr"
    );
    // The same figures as the report.
    let late = rows
        .iter()
        .filter(|r| !r["Hari Terlambat"].is_empty())
        .count();
    let report = app
        .data(
            "{ statusReport(asOf: \"2026-03-15\") { totals { overdue done } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        late as i64,
        report["statusReport"]["totals"]["overdue"]
            .as_i64()
            .expect("n")
    );
    let done = rows.iter().filter(|r| r["Status"] == "Selesai").count();
    assert_eq!(
        done as i64,
        report["statusReport"]["totals"]["done"]
            .as_i64()
            .expect("n")
    );

    // Semicolons for Excel with Indonesian regional settings; English headers on request.
    let body = bytes(
        &app,
        "/reports/actions.csv?asOf=2026-03-15&sep=%3B&lang=en&ministry=BNPB",
    )
    .await;
    assert!(
        String::from_utf8_lossy(&body)
            .lines()
            .next()
            .expect("header")
            .contains(';')
    );
    let (header, rows) = parse(&body, b';');
    assert_eq!(header[5], "Follow-up Action");
    assert_eq!(header[12], "Days Overdue");
    assert_eq!(rows.len(), 3, "X2, X3, X4");
    assert!(rows.iter().any(|r| r["Status"] == "Cancelled"));
}

#[tokio::test]
async fn the_status_csv_and_the_text_summary_carry_the_report() {
    let app = spawn_app().await;
    registry(&app).await;
    let body = bytes(&app, "/reports/status.csv?asOf=2026-03-15").await;
    let (header, rows) = parse(&body, b',');
    assert_eq!(header[0], "Kode");
    assert_eq!(header[8], "Terlambat");
    let codes: Vec<&str> = rows.iter().map(|r| r["Kode"].as_str()).collect();
    assert_eq!(
        codes,
        ["KEMLU", "BNPB", "KEMENKES", ""],
        "as the report orders them, then the totals"
    );
    let kemlu = &rows[0];
    assert_eq!(kemlu["Jumlah"], "3");
    assert_eq!(kemlu["Terlambat"], "1");
    assert_eq!(kemlu["Selesai Tepat Waktu"], "1");
    assert_eq!(kemlu["Ketepatan Waktu (%)"], "100.0");
    assert_eq!(kemlu["Median Hari Terlambat"], "14.0");
    assert_eq!(kemlu["Hari Tanpa Kabar"], "38");
    assert_eq!(kemlu["Sebagai Pendukung"], "1");
    let all = &rows[3];
    assert_eq!(all["Kementerian/Lembaga"], "Semua");
    assert_eq!(all["Jumlah"], "6");
    assert_eq!(all["Ketepatan Waktu (%)"], "50.0");

    let res = get(
        &app,
        Some(&app.admin),
        "/reports/status.txt?asOf=2026-03-15",
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/plain")
    );
    let text = res.text().await.expect("text");
    assert!(text.contains("15 Maret 2026"), "{text}");
    assert!(text.contains("Jumlah tindak lanjut: 6"), "{text}");
    assert!(text.contains("Terlambat: 1"), "{text}");
    assert!(
        text.contains("1. Kementerian KEMLU: 1 terlambat (terlama 14 hari)"),
        "{text}"
    );
    assert!(
        text.contains("- Kementerian KEMLU: 38 hari"),
        "silent since 5 Feb: {text}"
    );
    assert!(
        text.contains("http://tindak.example/reports/status.html?asOf=2026-03-15"),
        "{text}"
    );
}

#[tokio::test]
async fn the_workbook_has_typed_dates_and_the_same_figures() {
    let app = spawn_app().await;
    registry(&app).await;
    let res = get(
        &app,
        Some(&app.admin),
        "/reports/actions.xlsx?asOf=2026-03-15",
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .expect("disposition")
            .contains("tindak-lanjut-2026-03-15.xlsx")
    );
    let body = res.bytes().await.expect("body").to_vec();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(body)).expect("a workbook");
    assert_eq!(
        book.sheet_names(),
        ["Tindak Lanjut", "Ringkasan K\u{2215}L"]
    );
    let sheet = book.worksheet_range("Tindak Lanjut").expect("sheet");
    assert_eq!(sheet.height(), 7, "a header and six actions");
    let header: Vec<String> = sheet
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[9], "Target Waktu");
    let x1 = sheet.rows().find(|r| r[5] == "X1").expect("X1");
    match &x1[9] {
        Data::DateTime(d) => {
            // Excel counts days from 30 December 1899.
            let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("epoch");
            let serial = (super::date(2026, 2, 20) - epoch).num_days() as f64;
            assert_eq!(d.as_f64(), serial);
        }
        other => panic!("the due date is a date cell, not {other:?}"),
    }
    assert!(matches!(x1[11], Data::DateTime(_)), "completion date typed");
    let late: Vec<f64> = sheet
        .rows()
        .skip(1)
        .filter_map(|r| r[12].get_float().or(r[12].get_int().map(|i| i as f64)))
        .collect();
    assert_eq!(late, [14.0], "X3 alone is overdue, by 14 days");
    let summary = book
        .worksheet_range("Ringkasan K\u{2215}L")
        .expect("summary");
    let kemlu = summary.rows().find(|r| r[0] == "KEMLU").expect("KEMLU");
    assert_eq!(kemlu[2].get_float(), Some(3.0));
    assert_eq!(kemlu[8].get_float(), Some(1.0));

    let res = get(&app, Some(&app.admin), "/reports/actions.xlsx?lang=en").await;
    let body = res.bytes().await.expect("body").to_vec();
    let book: Xlsx<_> = Xlsx::new(Cursor::new(body)).expect("a workbook");
    assert_eq!(book.sheet_names(), ["Actions", "By ministry"]);
}

#[tokio::test]
async fn downloads_refuse_bad_parameters_and_strangers_and_never_run_a_formula() {
    let app = spawn_app().await;
    registry(&app).await;
    for (query, field) in [
        ("asOf=2026-13-01", "asOf"),
        ("asOf=2200-01-01", "asOf"),
        ("ministry=NOPE", "ministry[0]"),
        ("meetingId=x", "meetingId"),
        ("priority=SOON", "priority"),
        ("sep=%7C", "sep"),
        ("lang=fr", "lang"),
        ("from=2026-03-02&to=2026-03-01", "to"),
        ("colour=red", "colour"),
        ("category=%0A", "category"),
    ] {
        let res = get(
            &app,
            Some(&app.admin),
            &format!("/reports/actions.csv?{query}"),
        )
        .await;
        assert_eq!(res.status(), 400, "{query}");
        let text = res.text().await.expect("text");
        assert!(
            text.starts_with(&format!("BAD_USER_INPUT ({field})")),
            "{query}: {text}"
        );
    }
    for path in [
        "/reports/actions.csv",
        "/reports/status.html",
        "/reports/actions.xlsx",
    ] {
        let res = get(&app, None, path).await;
        assert_eq!(res.status(), 401, "{path}");
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        let res = get(&app, Some("tdk_not-a-token"), path).await;
        assert_eq!(res.status(), 401, "{path}");
    }
    // A liaison's download holds its ministry's actions only.
    let liaison = app.token("Liaison BNPB", Role::Liaison, Some("BNPB")).await;
    let res = get(&app, Some(&liaison), "/reports/actions.csv?asOf=2026-03-15").await;
    let (_, rows) = parse(&res.bytes().await.expect("body"), b',');
    assert_eq!(rows.len(), 3);

    // What a spreadsheet would run as a formula is written as text.
    let m = app.meeting("Rapat", "KEMLU").await;
    app.action(
        &m,
        "=HYPERLINK(\"http://evil.example\")",
        "KEMLU",
        "2026-03-01",
    )
    .await;
    let body = bytes(&app, "/reports/actions.csv").await;
    let (_, rows) = parse(&body, b',');
    assert!(
        rows.iter()
            .any(|r| r["Rencana Tindak Lanjut"] == "'=HYPERLINK(\"http://evil.example\")"),
        "{rows:?}"
    );
}
