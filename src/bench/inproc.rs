//! The nested page inside the process, one request after another, with no HTTP: the
//! statement the server runs for it written by hand, then the same page through the GraphQL
//! schema as the server runs it (validation and execution of the parsed query, which the
//! server keeps by its text), and the same query
//! against async-graphql alone, over the same rows in memory (see [`super::bare`]). What lies
//! between the statements and the execution is the share of async-graphql, the DataLoader and
//! the row decoding; the third way says how much of it is async-graphql's own.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use async_graphql::parser::types::ExecutableDocument;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use uuid::Uuid;

use super::run::PAGE_QUERY;
use crate::{
    actor::Who,
    config::{Limits, Settings},
    graphql::{TindakSchema, loaders::new_loader},
};

/// Mean time per request of each way, in wall-clock time and in the benchmark process's CPU
/// time (all its threads; the database server's own work is not in it).
#[derive(Debug, Clone, Copy, Default)]
pub struct Split {
    pub rounds: u32,
    pub wall: Ways,
    pub cpu: Ways,
}

/// A time per request of each way.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ways {
    /// The page, its lead ministries and its meetings by hand-written SQL (one statement).
    pub sql: Duration,
    /// `schema.execute` of the page query.
    pub graphql: Duration,
    /// The same query against async-graphql alone, the rows in memory.
    pub bare: Duration,
}

impl Ways {
    fn per(self, rounds: u32) -> Self {
        let per = |d: Duration| d / rounds.max(1);
        Self {
            sql: per(self.sql),
            graphql: per(self.graphql),
            bare: per(self.bare),
        }
    }
}

/// This process's CPU time so far.
fn cpu() -> Duration {
    super::load::cpu_time(std::process::id()).unwrap_or_default()
}

/// The page as the server reads it: the columns its fields need of the actions, of their lead
/// ministries and of their meetings, joined.
const PAGE_ROWS: &str = "SELECT a.id, a.title, a.lead_ministry_id, a.due_on, a.meeting_id, \
     l.id, l.name, m.id, m.title \
     FROM actions a JOIN ministries l ON l.id = a.lead_ministry_id \
     JOIN meetings m ON m.id = a.meeting_id \
     WHERE a.status = 'OPEN' ORDER BY a.due_on, a.id LIMIT 101";

/// The page's statement by hand.
async fn by_sql(db: &DatabaseConnection) -> anyhow::Result<usize> {
    let backend = db.get_database_backend();
    let page = db
        .query_all_raw(Statement::from_string(backend, PAGE_ROWS))
        .await?;
    Ok(page.len())
}

/// The page through Tindak's schema, its query parsed beforehand as the server keeps it.
async fn by_graphql(
    schema: &TindakSchema,
    db: &DatabaseConnection,
    doc: &ExecutableDocument,
) -> anyhow::Result<()> {
    let mut request = async_graphql::Request::new(PAGE_QUERY)
        .data(new_loader(db.clone()))
        .data(Who::cli());
    request.set_parsed_query(doc.clone());
    let response = schema.execute(request).await;
    anyhow::ensure!(
        response.errors.is_empty(),
        "the page query failed: {:?}",
        response.errors
    );
    Ok(())
}

/// Runs each way `rounds` times, in alternating blocks.
pub async fn run(
    db: &DatabaseConnection,
    settings: &Settings,
    rounds: u32,
) -> anyhow::Result<Split> {
    let dir = std::env::temp_dir().join(format!("tindak-bench-{}", Uuid::now_v7()));
    let reminders = Arc::new(super::reminders::service(db, settings, None, &dir)?);
    let limits = Limits {
        max_depth: 16,
        max_complexity: 2_000,
        introspection: true,
    };
    let schema = crate::graphql::build(
        db.clone(),
        settings.clone(),
        limits,
        reminders,
        Arc::default(),
    );
    let bare = super::bare::Bare::load(db).await?;
    // Parsed once, as the server keeps the documents of the queries it is sent.
    let doc = async_graphql::parser::parse_query(PAGE_QUERY)?;
    // Warm the three, and check that they answer the same page.
    let rows = by_sql(db).await?;
    by_graphql(&schema, db, &doc).await?;
    let nodes = bare.count(&doc).await?;
    anyhow::ensure!(
        nodes == rows.min(100),
        "async-graphql alone returned {nodes} actions, the statement {rows} rows"
    );
    let mut split = Split {
        rounds,
        ..Split::default()
    };
    const BLOCK: u32 = 20;
    let mut done = 0;
    while done < rounds {
        let n = BLOCK.min(rounds - done);
        let (t, c) = (Instant::now(), cpu());
        for _ in 0..n {
            by_sql(db).await?;
        }
        split.wall.sql += t.elapsed();
        split.cpu.sql += cpu().saturating_sub(c);
        let (t, c) = (Instant::now(), cpu());
        for _ in 0..n {
            by_graphql(&schema, db, &doc).await?;
        }
        split.wall.graphql += t.elapsed();
        split.cpu.graphql += cpu().saturating_sub(c);
        let (t, c) = (Instant::now(), cpu());
        for _ in 0..n {
            bare.execute(&doc).await?;
        }
        split.wall.bare += t.elapsed();
        split.cpu.bare += cpu().saturating_sub(c);
        done += n;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Split {
        rounds,
        wall: split.wall.per(rounds),
        cpu: split.cpu.per(rounds),
    })
}
