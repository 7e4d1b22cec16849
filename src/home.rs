//! `GET /`: what this server is and where to go from here, in Indonesian (`?lang=en` for
//! English). It shows no data and needs no token.

use askama::Template;
use axum::{
    extract::{RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};

use crate::words::{self, Words};

/// What the home page links to, decided by the server's settings.
#[derive(Clone)]
pub struct Home {
    pub name: String,
    pub playground: bool,
    pub metrics: bool,
}

/// The home page's own words.
pub struct HomeWords {
    title: &'static str,
    intro: &'static str,
    work: &'static str,
    graphiql: &'static str,
    graphiql_hint: &'static str,
    api_only: &'static str,
    reports: &'static str,
    reports_hint: &'static str,
    status_page: &'static str,
    actions_csv: &'static str,
    actions_xlsx: &'static str,
    status_csv: &'static str,
    status_txt: &'static str,
    operators: &'static str,
    healthz: &'static str,
    readyz: &'static str,
    metrics: &'static str,
    other_language: &'static str,
    other_code: &'static str,
}

const ID: HomeWords = HomeWords {
    title: "Registri tindak lanjut rapat koordinasi",
    intro: "Server ini mencatat rapat koordinasi antar-kementerian/lembaga, isu yang dibahas, \
            dan tindak lanjut yang disepakati: siapa yang memimpin, siapa yang mendukung, dan \
            tenggatnya. Narahubung setiap kementerian/lembaga diingatkan lewat surel.",
    work: "Mencatat dan memantau",
    graphiql: "GraphiQL: editor API dengan operasi siap pakai",
    graphiql_hint: "Mencatat rapat, melihat yang terlambat, memperbarui tindak lanjut, \
                    menambah narahubung. Tempel token Anda sekali di tab Headers; \
                    peramban ini mengingatnya.",
    api_only: "API GraphQL: POST ke /graphql dengan token. GraphiQL tidak aktif di server ini.",
    reports: "Laporan untuk pimpinan",
    reports_hint: "Memerlukan token (Authorization: Bearer …) atau tautan bertanda tangan \
                   dari sekretariat.",
    status_page: "Laporan status (halaman cetak, dengan grafik)",
    actions_csv: "Daftar tindak lanjut (CSV)",
    actions_xlsx: "Daftar tindak lanjut (Excel)",
    status_csv: "Ringkasan per kementerian/lembaga (CSV)",
    status_txt: "Ringkasan teks",
    operators: "Untuk pengelola server",
    healthz: "Proses berjalan",
    readyz: "Siap melayani (basis data dan pengirim pengingat)",
    metrics: "Metrik (Prometheus)",
    other_language: "English",
    other_code: "en",
};

const EN: HomeWords = HomeWords {
    title: "Follow-up registry of coordination meetings",
    intro: "This server records inter-ministry coordination meetings, the issues they \
            discuss and the follow-up actions they agree: who leads, who supports, and the \
            deadline. Each ministry's liaisons are reminded by email.",
    work: "Record and follow up",
    graphiql: "GraphiQL: the API editor, with ready-made operations",
    graphiql_hint: "Record a meeting, see what is overdue, update actions, add liaisons. \
                    Paste your token once under Headers; this browser remembers it.",
    api_only: "GraphQL API: POST to /graphql with a token. GraphiQL is off on this server.",
    reports: "Reports for leadership",
    reports_hint: "These need a token (Authorization: Bearer …) or a signed link from the \
                   secretariat.",
    status_page: "Status report (printable page, with charts)",
    actions_csv: "Follow-up actions (CSV)",
    actions_xlsx: "Follow-up actions (Excel)",
    status_csv: "Summary per ministry (CSV)",
    status_txt: "Text summary",
    operators: "For the server's operators",
    healthz: "The process is up",
    readyz: "Ready to serve (database and reminder worker)",
    metrics: "Metrics (Prometheus)",
    other_language: "Bahasa Indonesia",
    other_code: "id",
};

/// Its own inline style, nothing else.
const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

#[derive(Template)]
#[template(path = "home.html")]
struct Page<'a> {
    w: &'static Words,
    h: &'static HomeWords,
    title: &'a str,
    home: &'a Home,
    lang: &'static str,
    version: &'static str,
}

/// `GET /` (`?lang=id|en`; other parameters are ignored).
pub async fn show(State(home): State<Home>, RawQuery(raw): RawQuery) -> Response {
    let mut english = false;
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if key == "lang" {
            match value.as_ref() {
                "id" => english = false,
                "en" => english = true,
                _ => {
                    return (
                        StatusCode::BAD_REQUEST,
                        "BAD_USER_INPUT (lang): lang is id or en\n",
                    )
                        .into_response();
                }
            }
        }
    }
    let (w, h, lang) = if english {
        (words::of(entity::enums::Language::En), &EN, "?lang=en")
    } else {
        (words::of(entity::enums::Language::Id), &ID, "")
    };
    let page = Page {
        w,
        h,
        title: if home.name == "Tindak" {
            h.title
        } else {
            &home.name
        },
        home: &home,
        lang,
        version: env!("CARGO_PKG_VERSION"),
    };
    crate::pages::public_page(page.render(), POLICY, "home")
}
