//! Settings from flags and environment, with defaults that run out of the box.

use std::{net::SocketAddr, path::PathBuf};

use chrono::NaiveDate;
use chrono_tz::Tz;
use clap::Args;
use lettre::message::Mailbox;
use secrecy::SecretString;

mod parse;
pub use parse::*;

/// Settings every command shares.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Database to use: `sqlite://FILE?mode=rwc` (embedded) or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://tindak.db?mode=rwc",
        hide_env_values = true,
        global = true,
        value_parser = secret
    )]
    pub database_url: SecretString,

    /// Time zone that due dates and "today" are judged in (IANA name).
    #[arg(
        long,
        env = "TINDAK_TIMEZONE",
        default_value = "Asia/Jakarta",
        global = true
    )]
    pub timezone: Tz,

    /// Log each statement slower than this many milliseconds at WARN, with its SQL (never its
    /// values); 0 logs none.
    #[arg(long, env = "TINDAK_SLOW_STATEMENT_MS", default_value_t = 0, global = true,
          value_parser = ranged::<u64>("TINDAK_SLOW_STATEMENT_MS", 0, 3_600_000))]
    pub slow_statement_ms: u64,
}

/// Settings of the HTTP server.
#[derive(Debug, Clone, Args)]
pub struct ServeSettings {
    /// Address to listen on.
    #[arg(long, env = "TINDAK_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// The deployment's name, shown on the home page and GraphiQL's (e.g. the secretariat's).
    #[arg(long, env = "TINDAK_NAME", default_value = "Tindak", value_parser = name)]
    pub name: String,

    /// Load the demo data when the database holds no meeting yet.
    #[arg(long)]
    pub demo: bool,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "TINDAK_MAX_BODY_BYTES", default_value_t = 1024 * 1024,
          value_parser = ranged::<usize>("TINDAK_MAX_BODY_BYTES", 1024, 64 * 1024 * 1024))]
    pub max_body_bytes: usize,

    /// Longest a request may take, in seconds.
    #[arg(long, env = "TINDAK_REQUEST_TIMEOUT_SECS", default_value_t = 30,
          value_parser = ranged::<u64>("TINDAK_REQUEST_TIMEOUT_SECS", 1, 3600))]
    pub request_timeout_secs: u64,

    /// Deepest nesting a query may have (GraphiQL's schema query needs 13).
    #[arg(long, env = "TINDAK_MAX_DEPTH", default_value_t = 16,
          value_parser = ranged::<usize>("TINDAK_MAX_DEPTH", 1, 64))]
    pub max_depth: usize,

    /// Most fields a query may select.
    #[arg(long, env = "TINDAK_MAX_COMPLEXITY", default_value_t = 2_000,
          value_parser = ranged::<usize>("TINDAK_MAX_COMPLEXITY", 1, 1_000_000))]
    pub max_complexity: usize,

    /// Serve GraphiQL and answer schema introspection; turn off in production.
    #[arg(long, env = "TINDAK_PLAYGROUND", default_value_t = true, action = clap::ArgAction::Set)]
    pub playground: bool,

    /// Where the first start writes the token of the first ADMIN (readable by its owner only).
    #[arg(
        long,
        env = "TINDAK_ADMIN_TOKEN_FILE",
        default_value = "tindak-admin.token"
    )]
    pub admin_token_file: PathBuf,

    /// Do not run the reminder worker in this process.
    #[arg(long)]
    pub no_worker: bool,

    /// Serve metrics for Prometheus at `/metrics`.
    #[arg(long, env = "TINDAK_METRICS", default_value_t = true, action = clap::ArgAction::Set)]
    pub metrics: bool,

    #[command(flatten)]
    pub remind: RemindSettings,
}

/// What one query may ask for; checked before any resolver runs.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of fields.
    pub max_depth: usize,
    /// Most fields selected, each counting 1.
    pub max_complexity: usize,
    /// Whether clients may read the schema (GraphiQL needs it).
    pub introspection: bool,
}

impl ServeSettings {
    pub fn limits(&self) -> Limits {
        Limits {
            max_depth: self.max_depth,
            max_complexity: self.max_complexity,
            introspection: self.playground,
        }
    }
}

impl Settings {
    /// Today's calendar date in the configured time zone.
    pub fn today(&self) -> NaiveDate {
        chrono::Utc::now()
            .with_timezone(&self.timezone)
            .date_naive()
    }
}

