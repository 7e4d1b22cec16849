//! What people read, in each language: the words of the emails and pages in one place, and
//! dates written out by one function.

use chrono::{Datelike, NaiveDate};
use entity::enums::{ActionStatus, Language};

/// The words of the emails and pages, per language.
pub struct Words {
    /// `lang` of a page.
    pub code: &'static str,
    pub product: &'static str,
    pub tagline: &'static str,
    pub subject: &'static str,
    pub escalated: &'static str,
    pub overdue: &'static str,
    pub due_today: &'static str,
    pub due_soon: &'static str,
    pub greeting: &'static str,
    pub intro: &'static str,
    pub meeting: &'static str,
    pub issue: &'static str,
    pub lead: &'static str,
    pub support: &'static str,
    pub due: &'static str,
    pub days_late: &'static str,
    pub last_update: &'static str,
    pub report: &'static str,
    pub to_act: &'static str,
    pub to_support: &'static str,
    pub to_watch: &'static str,
    pub undelivered: &'static str,
    pub footer: &'static str,
    pub calendar_file: &'static str,
    pub status_word: &'static str,
    pub report_title: &'static str,
    pub reporting_as: &'static str,
    pub progress_note: &'static str,
    pub note_hint: &'static str,
    pub new_status: &'static str,
    pub unchanged: &'static str,
    pub send: &'static str,
    pub timeline: &'static str,
    pub no_updates: &'static str,
    pub thanks: &'static str,
    pub recorded: &'static str,
    pub not_allowed: &'static str,
    pub lead_only: &'static str,
    pub nothing_to_record: &'static str,
    pub write_something: &'static str,
    pub unknown_status: &'static str,
    pub not_recorded: &'static str,
    pub not_from_page: &'static str,
    pub only_from_page: &'static str,
    pub link_footer: &'static str,
    months: [&'static str; 12],
    statuses: [&'static str; 5],
}

pub const ID: Words = Words {
    code: "id",
    product: "Tindak",
    tagline: "Registri tindak lanjut rapat koordinasi",
    subject: "Pengingat tindak lanjut",
    escalated: "dieskalasi",
    overdue: "lewat tenggat",
    due_today: "jatuh tempo hari ini",
    due_soon: "segera jatuh tempo",
    greeting: "Yth.",
    intro: "Berikut tindak lanjut rapat koordinasi yang perlu perhatian instansi Anda per",
    meeting: "Rapat",
    issue: "Permasalahan",
    lead: "Penanggung jawab",
    support: "Pendukung",
    due: "Tenggat",
    days_late: "hari lewat tenggat",
    last_update: "Pembaruan terakhir",
    report: "Laporkan kemajuan",
    to_act: "untuk ditindaklanjuti",
    to_support: "untuk didukung",
    to_watch: "untuk dipantau",
    undelivered: "Pengingat yang gagal terkirim",
    footer: "Email ini dikirim otomatis oleh Tindak. Lampiran kalender (.ics) memuat tenggat di atas.",
    calendar_file: "tenggat.ics",
    status_word: "Status",
    report_title: "Laporkan kemajuan",
    reporting_as: "Melapor sebagai",
    progress_note: "Catatan kemajuan",
    note_hint: "Apa yang sudah dikerjakan, apa kendalanya, apa langkah berikutnya.",
    new_status: "Status baru",
    unchanged: "Tidak berubah",
    send: "Kirim laporan",
    timeline: "Riwayat terakhir",
    no_updates: "Belum ada pembaruan.",
    thanks: "Laporan Anda telah dicatat",
    recorded: "Terima kasih. Laporan Anda kini tercatat pada riwayat tindak lanjut ini dan dapat dilihat sekretariat.",
    not_allowed: "Status tidak dapat diubah",
    lead_only: "Hanya instansi penanggung jawab yang dapat mengubah status; catatan Anda belum disimpan.",
    nothing_to_record: "Belum ada yang dilaporkan",
    write_something: "Tulis catatan atau pilih status baru, lalu kirim kembali.",
    unknown_status: "Status tidak dikenal",
    not_recorded: "Laporan tidak dicatat",
    not_from_page: "Laporan tidak dikirim dari halaman ini",
    only_from_page: "Laporan hanya diterima dari halaman tautan ini sendiri; tidak ada yang dicatat.",
    link_footer: "Tautan ini pribadi: jangan diteruskan. Berlaku 30 hari sejak pengingat dikirim.",
    months: [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ],
    statuses: [
        "Belum dimulai",
        "Sedang berjalan",
        "Terhambat",
        "Selesai",
        "Dibatalkan",
    ],
};

pub const EN: Words = Words {
    code: "en",
    product: "Tindak",
    tagline: "Follow-up registry of coordination meetings",
    subject: "Follow-up reminder",
    escalated: "escalated",
    overdue: "overdue",
    due_today: "due today",
    due_soon: "due soon",
    greeting: "Dear",
    intro: "These coordination-meeting follow-ups need your agency's attention as of",
    meeting: "Meeting",
    issue: "Issue",
    lead: "Lead",
    support: "Supporting",
    due: "Due",
    days_late: "days overdue",
    last_update: "Last update",
    report: "Report progress",
    to_act: "for you to act on",
    to_support: "for you to support",
    to_watch: "for you to follow up",
    undelivered: "Reminders that could not be delivered",
    footer: "This email was sent by Tindak. The calendar attachment (.ics) holds the deadlines above.",
    calendar_file: "deadlines.ics",
    status_word: "Status",
    report_title: "Report progress",
    reporting_as: "Reporting as",
    progress_note: "Progress note",
    note_hint: "What was done, what stands in the way, what comes next.",
    new_status: "New status",
    unchanged: "Unchanged",
    send: "Send report",
    timeline: "Latest updates",
    no_updates: "No updates yet.",
    thanks: "Your report is recorded",
    recorded: "Thank you. Your report is now in this action's timeline, where the secretariat sees it.",
    not_allowed: "The status cannot be changed",
    lead_only: "Only the lead ministry changes the status; your note was not saved.",
    nothing_to_record: "Nothing to record yet",
    write_something: "Write a note or choose a new status, then send again.",
    unknown_status: "Unknown status",
    not_recorded: "The report was not recorded",
    not_from_page: "Not sent from this page",
    only_from_page: "Reports are accepted only from the page of the link itself; nothing was recorded.",
    link_footer: "This link is personal: do not forward it. It works for 30 days after the reminder.",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    statuses: ["Open", "In progress", "Blocked", "Done", "Cancelled"],
};

/// The words of `language`.
pub fn of(language: Language) -> &'static Words {
    match language {
        Language::Id => &ID,
        Language::En => &EN,
    }
}

impl Words {
    /// A date written out: `1 Maret 2026`, `March 1, 2026`.
    pub fn date(&self, d: NaiveDate) -> String {
        let month = self.months[d.month0() as usize];
        match self.code {
            "en" => format!("{month} {}, {}", d.day(), d.year()),
            _ => format!("{} {month} {}", d.day(), d.year()),
        }
    }

