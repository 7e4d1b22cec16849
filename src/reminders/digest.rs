//! The digest email: one per recipient per run, in the recipient's language, as plain text
//! and HTML (both templates, see `templates/digest.*`), with a calendar of the deadlines and a
//! progress link per action.

use askama::Template;
use chrono::NaiveDate;
use entity::enums::{ActionStatus, Language, RecipientRole};
use uuid::Uuid;

use crate::words::{self, Words, indented, one_line, one_text};

/// One action as the recipient reads it.
#[derive(Debug, Clone)]
pub struct Item {
    pub action_id: Uuid,
    pub title: String,
    pub meeting: String,
    pub issue: Option<String>,
    pub lead: String,
    pub supporters: Vec<String>,
    pub due_on: NaiveDate,
    pub role: RecipientRole,
    pub escalated: bool,
    pub last_update: Option<LastUpdate>,
    pub link: Option<String>,
}

/// An action's latest timeline entry: the day it was written (in the settings' time zone)
/// and its note, else the status it moved the action to.
#[derive(Debug, Clone)]
pub struct LastUpdate {
    pub on: NaiveDate,
    pub note: Option<String>,
    pub status: Option<ActionStatus>,
}

/// A reminder that could not be delivered, reported in escalations.
#[derive(Debug, Clone)]
pub struct Undelivered {
    /// The reminder row, marked reported once an email has listed it.
    pub id: Uuid,
    pub email: String,
    pub action: String,
    pub error: String,
}

/// Everything one email says.
#[derive(Debug, Clone)]
pub struct Digest {
    pub to_email: String,
    pub to_name: Option<String>,
    pub language: Language,
    pub today: NaiveDate,
    pub items: Vec<Item>,
    pub undelivered: Vec<Undelivered>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Escalated,
    Overdue,
    DueToday,
    DueSoon,
}

const SECTIONS: [Section; 4] = [
    Section::Escalated,
    Section::Overdue,
    Section::DueToday,
    Section::DueSoon,
];

/// A section of the email as its templates show it.
struct SectionView {
    class: &'static str,
    title: String,
    upper: String,
    items: Vec<ItemView>,
}

/// An item as its templates show it.
struct ItemView {
    title: String,
    role: &'static str,
    late: bool,
    details: Vec<(&'static str, String)>,
    link: Option<String>,
}

#[derive(Template)]
#[template(path = "digest.txt")]
struct TextBody<'a> {
    w: &'a Words,
    name: String,
    today: String,
    sections: Vec<SectionView>,
    undelivered_title: String,
    undelivered: Vec<Undelivered>,
}

#[derive(Template)]
#[template(path = "digest.html")]
struct HtmlBody<'a> {
    w: &'a Words,
    subject: String,
    name: String,
    today: String,
    sections: Vec<SectionView>,
    undelivered_heading: &'a str,
    undelivered: &'a [Undelivered],
}

