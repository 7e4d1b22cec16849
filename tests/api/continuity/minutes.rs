//! The minutes of the seed meeting, generated from its record.

use serde_json::json;

use crate::helpers::spawn_app;

fn texts(doc: &scraper::Html, selector: &str) -> Vec<String> {
    let s = scraper::Selector::parse(selector).expect("selector");
    doc.select(&s)
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

#[tokio::test]
async fn the_minutes_hold_every_attendee_issue_and_follow_up() {
    let app = spawn_app().await;
    app.load_demo().await;
    let data = app
        .data(
            r#"{ meetings(filter: { search: "identifikasi masalah" }) { nodes {
                 id chair attendees { ministry { name } }
                 issues { title } actions { title dueOn leadMinistry { name } } } } }"#,
            json!({}),
        )
        .await;
    let m = &data["meetings"]["nodes"][0];
    let id = m["id"].as_str().expect("id");
    let res = app
        .client
        .get(format!("{}/meetings/{id}/minutes.html", app.base))
        .bearer_auth(&app.admin)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    let html = res.text().await.expect("html");
    let doc = scraper::Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "well-formed: {:?}", doc.errors);
    assert_eq!(
        texts(&doc, "h1 span"),
        ["Rapat Koordinasi Identifikasi Masalah Pelindungan PMI"]
    );
    let facts = texts(&doc, "table.facts td");
    assert_eq!(facts[0], "Rabu, 28 Januari 2026");
    assert_eq!(facts[1], "09.00 WIB");
    assert_eq!(facts[2], "Tangerang Selatan, Banten");
    assert!(facts[3].starts_with("Nur Rokhmah Hidayah, Asisten Deputi"));
    let lists = scraper::Selector::parse("ol").expect("selector");
    let items = scraper::Selector::parse("li").expect("selector");
    let ols: Vec<Vec<String>> = doc
        .select(&lists)
        .map(|ol| {
            ol.select(&items)
                .map(|li| li.text().collect::<String>())
                .collect()
        })
        .collect();
    let attendees = &ols[0];
    for a in m["attendees"].as_array().expect("attendees") {
        let name = a["ministry"]["name"].as_str().expect("name");
        assert!(attendees.iter().any(|t| t.contains(name)), "{name}");
    }
    assert_eq!(attendees.len(), 6);
    let issues = &ols[1];
    assert_eq!(issues.len(), 7);
    for i in m["issues"].as_array().expect("issues") {
        let title = i["title"].as_str().expect("title");
        assert!(issues.iter().any(|t| t.contains(title)), "{title}");
    }
    let rows = texts(&doc, "table.grid tbody tr");
    assert_eq!(rows.len(), 8, "every agreed follow-up");
    for a in m["actions"].as_array().expect("actions") {
        let title = a["title"].as_str().expect("title");
        assert!(rows.iter().any(|r| r.contains(title)), "{title}");
    }
    let sign = texts(&doc, ".sign p");
    assert_eq!(sign[0], "Tangerang Selatan, 28 Januari 2026");
    assert!(sign.iter().any(|p| p.contains("Nur Rokhmah Hidayah")));
    assert!(!html.contains("<script"));

    // The second meeting's minutes, in English, mark its carried issues.
    let second = app
        .data(
            r#"{ meetings(filter: { search: "tindak lanjut pelindungan" }) { nodes { id } } }"#,
            json!({}),
        )
        .await;
    let id2 = second["meetings"]["nodes"][0]["id"].as_str().expect("id");
    let html = app
        .client
        .get(format!("{}/meetings/{id2}/minutes.html?lang=en", app.base))
        .bearer_auth(&app.admin)
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Minutes of Meeting"));
    assert!(html.contains("Friday, February 27, 2026"));
    assert_eq!(
        html.matches("carried forward from the meeting of January 28, 2026")
            .count(),
        3
    );
    // Without a token: 401; a signed link for the page opens it.
    let res = app
        .client
        .get(format!("{}/meetings/{id2}/minutes.html", app.base))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 401);
    let link = app
        .data(
            "mutation($p: String!) { reportLink(path: $p) }",
            json!({ "p": format!("/meetings/{id2}/minutes.html?lang=en") }),
        )
        .await;
    let url = link["reportLink"]
        .as_str()
        .expect("link")
        .replace("http://tindak.example", &app.base);
    let res = app.client.get(&url).send().await.expect("request");
    assert_eq!(res.status(), 200);
    let tampered = url.replace("lang=en", "lang=id");
    assert_eq!(
        app.client
            .get(&tampered)
            .send()
            .await
            .expect("request")
            .status(),
        403
    );
}
