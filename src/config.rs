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
