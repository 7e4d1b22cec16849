//! Checks on what users type, each naming the field it is about.

use chrono::NaiveDate;

use crate::{
    error::{AppError, AppResult},
    patch::Patch,
};

/// What a text field may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Most characters.
    pub max: usize,
    /// Line breaks are kept (descriptions, notes, summaries); a single-line field (names,
    /// titles, codes, positions, categories, locations) refuses every control character.
    pub multiline: bool,
}

impl Shape {
    /// A single-line field of at most `max` characters.
    pub const fn line(max: usize) -> Self {
        Self {
            max,
            multiline: false,
        }
    }
}

/// Names, titles, codes, positions, categories, locations: one line.
pub const LINE: Shape = Shape::line(300);
/// Descriptions, notes, summaries: several lines.
pub const TEXT: Shape = Shape {
    max: 20_000,
    multiline: true,
};

/// A text that must be present: trimmed, not empty, not too long, of its shape.
pub fn required(value: &str, field: &str, shape: Shape) -> AppResult<String> {
    let value = clean(value, field, shape)?;
    if value.is_empty() {
        return Err(AppError::bad_input(
            field,
            format!("{field} must not be empty"),
        ));
    }
    Ok(value)
}

/// A text that may be absent; blank counts as absent.
pub fn optional(value: Option<&str>, field: &str, shape: Shape) -> AppResult<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) => clean(v, field, shape).map(|v| (!v.is_empty()).then_some(v)),
    }
}

/// For updates: absent keeps the old value (`None`), null or blank clears it (`Some(None)`).
pub fn patch(
    value: &Patch<String>,
    field: &str,
    shape: Shape,
) -> AppResult<Option<Option<String>>> {
    match value {
        Patch::Keep => Ok(None),
        Patch::Clear => Ok(Some(None)),
        Patch::Set(v) => optional(Some(v), field, shape).map(Some),
    }
}

/// Trims `value`, gives a multi-line text `\n` line breaks only, and refuses characters its
/// shape does not allow and texts that are too long.
fn clean(value: &str, field: &str, shape: Shape) -> AppResult<String> {
    let value = if shape.multiline {
        value
            .replace("\r\n", "\n")
            .replace(['\r', '\u{2028}', '\u{2029}'], "\n")
    } else {
        value.to_owned()
    };
    let value = value.trim();
    let refused = value.chars().find(|c| {
        let breaks_line = matches!(c, '\u{2028}' | '\u{2029}');
        (c.is_control() || breaks_line) && !(shape.multiline && matches!(c, '\n' | '\t'))
    });
    if let Some(c) = refused {
        let what = if shape.multiline {
            "control characters (other than line breaks and tabs)"
        } else {
            "line breaks, tabs or other control characters"
        };
        return Err(AppError::bad_input(
            field,
            format!("{field} must not hold {what}: found U+{:04X}", u32::from(c)),
        ));
    }
    if value.chars().count() > shape.max {
        return Err(AppError::bad_input(
            field,
            format!("{field} must be at most {} characters", shape.max),
        ));
    }
    Ok(value.to_owned())
}

/// Whether the mailer can deliver to `value`: lettre's own parser accepts it and the domain
/// is a dotted name (no bare host, no address literal, no label starting or ending with `-`).
pub fn is_deliverable(value: &str) -> bool {
    let Ok(address) = value.parse::<lettre::Address>() else {
        return false;
    };
    let domain = address.domain();
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && address.user().chars().all(|c| !c.is_control())
}

/// An email address the mailer can deliver to (see [`is_deliverable`]). Stored trimmed.
pub fn email(value: &str, field: &str) -> AppResult<String> {
    let value = required(value, field, Shape::line(254))?;
    if !is_deliverable(&value) {
        return Err(AppError::bad_input(
            field,
            format!("\"{value}\" is not an email address that mail can be delivered to"),
        ));
    }
    Ok(value)
}

/// A ministry code such as `KEMLU` or `KEMENKO-POLKAM`: letters, digits, `-` and `_`,
/// stored upper-case.
pub fn code(value: &str, field: &str) -> AppResult<String> {
    let value = required(value, field, Shape::line(64))?.to_uppercase();
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(AppError::bad_input(
            field,
            "a code may hold only letters, digits, '-' and '_'",
        ));
    }
    Ok(value)
}

/// A web link: `http://` or `https://`.
pub fn url(value: Option<&str>, field: &str) -> AppResult<Option<String>> {
    let value = optional(value, field, Shape::line(2_000))?;
    if let Some(v) = &value {
        let lower = v.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://"))
            || v.chars().any(char::is_whitespace)
        {
            return Err(AppError::bad_input(
                field,
                "a link must start with http:// or https://",
            ));
        }
    }
    Ok(value)
}

/// The first day a date may fall on.
pub const FIRST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};
/// The last day a date may fall on.
pub const LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2199, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MAX,
};

/// Why a date is refused, if it is: every date lies in 1900-01-01..2199-12-31, so that date
/// arithmetic never overflows and both engines sort and compare dates alike.
pub fn date_range_error(date: NaiveDate) -> Option<String> {
    (!(FIRST_DAY..=LAST_DAY).contains(&date))
        .then(|| format!("{date} is outside the dates Tindak keeps ({FIRST_DAY} to {LAST_DAY})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_refuse_control_characters_and_texts_keep_line_breaks() {
        for bad in [
            "a\nb",
            "a\tb",
            "a\rb",
            "a\u{0}b",
            "a\u{7f}b",
            "a\u{85}b",
            "a\u{2028}b",
        ] {
            assert!(required(bad, "name", LINE).is_err(), "{bad:?}");
        }
        assert_eq!(
            required("  Rina  ", "name", LINE).ok().as_deref(),
            Some("Rina")
        );
        assert_eq!(
            required("one\r\ntwo\rthree\u{2028}four\n", "note", TEXT)
                .ok()
                .as_deref(),
            Some("one\ntwo\nthree\nfour")
        );
        assert!(required("bell\u{7}", "note", TEXT).is_err());
    }

    #[test]
    fn addresses_are_those_the_mailer_delivers_to() {
        for good in ["a@b.id", "dewi.lestari@kemlu.example.go.id", "a+b@x-y.id"] {
            assert!(is_deliverable(good), "{good}");
        }
        for bad in [
            "a..b@x.id",
            "a(b)@x.id",
            "a@-x.id",
            "a@x-.id",
            "a@[1.2.3.4]",
            "a@localhost",
            "a\u{1}@x.id",
            ".a@x.id",
            "a.@x.id",
            "a b@x.id",
            "a@x..id",
            "@x.id",
            "a@",
            "a@x.id.",
        ] {
            assert!(!is_deliverable(bad), "{bad}");
        }
    }

    #[test]
    fn dates_outside_the_kept_range_are_refused() {
        assert!(date_range_error(FIRST_DAY).is_none() && date_range_error(LAST_DAY).is_none());
        assert!(date_range_error(FIRST_DAY.pred_opt().expect("day")).is_some());
        assert!(date_range_error(LAST_DAY.succ_opt().expect("day")).is_some());
    }
}
