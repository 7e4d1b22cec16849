//! GraphiQL from the binary, its ready-made operations, and the home page: what a browser
//! fetches, and that nothing is fetched from anywhere else.

use std::collections::BTreeMap;

use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderMap};
use scraper::{Html, Selector};
use serde_json::{Value, json};
use url::Url;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// Every URL an HTML page makes a browser load or offers as a link, resolved against the
/// page's address.
fn references(page: &Url, html: &str) -> Vec<(String, Url)> {
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

async fn browse(app: &TestApp, url: &Url) -> reqwest::Response {
    app.client
        .get(url.clone())
        .header(ACCEPT, BROWSER_ACCEPT)
        .send()
        .await
        .expect("GET")
}

fn header(res: &reqwest::Response, name: reqwest::header::HeaderName) -> &str {
    field(res.headers(), name)
}

fn field(headers: &HeaderMap, name: reqwest::header::HeaderName) -> &str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The GraphiQL page as a browser gets it, and the URLs of its scripts and style sheet.
async fn graphiql_page(app: &TestApp) -> (HeaderMap, String, Url, Vec<Url>) {
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

#[tokio::test]
async fn graphiql_loads_everything_from_this_server_with_the_right_types() {
    let app = spawn_app().await;
    let (headers, html, page_url, assets) = graphiql_page(&app).await;
    assert!(field(&headers, CONTENT_TYPE).starts_with("text/html"));
    let policy = field(&headers, CONTENT_SECURITY_POLICY);
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(policy.contains("connect-src 'self'"), "{policy}");
    assert!(html.contains("<title>GraphiQL · Sekretariat Uji</title>"));

    // No inline script (the policy forbids it): every <script> has a src.
    let doc = Html::parse_document(&html);
    let scripts = Selector::parse("script").expect("selector");
    for script in doc.select(&scripts) {
        assert!(script.value().attr("src").is_some(), "inline script");
        assert!(script.inner_html().trim().is_empty());
    }

    let names: Vec<&str> = assets
        .iter()
        .map(|u| u.path().rsplit('/').next().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        [
            "react.production.min.js",
            "react-dom.production.min.js",
            "graphiql.min.js",
            "operations.js",
            "start.js",
            "graphiql.min.css",
        ]
    );
    let root = env!("CARGO_MANIFEST_DIR");
    for url in &assets {
        assert_eq!(url.origin(), page_url.origin(), "{url} is elsewhere");
        let res = browse(&app, url).await;
        assert_eq!(res.status(), 200, "{url}");
        let expected = if url.path().ends_with(".css") {
            "text/css; charset=utf-8"
        } else {
            "text/javascript; charset=utf-8"
        };
        assert_eq!(header(&res, CONTENT_TYPE), expected, "{url}");
        assert_eq!(
            header(&res, CACHE_CONTROL),
            "public, max-age=31536000, immutable",
            "{url}"
        );
        let name = url.path().rsplit('/').next().unwrap_or_default().to_owned();
        let body = res.bytes().await.expect("asset body");
        if let Ok(on_disk) = std::fs::read(format!("{root}/assets/graphiql/{name}")) {
            assert!(body == on_disk, "{name} is served as committed");
        }
        if name.ends_with(".css") {
            // A style sheet that pulls fonts or images from elsewhere would fail offline.
            let text = String::from_utf8_lossy(&body);
            for (i, _) in text.match_indices("url(") {
                let target = text[i + 4..].trim_start_matches(['"', '\'']);
                assert!(target.starts_with("data:"), "{name}: {}", &target[..40]);
            }
            assert!(!text.contains("@import"), "{name} imports another sheet");
        }
    }
    // The licenses travel with the files, and the pinned versions are readable.
    for name in [
        "LICENSE-graphiql",
        "LICENSE-react",
        "LICENSE-react-dom",
        "VERSIONS",
    ] {
        let url = page_url
            .join(&format!("graphiql/4.1.2/{name}"))
            .expect("url");
        let res = browse(&app, &url).await;
        assert_eq!(res.status(), 200, "{name}");
        assert_eq!(header(&res, CONTENT_TYPE), "text/plain; charset=utf-8");
    }
    // Anything else under /graphiql is not found.
    for path in [
        "graphiql/4.1.2/nope.js",
        "graphiql/4.0.0/graphiql.min.js",
        "graphiql/app-000000000000/start.js",
        "graphiql/4.1.2/..%2F..%2FCargo.toml",
    ] {
        let res = browse(&app, &page_url.join(path).expect("url")).await;
        assert_eq!(res.status(), 404, "{path}");
    }
}

/// The tabs GraphiQL opens with, as the page's `operations.js` hands them over.
async fn ready_operations(app: &TestApp) -> Vec<(String, Value)> {
    let (_, _, _, assets) = graphiql_page(app).await;
    let url = assets
        .iter()
        .find(|u| u.path().ends_with("/operations.js"))
        .expect("operations.js");
    let script = browse(app, url).await.text().await.expect("script");
    let json = script
        .split_once("window.TINDAK_OPERATIONS = ")
        .and_then(|(_, rest)| rest.trim_end().strip_suffix(';'))
        .expect("an assignment");
    let tabs: Vec<Value> = serde_json::from_str(json).expect("JSON");
    tabs.into_iter()
        .map(|tab| {
            let query = tab["query"].as_str().expect("query").to_owned();
            let variables = match tab["variables"].as_str() {
                Some(text) => serde_json::from_str(text).expect("variables are JSON"),
                None => json!({}),
            };
            (query, variables)
        })
        .collect()
}

/// The operation names of a document, in order.
fn operation_names(document: &str) -> Vec<String> {
    document
        .lines()
        .filter_map(|line| {
            let rest = line
                .strip_prefix("query ")
                .or_else(|| line.strip_prefix("mutation "))?;
            Some(
                rest.split(|c: char| !c.is_alphanumeric())
                    .next()?
                    .to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_ready_made_operations_run_as_written_on_the_demo_data() {
    let app = spawn_app().await;
    app.load_demo().await;
    let tabs = ready_operations(&app).await;
    let names: Vec<Vec<String>> = tabs.iter().map(|(q, _)| operation_names(q)).collect();
    assert_eq!(
        names,
        [
            vec!["RecordMeeting"],
            vec!["Overdue"],
            vec!["OpenActions", "Start", "Reschedule", "Finish"],
            vec!["AddLiaison", "Liaisons"],
            vec!["DryRun", "Reminders"],
            vec!["Status", "ReportLink"],
        ]
    );
    for (query, _) in &tabs {
        assert!(query.starts_with("# "), "each tab opens with what it does");
    }

    // Runs one named operation of a tab as GraphiQL sends it, and returns its data.
    let run = |index: usize, name: &'static str, variables: Value| {
        let query = tabs[index].0.clone();
        let app = &app;
        async move {
            let res = app
                .post(
                    Some(&app.admin),
                    &json!({ "query": query, "variables": variables, "operationName": name }),
                )
                .await;
            assert_eq!(res.status(), 200, "{name}");
            let body: Value = res.json().await.expect("JSON");
            assert!(body.get("errors").is_none(), "{name}: {body}");
            body["data"].clone()
        }
    };

    let meeting = run(0, "RecordMeeting", tabs[0].1.clone()).await;
    let action = &meeting["recordMeeting"]["issues"][0]["actions"][0];
    assert_eq!(action["leadMinistry"]["code"], "KP2MI");

    let overdue = run(1, "Overdue", tabs[1].1.clone()).await;
    let late = overdue["actions"]["nodes"].as_array().expect("nodes");
    assert!(!late.is_empty(), "the demo has overdue KP2MI actions");
    assert!(late.iter().all(|a| a["daysOverdue"].as_i64() > Some(0)));

    // Start, reschedule, finish one action, passing the version each step gave back.
    let open = run(2, "OpenActions", json!({})).await;
    let first = &open["actions"]["nodes"][0];
    let id = first["id"].clone();
    let mut version = first["version"].clone();
    let started = run(2, "Start", json!({ "id": id, "version": version })).await;
    assert_eq!(started["changeActionStatus"]["status"], "IN_PROGRESS");
    version = started["changeActionStatus"]["version"].clone();
    let moved = run(2, "Reschedule", json!({ "id": id, "version": version })).await;
    assert_eq!(moved["updateAction"]["dueOn"], "2027-02-26");
    version = moved["updateAction"]["version"].clone();
    let done = run(2, "Finish", json!({ "id": id, "version": version })).await;
    assert_eq!(done["changeActionStatus"]["status"], "DONE");
    // The placeholder the tab ships with gets a clear error, not a crash.
    let placeholder = app
        .post(
            Some(&app.admin),
            &json!({ "query": tabs[2].0, "variables": tabs[2].1, "operationName": "Start" }),
        )
        .await
        .json::<Value>()
        .await
        .expect("JSON");
    assert_eq!(
        placeholder["errors"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );

    let liaison = run(3, "AddLiaison", tabs[3].1.clone()).await;
    assert_eq!(liaison["addLiaison"]["active"], true);
    let liaisons = run(3, "Liaisons", tabs[3].1.clone()).await;
    assert!(
        liaisons["ministry"]["liaisons"]
            .as_array()
            .expect("liaisons")
            .iter()
            .any(|l| l["email"] == "dewi.lestari@kemlu.example.go.id")
    );

    let outbox_before = app.count("reminders").await;
    let dry = run(4, "DryRun", tabs[4].1.clone()).await;
    assert_eq!(dry["runReminders"]["dryRun"], true);
    assert!(dry["runReminders"]["planned"].as_i64() > Some(0));
    assert_eq!(
        app.count("reminders").await,
        outbox_before,
        "a dry run keeps nothing"
    );
    run(4, "Reminders", json!({})).await;

    let status = run(5, "Status", tabs[5].1.clone()).await;
    assert!(status["statusReport"]["totals"]["overdue"].as_i64() > Some(0));
    assert_eq!(
        status["statusReport"]["trend"].as_array().map(Vec::len),
        Some(12)
    );
    let link = run(5, "ReportLink", json!({})).await;
    let link = link["reportLink"].as_str().expect("link");
    assert!(link.contains("/reports/status.html?"), "{link}");
}

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

#[tokio::test]
async fn with_the_playground_off_neither_graphiql_nor_its_files_are_served() {
    // The asset URLs of a server with the playground on, asked of one with it off.
    let on = spawn_app().await;
    let (_, _, _, assets) = graphiql_page(&on).await;
    let off = spawn_app_with(|s| {
        s.playground = false;
        s.metrics = false;
    })
    .await;
    let page = browse(
        &off,
        &Url::parse(&format!("{}/graphql", off.base)).expect("url"),
    )
    .await;
    assert_eq!(page.status(), 405, "no GraphiQL page");
    for url in &assets {
        let moved = Url::parse(&format!("{}{}", off.base, url.path())).expect("url");
        assert_eq!(browse(&off, &moved).await.status(), 404, "{moved}");
    }
    // The home page neither links to GraphiQL nor to the metrics that are off, and what it
    // does link to answers.
    let home = Url::parse(&format!("{}/", off.base)).expect("url");
    let html = browse(&off, &home).await.text().await.expect("body");
    assert!(html.contains("GraphiQL tidak aktif"));
    for (_, url) in references(&home, &html) {
        assert!(
            url.path() != "/graphql" && url.path() != "/metrics",
            "{url}"
        );
        let status = browse(&off, &url).await.status().as_u16();
        assert!(status != 404 && status < 500, "{url}: {status}");
    }
}
