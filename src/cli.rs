//! The `tindak` command line.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;
use tracing_subscriber::EnvFilter;

use crate::{
    actor::Who,
    app::{Application, shutdown_signal},
    auth::{
        self,
        service::{CreateUserInput, Role},
    },
    config::{RemindSettings, ServeSettings, Settings},
    db, demo, graphql,
    ministries::service::MinistryRef,
    reminders::worker::Reminders,
};

#[derive(Debug, Parser)]
#[command(
    name = "tindak",
    version,
    about = "Follow-up registry for inter-ministry coordination meetings"
)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the GraphQL API (migrates the database first).
    Serve(ServeSettings),
    /// Bring the database schema up to date.
    Migrate,
    /// Load the demo data (a real coordination meeting); running it again changes nothing.
    Demo,
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Benchmarks and their data.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Plan and send reminders once, and print what was planned, sent, retried and failed.
    Remind {
        /// The day reminders are planned for (YYYY-MM-DD); today by default.
        #[arg(long, value_parser = crate::config::day)]
        as_of: Option<chrono::NaiveDate>,
        /// Plan in a transaction that is rolled back, and send nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        remind: RemindSettings,
    },
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Fill an empty database with a reproducible registry (see the README).
    Seed {
        /// How many actions.
        #[arg(long)]
        actions: u64,
        /// How many meetings (the actions are spread over them).
        #[arg(long, default_value_t = 500)]
        meetings: u64,
        /// How many ministries.
        #[arg(long, default_value_t = 60)]
        ministries: u64,
        /// The seed: the same seed makes the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Measure a running server against the same rows by hand-written SQL on its database
    /// (DATABASE_URL), and print the figures side by side.
    Run {
        /// The server's address.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// A token the requests are sent with (any role).
        #[arg(
            long,
            env = "TINDAK_BENCH_TOKEN",
            hide_env_values = true,
            required_unless_present = "only_reminders"
        )]
        token: Option<String>,
        /// Concurrent clients (and connections in the SQL pool).
        #[arg(long, default_value_t = 16, value_parser = crate::config::ranged::<usize>("--clients", 1, 1024))]
        clients: usize,
        /// Seconds per phase.
        #[arg(long, default_value_t = 15, value_parser = crate::config::ranged::<u64>("--seconds", 1, 3600))]
        seconds: u64,
        /// The server's process id, for its CPU time and memory (Linux).
        #[arg(long)]
        pid: Option<u32>,
        /// Skip reminder planning and delivery (which empty the outbox of the database first,
        /// and so run only on a database `tindak bench seed` filled).
        #[arg(long, conflicts_with = "only_reminders")]
        no_reminders: bool,
        /// Measure reminder planning and delivery only (no server needed).
        #[arg(long)]
        only_reminders: bool,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a user with a token; the token is the last line printed.
    Create {
        /// The user's name (an existing user of that name and role gets a new token).
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: CliRole,
        /// The ministry a liaison speaks for, by code.
        #[arg(long)]
        ministry: Option<String>,
        /// Days until the token expires; never when left out.
        #[arg(long)]
        expires_in: Option<i64>,
    },
    /// List tokens (never the tokens themselves).
    List,
    /// Revoke a token by its id.
    Revoke { id: uuid::Uuid },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum CliRole {
    Admin,
    Secretariat,
    Liaison,
    Leadership,
}

impl From<CliRole> for Role {
    fn from(r: CliRole) -> Self {
        match r {
            CliRole::Admin => Role::Admin,
            CliRole::Secretariat => Role::Secretariat,
            CliRole::Liaison => Role::Liaison,
            CliRole::Leadership => Role::Leadership,
        }
    }
}

pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match execute(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The database drivers log statements with their values at debug level: those values hold
/// emails and token hashes, so they stay at warn whatever `RUST_LOG` asks.
const QUIET: &str = "sqlx=warn,sea_orm=warn,sea_orm_migration=warn";

fn log_filter(requested: Option<&str>) -> String {
    let kept: Vec<&str> = requested
        .unwrap_or("info")
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty() && !d.starts_with("sqlx") && !d.starts_with("sea_orm"))
        .collect();
    let base = if kept.is_empty() {
        "info".to_owned()
    } else {
        kept.join(",")
    };
    format!("{base},{QUIET}")
}

