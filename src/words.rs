//! What people read, in each language: the words of the emails and pages in one place, and
//! dates written out by one function.

use chrono::{Datelike, NaiveDate};
use entity::enums::{ActionStatus, Language};

mod report;

pub use report::{REPORT_EN, REPORT_ID, ReportWords, report};

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
