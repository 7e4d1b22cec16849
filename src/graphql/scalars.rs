//! The `Date` scalar (a calendar date, ISO 8601) and ID parsing.

use async_graphql::{ID, InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{FixedOffset, NaiveDate, SecondsFormat, Utc};
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult},
    validate::date_range_error,
};

/// A calendar date without time or zone, written `YYYY-MM-DD` (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// A calendar date without time or zone, written `YYYY-MM-DD` (ISO 8601), from 1900-01-01
/// to 2199-12-31.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => {
                let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                    InputValueError::custom(format!("\"{s}\" is not a date (YYYY-MM-DD)"))
                })?;
                match date_range_error(date) {
                    Some(message) => Err(InputValueError::custom(message)),
                    None => Ok(Date(date)),
                }
            }
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        Self::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        Value::String(ymd(self.0))
    }
}

/// `YYYY-MM-DD`, written digit by digit: every date of every page goes through here, and
/// chrono's `format` interprets its format string each time.
pub fn ymd(d: NaiveDate) -> String {
    use chrono::Datelike as _;
    let (y, m, day) = (d.year(), d.month(), d.day());
    if !(0..=9999).contains(&y) {
        return d.format("%Y-%m-%d").to_string();
    }
    let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
    let y = y as u32;
    let mut s = String::with_capacity(10);
    s.extend([y / 1000, y / 100, y / 10, y].map(digit));
    s.push('-');
    s.extend([m / 10, m].map(digit));
    s.push('-');
    s.extend([day / 10, day].map(digit));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        let mut day = NaiveDate::from_ymd_opt(-3, 1, 1).expect("date");
        let last = NaiveDate::from_ymd_opt(10_002, 12, 31).expect("date");
        let mut checked = 0;
        while day <= last {
            assert_eq!(ymd(day), day.format("%Y-%m-%d").to_string());
            day += chrono::Duration::days(97);
            checked += 1;
        }
        assert!(checked > 30_000);
        for d in [
            NaiveDate::MIN,
            NaiveDate::MAX,
            NaiveDate::from_ymd_opt(2026, 3, 9).expect("date"),
        ] {
            assert_eq!(ymd(d), d.format("%Y-%m-%d").to_string());
        }
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date(d)
    }
}

/// Parses an opaque ID given as input; `field` names it in the error.
pub fn parse_id(id: &ID, field: &str) -> AppResult<Uuid> {
    Uuid::parse_str(id.as_str())
        .map_err(|_| AppError::bad_input(field, format!("\"{}\" is not a valid ID", id.as_str())))
}

/// The opaque ID of a record.
pub fn to_id(id: Uuid) -> ID {
    ID(id.to_string())
}

/// An instant with its UTC offset, written in RFC 3339 (ISO 8601), e.g.
/// `2026-01-28T09:00:00+07:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime(pub chrono::DateTime<FixedOffset>);

/// An instant with its UTC offset, written in RFC 3339 (ISO 8601), e.g.
/// `2026-01-28T09:00:00+07:00`, from 1900 to 2199.
#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => {
                let instant = chrono::DateTime::parse_from_rfc3339(s).map_err(|_| {
                    InputValueError::custom(format!(
                        "\"{s}\" is not a date and time with offset (RFC 3339)"
                    ))
                })?;
                match date_range_error(instant.naive_utc().date()) {
                    Some(message) => Err(InputValueError::custom(message)),
                    None => Ok(DateTime(instant)),
                }
            }
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        Self::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(t: chrono::DateTime<Utc>) -> Self {
        DateTime(t.fixed_offset())
    }
}
