//! Meeting continuity: an issue may be discussed at several meetings (`issue_meetings`; each
//! existing issue is linked to the meeting that raised it), it keeps a timeline of its own
//! (`issue_updates`) and a version for `expectedVersion`; each ministry has a calendar key
//! generation, bumped to revoke its feed's address; the weekly leadership digest has an
//! outbox of its own (`leadership_digests`), one row per slot and recipient.

use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Issues {
    Table,
    Id,
    Version,
}

#[derive(DeriveIden)]
enum Meetings {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Ministries {
    Table,
    CalendarKeyGeneration,
}

#[derive(DeriveIden)]
enum IssueMeetings {
    Table,
    IssueId,
    MeetingId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IssueUpdates {
    Table,
    Id,
    IssueId,
    MeetingId,
    Note,
    FromStatus,
    ToStatus,
    Author,
    AuthorId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LeadershipDigests {
    Table,
    Id,
    Slot,
    Email,
    RecipientName,
    UserId,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseOwner,
    LeaseUntil,
    LastError,
    MessageId,
    SentAt,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IssueMeetings::Table)
                    .col(uuid(IssueMeetings::IssueId))
                    .col(uuid(IssueMeetings::MeetingId))
                    .col(instant(IssueMeetings::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IssueMeetings::IssueId)
                            .col(IssueMeetings::MeetingId),
                    )
                    .foreign_key(&mut fk(
                        IssueMeetings::Table,
                        IssueMeetings::IssueId,
                        Issues::Table,
                        Issues::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        IssueMeetings::Table,
                        IssueMeetings::MeetingId,
                        Meetings::Table,
                        Meetings::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_issue_meetings_meeting",
                IssueMeetings::Table,
                &["meeting_id"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IssueUpdates::Table)
                    .col(id(IssueUpdates::Id))
                    .col(uuid(IssueUpdates::IssueId))
                    .col(uuid_null(IssueUpdates::MeetingId))
                    .col(long_text_null(IssueUpdates::Note))
                    .col(
                        ColumnDef::new(IssueUpdates::FromStatus)
                            .string_len(16)
                            .null(),
                    )
                    .col(ColumnDef::new(IssueUpdates::ToStatus).string_len(16).null())
                    .col(text_null(IssueUpdates::Author))
                    .col(uuid_null(IssueUpdates::AuthorId))
                    .col(instant(IssueUpdates::CreatedAt))
                    .foreign_key(&mut fk(
                        IssueUpdates::Table,
                        IssueUpdates::IssueId,
                        Issues::Table,
                        Issues::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_issue_updates_issue",
                IssueUpdates::Table,
                &["issue_id", "created_at"],
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Issues::Table)
                    .add_column(version(Issues::Version))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Ministries::Table)
                    .add_column(
                        ColumnDef::new(Ministries::CalendarKeyGeneration)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LeadershipDigests::Table)
                    .col(id(LeadershipDigests::Id))
                    .col(ColumnDef::new(LeadershipDigests::Slot).date().not_null())
                    .col(text(LeadershipDigests::Email))
                    .col(text_null(LeadershipDigests::RecipientName))
                    .col(uuid_null(LeadershipDigests::UserId))
                    .col(code(LeadershipDigests::Status, 16))
                    .col(
                        ColumnDef::new(LeadershipDigests::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(instant(LeadershipDigests::NextAttemptAt))
                    .col(text_null(LeadershipDigests::LeaseOwner))
                    .col(instant_null(LeadershipDigests::LeaseUntil))
                    .col(long_text_null(LeadershipDigests::LastError))
                    .col(text_null(LeadershipDigests::MessageId))
                    .col(instant_null(LeadershipDigests::SentAt))
                    .col(instant(LeadershipDigests::CreatedAt))
                    .col(instant(LeadershipDigests::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        let mut once = index(
            "idx_leadership_digests_once",
            LeadershipDigests::Table,
            &["slot", "email"],
        );
        once.unique();
        manager.create_index(once).await?;
        manager
            .create_index(index(
                "idx_leadership_digests_due",
                LeadershipDigests::Table,
                &["status", "next_attempt_at"],
            ))
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO issue_meetings (issue_id, meeting_id, created_at) \
                 SELECT id, meeting_id, created_at FROM issues",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LeadershipDigests::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(IssueUpdates::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(IssueMeetings::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Issues::Table)
                    .drop_column(Issues::Version)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Ministries::Table)
                    .drop_column(Ministries::CalendarKeyGeneration)
                    .to_owned(),
            )
            .await
    }
}
