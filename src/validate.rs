//! Checks on what users type, each naming the field it is about.

use async_graphql::MaybeUndefined;

use crate::error::{AppError, AppResult};

pub const MAX_SHORT: usize = 300;
pub const MAX_LONG: usize = 20_000;

/// A text that must be present: trimmed, not empty, not too long.
pub fn required(value: &str, field: &str, max: usize) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::bad_input(
            field,
            format!("{field} must not be empty"),
        ));
    }
    limit(value, field, max)
}

/// A text that may be absent; blank counts as absent.
pub fn optional(value: Option<&str>, field: &str, max: usize) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => limit(v, field, max).map(Some),
    }
}

/// For updates: absent keeps the old value (`None`), null or blank clears it (`Some(None)`).
pub fn patch(
    value: &MaybeUndefined<String>,
    field: &str,
    max: usize,
) -> AppResult<Option<Option<String>>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(v) => optional(Some(v), field, max).map(Some),
    }
}

fn limit(value: &str, field: &str, max: usize) -> AppResult<String> {
    if value.chars().count() > max {
        return Err(AppError::bad_input(
            field,
            format!("{field} must be at most {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// An email address: one `@`, a dotted domain, no spaces. Stored trimmed.
pub fn email(value: &str, field: &str) -> AppResult<String> {
    let value = required(value, field, 254)?;
    let valid = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !valid {
        return Err(AppError::bad_input(
            field,
            format!("\"{value}\" is not an email address"),
        ));
    }
    Ok(value)
}

/// A ministry code such as `KEMLU` or `KEMENKO-POLKAM`: letters, digits, `-` and `_`,
/// stored upper-case.
pub fn code(value: &str, field: &str) -> AppResult<String> {
    let value = required(value, field, 64)?.to_uppercase();
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
    let value = optional(value, field, 2_000)?;
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
