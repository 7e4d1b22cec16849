//! The demo data: the seed meeting of 28 January 2026.

use serde_json::json;

use crate::helpers::spawn_app;

const MEETING: &str = r#"query($filter: MeetingFilter) {
  meetings(filter: $filter) {
    totalCount
    nodes {
      title startsAt timeZone location chair chairPosition
      convenedBy { code parent { code } }
      attendees { ministry { code } representatives }
      issues { title category status actions { title leadMinistry { code } } }
      actions { title dueOn issue { title } leadMinistry { code } supportingMinistries { code } }
    }
  }
}"#;

#[tokio::test]
async fn demo_holds_the_seed_meeting_with_its_issues_and_actions() {
    let app = spawn_app().await;
    let outcome = app.load_demo().await;
    assert_eq!(outcome.ministries_added, 9);
    assert!(outcome.meeting_added);

    let data = app
        .data(
            MEETING,
            json!({ "filter": { "search": "identifikasi masalah" } }),
        )
        .await;
    assert_eq!(data["meetings"]["totalCount"], 1);
    let m = &data["meetings"]["nodes"][0];
    assert_eq!(
        m["title"],
        "Rapat Koordinasi Identifikasi Masalah Pelindungan PMI"
    );
    assert_eq!(m["startsAt"], "2026-01-28T09:00:00+07:00");
    assert_eq!(m["location"], "Tangerang Selatan, Banten");
    assert_eq!(m["chair"], "Nur Rokhmah Hidayah");
    assert_eq!(m["convenedBy"]["code"], "KEMENKO-POLKAM-KSA");
    assert_eq!(m["convenedBy"]["parent"]["code"], "KEMENKO-POLKAM");
    let attendees: Vec<&str> = m["attendees"]
        .as_array()
        .expect("attendees")
        .iter()
        .map(|a| a["ministry"]["code"].as_str().expect("code"))
        .collect();
    assert_eq!(
        attendees,
        [
            "KEMLU",
            "KEMENDAGRI",
            "KEMENIMIPAS",
            "KEMENSOS",
            "KEMENPPPA",
            "KP2MI"
        ]
    );

    let issues = m["issues"].as_array().expect("issues");
    assert_eq!(issues.len(), 7, "seven issues identified");
    assert!(
        issues
            .iter()
            .all(|i| i["status"] == "OPEN" || i["title"] == "Pemutakhiran formulir screening TPPO"),
        "open, but for the one the second meeting closed"
    );
    assert!(
        issues
            .iter()
            .any(|i| i["title"] == "Penyusunan National Referral Mechanism (NRM)")
    );
    assert!(
        issues
            .iter()
            .all(|i| !i["actions"].as_array().expect("actions").is_empty())
    );

    let actions = m["actions"].as_array().expect("actions");
    assert_eq!(actions.len(), 8);
    let pedoman = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.contains("pedoman pemulangan"))
        })
        .expect("the agreed repatriation guideline");
    assert!(
        pedoman["issue"].is_null(),
        "an agreed follow-up not tied to one issue"
    );
    assert_eq!(pedoman["leadMinistry"]["code"], "KP2MI");
    let desa = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.contains("Desa Migran Emas"))
        })
        .expect("the agreed Desa Migran Emas follow-up");
    assert_eq!(desa["issue"]["title"], "Optimalisasi peran desa");
    let due: Vec<&str> = actions
        .iter()
        .map(|a| a["dueOn"].as_str().expect("due"))
        .collect();
    let mut sorted = due.clone();
    sorted.sort();
    assert_eq!(due, sorted, "a meeting's actions come by due date");
}

#[tokio::test]
async fn loading_the_demo_twice_changes_nothing() {
    let app = spawn_app().await;
    app.load_demo().await;
    let before = [
        app.count("ministries").await,
        app.count("liaisons").await,
        app.count("meetings").await,
        app.count("issues").await,
        app.count("actions").await,
        app.count("action_supporters").await,
    ];
    let again = app.load_demo().await;
    assert_eq!(
        again.to_string(),
        "demo data already present: nothing changed"
    );
    let after = [
        app.count("ministries").await,
        app.count("liaisons").await,
        app.count("meetings").await,
        app.count("issues").await,
        app.count("actions").await,
        app.count("action_supporters").await,
    ];
    assert_eq!(before, after);
    assert_eq!(
        before,
        [9, 7, 2, 8, 11, 19],
        "ministries, liaisons, meetings, issues, actions, supporters"
    );
}

#[tokio::test]
async fn readme_example_lists_what_kp2mi_leads() {
    let app = spawn_app().await;
    app.load_demo().await;
    let data = app
        .data(
            r#"{ actions(filter: { leadMinistry: { code: "KP2MI" } }, orderBy: { field: DUE_ON }) {
                 totalCount nodes { title dueOn isOverdue(asOf: "2026-03-20") } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["actions"]["totalCount"], 4);
    let overdue: Vec<bool> = data["actions"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["isOverdue"].as_bool().expect("bool"))
        .collect();
    assert_eq!(
        overdue,
        [true, false, false, false],
        "only the 13 March guideline is late on 20 March"
    );
}

#[tokio::test]
async fn the_second_demo_meeting_carries_three_issues_closes_one_and_raises_one() {
    let app = spawn_app().await;
    app.load_demo().await;
    let data = app
        .data(
            r#"{ meetings(filter: { search: "tindak lanjut pelindungan" }) { nodes {
                 title startsAt
                 issues { title }
                 carriedIssues { title firstRaisedAt meetings { title } actions { title meeting { title } } }
               } } }"#,
            json!({}),
        )
        .await;
    let m = &data["meetings"]["nodes"][0];
    assert_eq!(m["startsAt"], "2026-02-27T09:00:00+07:00");
    assert_eq!(
        m["issues"].as_array().expect("issues").len(),
        4,
        "three carried, one new"
    );
    let carried = m["carriedIssues"].as_array().expect("carried");
    assert_eq!(carried.len(), 3);
    let scam = carried
        .iter()
        .find(|i| {
            i["title"]
                .as_str()
                .is_some_and(|t| t.contains("online scam"))
        })
        .expect("the online scam issue");
    assert_eq!(scam["firstRaisedAt"], "2026-01-28T09:00:00+07:00");
    assert_eq!(scam["meetings"].as_array().expect("meetings").len(), 2);
    assert_eq!(
        scam["actions"].as_array().expect("actions").len(),
        2,
        "one from each meeting"
    );
    let closed = app
        .data(
            r#"{ issues(filter: { status: [CLOSED] }) { nodes { title updates { fromStatus toStatus note meeting { title } } } } }"#,
            json!({}),
        )
        .await;
    let nodes = closed["issues"]["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0]["title"], "Pemutakhiran formulir screening TPPO");
    assert_eq!(nodes[0]["updates"][0]["toStatus"], "CLOSED");
    assert_eq!(
        nodes[0]["updates"][0]["meeting"]["title"],
        "Rapat Koordinasi Tindak Lanjut Pelindungan PMI"
    );
}
