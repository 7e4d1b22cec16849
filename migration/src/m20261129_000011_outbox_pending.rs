//! The index delivery claims through holds the pending reminders only. Over
//! `(email, status, next_attempt_at)` it held every reminder ever sent, so that finding the
//! recipients with something due walked the whole outbox's history of each of them, and
//! every reminder recorded as sent wrote a new entry into it. Over `(email, next_attempt_at)
//! WHERE status = 'PENDING'` it holds what is still to send: a recipient's due reminders are
//! found in one seek, the next recipient in another, and a sent reminder leaves the index.
//! Queries name the status as a literal so that both engines see they may use it.

use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX idx_reminders_pending ON reminders (email, next_attempt_at) \
             WHERE status = 'PENDING'",
        )
        .await?;
        db.execute_unprepared("DROP INDEX idx_reminders_recipient")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX idx_reminders_recipient ON reminders (email, status, next_attempt_at)",
        )
        .await?;
        db.execute_unprepared("DROP INDEX idx_reminders_pending")
            .await?;
        Ok(())
    }
}
