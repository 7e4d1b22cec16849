//! The completion date kept on the timeline entry that marks an action DONE, so that a
//! report for a past date knows when each action was finished even after it was reopened.
//! Existing DONE entries take their action's completion date when that entry is the
//! action's latest status change, and the date of the entry (UTC) otherwise.

use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("action_updates"))
                    .add_column(ColumnDef::new(Alias::new("completed_on")).date().null())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let day_of_entry = match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => "CAST((created_at AT TIME ZONE 'UTC') AS DATE)",
            _ => "substr(created_at, 1, 10)",
        };
        db.execute_unprepared(&format!(
            "UPDATE action_updates SET completed_on = COALESCE( \
               (SELECT a.completed_on FROM actions a WHERE a.id = action_updates.action_id \
                  AND a.status = 'DONE' AND NOT EXISTS ( \
                    SELECT 1 FROM action_updates later \
                     WHERE later.action_id = action_updates.action_id \
                       AND later.to_status IS NOT NULL \
                       AND later.created_at > action_updates.created_at)), \
               {day_of_entry}) \
             WHERE to_status = 'DONE'"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("action_updates"))
                    .drop_column(Alias::new("completed_on"))
                    .to_owned(),
            )
            .await
    }
}