impl Digest {
    pub(super) fn words(&self) -> &'static Words {
        words::of(self.language)
    }

    fn section(&self, item: &Item) -> Section {
        if item.escalated {
            Section::Escalated
        } else if item.due_on < self.today {
            Section::Overdue
        } else if item.due_on == self.today {
            Section::DueToday
        } else {
            Section::DueSoon
        }
    }

    fn title(&self, section: Section) -> &'static str {
        let w = self.words();
        match section {
            Section::Escalated => w.escalated,
            Section::Overdue => w.overdue,
            Section::DueToday => w.due_today,
            Section::DueSoon => w.due_soon,
        }
    }

    fn items_in(&self, section: Section) -> Vec<&Item> {
        let mut items: Vec<&Item> = self
            .items
            .iter()
            .filter(|i| self.section(i) == section)
            .collect();
        items.sort_by(|a, b| (a.due_on, &a.title).cmp(&(b.due_on, &b.title)));
        items
    }

    /// Says what is inside: e.g. `[Tindak] Pengingat tindak lanjut: 2 lewat tenggat, 1 segera
    /// jatuh tempo`.
    pub fn subject(&self) -> String {
        let counts: Vec<String> = SECTIONS
            .iter()
            .map(|s| (s, self.items_in(*s).len()))
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} {}", self.title(*s)))
            .collect();
        format!("[Tindak] {}: {}", self.words().subject, counts.join(", "))
    }

    fn role(&self, item: &Item) -> &'static str {
        let w = self.words();
        match item.role {
            RecipientRole::Act => w.to_act,
            RecipientRole::Support => w.to_support,
            RecipientRole::Escalation => w.to_watch,
        }
    }

    fn details(&self, item: &Item) -> Vec<(&'static str, String)> {
        let w = self.words();
        let mut out = vec![(w.meeting, item.meeting.clone())];
        if let Some(issue) = &item.issue {
            out.push((w.issue, issue.clone()));
        }
        out.push((w.lead, item.lead.clone()));
        if !item.supporters.is_empty() {
            out.push((w.support, item.supporters.join(", ")));
        }
        let late = (self.today - item.due_on).num_days();
        let due = if late > 0 {
            format!("{} ({late} {})", w.date(item.due_on), w.days_late)
        } else {
            w.date(item.due_on)
        };
        out.push((w.due, due));
        if let Some(update) = &item.last_update {
            let day = w.date(update.on);
            let said = match (update.note.as_deref().map(str::trim), update.status) {
                (Some(note), _) if !note.is_empty() => Some(note),
                (_, Some(status)) => Some(w.status(status)),
                _ => None,
            };
            out.push((
                w.last_update,
                said.map_or_else(|| day.clone(), |said| format!("{day}: {said}")),
            ));
        }
        out
    }

    /// The sections with items, each value passed through `value` (indented for the text,
    /// as it is for the HTML).
    fn sections(&self, value: impl Fn(&str) -> String) -> Vec<SectionView> {
        SECTIONS
            .iter()
            .filter_map(|s| {
                let items = self.items_in(*s);
                (!items.is_empty()).then(|| SectionView {
                    class: match s {
                        Section::Escalated => "escalated",
                        Section::Overdue => "overdue",
                        Section::DueToday => "today",
                        Section::DueSoon => "soon",
                    },
                    title: capitalise(self.title(*s)),
                    upper: self.title(*s).to_uppercase(),
                    items: items
                        .into_iter()
                        .map(|i| ItemView {
                            title: value(&i.title),
                            role: self.role(i),
                            late: i.due_on < self.today,
                            details: self
                                .details(i)
                                .into_iter()
                                .map(|(label, v)| (label, value(&v)))
                                .collect(),
                            link: i.link.clone(),
                        })
                        .collect(),
                })
            })
            .collect()
    }

    fn name(&self) -> String {
        one_line(self.to_name.as_deref().unwrap_or(&self.to_email))
    }

    /// The plain-text body. Every later line of a value is indented under its item, so that
    /// no line of a note or title can pass for a line of the email.
    pub fn text(&self) -> String {
        let w = self.words();
        let undelivered = self
            .undelivered
            .iter()
            .map(|u| Undelivered {
                action: indented(&u.action, 4),
                error: indented(&u.error, 4),
                ..u.clone()
            })
            .collect();
        let body = TextBody {
            w,
            name: self.name(),
            today: w.date(self.today),
            sections: self.sections(|v| indented(v, 4)),
            undelivered_title: w.undelivered.to_uppercase(),
            undelivered,
        };
        body.render().unwrap_or_else(|error| {
            tracing::error!(%error, "the text of a digest could not be rendered");
            String::new()
        })
    }

    /// The HTML body (escaped by the template engine).
    pub fn html(&self) -> String {
        let w = self.words();
        let body = HtmlBody {
            w,
            subject: self.subject(),
            name: self.name(),
            today: w.date(self.today),
            sections: self.sections(one_text),
            undelivered_heading: w.undelivered,
            undelivered: &self.undelivered,
        };
        body.render().unwrap_or_else(|error| {
            tracing::error!(%error, "the HTML of a digest could not be rendered");
            String::new()
        })
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(language: Language) -> Digest {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        let item = |title: &str, days: i64, escalated: bool| Item {
            action_id: Uuid::now_v7(),
            title: title.to_owned(),
            meeting: "Rapat Koordinasi, Pelindungan PMI".to_owned(),
            issue: Some("Shelter; domestik".to_owned()),
            lead: "KP2MI".to_owned(),
            supporters: vec!["Kemlu".to_owned()],
            due_on: today + chrono::Duration::days(days),
            role: RecipientRole::Act,
            escalated,
            last_update: None,
            link: Some("http://x/respond/abc".to_owned()),
        };
        Digest {
            to_email: "a@b.id".into(),
            to_name: Some("Rina".into()),
            language,
            today,
            items: vec![
                item("Lama", -20, true),
                item("Telat <b>", -3, false),
                item("Hari ini", 0, false),
                item("Nanti", 5, false),
            ],
            undelivered: vec![],
        }
    }

    #[test]
    fn subject_and_sections_say_what_is_inside() {
        let d = digest(Language::Id);
        assert_eq!(
            d.subject(),
            "[Tindak] Pengingat tindak lanjut: 1 dieskalasi, 1 lewat tenggat, 1 jatuh tempo hari ini, 1 segera jatuh tempo"
        );
        let text = d.text();
        assert!(text.contains("Yth. Rina,"));
        assert!(text.contains("1 Maret 2026"));
        assert!(text.contains("3 hari lewat tenggat"));
        let html = d.html();
        assert!(!html.contains("Telat <b>"), "HTML is escaped");
        assert!(html.contains("Telat &#60;b&#62;") || html.contains("Telat &lt;b&gt;"));
        let en = digest(Language::En);
        assert!(
            en.subject()
                .starts_with("[Tindak] Follow-up reminder: 1 escalated, 1 overdue")
        );
        assert!(en.text().contains("March 1, 2026"));
    }

    #[test]
    fn calendar_lines_are_escaped_and_folded() {
        let ics = digest(Language::Id).ics(chrono::Utc::now());
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 4);
        assert!(ics.contains("Rapat Koordinasi\\, Pelindungan PMI"));
        assert!(ics.split("\r\n").all(|l| l.len() <= 75));
    }

    #[test]
    fn multi_line_values_cannot_forge_lines_of_the_email_or_the_calendar() {
        let mut d = digest(Language::Id);
        d.items[1].title =
            "Telat\n* Palsu [untuk ditindaklanjuti]\r  Laporkan kemajuan: http://evil".into();
        d.items[1].last_update = Some(LastUpdate {
            on: NaiveDate::from_ymd_opt(2026, 2, 1).expect("a date"),
            note: Some("catatan\r\n\n  Laporkan kemajuan: http://evil\rlagi".into()),
            status: None,
        });
        let text = d.text();
        for line in text.lines() {
            assert!(!line.starts_with("* Palsu"), "{line:?}");
            assert!(
                !line.starts_with("  Laporkan kemajuan: http://evil"),
                "{line:?}"
            );
        }
        assert!(
            text.contains("\n      Laporkan kemajuan: http://evil"),
            "kept, indented under its item: {text}"
        );
        let ics = d.ics(chrono::Utc::now());
        assert!(!ics.replace("\r\n", "").contains('\r') && !ics.replace("\r\n", "").contains('\n'));
        assert!(ics.contains("Palsu"));
    }
}
