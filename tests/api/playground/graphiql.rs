//! The GraphiQL page and its files; with the playground off, none of it.

use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use scraper::{Html, Selector};
use url::Url;

use super::*;

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
