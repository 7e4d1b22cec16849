//! The home page.

use std::collections::BTreeMap;

use reqwest::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use scraper::{Html, Selector};
use url::Url;

use super::*;

#[tokio::test]
async fn the_home_page_says_what_this_is_and_every_link_leads_somewhere() {
    let app = spawn_app().await;
    let home = Url::parse(&format!("{}/", app.base)).expect("url");
    let res = browse(&app, &home).await;
    assert_eq!(res.status(), 200);
    assert!(header(&res, CONTENT_TYPE).starts_with("text/html"));
    let policy = header(&res, CONTENT_SECURITY_POLICY).to_owned();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    let html = res.text().await.expect("body");
    let doc = Html::parse_document(&html);
    let h1 = Selector::parse("h1").expect("selector");
    let title: String = doc
        .select(&h1)
        .next()
        .expect("h1")
        .text()
        .collect::<String>();
    assert_eq!(title, "Sekretariat Uji");
    assert!(html.contains("<html lang=\"id\">"));
    assert!(html.contains("Laporan untuk pimpinan"));

    let links = references(&home, &html);
    let targets: BTreeMap<String, &Url> = links
        .iter()
        .map(|(_, url)| (url.path().to_owned(), url))
        .collect();
    for path in [
        "/graphql",
        "/reports/status.html",
        "/reports/actions.csv",
        "/reports/actions.xlsx",
        "/reports/status.csv",
        "/reports/status.txt",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(targets.contains_key(path), "no link to {path}");
    }
    for (element, url) in &links {
        assert_eq!(element, "a", "the page loads nothing: {url}");
        assert_eq!(url.origin(), home.origin(), "{url} is elsewhere");
        let status = browse(&app, url).await.status().as_u16();
        assert!(status != 404 && status < 500, "{url}: {status}");
    }
    // The reports want a token, and say so.
    let report = browse(&app, targets["/reports/status.html"]).await;
    assert_eq!(report.status(), 401);

    // In English, and back.
    let english = browse(&app, &home.join("?lang=en").expect("url")).await;
    assert_eq!(english.status(), 200);
    let html = english.text().await.expect("body");
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Reports for leadership"));
    assert!(html.contains("href=\"reports/status.html?lang=en\""));
    assert!(html.contains("href=\"?lang=id\""));

    let bad = browse(&app, &home.join("?lang=xx").expect("url")).await;
    assert_eq!(bad.status(), 400);
    assert_eq!(
        bad.text().await.expect("body"),
        "BAD_USER_INPUT (lang): lang is id or en\n"
    );
}
