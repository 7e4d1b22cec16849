//! Parsers of setting values, each refusing what it cannot take with a message that names
//! the variable.

use chrono::NaiveDate;
use lettre::message::Mailbox;
use secrecy::SecretString;

/// A value that must never be printed: `Debug` shows `[REDACTED]`.
pub fn secret(value: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(value))
}

/// A parser for a whole number from `min` to `max`, whose error names the variable.
pub fn ranged<T>(
    var: &'static str,
    min: T,
    max: T,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy + Send + Sync + 'static,
{
    move |value: &str| {
        let refuse =
            || format!("{var} must be a whole number from {min} to {max}, not \"{value}\"");
        let n: T = value.trim().parse().map_err(|_| refuse())?;
        if n < min || n > max {
            return Err(refuse());
        }
        Ok(n)
    }
}

/// Longest interval between two runs of the reminder worker.
const MAX_INTERVAL: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// A parser for a duration: a bare number of seconds (`300`) or humantime (`90s`, `5m`,
/// `1h 30m`), from one second to a week.
pub fn interval(
    var: &'static str,
) -> impl Fn(&str) -> Result<std::time::Duration, String> + Clone + Send + Sync + 'static {
    move |value: &str| {
        let value = value.trim();
        let parsed = match value.parse::<u64>() {
            Ok(secs) => Ok(std::time::Duration::from_secs(secs)),
            Err(_) => humantime::parse_duration(value).map_err(|e| e.to_string()),
        };
        match parsed {
            Ok(d) if d >= std::time::Duration::from_secs(1) && d <= MAX_INTERVAL => Ok(d),
            Ok(_) => Err(format!(
                "{var} must be from 1 second to 7 days, not \"{value}\""
            )),
            Err(e) => Err(format!(
                "{var}: \"{value}\" is not a duration such as 300, 90s, 5m or 1h ({e})"
            )),
        }
    }
}

/// A parser for an email address the mailer can deliver to.
pub fn address(
    var: &'static str,
) -> impl Fn(&str) -> Result<String, String> + Clone + Send + Sync + 'static {
    move |value: &str| {
        let value = value.trim();
        if crate::validate::is_deliverable(value) {
            Ok(value.to_owned())
        } else {
            Err(format!(
                "{var}: \"{value}\" is not an email address that mail can be delivered to"
            ))
        }
    }
}

/// A parser for the sender: `Name <address>` or a bare address.
pub fn sender(
    var: &'static str,
) -> impl Fn(&str) -> Result<Mailbox, String> + Clone + Send + Sync + 'static {
    move |value: &str| {
        let refuse = || {
            format!(
                "{var} must be a sender such as \"Tindak <tindak@example.go.id>\", not \"{value}\""
            )
        };
        let mailbox: Mailbox = value.trim().parse().map_err(|_| refuse())?;
        let name_ok = mailbox
            .name
            .as_deref()
            .is_none_or(|n| !n.chars().any(char::is_control));
        if !name_ok || !crate::validate::is_deliverable(mailbox.email.as_ref()) {
            return Err(refuse());
        }
        Ok(mailbox)
    }
}

/// The public address: an `http://` or `https://` URL without query or fragment.
pub fn public_url(value: &str) -> Result<String, String> {
    let value = value.trim().trim_end_matches('/');
    let lower = value.to_ascii_lowercase();
    let scheme_ok = lower.starts_with("http://") || lower.starts_with("https://");
    let host = value.split_once("://").map_or("", |(_, rest)| rest);
    if !scheme_ok
        || host.is_empty()
        || value.chars().any(|c| c.is_whitespace() || c.is_control())
        || value.contains(['?', '#'])
    {
        return Err(format!(
            "TINDAK_PUBLIC_URL must be an http:// or https:// address such as https://tindak.example.go.id, not \"{value}\""
        ));
    }
    Ok(value.to_owned())
}

/// A parser for a day given on the command line, within the dates Tindak keeps.
/// A name shown to people: one line of 1 to 120 characters, no control characters.
pub fn name(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > 120 {
        return Err("TINDAK_NAME: 1 to 120 characters".into());
    }
    if value.chars().any(char::is_control) {
        return Err("TINDAK_NAME: no control characters".into());
    }
    Ok(value.to_owned())
}

pub fn day(value: &str) -> Result<NaiveDate, String> {
    let date = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| format!("\"{value}\" is not a date (YYYY-MM-DD)"))?;
    match crate::validate::date_range_error(date) {
        Some(message) => Err(message),
        None => Ok(date),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_out_of_range_name_their_variable() {
        let lease = ranged::<i64>("TINDAK_REMIND_LEASE_SECS", 1, 86_400);
        assert_eq!(lease("120"), Ok(120));
        for bad in ["-5", "0", "9223372036854775807", "x"] {
            let err = lease(bad).expect_err(bad);
            assert!(err.contains("TINDAK_REMIND_LEASE_SECS"), "{err}");
        }
        let every = interval("TINDAK_REMIND_INTERVAL");
        assert_eq!(every("300"), Ok(std::time::Duration::from_secs(300)));
        assert_eq!(every("5m"), Ok(std::time::Duration::from_secs(300)));
        assert_eq!(every("1h 30m"), Ok(std::time::Duration::from_secs(5400)));
        for bad in [
            "0",
            "18446744073709551615",
            "99999999999h",
            "5 parsecs",
            "-1",
        ] {
            assert!(
                every(bad)
                    .expect_err(bad)
                    .contains("TINDAK_REMIND_INTERVAL")
            );
        }
        let from = sender("MAIL_FROM");
        assert!(from("Tindak <tindak@example.go.id>").is_ok());
        for bad in ["Tindak", "Tindak <tindak>", "a..b@x.id", "<a@[1.2.3.4]>"] {
            assert!(from(bad).expect_err(bad).contains("MAIL_FROM"));
        }
        assert!(public_url("https://tindak.example.go.id/").is_ok());
        assert!(public_url("javascript:alert(1)").is_err());
        assert!(day("262143-01-01").is_err() && day("2026-03-01").is_ok());
        assert_eq!(
            name("  Sekretariat Deputi V "),
            Ok("Sekretariat Deputi V".into())
        );
        for bad in ["", "   ", "a\u{7}b", "line\nbreak", &"x".repeat(121)] {
            assert!(name(bad).expect_err(bad).contains("TINDAK_NAME"));
        }
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let url = secret("postgres://tindak:hunter2@db/tindak").expect("secret");
        assert!(!format!("{url:?}").contains("hunter2"));
    }
}
