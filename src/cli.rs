//! The `tindak` command line.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::{
    app::{Application, shutdown_signal},
    config::{ServeSettings, Settings},
    db, demo, graphql,
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

fn init_tracing() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

async fn execute(cli: Cli) -> anyhow::Result<()> {
    let settings = cli.settings;
    match cli.command {
        Command::Schema => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Command::Migrate => {
            let db = db::connect(&settings.database_url).await?;
            db::migrate(&db).await?;
            tracing::info!("database is up to date");
            Ok(())
        }
        Command::Demo => {
            let db = db::connect(&settings.database_url).await?;
            db::migrate(&db).await?;
            let outcome = demo::load(&db, settings.timezone).await?;
            println!("{outcome}");
            Ok(())
        }
        Command::Serve(serve) => {
            let db = db::connect(&settings.database_url).await?;
            db::migrate(&db).await?;
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
