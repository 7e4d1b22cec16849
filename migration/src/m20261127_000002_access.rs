//! Access control and audit: users, their API tokens, the audit trail, and the author of
//! each timeline entry.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Ministries {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Name,
    Email,
    Role,
    MinistryId,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    UserId,
    Name,
    Prefix,
    TokenHash,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    ActorId,
    ActorName,
    TokenId,
    Operation,
    Outcome,
    EntityType,
    EntityId,
    Before,
    After,
    RequestId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ActionUpdates {
    Table,
    AuthorId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict};

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(id(Users::Id))
                    .col(text(Users::Name))
                    .col(text_null(Users::Email))
                    .col(code(Users::Role, 16))
                    .col(uuid_null(Users::MinistryId))
                    .col(ColumnDef::new(Users::Active).boolean().not_null())
                    .col(instant(Users::CreatedAt))
                    .col(instant(Users::UpdatedAt))
                    .foreign_key(&mut fk(
                        Users::Table,
                        Users::MinistryId,
                        Ministries::Table,
                        Ministries::Id,
                        Restrict,
                    ))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(id(ApiTokens::Id))
                    .col(uuid(ApiTokens::UserId))
                    .col(text(ApiTokens::Name))
                    .col(code(ApiTokens::Prefix, 16))
                    .col(code(ApiTokens::TokenHash, 64).unique_key())
                    .col(instant_null(ApiTokens::ExpiresAt))
                    .col(instant_null(ApiTokens::RevokedAt))
                    .col(instant_null(ApiTokens::LastUsedAt))
                    .col(instant(ApiTokens::CreatedAt))
                    .foreign_key(&mut fk(
                        ApiTokens::Table,
                        ApiTokens::UserId,
                        Users::Table,
                        Users::Id,
                        Cascade,
                    ))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(id(AuditEvents::Id))
                    .col(uuid_null(AuditEvents::ActorId))
                    .col(text_null(AuditEvents::ActorName))
                    .col(uuid_null(AuditEvents::TokenId))
                    .col(code(AuditEvents::Operation, 64))
                    .col(code(AuditEvents::Outcome, 16))
                    .col(
                        ColumnDef::new(AuditEvents::EntityType)
                            .string_len(32)
                            .null(),
                    )
                    .col(uuid_null(AuditEvents::EntityId))
                    .col(ColumnDef::new(AuditEvents::Before).json().null())
                    .col(ColumnDef::new(AuditEvents::After).json().null())
                    .col(ColumnDef::new(AuditEvents::RequestId).string_len(64).null())
                    .col(instant(AuditEvents::CreatedAt))
                    .take(),
            )
            .await?;

        // SQLite cannot add a foreign key to an existing table; the column is checked by
        // the service that writes it.
        manager
            .alter_table(
                Table::alter()
                    .table(ActionUpdates::Table)
                    .add_column(uuid_null(ActionUpdates::AuthorId))
                    .take(),
            )
            .await?;

        for stmt in [
            index("idx_users_ministry", Users::Table, &["ministry_id"]),
            index("idx_tokens_user", ApiTokens::Table, &["user_id"]),
            index(
                "idx_audit_entity",
                AuditEvents::Table,
                &["entity_id", "created_at"],
            ),
            index(
                "idx_audit_actor",
                AuditEvents::Table,
                &["actor_id", "created_at"],
            ),
            index("idx_audit_created", AuditEvents::Table, &["created_at"]),
        ] {
            manager.create_index(stmt).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ActionUpdates::Table)
                    .drop_column(ActionUpdates::AuthorId)
                    .take(),
            )
            .await?;
        for table in [
            AuditEvents::Table.into_iden(),
            ApiTokens::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().take())
                .await?;
        }
        Ok(())
    }
}
