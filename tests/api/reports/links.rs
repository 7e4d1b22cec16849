//! `reportLink`: a signed link opens the page without a token until it expires, stops
//! working when its issuer is deactivated, and is refused when altered.

use chrono::{Duration, Utc};
use serde_json::json;
use tindak::{auth::service::Role, reminders::links::LinkSigner, reports::links::ReportSigner};

use super::registry;
use crate::helpers::spawn_app;

const LINK: &str = "mutation($p: String!, $d: Int) { reportLink(path: $p, expiresInDays: $d) }";

#[tokio::test]
async fn a_signed_link_works_until_it_expires_and_not_once_altered() {
    let app = spawn_app().await;
    registry(&app).await;
    let leader = app.token("Deputi", Role::Leadership, None).await;
    let body = app
        .gql_as(
            &leader,
            LINK,
            json!({ "p": "/reports/status.html?asOf=2026-03-15&lang=en", "d": 3 }),
        )
        .await;
    let link = body["data"]["reportLink"]
        .as_str()
        .unwrap_or_else(|| panic!("{body:#}"))
        .to_owned();
    assert!(
        link.starts_with("http://tindak.example/reports/status.html?asOf=2026-03-15&lang=en&by="),
        "{link}"
    );
    assert!(link.contains("&exp=") && link.contains("&sig="), "{link}");
    let local = link.replace("http://tindak.example", &app.base);
    let res = app.client.get(&local).send().await.expect("request");
    assert_eq!(res.status(), 200, "no header needed");
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    assert!(res.text().await.expect("html").contains("March 15, 2026"));

    for altered in [
        local.replace("asOf=2026-03-15", "asOf=2026-03-16"),
        local.replace("lang=en", "lang=id"),
        format!("{local}&ministry=KEMLU"),
        local.replace("status.html", "actions.csv"),
        local.replace("&sig=", "&sig=A"),
    ] {
        let res = app.client.get(&altered).send().await.expect("request");
        assert_eq!(res.status(), 403, "{altered}");
    }
    // The same secret's progress-link key does not sign report links.
    let (path, query) = local.split_once('?').expect("query");
    let sig = query.rsplit_once("sig=").expect("sig").1;
    let forged = LinkSigner::new(b"test secret").signature(b"x");
    let res = app
        .client
        .get(format!("{path}?{}", query.replace(sig, &forged)))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 403);

    // A link signed with the server's key that expired yesterday: 410.
    let leader_id = app.gql_as(&leader, "{ me { id } }", json!({})).await["data"]["me"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let signer = ReportSigner::new(&LinkSigner::new(b"test secret"));
    let old = signer
        .link(
            &app.base,
            "/reports/status.txt",
            uuid::Uuid::parse_str(&leader_id).expect("uuid"),
            1,
            Utc::now() - Duration::days(2),
        )
        .expect("link");
    let res = app.client.get(&old).send().await.expect("request");
    assert_eq!(res.status(), 410);
    let fresh = signer
        .link(
            &app.base,
            "/reports/status.txt",
            uuid::Uuid::parse_str(&leader_id).expect("uuid"),
            1,
            Utc::now(),
        )
        .expect("link");
    assert_eq!(
        app.client
            .get(&fresh)
            .send()
            .await
            .expect("request")
            .status(),
        200
    );

    // The issuer deactivated: every link of theirs stops working.
    app.data(
        "mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { id } }",
        json!({ "id": leader_id }),
    )
    .await;
    assert_eq!(
        app.client
            .get(&local)
            .send()
            .await
            .expect("request")
            .status(),
        403
    );
    assert_eq!(
        app.client
            .get(&fresh)
            .send()
            .await
            .expect("request")
            .status(),
        403
    );
}

#[tokio::test]
async fn only_staff_and_leadership_sign_links_to_our_pages_and_each_is_audited() {
    let app = spawn_app().await;
    registry(&app).await;
    let liaison = app.token("Liaison", Role::Liaison, Some("BNPB")).await;
    let body = app
        .gql_as(&liaison, LINK, json!({ "p": "/reports/status.html" }))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body:#}"
    );
    for (path, days) in [
        ("/graphql", 7),
        ("https://evil.example/reports/x", 7),
        ("/reports/../graphql", 7),
        ("/reports/status.html?sig=abc", 7),
        ("/reports/status.html", 0),
        ("/reports/status.html", 400),
    ] {
        let field = if days == 7 { "path" } else { "expiresInDays" };
        app.expect_error(
            LINK,
            json!({ "p": path, "d": days }),
            "BAD_USER_INPUT",
            Some(field),
        )
        .await;
    }
    let data = app
        .data(LINK, json!({ "p": "/reports/actions.xlsx?ministry=KEMLU" }))
        .await;
    let link = data["reportLink"].as_str().expect("link");
    let res = app
        .client
        .get(link.replace("http://tindak.example", &app.base))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200, "the default: seven days");
    let audit = app
        .data(
            "{ auditEvents(first: 50) { nodes { operation outcome } } }",
            json!({}),
        )
        .await;
    let signed = audit["auditEvents"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|e| e["operation"] == "reportLink")
        .count();
    assert_eq!(signed, 2, "the liaison's refusal and the admin's link");
}
