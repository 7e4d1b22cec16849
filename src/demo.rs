//! Demo data: the coordination meeting on the protection of Indonesian migrant workers (PMI)
//! held by Kemenko Polkam in Tangerang Selatan on 28 January 2026, from its press release.
//!
//! From the source: the convening unit and chair, the attending ministries and agencies, the
//! seven issues, and the two agreed follow-ups (Desa Migran Emas; the guideline on repatriating
//! PMI and their remains). Illustrative: the meeting's hour, the issues' descriptions, the
//! actions for the other issues, every deadline and priority, and the liaisons, and the whole
//! second meeting a month later (which carries three issues forward, closes one and raises a
//! new one).

use std::fmt;

use anyhow::Context;
use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use entity::{enums::IssueStatus, issue, meeting};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

mod bodies;

use bodies::demo_ministries;

use crate::{
    actions::service::{NewAction, Priority},
    issues::service::{MeetingIssue, NewIssue},
    meetings::service::{self as meetings, Attendee, NewMeeting},
    ministries::{
        liaisons::{self, AddLiaisonInput},
        service::{self as ministries, MinistryRef, NewMinistry},
    },
};

pub const MEETING_TITLE: &str = "Rapat Koordinasi Identifikasi Masalah Pelindungan PMI";

/// The follow-up meeting of the demo (illustrative: not in the press release).
pub const SECOND_MEETING_TITLE: &str = "Rapat Koordinasi Tindak Lanjut Pelindungan PMI";

/// What a demo load did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub ministries_added: usize,
    pub liaisons_added: usize,
    pub meeting_added: bool,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ministries_added == 0 && self.liaisons_added == 0 && !self.meeting_added {
            return write!(f, "demo data already present: nothing changed");
        }
        write!(
            f,
            "demo data loaded: {} ministries, {} liaisons, {} meeting",
            self.ministries_added,
            self.liaisons_added,
            usize::from(self.meeting_added)
        )
    }
}

fn date(y: i32, mo: u32, d: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, mo, d).context("invalid demo date")
}

fn action(
    title: &str,
    lead: &str,
    supporters: &[&str],
    due_on: NaiveDate,
    priority: Priority,
) -> NewAction {
    NewAction {
        title: title.to_owned(),
        description: None,
        lead_ministry: MinistryRef::code(lead),
        supporting_ministries: supporters.iter().map(|c| MinistryRef::code(c)).collect(),
        due_on,
        priority: Some(priority),
    }
}

fn issue(title: &str, category: &str, description: &str, actions: Vec<NewAction>) -> MeetingIssue {
    MeetingIssue::New(NewIssue {
        title: title.to_owned(),
        description: Some(description.to_owned()),
        category: Some(category.to_owned()),
        actions,
    })
}

/// The second demo meeting, a month after the first: it carries three of the first
/// meeting's issues forward (`carried`: their IDs by title), agrees new actions for two of
/// them, and raises a new issue. (Illustrative data, not from the press release.)
fn second_meeting(carried: &[(String, Uuid)]) -> anyhow::Result<NewMeeting> {
    use Priority::{High, Normal};
    let id_of = |title: &str| {
        carried
            .iter()
            .find(|(t, _)| t == title)
            .map(|(_, id)| *id)
            .context("a demo issue is missing")
    };
    let starts_at = Tz::Asia__Jakarta
        .with_ymd_and_hms(2026, 2, 27, 9, 0, 0)
        .single()
        .context("invalid demo time")?
        .to_utc();
    let attendees = ["KEMLU", "KEMENIMIPAS", "KEMENSOS", "KP2MI"]
        .into_iter()
        .map(|code| Attendee {
            ministry: MinistryRef::code(code),
            representatives: vec![],
        })
        .collect();
    Ok(NewMeeting {
        title: SECOND_MEETING_TITLE.to_owned(),
        starts_at,
        time_zone: Some("Asia/Jakarta".to_owned()),
        location: Some("Jakarta".to_owned()),
        chair: Some("Nur Rokhmah Hidayah".to_owned()),
        chair_position: Some("Asisten Deputi Koordinasi Kerja Sama Asia".to_owned()),
        convened_by: MinistryRef::code("KEMENKO-POLKAM-KSA"),
        summary: Some(
            "Rapat lanjutan (data ilustrasi): membahas kembali permasalahan yang masih terbuka dari rapat Januari dan menyepakati langkah tambahan.".to_owned(),
        ),
        source_url: None,
        attendees,
        issues: vec![
            MeetingIssue::Carried {
                issue_id: id_of("Tata kelola penempatan PMI")?,
                actions: vec![action(
                    "Menyelaraskan data penempatan PMI antar-K/L",
                    "KP2MI",
                    &["KEMENIMIPAS"],
                    date(2026, 4, 15)?,
                    Normal,
                )],
            },
            MeetingIssue::Carried {
                issue_id: id_of("Penanganan WNI yang terjerat kejahatan daring (online scam)")?,
                actions: vec![action(
                    "Menyusun protokol pemulangan WNI korban online scam",
                    "KEMLU",
                    &["KEMENSOS"],
                    date(2026, 4, 30)?,
                    High,
                )],
            },
            MeetingIssue::Carried {
                issue_id: id_of("Ketersediaan shelter domestik")?,
                actions: vec![],
            },
            issue(
                "Pendataan PMI purna penempatan",
                "Purna penempatan",
                "Data PMI yang kembali belum terhubung antar-K/L sehingga pendampingan purna penempatan sulit direncanakan.",
                vec![action(
                    "Menyusun format pendataan PMI purna penempatan",
                    "KEMENSOS",
                    &["KP2MI"],
                    date(2026, 5, 15)?,
                    Normal,
                )],
            ),
        ],
        actions: vec![],
    })
}

