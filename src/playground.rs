//! GraphiQL, served from the binary: the pinned GraphiQL and React builds in
//! `assets/graphiql` (see `update.sh` there), our start-up script, and the ready-made
//! operations of `assets/operations`, all embedded at compile time, so that the page works on
//! a network with no way out. Nothing here is served when the playground is off.

use std::sync::LazyLock;

use askama::Template;
use axum::{
    extract::Path,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;
use sha2::{Digest, Sha256};

/// The GraphiQL release in `assets/graphiql`; its files are served under this directory.
pub const GRAPHIQL_VERSION: &str = "4.1.2";

/// One file served under `/graphiql/`.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// The pinned third-party files, byte for byte as the npm registry ships them.
const VENDORED: &[Asset] = &[
    Asset {
        name: "graphiql.min.js",
        content_type: JS,
        body: include_bytes!("../assets/graphiql/graphiql.min.js"),
    },
    Asset {
        name: "graphiql.min.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../assets/graphiql/graphiql.min.css"),
    },
    Asset {
        name: "react.production.min.js",
        content_type: JS,
        body: include_bytes!("../assets/graphiql/react.production.min.js"),
    },
    Asset {
        name: "react-dom.production.min.js",
        content_type: JS,
        body: include_bytes!("../assets/graphiql/react-dom.production.min.js"),
    },
    Asset {
        name: "LICENSE-graphiql",
        content_type: TEXT,
        body: include_bytes!("../assets/graphiql/LICENSE-graphiql"),
    },
    Asset {
        name: "LICENSE-react",
        content_type: TEXT,
        body: include_bytes!("../assets/graphiql/LICENSE-react"),
    },
    Asset {
        name: "LICENSE-react-dom",
        content_type: TEXT,
        body: include_bytes!("../assets/graphiql/LICENSE-react-dom"),
    },
    Asset {
        name: "VERSIONS",
        content_type: TEXT,
        body: include_bytes!("../assets/graphiql/VERSIONS"),
    },
];

/// The ready-made operations, one GraphiQL tab each: the document and, where it takes
/// variables, their JSON.
const OPERATIONS: &[(&str, Option<&str>)] = &[
    (
        include_str!("../assets/operations/1-record-meeting.graphql"),
        None,
    ),
    (
        include_str!("../assets/operations/2-overdue.graphql"),
        Some(include_str!("../assets/operations/2-overdue.json")),
    ),
    (
        include_str!("../assets/operations/3-work-an-action.graphql"),
        Some(include_str!("../assets/operations/3-work-an-action.json")),
    ),
    (
        include_str!("../assets/operations/4-add-liaison.graphql"),
        Some(include_str!("../assets/operations/4-add-liaison.json")),
    ),
    (
        include_str!("../assets/operations/5-reminders-dry-run.graphql"),
        Some(include_str!(
            "../assets/operations/5-reminders-dry-run.json"
        )),
    ),
    (
        include_str!("../assets/operations/6-status-report.graphql"),
        Some(include_str!("../assets/operations/6-status-report.json")),
    ),
];

/// Our own scripts, served under a directory named after their content, so that they can be
/// cached for good and a new release is fetched at once.
struct Own {
    dir: String,
    files: [Asset; 2],
}

static OWN: LazyLock<Own> = LazyLock::new(|| {
    let tabs: Vec<_> = OPERATIONS
        .iter()
        .map(|(query, variables)| json!({ "query": query, "variables": variables }))
        .collect();
    let operations = format!(
        "// The ready-made operations GraphiQL opens with (assets/operations).\nwindow.TINDAK_OPERATIONS = {};\n",
        serde_json::Value::Array(tabs)
    );
    let operations: &'static str = Box::leak(operations.into_boxed_str());
    let start = include_str!("../assets/playground/start.js");
    let digest = Sha256::new()
        .chain_update(operations)
        .chain_update(start)
        .finalize();
    let dir = format!(
        "app-{}",
        digest[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    Own {
        dir,
        files: [
            Asset {
                name: "operations.js",
                content_type: JS,
                body: operations.as_bytes(),
            },
            Asset {
                name: "start.js",
                content_type: JS,
                body: start.as_bytes(),
            },
        ],
    }
});

/// The page's policy: scripts from this server only (none inline), styles from here plus
/// the inline ones React sets, requests to this server only.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; form-action 'none'; \
     frame-ancestors 'none'; base-uri 'none'";

#[derive(Template)]
#[template(path = "graphiql.html")]
struct Page<'a> {
    name: &'a str,
    version: &'static str,
    own: &'a str,
}

/// The GraphiQL page (`GET /graphql` without a query).
pub fn page(name: &str) -> Response {
    let page = Page {
        name,
        version: GRAPHIQL_VERSION,
        own: &OWN.dir,
    };
    crate::pages::public_page(page.render(), PAGE_POLICY, "GraphiQL")
}

/// `GET /graphiql/{dir}/{name}`: a pinned file under the GraphiQL version, or one of ours
/// under its digest; anything else is 404.
pub async fn asset(Path((dir, name)): Path<(String, String)>) -> Response {
    let found = if dir == GRAPHIQL_VERSION {
        VENDORED.iter().find(|a| a.name == name)
    } else if dir == OWN.dir {
        OWN.files.iter().find(|a| a.name == name)
    } else {
        None
    };
    let Some(asset) = found else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        asset.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The files are the ones `update.sh` recorded: a hand edit, or an update that forgot to
    /// run the script, shows here.
    #[test]
    fn vendored_files_match_their_recorded_digests() {
        let versions = std::str::from_utf8(VENDORED[VENDORED.len() - 1].body).expect("utf-8");
        let mut checked = 0;
        for line in versions.lines().filter(|l| !l.starts_with('#')) {
            let mut parts = line.split_whitespace();
            let (Some(first), Some(second)) = (parts.next(), parts.next()) else {
                continue;
            };
            if let Some(asset) = VENDORED.iter().find(|a| a.name == second) {
                let digest = Sha256::digest(asset.body);
                let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
                assert_eq!(hex, first, "{second} differs from VERSIONS");
                checked += 1;
            } else {
                assert!(first.starts_with("graphiql@") || first.starts_with("react"));
                assert!(second.starts_with("sha512-"), "{line}");
            }
        }
        assert_eq!(checked, VENDORED.len() - 1, "every file has a digest");
        assert!(versions.contains(&format!("graphiql@{GRAPHIQL_VERSION} ")));
    }

    #[test]
    fn own_scripts_live_under_their_digest() {
        assert!(OWN.dir.starts_with("app-") && OWN.dir.len() == 16);
        let operations = std::str::from_utf8(OWN.files[0].body).expect("utf-8");
        assert!(operations.contains("mutation RecordMeeting"));
    }
}
