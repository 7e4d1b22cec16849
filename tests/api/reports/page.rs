//! `/reports/status.html`: the figures are on the page and its charts are well-formed SVG
//! with text labels.

use super::registry;
use crate::helpers::spawn_app;

/// Every `<svg>...</svg>` of a page, parsed as XML.
fn charts(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").expect("a closed svg") + start + "</svg>".len();
        out.push(rest[start..end].to_owned());
        rest = &rest[end..];
    }
    out
}

fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_page_shows_the_figures_the_charts_and_the_overdue_actions() {
    let app = spawn_app().await;
    registry(&app).await;
    let res = app
        .client
        .get(format!("{}/reports/status.html?asOf=2026-03-15", app.base))
        .bearer_auth(&app.admin)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/html")
    );
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    let html = res.text().await.expect("html");
    assert!(html.contains("<html lang=\"id\">"));
    assert!(html.contains("Status Tindak Lanjut"));
    assert!(html.contains("15 Maret 2026"), "the date written out");
    assert!(html.contains("Semua unit penyelenggara"));
    // Tiles: 6 actions, 3 pending, 1 overdue, 1 due within 7 days, 50% on time, median 14.
    for tile in [
        "<b>6</b><span>Jumlah tindak lanjut</span>",
        "<b>3</b><span>Belum selesai</span>",
        "<b>1</b><span>Terlambat</span>",
        "<b>1</b><span>Jatuh tempo 7 hari</span>",
        "<b>50%</b><span>Selesai tepat waktu</span>",
        "<b>14.0 hari</b><span>Median keterlambatan</span>",
    ] {
        assert!(html.contains(tile), "{tile}");
    }
    assert!(!html.contains("<script"), "no script");
    assert!(
        !html.contains("http://") || !html.contains("src=\"http"),
        "nothing loaded"
    );

    let svgs = charts(&html);
    assert_eq!(svgs.len(), 2, "the bar chart and the trend");
    let bars = roxmltree::Document::parse(&svgs[0]).expect("well-formed bar chart");
    let labels = texts(&bars);
    for name in [
        "Kementerian KEMLU",
        "Kementerian KEMENKES",
        "Kementerian BNPB",
        "1 terlambat",
    ] {
        assert!(labels.iter().any(|l| l == name), "{name} in {labels:?}");
    }
    let late_bars = bars
        .descendants()
        .filter(|n| n.attribute("class") == Some("s-late"))
        .count();
    assert_eq!(late_bars, 1, "one ministry with overdue actions");
    let trend = roxmltree::Document::parse(&svgs[1]).expect("well-formed trend");
    let lines: Vec<_> = trend
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .collect();
    assert_eq!(lines.len(), 3, "pending, overdue, completed");
    for line in &lines {
        let points = line.attribute("points").expect("points").split(' ').count();
        assert_eq!(points, 12, "twelve weeks");
    }
    // The last points: 3 pending, 1 overdue, 2 completed.
    let ends = texts(&trend);
    for n in ["3", "1", "2"] {
        assert!(ends.iter().any(|t| t == n), "{n} in {ends:?}");
    }
    // KEMLU's overdue action with its days and last update; silent for 38 days.
    assert!(html.contains("X3"));
    assert!(html.contains("<td class=\"num late\">14</td>"));
    assert!(html.contains("5 Februari 2026: Draf disusun"));
    assert!(html.contains("38 hari"));

    let en = app
        .client
        .get(format!(
            "{}/reports/status.html?asOf=2026-03-15&lang=en&convenedBy=KEMLU",
            app.base
        ))
        .bearer_auth(&app.admin)
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("html");
    assert!(en.contains("<html lang=\"en\">"));
    assert!(en.contains("March 15, 2026"));
    assert!(en.contains("Convened by: Kementerian KEMLU"));
    assert!(
        en.contains("<b>4</b><span>Follow-up actions</span>"),
        "M1's four"
    );
}