fn init_tracing() {
    let requested = std::env::var("RUST_LOG").ok();
    let filter = EnvFilter::try_new(log_filter(requested.as_deref()))
        .unwrap_or_else(|_| EnvFilter::new(log_filter(None)));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

async fn execute(cli: Cli) -> anyhow::Result<()> {
    let settings = cli.settings;
    db::log_statements_slower_than(settings.slow_statement_ms);
    match cli.command {
        Command::Schema => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Command::Migrate => {
            let db = db::connect(settings.database_url.expose_secret()).await?;
            db::migrate(&db).await?;
            tracing::info!("database is up to date");
            Ok(())
        }
        Command::Demo => {
            let db = db::connect(settings.database_url.expose_secret()).await?;
            db::migrate(&db).await?;
            let outcome = demo::load(&db, settings.timezone).await?;
            println!("{outcome}");
            Ok(())
        }
        Command::Remind {
            as_of,
            dry_run,
            remind,
        } => {
            let db = db::connect(settings.database_url.expose_secret()).await?;
            db::migrate(&db).await?;
            let service = Reminders::new(db, settings, remind)?;
            let day = as_of.unwrap_or_else(|| service.settings.today());
            let report = service.run(Some(day), dry_run).await?;
            let mode = if dry_run {
                " (dry run: nothing saved or sent)"
            } else {
                ""
            };
            println!("reminders for {day}{mode}");
            println!("planned:   {}", report.planned);
            println!("cancelled: {}", report.cancelled);
            if dry_run {
                println!("due:       {}", report.due);
            }
            println!("sent:      {} (in {} emails)", report.sent, report.emails);
            println!("retried:   {}", report.retried);
            println!("failed:    {}", report.failed);
            Ok(())
        }
        Command::Bench(BenchCommand::Seed {
            actions,
            meetings,
            ministries,
            seed,
        }) => {
            let db = db::connect(settings.database_url.expose_secret()).await?;
            db::migrate(&db).await?;
            let plan = crate::bench::seed::Plan {
                actions,
                meetings,
                ministries,
                seed,
                today: settings.today(),
            };
            let started = std::time::Instant::now();
            let made = crate::bench::seed::seed(&db, settings.timezone, plan).await?;
            println!(
                "seeded {} ministries ({} liaisons), {} meetings, {} actions, {} supporters, {} timeline entries in {:.1?}",
                made.ministries,
                made.liaisons,
                made.meetings,
                made.actions,
                made.supporters,
                made.updates,
                started.elapsed()
            );
            Ok(())
        }
        Command::Bench(BenchCommand::Run {
            addr,
            token,
            clients,
            seconds,
            pid,
            no_reminders,
            only_reminders,
        }) => {
            let db = db::connect(settings.database_url.expose_secret()).await?;
            db::migrate(&db).await?;
            let plan = crate::bench::run::Plan {
                addr,
                token: token.unwrap_or_default(),
                clients,
                seconds,
                pid,
                settings,
                reminders: !no_reminders,
                only_reminders,
            };
            crate::bench::run::run(&db, plan).await.map(|_| ())
        }
        Command::Token(command) => {
            let db = db::connect(settings.database_url.expose_secret()).await?;
            db::migrate(&db).await?;
            token_command(&db, command).await
        }
        Command::Serve(serve) => {
            let mut db = db::connect(settings.database_url.expose_secret()).await?;
            db::migrate(&db).await?;
            if serve.metrics {
                crate::metrics::handle();
                crate::metrics::count_statements(&mut db);
            }
            if auth::service::bootstrap_admin(&db, &serve.admin_token_file).await? {
                tracing::warn!(
                    "first start: created an ADMIN; its token is in {} (readable by you only). \
                     Send it as `Authorization: Bearer <token>`",
                    serve.admin_token_file.display()
                );
            }
            if serve.demo {
                demo::load_if_empty(&db, settings.timezone).await?;
            }
            let shutdown = shutdown_signal()?;
            let app = Application::build(settings, &serve, db).await?;
            tracing::info!("serving GraphQL on http://{}/graphql", app.local_addr()?);
            app.run_until_stopped(shutdown).await?;
            Ok(())
        }
    }
}

async fn token_command(
    db: &sea_orm::DatabaseConnection,
    command: TokenCommand,
) -> anyhow::Result<()> {
    let cli = Who::cli();
    match command {
        TokenCommand::Create {
            name,
            role,
            ministry,
            expires_in,
        } => {
            let input = CreateUserInput {
                name,
                email: None,
                role: role.into(),
                ministry: ministry.map(MinistryRef::Code),
            };
            let (user, token, model) =
                auth::service::token_for(db, &cli, input, expires_in).await?;
            println!(
                "token {} for {} ({})",
                model.id,
                user.name,
                sea_orm::ActiveEnum::to_value(&user.role)
            );
            if let Some(at) = model.expires_at {
                println!("expires {}", at.to_rfc3339());
            }
            println!("{}", token.expose_secret());
            Ok(())
        }
        TokenCommand::List => {
            println!(
                "{:<36}  {:<11}  {:<20}  {:<12}  {:<25}  {:<25}  last used",
                "id", "prefix", "user", "role", "expires", "revoked"
            );
            for (t, u) in auth::service::all_tokens(db).await? {
                let when = |d: Option<chrono::DateTime<chrono::Utc>>| {
                    d.map_or_else(|| "-".to_owned(), |d| d.to_rfc3339())
                };
                println!(
                    "{:<36}  {:<11}  {:<20}  {:<12}  {:<25}  {:<25}  {}",
                    t.id,
                    t.prefix,
                    u.as_ref().map_or("?", |u| u.name.as_str()),
                    u.as_ref()
                        .map_or_else(String::new, |u| sea_orm::ActiveEnum::to_value(&u.role)),
                    when(t.expires_at),
                    when(t.revoked_at),
                    when(t.last_used_at),
                );
            }
            Ok(())
        }
        TokenCommand::Revoke { id } => {
            auth::service::revoke_token(db, &cli, id).await?;
            println!("revoked {id}");
            Ok(())
        }
    }
}
