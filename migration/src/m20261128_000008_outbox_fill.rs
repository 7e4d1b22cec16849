//! On PostgreSQL, the outbox's pages keep room for updated rows. A reminder is written three
//! times after it is planned (claimed, perhaps renewed, settled), and none of those writes
//! touches an indexed column: with room on its page, the new version stays there and none of
//! the table's five indexes is written (a "HOT" update). Full pages send every version
//! elsewhere and write all five indexes each time. SQLite has no such setting.

use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE reminders SET (fillfactor = 60)")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE reminders RESET (fillfactor)")
                .await?;
        }
        Ok(())
    }
}
