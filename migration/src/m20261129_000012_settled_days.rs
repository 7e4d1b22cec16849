//! Each action's day row records the generation whose stale reminders were last cancelled
//! (`reminder_days.settled`). Every change that can make a pending reminder stale (the action
//! closed or rescheduled, a liaison removed or muted) raises the action's generation, so a
//! run checks the pending reminders of the actions whose generation moved since, found
//! through a partial index, instead of every pending reminder of the outbox against its
//! action and liaison (at 1,000,000 actions, the check of two million pending reminders was
//! most of the 12.7 s a run with nothing new took; at 100,000, 0.7-1.1 s on PostgreSQL against
//! 0.09-0.21 s with the check per changed action).
//!
//! The rows already there are marked unsettled, so that the first run after the upgrade
//! checks them all once, as every run did before.

use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE reminder_days ADD COLUMN settled INTEGER NOT NULL DEFAULT 0",
        )
        .await?;
        db.execute_unprepared("UPDATE reminder_days SET settled = -1")
            .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_reminder_days_unsettled ON reminder_days (action_id) \
             WHERE generation <> settled",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX idx_reminder_days_unsettled")
            .await?;
        db.execute_unprepared("ALTER TABLE reminder_days DROP COLUMN settled")
            .await?;
        Ok(())
    }
}
