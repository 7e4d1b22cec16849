//! The whole email of a digest: its headers, its text and HTML bodies, and its calendar.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike};
use lettre::{
    Message,
    message::{Attachment, Mailbox, MultiPart, header::ContentType},
};

use super::digest::Digest;
use crate::words::{one_line, one_text};

impl Digest {
    /// An iCalendar file with one all-day entry per deadline, written (escaped and folded)
    /// by `icalendar`.
    pub fn ics(&self, now: DateTime<Utc>) -> String {
        let w = self.words();
        let mut calendar = Calendar::new();
        calendar.append_property(("METHOD", "PUBLISH"));
        for item in &self.items {
            let mut event = Event::new();
            event
                .uid(&format!("{}@tindak", item.action_id))
                .timestamp(now)
                .starts(item.due_on)
                .summary(&one_text(&format!("{}: {}", w.due, item.title)))
                .description(&one_text(&format!(
                    "{}: {}\n{}: {}",
                    w.meeting, item.meeting, w.lead, item.lead
                )))
                .add_property("TRANSP", "TRANSPARENT");
            if let Some(next) = item.due_on.succ_opt() {
                event.ends(next);
            }
            calendar.push(event.done());
        }
        calendar.done().to_string()
    }

    /// The whole email.
    pub fn message(
        &self,
        from: &Mailbox,
        message_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Message, String> {
        let address = self
            .to_email
            .parse()
            .map_err(|e| format!("not an email address: {e}"))?;
        // A display name is one line, whatever was stored before names were checked.
        let name = self
            .to_name
            .as_deref()
            .map(one_line)
            .filter(|n| !n.is_empty());
        let to = Mailbox::new(name, address);
        let calendar = ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
            .map_err(|e| e.to_string())?;
        let file = self.words().calendar_file;
        Message::builder()
            .from(from.clone())
            .to(to)
            .subject(self.subject())
            .message_id(Some(message_id.to_owned()))
            .multipart(
                MultiPart::mixed()
                    .multipart(MultiPart::alternative_plain_html(
                        crlf(self.text()),
                        crlf(self.html()),
                    ))
                    .singlepart(Attachment::new(file.to_owned()).body(self.ics(now), calendar)),
            )
            .map_err(|e| e.to_string())
    }
}

/// `text` with CRLF line endings, made in one pass. lettre makes them so itself, but by
/// inserting each `\r` in place, which moves the rest of the text every time: quadratic in
/// the size of the body (measured: a 500-item digest spent most of its time there). The text
/// is copied a line at a time, not a character at a time (a profile of delivery put the
/// per-character copy at 6% of its samples).
pub(super) fn crlf(text: String) -> String {
    if !text.contains('\n') {
        return text;
    }
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut start = 0;
    for (end, _) in text.match_indices('\n') {
        let line = &text[start..end];
        out.push_str(line);
        out.push_str(if line.ends_with('\r') { "\n" } else { "\r\n" });
        start = end + 1;
    }
    out.push_str(&text[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::crlf;

    #[test]
    fn line_ends_become_crlf_once() {
        assert_eq!(crlf("a\nb\r\nc\n".into()), "a\r\nb\r\nc\r\n");
        assert_eq!(crlf("\n\nx".into()), "\r\n\r\nx");
        assert_eq!(crlf("tanpa baris".into()), "tanpa baris");
        assert_eq!(crlf("é\nü".into()), "é\r\nü");
        assert_eq!(crlf("\r\n\r\n".into()), "\r\n\r\n");
        assert_eq!(crlf("a\r\rb\n".into()), "a\r\rb\r\n");
        assert_eq!(crlf("akhir\n".into()), "akhir\r\n");
    }
}
