//! The reminder outbox.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Actions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Reminders {
    Table,
    Id,
    ActionId,
    LiaisonId,
    Email,
    RecipientName,
    Language,
    Role,
    Kind,
    PlannedFor,
    OffsetDays,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseOwner,
    LeaseUntil,
    LastError,
    MessageId,
    SentAt,
    ReportedAt,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Reminders::Table)
                    .col(id(Reminders::Id))
                    .col(uuid(Reminders::ActionId))
                    .col(uuid_null(Reminders::LiaisonId))
                    .col(text(Reminders::Email))
                    .col(text_null(Reminders::RecipientName))
                    .col(code(Reminders::Language, 8))
                    .col(code(Reminders::Role, 16))
                    .col(code(Reminders::Kind, 16))
                    .col(ColumnDef::new(Reminders::PlannedFor).date().not_null())
                    .col(ColumnDef::new(Reminders::OffsetDays).integer().not_null())
                    .col(code(Reminders::Status, 16))
                    .col(
                        ColumnDef::new(Reminders::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(instant(Reminders::NextAttemptAt))
                    .col(ColumnDef::new(Reminders::LeaseOwner).string_len(128).null())
                    .col(instant_null(Reminders::LeaseUntil))
                    .col(long_text_null(Reminders::LastError))
                    .col(text_null(Reminders::MessageId))
                    .col(instant_null(Reminders::SentAt))
                    .col(instant_null(Reminders::ReportedAt))
                    .col(instant(Reminders::CreatedAt))
                    .col(instant(Reminders::UpdatedAt))
                    .foreign_key(&mut fk(
                        Reminders::Table,
                        Reminders::ActionId,
                        Actions::Table,
                        Actions::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        let mut unique = index(
            "uq_reminders_plan",
            Reminders::Table,
            &["action_id", "email", "kind", "planned_for", "offset_days"],
        );
        unique.unique();
        manager.create_index(unique).await?;
        for stmt in [
            index(
                "idx_reminders_due",
                Reminders::Table,
                &["status", "next_attempt_at"],
            ),
            index(
                "idx_reminders_email",
                Reminders::Table,
                &["email", "status"],
            ),
            index("idx_reminders_action", Reminders::Table, &["action_id"]),
        ] {
            manager.create_index(stmt).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Reminders::Table).if_exists().take())
            .await
    }
}