fn demo_meeting() -> anyhow::Result<NewMeeting> {
    use Priority::{High, Normal, Urgent};
    let starts_at = Tz::Asia__Jakarta
        .with_ymd_and_hms(2026, 1, 28, 9, 0, 0)
        .single()
        .context("invalid demo time")?
        .to_utc();
    let attendees = [
        "KEMLU",
        "KEMENDAGRI",
        "KEMENIMIPAS",
        "KEMENSOS",
        "KEMENPPPA",
        "KP2MI",
    ]
    .into_iter()
    .map(|code| Attendee {
        ministry: MinistryRef::code(code),
        representatives: vec![],
    })
    .collect();
    let mut desa = action(
        "Memperkuat pelindungan PMI di tingkat akar rumput melalui program Desa Migran Emas",
        "KP2MI",
        &["KEMENDAGRI"],
        date(2026, 4, 30)?,
        High,
    );
    desa.description = Some(
        "Disepakati dalam rapat: optimalisasi peran pemerintah desa untuk mencegah penempatan PMI secara non-prosedural sejak dari hulu.".into(),
    );
    let mut pedoman = action(
        "Mempercepat pengesahan pedoman pemulangan PMI bermasalah dan jenazah PMI",
        "KP2MI",
        &["KEMLU", "KEMENSOS", "KEMENDAGRI"],
        date(2026, 3, 13)?,
        Urgent,
    );
    pedoman.description = Some(
        "Disepakati dalam rapat: pedoman menjadi acuan terpadu proses kepulangan, mulai dari negara penempatan hingga tiba di daerah asal.".into(),
    );
    Ok(NewMeeting {
        title: MEETING_TITLE.to_owned(),
        starts_at,
        time_zone: Some("Asia/Jakarta".to_owned()),
        location: Some("Tangerang Selatan, Banten".to_owned()),
        chair: Some("Nur Rokhmah Hidayah".to_owned()),
        chair_position: Some("Asisten Deputi Koordinasi Kerja Sama Asia".to_owned()),
        convened_by: MinistryRef::code("KEMENKO-POLKAM-KSA"),
        summary: Some(
            "Forum sinergi lintas kementerian dan lembaga untuk merespons dinamika persoalan PMI yang semakin kompleks, mulai dari tahap pra-penempatan, masa penempatan, hingga purna penempatan. Identifikasi masalah menjadi fondasi untuk menyusun langkah tindak lanjut yang konkret dalam pelindungan PMI di luar negeri sekaligus menangani akar persoalan di dalam negeri.".to_owned(),
        ),
        source_url: None,
        attendees,
        issues: vec![
            issue("Tata kelola penempatan PMI", "Pra-penempatan", "Tata kelola penempatan PMI yang perlu dibenahi agar penempatan berjalan prosedural.", vec![
                action("Menyusun rekomendasi perbaikan tata kelola penempatan PMI", "KP2MI", &["KEMLU", "KEMENIMIPAS"], date(2026, 3, 31)?, Normal),
            ]),
            issue("Penanganan WNI yang terjerat kejahatan daring (online scam)", "Masa penempatan", "WNI yang terjerat kejahatan daring (online scam) di luar negeri.", vec![
                action("Memetakan WNI yang terjerat online scam dan menyiapkan skema penanganan bersama", "KEMLU", &["KEMENIMIPAS", "GT-TPPO"], date(2026, 2, 27)?, High),
            ]),
            issue("Pemutakhiran formulir screening TPPO", "Pra-penempatan", "Formulir screening Tindak Pidana Perdagangan Orang (TPPO) perlu dimutakhirkan.", vec![
                action("Memutakhirkan formulir screening TPPO", "KEMENIMIPAS", &["KEMENPPPA", "KP2MI"], date(2026, 2, 20)?, Normal),
            ]),
            issue("Penyusunan National Referral Mechanism (NRM)", "Lintas tahap", "NRM sebagai pedoman Gugus Tugas Pencegahan dan Penanganan TPPO: standar operasional untuk mengidentifikasi serta menangani PMI korban TPPO secara lebih cepat dan tepat.", vec![
                action("Menyusun rancangan National Referral Mechanism (NRM)", "KEMENPPPA", &["KEMENSOS", "KEMLU", "GT-TPPO"], date(2026, 4, 30)?, High),
            ]),
            issue("Optimalisasi peran desa", "Pra-penempatan", "Peran pemerintah desa menjadi kunci utama dalam mencegah penempatan PMI secara non-prosedural sejak dari hulu.", vec![desa]),
            issue("Ketersediaan shelter domestik", "Purna penempatan", "Ketersediaan shelter domestik bagi PMI bermasalah dan korban TPPO.", vec![
                action("Menginventarisasi ketersediaan shelter domestik", "KEMENSOS", &["KEMENPPPA"], date(2026, 3, 6)?, Normal),
            ]),
            issue("Penguatan regulasi untuk efek jera", "Lintas tahap", "Kebutuhan penguatan regulasi guna memberikan efek jera bagi pelanggar.", vec![
                action("Menyusun kajian penguatan regulasi untuk memberikan efek jera bagi pelanggar", "KEMENKO-POLKAM-KSA", &["KEMENIMIPAS", "GT-TPPO"], date(2026, 5, 29)?, Normal),
            ]),
        ],
        actions: vec![pedoman],
    })
}