    /// A status as people say it.
    pub fn status(&self, s: ActionStatus) -> &'static str {
        self.statuses[match s {
            ActionStatus::Open => 0,
            ActionStatus::InProgress => 1,
            ActionStatus::Blocked => 2,
            ActionStatus::Done => 3,
            ActionStatus::Cancelled => 4,
        }]
    }
}

/// The words of the status report and its downloads, per language.
pub struct ReportWords {
    pub words: &'static Words,
    pub title: &'static str,
    pub as_of: &'static str,
    pub all_conveners: &'static str,
    pub convened_by: &'static str,
    /// Column headers of the actions sheet, in order.
    pub action_columns: [&'static str; 16],
    /// Column headers of the per-ministry sheet, in order.
    pub ministry_columns: [&'static str; 17],
    pub actions_sheet: &'static str,
    pub ministries_sheet: &'static str,
    pub all: &'static str,
    pub total: &'static str,
    pub overdue: &'static str,
    pub due_soon: &'static str,
    pub on_time: &'static str,
    pub median: &'static str,
    pub days: &'static str,
    pub longest: &'static str,
    pub most_overdue: &'static str,
    pub silent: &'static str,
    pub silent_hint: &'static str,
    pub none_silent: &'static str,
    pub by_ministry: &'static str,
    pub as_lead_hint: &'static str,
    pub trend: &'static str,
    pub trend_hint: &'static str,
    pub pending: &'static str,
    pub completed: &'static str,
    pub overdue_actions: &'static str,
    pub none_overdue: &'static str,
    pub and_more: &'static str,
    pub more_at: &'static str,
    pub page_footer: &'static str,
    pub minutes_title: &'static str,
    pub when: &'static str,
    pub time: &'static str,
    pub place: &'static str,
    pub chair: &'static str,
    pub convener: &'static str,
    pub attendees: &'static str,
    pub summary: &'static str,
    pub issues_discussed: &'static str,
    pub carried: &'static str,
    pub follow_ups: &'static str,
    pub none_agreed: &'static str,
    pub signature: &'static str,
    pub arising_title: &'static str,
    pub arising_hint: &'static str,
    pub agreed_at: &'static str,
    pub none_arising: &'static str,
    pub annex: &'static str,
    pub weekly_subject: &'static str,
    pub weekly_intro: &'static str,
    pub week: &'static str,
    pub became_overdue: &'static str,
    pub completed_week: &'static str,
    pub rescheduled: &'static str,
    pub open_page: &'static str,
    pub link_valid: &'static str,
    pub weekly_footer: &'static str,
    pub weekdays: [&'static str; 7],
    pub priorities: [&'static str; 4],
}

pub const REPORT_ID: ReportWords = ReportWords {
    words: &ID,
    title: "Status Tindak Lanjut",
    as_of: "Keadaan per",
    all_conveners: "Semua unit penyelenggara",
    convened_by: "Penyelenggara",
    action_columns: [
        "No",
        "Rapat",
        "Tanggal Rapat",
        "Permasalahan",
        "Kategori",
        "Rencana Tindak Lanjut",
        "Penanggung Jawab",
        "Pendukung",
        "Target Awal",
        "Target Waktu",
        "Status",
        "Tanggal Selesai",
        "Hari Terlambat",
        "Pembaruan Terakhir",
        "Keterangan",
        "Prioritas",
    ],
    ministry_columns: [
        "Kode",
        "Kementerian/Lembaga",
        "Jumlah",
        "Terbuka",
        "Dikerjakan",
        "Terhambat",
        "Selesai",
        "Dibatalkan",
        "Terlambat",
        "Jatuh Tempo 7 Hari",
        "Selesai Tepat Waktu",
        "Selesai Terlambat",
        "Ketepatan Waktu (%)",
        "Median Hari Terlambat",
        "Hari Tanpa Kabar",
        "Sebagai Pendukung",
        "Pendukung Terlambat",
    ],
    actions_sheet: "Tindak Lanjut",
    ministries_sheet: "Ringkasan K/L",
    all: "Semua",
    total: "Jumlah tindak lanjut",
    overdue: "Terlambat",
    due_soon: "Jatuh tempo 7 hari",
    on_time: "Selesai tepat waktu",
    median: "Median keterlambatan",
    days: "hari",
    longest: "terlama",
    most_overdue: "Paling banyak terlambat",
    silent: "Tanpa kabar",
    silent_hint: "K/L penanggung jawab tindak lanjut terlambat yang tanpa kabar selama",
    none_silent: "Tidak ada K/L yang lama tanpa kabar.",
    by_ministry: "Tindak lanjut per K/L (sebagai penanggung jawab)",
    as_lead_hint: "Batang merah di bawah: jumlah yang terlambat.",
    trend: "Perkembangan mingguan",
    trend_hint: "Belum selesai, terlambat, dan selesai (kumulatif) pada akhir tiap minggu.",
    pending: "Belum selesai",
    completed: "Selesai",
    overdue_actions: "Tindak lanjut terlambat",
    none_overdue: "Tidak ada tindak lanjut yang terlambat.",
    and_more: "dan lainnya",
    more_at: "Selengkapnya",
    page_footer: "Dihasilkan dari catatan tindak lanjut. Angka untuk tanggal lampau dihitung ulang dari riwayat tiap tindak lanjut.",
    minutes_title: "Notulen Rapat",
    when: "Hari, tanggal",
    time: "Waktu",
    place: "Tempat",
    chair: "Pimpinan rapat",
    convener: "Unit penyelenggara",
    attendees: "Peserta",
    summary: "Ringkasan",
    issues_discussed: "Permasalahan yang dibahas",
    carried: "lanjutan dari rapat",
    follow_ups: "Tindak lanjut yang disepakati",
    none_agreed: "Tidak ada tindak lanjut yang disepakati.",
    signature: "Pimpinan Rapat,",
    arising_title: "Hal-hal yang Perlu Ditindaklanjuti dari Rapat Sebelumnya",
    arising_hint: "Tindak lanjut dari rapat sebelumnya yang belum selesai saat rapat ini dimulai, per K/L penanggung jawab, dengan status dan keterlambatan pada saat itu.",
    agreed_at: "Rapat asal",
    none_arising: "Tidak ada tindak lanjut terbuka dari rapat sebelumnya.",
    annex: "Lampiran",
    weekly_subject: "Ringkasan mingguan tindak lanjut",
    weekly_intro: "Berikut keadaan tindak lanjut rapat koordinasi per",
    week: "Tujuh hari terakhir",
    became_overdue: "Menjadi terlambat",
    completed_week: "Diselesaikan",
    rescheduled: "Dijadwalkan ulang",
    open_page: "Buka laporan lengkap",
    link_valid: "Tautan berlaku 14 hari.",
    weekly_footer: "Email ini dikirim otomatis oleh Tindak setiap minggu kepada pimpinan.",
    weekdays: [
        "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu",
    ],
    priorities: ["Rendah", "Normal", "Tinggi", "Mendesak"],
};

pub const REPORT_EN: ReportWords = ReportWords {
    words: &EN,
    title: "Follow-up Status",
    as_of: "As of",
    all_conveners: "All convening units",
    convened_by: "Convened by",
    action_columns: [
        "No",
        "Meeting",
        "Meeting Date",
        "Issue",
        "Category",
        "Follow-up Action",
        "Lead",
        "Supporting",
        "Original Due Date",
        "Due Date",
        "Status",
        "Completed On",
        "Days Overdue",
        "Last Update",
        "Description",
        "Priority",
    ],
    ministry_columns: [
        "Code",
        "Ministry/Agency",
        "Total",
        "Open",
        "In Progress",
        "Blocked",
        "Done",
        "Cancelled",
        "Overdue",
        "Due Within 7 Days",
        "Done On Time",
        "Done Late",
        "On-time Rate (%)",
        "Median Days Overdue",
        "Days Silent",
        "As Support",
        "Overdue As Support",
    ],
    actions_sheet: "Actions",
    ministries_sheet: "By ministry",
    all: "All",
    total: "Follow-up actions",
    overdue: "Overdue",
    due_soon: "Due within 7 days",
    on_time: "Done on time",
    median: "Median days overdue",
    days: "days",
    longest: "longest",
    most_overdue: "Most overdue",
    silent: "Silent",
    silent_hint: "Lead ministries of overdue actions with no news for",
    none_silent: "No ministry has been silent for long.",
    by_ministry: "Actions per ministry (as lead)",
    as_lead_hint: "Red bar below: how many are overdue.",
    trend: "Week by week",
    trend_hint: "Pending, overdue and done (cumulative) at the end of each week.",
    pending: "Pending",
    completed: "Done",
    overdue_actions: "Overdue actions",
    none_overdue: "No overdue actions.",
    and_more: "and more",
    more_at: "More",
    page_footer: "Produced from the follow-up registry. Figures for past dates are rebuilt from each action's history.",
    minutes_title: "Minutes of Meeting",
    when: "Date",
    time: "Time",
    place: "Place",
    chair: "Chair",
    convener: "Convened by",
    attendees: "Attendees",
    summary: "Summary",
    issues_discussed: "Issues discussed",
    carried: "carried forward from the meeting of",
    follow_ups: "Agreed follow-ups",
    none_agreed: "No follow-up was agreed.",
    signature: "Chair,",
    arising_title: "Matters Arising from Earlier Meetings",
    arising_hint: "Follow-ups from earlier meetings not yet done when this meeting began, by lead ministry, with their status and delay at that moment.",
    agreed_at: "Agreed at",
    none_arising: "Nothing is open from earlier meetings.",
    annex: "Annex",
    weekly_subject: "Weekly follow-up summary",
    weekly_intro: "Here is the state of the coordination follow-ups as of",
    week: "The last seven days",
    became_overdue: "Became overdue",
    completed_week: "Completed",
    rescheduled: "Rescheduled",
    open_page: "Open the full report",
    link_valid: "The link works for 14 days.",
    weekly_footer: "This email is sent by Tindak to leadership every week.",
    weekdays: [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
    priorities: ["Low", "Normal", "High", "Urgent"],
};

/// The report words of `lang` (`en`, or Indonesian for anything else).
pub fn report(lang: Option<&str>) -> &'static ReportWords {
    match lang {
        Some("en") => &REPORT_EN,
        _ => &REPORT_ID,
    }
}

impl ReportWords {
    /// A day written out with its weekday: `Rabu, 28 Januari 2026`.
    pub fn day(&self, d: NaiveDate) -> String {
        let weekday = self.weekdays[d.weekday().num_days_from_monday() as usize];
        format!("{weekday}, {}", self.words.date(d))
    }

    /// A time of day as people write it: `09.00` in Indonesian, `09:00` in English, with
    /// the zone.
    pub fn time(&self, t: chrono::NaiveTime, zone: &str) -> String {
        use chrono::Timelike;
        let sep = if self.words.code == "en" { ':' } else { '.' };
        format!("{:02}{sep}{:02} {zone}", t.hour(), t.minute())
    }

    /// A priority as people say it.
    pub fn priority(&self, p: entity::enums::Priority) -> &'static str {
        use entity::enums::Priority;
        self.priorities[match p {
            Priority::Low => 0,
            Priority::Normal => 1,
            Priority::High => 2,
            Priority::Urgent => 3,
        }]
    }
}

/// A text with `\n` as its only line break and no other control character (a tab stays).
pub fn one_text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => '\n',
            '\n' | '\t' => c,
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// A text on one line: every line break and control character becomes a space.
pub fn one_line(s: &str) -> String {
    one_text(s)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A multi-line value in the plain-text email: its later lines are indented by `by` spaces
/// (and empty lines dropped), so that none of them can pass for a line of the email itself,
/// such as another item or another link.
pub fn indented(s: &str, by: usize) -> String {
    let pad = format!("\n{}", " ".repeat(by.max(1)));
    one_text(s)
        .split('\n')
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(&pad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_out_in_each_language() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        assert_eq!(ID.date(d), "1 Maret 2026");
        assert_eq!(EN.date(d), "March 1, 2026");
        assert_eq!(ID.status(ActionStatus::InProgress), "Sedang berjalan");
    }
}
