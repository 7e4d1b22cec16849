//! On SQLite, `reminder_days` is stored in the order of its key, the action, with no row
//! number of its own (`WITHOUT ROWID`). A table with a key other than an integer kept two
//! B-trees, the rows by row number and the key pointing to them, so that each next day
//! planning wrote went through the key's index to find the row, then wrote it in the other.
//! Planning writes the next day of every action it looks at (60,000 in the backlog of
//! 100,000 actions): keyed by the action alone, those writes took about a third less
//! (measured on copies of one seeded database, README, Performance, twenty-second round).
//! The rows are narrow (a key, a day, two counters), which is what such a table suits.
//!
//! The table is copied into its new form, in the migrations' transaction (all or nothing);
//! its indexes are made again on the copy. PostgreSQL keeps its tables as they are: it has
//! no row numbers to drop, and nothing changes there.

use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The table in its form before (`""`) or after (`" WITHOUT ROWID"`), with the columns and
/// types the migrations before made.
fn table(name: &str, form: &str) -> String {
    format!(
        "CREATE TABLE \"{name}\" ( \
           \"action_id\" uuid_text NOT NULL PRIMARY KEY, \
           \"next_on\" date_text NOT NULL, \
           \"generation\" integer NOT NULL DEFAULT 0, \
           \"settled\" INTEGER NOT NULL DEFAULT 0, \
           FOREIGN KEY (\"action_id\") REFERENCES \"actions\" (\"id\") ON DELETE CASCADE \
         ){form}"
    )
}

/// Copies `reminder_days` into a table of `form` and makes its indexes again.
async fn copy_into(manager: &SchemaManager<'_>, form: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        return Ok(());
    }
    let db = manager.get_connection();
    for sql in [
        table("reminder_days_copy", form),
        "INSERT INTO reminder_days_copy (action_id, next_on, generation, settled) \
         SELECT action_id, next_on, generation, settled FROM reminder_days"
            .into(),
        "DROP TABLE reminder_days".into(),
        "ALTER TABLE reminder_days_copy RENAME TO reminder_days".into(),
        "CREATE INDEX \"idx_reminder_days_next_on\" ON \"reminder_days\" (\"next_on\", \"action_id\")"
            .into(),
        "CREATE INDEX idx_reminder_days_unsettled ON reminder_days (action_id) \
         WHERE generation <> settled"
            .into(),
    ] {
        db.execute_unprepared(&sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        copy_into(manager, " WITHOUT ROWID").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        copy_into(manager, "").await
    }
}