/// Loads whatever part of the demo data is missing, in one transaction.
pub async fn load(db: &DatabaseConnection, tz: Tz) -> anyhow::Result<Outcome> {
    let txn = crate::db::begin_write(db).await?;
    let mut outcome = Outcome::default();
    for d in demo_ministries() {
        if ministries::find_by_code(&txn, d.code).await?.is_some() {
            continue;
        }
        let input = NewMinistry {
            code: d.code.to_owned(),
            name: d.name.to_owned(),
            short_name: Some(d.short.to_owned()),
            kind: d.kind,
            parent: d.parent.map(MinistryRef::code),
        };
        ministries::insert(&txn, input).await?;
        outcome.ministries_added += 1;
        if let Some((name, email, language)) = d.liaison {
            let input = AddLiaisonInput {
                ministry: MinistryRef::code(d.code),
                name: name.to_owned(),
                email: email.to_owned(),
                position: Some("Penghubung (liaison)".to_owned()),
                language: Some(language),
                receives_reminders: Some(true),
            };
            liaisons::insert(&txn, input).await?;
            outcome.liaisons_added += 1;
        }
    }
    let input = demo_meeting()?;
    let exists = meeting::Entity::find()
        .filter(meeting::Column::Title.eq(MEETING_TITLE))
        .filter(meeting::Column::StartsAt.eq(input.starts_at))
        .count(&txn)
        .await?
        > 0;
    if !exists {
        let first = meetings::insert(&txn, input, tz, None).await?;
        outcome.meeting_added = true;
        let issues: Vec<(String, Uuid)> = issue::Entity::find()
            .filter(issue::Column::MeetingId.eq(first.id))
            .all(&txn)
            .await?
            .into_iter()
            .map(|i| (i.title, i.id))
            .collect();
        let second = meetings::insert(&txn, second_meeting(&issues)?, tz, None).await?;
        // The second meeting closes the screening form issue: the form was updated.
        if let Some((_, id)) = issues
            .iter()
            .find(|(t, _)| t == "Pemutakhiran formulir screening TPPO")
        {
            crate::issues::service::set_status(
                &txn,
                *id,
                IssueStatus::Closed,
                Some("Formulir telah dimutakhirkan (data ilustrasi).".to_owned()),
                Some(second.id),
                None,
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok(outcome)
}

/// `serve --demo`: loads the demo data only into a database that holds no meeting yet.
pub async fn load_if_empty(db: &DatabaseConnection, tz: Tz) -> anyhow::Result<()> {
    if meeting::Entity::find().count(db).await? > 0 {
        tracing::info!("the database already holds meetings: demo data not loaded");
        return Ok(());
    }
    let outcome = load(db, tz).await?;
    tracing::info!("{outcome}");
    Ok(())
}