/// How reminders are planned and delivered.
#[derive(Debug, Clone, Args)]
pub struct RemindSettings {
    /// Days before the due date on which reminders go out.
    #[arg(
        long,
        env = "TINDAK_REMIND_BEFORE_DAYS",
        value_delimiter = ',',
        default_value = "7,1",
        value_parser = ranged::<u32>("TINDAK_REMIND_BEFORE_DAYS", 0, 366)
    )]
    pub remind_before_days: Vec<u32>,

    /// While an action is overdue, a reminder every this many days.
    #[arg(long, env = "TINDAK_REMIND_OVERDUE_EVERY_DAYS", default_value_t = 7,
          value_parser = ranged::<u32>("TINDAK_REMIND_OVERDUE_EVERY_DAYS", 0, 366))]
    pub remind_overdue_every_days: u32,

    /// Days overdue after which the action is escalated to the convening ministry.
    #[arg(long, env = "TINDAK_ESCALATE_AFTER_DAYS", default_value_t = 14,
          value_parser = ranged::<u32>("TINDAK_ESCALATE_AFTER_DAYS", 0, 3660))]
    pub escalate_after_days: u32,

    /// Further addresses that receive escalations, comma-separated.
    #[arg(
        long,
        env = "TINDAK_ESCALATION_EMAILS",
        value_delimiter = ',',
        hide_env_values = true,
        value_parser = address("TINDAK_ESCALATION_EMAILS")
    )]
    pub escalation_emails: Vec<String>,

    /// How often the worker inside `serve` runs: `300`, `90s`, `5m`, `1h`.
    #[arg(long, env = "TINDAK_REMIND_INTERVAL", default_value = "5m",
          value_parser = interval("TINDAK_REMIND_INTERVAL"))]
    pub remind_interval: std::time::Duration,

    /// Delivery attempts before a reminder is given up as FAILED.
    #[arg(long, env = "TINDAK_REMIND_MAX_ATTEMPTS", default_value_t = 6,
          value_parser = ranged::<i32>("TINDAK_REMIND_MAX_ATTEMPTS", 1, 100))]
    pub remind_max_attempts: i32,

    /// How long a worker holds the reminders it claimed before others may take them over.
    #[arg(long, env = "TINDAK_REMIND_LEASE_SECS", default_value_t = 120,
          value_parser = ranged::<i64>("TINDAK_REMIND_LEASE_SECS", 1, 86_400))]
    pub remind_lease_secs: i64,

    /// When the weekly leadership digest goes out: a weekday and an hour in
    /// `TINDAK_TIMEZONE` (`mon 07:00`), or `off`.
    #[arg(long, env = "TINDAK_LEADERSHIP_DIGEST", default_value = "mon 07:00",
          value_parser = weekly("TINDAK_LEADERSHIP_DIGEST"))]
    pub leadership_digest: Weekly,

    /// Further addresses that receive the weekly leadership digest, comma-separated (every
    /// active LEADERSHIP user with an email receives it too).
    #[arg(
        long,
        env = "TINDAK_LEADERSHIP_EMAILS",
        value_delimiter = ',',
        hide_env_values = true,
        value_parser = address("TINDAK_LEADERSHIP_EMAILS")
    )]
    pub leadership_emails: Vec<String>,

    #[command(flatten)]
    pub mail: MailSettings,
}

/// A weekly moment: a weekday and a time of day, or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weekly {
    Off,
    At {
        weekday: chrono::Weekday,
        time: chrono::NaiveTime,
    },
}

/// A parser for a weekly moment: `mon 07:00` (English or Indonesian day names, in full or
/// their first three letters; `07:00` or `07.00`), or `off`.
pub fn weekly(var: &'static str) -> impl Fn(&str) -> Result<Weekly, String> + Clone + Send + Sync {
    move |value: &str| {
        let v = value.trim().to_lowercase();
        if v == "off" {
            return Ok(Weekly::Off);
        }
        let bad = || {
            format!(
                "{var} must be a weekday and an hour such as \"mon 07:00\", or \"off\", not \"{value}\""
            )
        };
        let (day, time) = v.split_once(char::is_whitespace).ok_or_else(bad)?;
        use chrono::Weekday::*;
        let days = [
            (Mon, ["mon", "monday", "sen", "senin"]),
            (Tue, ["tue", "tuesday", "sel", "selasa"]),
            (Wed, ["wed", "wednesday", "rab", "rabu"]),
            (Thu, ["thu", "thursday", "kam", "kamis"]),
            (Fri, ["fri", "friday", "jum", "jumat"]),
            (Sat, ["sat", "saturday", "sab", "sabtu"]),
            (Sun, ["sun", "sunday", "min", "minggu"]),
        ];
        let weekday = days
            .iter()
            .find(|(_, names)| names.contains(&day))
            .map(|(d, _)| *d)
            .ok_or_else(bad)?;
        let time = chrono::NaiveTime::parse_from_str(&time.trim().replace('.', ":"), "%H:%M")
            .map_err(|_| bad())?;
        Ok(Weekly::At { weekday, time })
    }
}

/// Where email goes and what links in it point to.
#[derive(Debug, Clone, Args)]
pub struct MailSettings {
    /// SMTP server: `smtp://host:25`, `smtp://user:pass@host:587?tls=required` (STARTTLS),
    /// `smtps://user:pass@host:465`. Unset: emails are written as .eml files to the mail dir.
    #[arg(long, env = "SMTP_URL", hide_env_values = true, value_parser = secret)]
    pub smtp_url: Option<SecretString>,

    /// The sender of every email.
    #[arg(long, env = "MAIL_FROM", default_value = "Tindak <tindak@localhost.localdomain>",
          value_parser = sender("MAIL_FROM"))]
    pub mail_from: Mailbox,

    /// Where emails are written when no SMTP server is set.
    #[arg(long, env = "TINDAK_MAIL_DIR", default_value = "outbox")]
    pub mail_dir: PathBuf,

    /// Seconds an SMTP conversation may take.
    #[arg(long, env = "TINDAK_SMTP_TIMEOUT_SECS", default_value_t = 30,
          value_parser = ranged::<u64>("TINDAK_SMTP_TIMEOUT_SECS", 1, 600))]
    pub smtp_timeout_secs: u64,

    /// The address of this service as liaisons reach it, for the links in emails.
    #[arg(
        long,
        env = "TINDAK_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080",
        value_parser = public_url
    )]
    pub public_url: String,

    /// Key that signs progress links. Unset: one is generated on first start and kept in
    /// the secret file.
    #[arg(long, env = "TINDAK_SECRET", hide_env_values = true, value_parser = secret)]
    pub secret: Option<SecretString>,

    /// Where the generated key is kept (readable by its owner only).
    #[arg(long, env = "TINDAK_SECRET_FILE", default_value = "tindak-secret.key")]
    pub secret_file: PathBuf,
}
