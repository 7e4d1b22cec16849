//! The ministries and agencies of the demo meetings, with the liaisons of some of them.

use crate::ministries::{liaisons::Language, service::MinistryKind};

pub(super) struct DemoMinistry {
    pub(super) code: &'static str,
    pub(super) name: &'static str,
    pub(super) short: &'static str,
    pub(super) kind: MinistryKind,
    pub(super) parent: Option<&'static str>,
    pub(super) liaison: Option<(&'static str, &'static str, Language)>,
}

const fn m(
    code: &'static str,
    name: &'static str,
    short: &'static str,
    kind: MinistryKind,
) -> DemoMinistry {
    DemoMinistry {
        code,
        name,
        short,
        kind,
        parent: None,
        liaison: None,
    }
}

pub(super) fn demo_ministries() -> Vec<DemoMinistry> {
    use Language::{En, Id};
    use MinistryKind::*;
    let with = |mut d: DemoMinistry, name, email, lang| {
        d.liaison = Some((name, email, lang));
        d
    };
    vec![
        m(
            "KEMENKO-POLKAM",
            "Kementerian Koordinator Bidang Politik dan Keamanan",
            "Kemenko Polkam",
            CoordinatingMinistry,
        ),
        with(
            DemoMinistry {
                parent: Some("KEMENKO-POLKAM"),
                ..m(
                    "KEMENKO-POLKAM-KSA",
                    "Asisten Deputi Koordinasi Kerja Sama Asia",
                    "Asdep Kerja Sama Asia",
                    Other,
                )
            },
            "Sekretariat Asdep Kerja Sama Asia",
            "sekretariat.ksa@polkam.example.go.id",
            Id,
        ),
        with(
            m("KEMLU", "Kementerian Luar Negeri", "Kemlu", Ministry),
            "Direktorat Pelindungan WNI",
            "pwni@kemlu.example.go.id",
            Id,
        ),
        with(
            m(
                "KEMENDAGRI",
                "Kementerian Dalam Negeri",
                "Kemendagri",
                Ministry,
            ),
            "Ditjen Bina Pemerintahan Desa",
            "bpd@kemendagri.example.go.id",
            Id,
        ),
        with(
            m(
                "KEMENIMIPAS",
                "Kementerian Imigrasi dan Pemasyarakatan",
                "Kemenimipas",
                Ministry,
            ),
            "Ditjen Imigrasi",
            "imigrasi@kemenimipas.example.go.id",
            Id,
        ),
        with(
            m("KEMENSOS", "Kementerian Sosial", "Kemensos", Ministry),
            "Ditjen Rehabilitasi Sosial",
            "rehsos@kemensos.example.go.id",
            Id,
        ),
        with(
            m(
                "KEMENPPPA",
                "Kementerian Pemberdayaan Perempuan dan Perlindungan Anak",
                "KemenPPPA",
                Ministry,
            ),
            "Deputi Perlindungan Hak Perempuan",
            "php@kemenpppa.example.go.id",
            En,
        ),
        with(
            m(
                "KP2MI",
                "Kementerian Pelindungan Pekerja Migran Indonesia",
                "KP2MI",
                Ministry,
            ),
            "Direktorat Pelindungan PMI",
            "pelindungan@kp2mi.example.go.id",
            Id,
        ),
        m(
            "GT-TPPO",
            "Gugus Tugas Pencegahan dan Penanganan Tindak Pidana Perdagangan Orang",
            "Gugus Tugas TPPO",
            TaskForce,
        ),
    ]
}
