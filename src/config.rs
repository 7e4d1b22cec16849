//! Settings from flags and environment, with defaults that run out of the box.

use std::{net::SocketAddr, path::PathBuf};

use chrono::NaiveDate;
use chrono_tz::Tz;
use clap::Args;

/// Settings every command shares.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Database to use: `sqlite://FILE?mode=rwc` (embedded) or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://tindak.db?mode=rwc",
        hide_env_values = true,
        global = true
    )]
    pub database_url: String,

    /// Time zone that due dates and "today" are judged in (IANA name).
    #[arg(
        long,
        env = "TINDAK_TIMEZONE",
        default_value = "Asia/Jakarta",
        global = true
    )]
    pub timezone: Tz,
}

/// Settings of the HTTP server.
#[derive(Debug, Clone, Args)]
pub struct ServeSettings {
    /// Address to listen on.
    #[arg(long, env = "TINDAK_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Load the demo data when the database holds no meeting yet.
    #[arg(long)]
    pub demo: bool,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "TINDAK_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Longest a request may take, in seconds.
    #[arg(long, env = "TINDAK_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// Deepest nesting a query may have (GraphiQL's schema query needs 13).
    #[arg(long, env = "TINDAK_MAX_DEPTH", default_value_t = 16)]
    pub max_depth: usize,

    /// Most fields a query may select.
    #[arg(long, env = "TINDAK_MAX_COMPLEXITY", default_value_t = 2_000)]
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

    #[command(flatten)]
    pub remind: RemindSettings,
}

impl ServeSettings {
    pub fn limits(&self) -> crate::graphql::Limits {
        crate::graphql::Limits {
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
        default_value = "7,1"
    )]
    pub remind_before_days: Vec<u32>,

    /// While an action is overdue, a reminder every this many days.
    #[arg(long, env = "TINDAK_REMIND_OVERDUE_EVERY_DAYS", default_value_t = 7)]
    pub remind_overdue_every_days: u32,

    /// Days overdue after which the action is escalated to the convening ministry.
    #[arg(long, env = "TINDAK_ESCALATE_AFTER_DAYS", default_value_t = 14)]
    pub escalate_after_days: u32,

    /// Further addresses that receive escalations, comma-separated.
    #[arg(
        long,
        env = "TINDAK_ESCALATION_EMAILS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub escalation_emails: Vec<String>,

    /// How often the worker inside `serve` runs: `300`, `90s`, `5m`, `1h`.
    #[arg(long, env = "TINDAK_REMIND_INTERVAL", default_value = "5m", value_parser = parse_interval)]
    pub remind_interval: std::time::Duration,

    /// Delivery attempts before a reminder is given up as FAILED.
    #[arg(long, env = "TINDAK_REMIND_MAX_ATTEMPTS", default_value_t = 6)]
    pub remind_max_attempts: i32,

    /// How long a worker holds the reminders it claimed before others may take them over.
    #[arg(long, env = "TINDAK_REMIND_LEASE_SECS", default_value_t = 120)]
    pub remind_lease_secs: i64,

    #[command(flatten)]
    pub mail: MailSettings,
}

/// Where email goes and what links in it point to.
#[derive(Debug, Clone, Args)]
pub struct MailSettings {
    /// SMTP server: `smtp://host:25`, `smtp://user:pass@host:587?tls=required` (STARTTLS),
    /// `smtps://user:pass@host:465`. Unset: emails are written as .eml files to the mail dir.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of every email.
    #[arg(long, env = "MAIL_FROM", default_value = "Tindak <tindak@localhost>")]
    pub mail_from: String,

    /// Where emails are written when no SMTP server is set.
    #[arg(long, env = "TINDAK_MAIL_DIR", default_value = "outbox")]
    pub mail_dir: PathBuf,

    /// Seconds an SMTP conversation may take.
    #[arg(long, env = "TINDAK_SMTP_TIMEOUT_SECS", default_value_t = 30)]
    pub smtp_timeout_secs: u64,

    /// The address of this service as liaisons reach it, for the links in emails.
    #[arg(
        long,
        env = "TINDAK_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub public_url: String,

    /// Key that signs progress links. Unset: one is generated on first start and kept in
    /// the secret file.
    #[arg(long, env = "TINDAK_SECRET", hide_env_values = true)]
    pub secret: Option<String>,

    /// Where the generated key is kept (readable by its owner only).
    #[arg(long, env = "TINDAK_SECRET_FILE", default_value = "tindak-secret.key")]
    pub secret_file: PathBuf,
}

/// `300`, `300s`, `5m`, `1h` as a duration.
pub fn parse_interval(value: &str) -> Result<std::time::Duration, String> {
    let value = value.trim();
    let (number, unit) = match value.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => value.split_at(i),
        None => (value, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("\"{value}\" is not a duration such as 300, 90s, 5m or 1h"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return Err(format!("\"{value}\": the unit must be s, m or h")),
    };
    if secs == 0 {
        return Err("the interval must be longer than zero".into());
    }
    Ok(std::time::Duration::from_secs(secs))
}
