//! GraphiQL from the binary, its ready-made operations, and the home page: what a browser
//! fetches, and that nothing is fetched from anywhere else. This module holds what the
//! files share: fetching as a browser, and reading the URLs a page refers to.

mod graphiql;
mod home;
mod operations;

use reqwest::header::{ACCEPT, HeaderMap};
use scraper::{Html, Selector};
use url::Url;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

pub(crate) const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// Every URL an HTML page makes a browser load or offers as a link, resolved against the
/// page's address.
pub(crate) fn references(page: &Url, html: &str) -> Vec<(String, Url)> {
    let doc = Html::parse_document(html);
    let mut found = Vec::new();
    for (selector, attribute) in [
        ("script[src]", "src"),
        ("link[href]", "href"),
        ("img[src]", "src"),
        ("iframe[src]", "src"),
        ("a[href]", "href"),
        ("form[action]", "action"),
    ] {
        let selector = Selector::parse(selector).expect("selector");
        for element in doc.select(&selector) {
            let value = element.value().attr(attribute).expect("attribute");
            let url = page.join(value).expect("a URL");
            found.push((element.value().name().to_owned(), url));
        }
    }
    found
}

pub(crate) async fn browse(app: &TestApp, url: &Url) -> reqwest::Response {
    app.client
        .get(url.clone())
        .header(ACCEPT, BROWSER_ACCEPT)
        .send()
        .await
        .expect("GET")
}

pub(crate) fn header(res: &reqwest::Response, name: reqwest::header::HeaderName) -> &str {
    field(res.headers(), name)
}

pub(crate) fn field(headers: &HeaderMap, name: reqwest::header::HeaderName) -> &str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The GraphiQL page as a browser gets it, and the URLs of its scripts and style sheet.
pub(crate) async fn graphiql_page(app: &TestApp) -> (HeaderMap, String, Url, Vec<Url>) {
    let page_url = Url::parse(&format!("{}/graphql", app.base)).expect("url");
    let res = browse(app, &page_url).await;
    assert_eq!(res.status(), 200, "GraphiQL page");
    let headers = res.headers().clone();
    let html = res.text().await.expect("page body");
    let assets = references(&page_url, &html)
        .into_iter()
        .map(|(_, url)| url)
        .collect();
    (headers, html, page_url, assets)
}
