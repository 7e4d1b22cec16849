//! The follow-up registry: ministries, liaisons, meetings, issues, actions and their timeline.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Ministries {
    Table,
    Id,
    Code,
    Name,
    ShortName,
    Kind,
    ParentId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Liaisons {
    Table,
    Id,
    MinistryId,
    Name,
    Email,
    Position,
    Language,
    ReceivesReminders,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Meetings {
    Table,
    Id,
    Title,
    StartsAt,
    TimeZone,
    Location,
    Chair,
    ChairPosition,
    ConvenedById,
    Summary,
    SourceUrl,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MeetingAttendees {
    Table,
    MeetingId,
    MinistryId,
    Position,
    Representatives,
}

#[derive(DeriveIden)]
enum Issues {
    Table,
    Id,
    MeetingId,
    Title,
    Description,
    Category,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Actions {
    Table,
    Id,
    MeetingId,
    IssueId,
    Title,
    Description,
    LeadMinistryId,
    DueOn,
    OriginalDueOn,
    Priority,
    Status,
    CompletedOn,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ActionSupporters {
    Table,
    ActionId,
    MinistryId,
    Position,
}

#[derive(DeriveIden)]
enum ActionUpdates {
    Table,
    Id,
    ActionId,
    Note,
    FromStatus,
    ToStatus,
    PreviousDueOn,
    NewDueOn,
    Author,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict, SetNull};

        manager
            .create_table(
                Table::create()
                    .table(Ministries::Table)
                    .col(id(Ministries::Id))
                    .col(code(Ministries::Code, 64).unique_key())
                    .col(text(Ministries::Name))
                    .col(text_null(Ministries::ShortName))
                    .col(code(Ministries::Kind, 32))
                    .col(uuid_null(Ministries::ParentId))
                    .col(instant(Ministries::CreatedAt))
                    .col(instant(Ministries::UpdatedAt))
                    .foreign_key(&mut fk(
                        Ministries::Table,
                        Ministries::ParentId,
                        Ministries::Table,
                        Ministries::Id,
                        SetNull,
                    ))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Liaisons::Table)
                    .col(id(Liaisons::Id))
                    .col(uuid(Liaisons::MinistryId))
                    .col(text(Liaisons::Name))
                    .col(text(Liaisons::Email))
                    .col(text_null(Liaisons::Position))
                    .col(code(Liaisons::Language, 8))
                    .col(
                        ColumnDef::new(Liaisons::ReceivesReminders)
                            .boolean()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Liaisons::Active).boolean().not_null())
                    .col(instant(Liaisons::CreatedAt))
                    .col(instant(Liaisons::UpdatedAt))
                    .foreign_key(&mut fk(
                        Liaisons::Table,
                        Liaisons::MinistryId,
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
                    .table(Meetings::Table)
                    .col(id(Meetings::Id))
                    .col(text(Meetings::Title))
                    .col(instant(Meetings::StartsAt))
                    .col(code(Meetings::TimeZone, 64))
                    .col(text_null(Meetings::Location))
                    .col(text_null(Meetings::Chair))
                    .col(text_null(Meetings::ChairPosition))
                    .col(uuid(Meetings::ConvenedById))
                    .col(long_text_null(Meetings::Summary))
                    .col(text_null(Meetings::SourceUrl))
                    .col(version(Meetings::Version))
                    .col(instant(Meetings::CreatedAt))
                    .col(instant(Meetings::UpdatedAt))
                    .foreign_key(&mut fk(
                        Meetings::Table,
                        Meetings::ConvenedById,
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
                    .table(MeetingAttendees::Table)
                    .col(uuid(MeetingAttendees::MeetingId))
                    .col(uuid(MeetingAttendees::MinistryId))
                    .col(
                        ColumnDef::new(MeetingAttendees::Position)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MeetingAttendees::Representatives)
                            .json()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(MeetingAttendees::MeetingId)
                            .col(MeetingAttendees::MinistryId),
                    )
                    .foreign_key(&mut fk(
                        MeetingAttendees::Table,
                        MeetingAttendees::MeetingId,
                        Meetings::Table,
                        Meetings::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        MeetingAttendees::Table,
                        MeetingAttendees::MinistryId,
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
                    .table(Issues::Table)
                    .col(id(Issues::Id))
                    .col(uuid(Issues::MeetingId))
                    .col(text(Issues::Title))
                    .col(long_text_null(Issues::Description))
                    .col(text_null(Issues::Category))
                    .col(code(Issues::Status, 16))
                    .col(instant(Issues::CreatedAt))
                    .col(instant(Issues::UpdatedAt))
                    .foreign_key(&mut fk(
                        Issues::Table,
                        Issues::MeetingId,
                        Meetings::Table,
                        Meetings::Id,
                        Restrict,
                    ))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Actions::Table)
                    .col(id(Actions::Id))
                    .col(uuid(Actions::MeetingId))
                    .col(uuid_null(Actions::IssueId))
                    .col(text(Actions::Title))
                    .col(long_text_null(Actions::Description))
                    .col(uuid(Actions::LeadMinistryId))
                    .col(ColumnDef::new(Actions::DueOn).date().not_null())
                    .col(ColumnDef::new(Actions::OriginalDueOn).date().not_null())
                    .col(ColumnDef::new(Actions::Priority).integer().not_null())
                    .col(code(Actions::Status, 16))
                    .col(ColumnDef::new(Actions::CompletedOn).date().null())
                    .col(version(Actions::Version))
                    .col(instant(Actions::CreatedAt))
                    .col(instant(Actions::UpdatedAt))
                    .foreign_key(&mut fk(
                        Actions::Table,
                        Actions::MeetingId,
                        Meetings::Table,
                        Meetings::Id,
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        Actions::Table,
                        Actions::IssueId,
                        Issues::Table,
                        Issues::Id,
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        Actions::Table,
                        Actions::LeadMinistryId,
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
                    .table(ActionSupporters::Table)
                    .col(uuid(ActionSupporters::ActionId))
                    .col(uuid(ActionSupporters::MinistryId))
                    .col(
                        ColumnDef::new(ActionSupporters::Position)
                            .integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ActionSupporters::ActionId)
                            .col(ActionSupporters::MinistryId),
                    )
                    .foreign_key(&mut fk(
                        ActionSupporters::Table,
                        ActionSupporters::ActionId,
                        Actions::Table,
                        Actions::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        ActionSupporters::Table,
                        ActionSupporters::MinistryId,
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
                    .table(ActionUpdates::Table)
                    .col(id(ActionUpdates::Id))
                    .col(uuid(ActionUpdates::ActionId))
                    .col(long_text_null(ActionUpdates::Note))
                    .col(
                        ColumnDef::new(ActionUpdates::FromStatus)
                            .string_len(16)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ActionUpdates::ToStatus)
                            .string_len(16)
                            .null(),
                    )
                    .col(ColumnDef::new(ActionUpdates::PreviousDueOn).date().null())
                    .col(ColumnDef::new(ActionUpdates::NewDueOn).date().null())
                    .col(text_null(ActionUpdates::Author))
                    .col(instant(ActionUpdates::CreatedAt))
                    .foreign_key(&mut fk(
                        ActionUpdates::Table,
                        ActionUpdates::ActionId,
                        Actions::Table,
                        Actions::Id,
                        Cascade,
                    ))
                    .take(),
            )
            .await?;

        let indexes = [
            index("idx_liaisons_ministry", Liaisons::Table, &["ministry_id"]),
            index("idx_ministries_parent", Ministries::Table, &["parent_id"]),
            index("idx_meetings_starts_at", Meetings::Table, &["starts_at"]),
            index(
                "idx_meetings_convened_by",
                Meetings::Table,
                &["convened_by_id"],
            ),
            index(
                "idx_attendees_ministry",
                MeetingAttendees::Table,
                &["ministry_id"],
            ),
            index("idx_issues_meeting", Issues::Table, &["meeting_id"]),
            index(
                "idx_actions_status_due",
                Actions::Table,
                &["status", "due_on"],
            ),
            index("idx_actions_due", Actions::Table, &["due_on"]),
            index("idx_actions_lead", Actions::Table, &["lead_ministry_id"]),
            index("idx_actions_meeting", Actions::Table, &["meeting_id"]),
            index("idx_actions_issue", Actions::Table, &["issue_id"]),
            index(
                "idx_supporters_ministry",
                ActionSupporters::Table,
                &["ministry_id"],
            ),
            index(
                "idx_updates_action",
                ActionUpdates::Table,
                &["action_id", "created_at"],
            ),
        ];
        for stmt in indexes {
            manager.create_index(stmt).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ActionUpdates::Table.into_iden(),
            ActionSupporters::Table.into_iden(),
            Actions::Table.into_iden(),
            Issues::Table.into_iden(),
            MeetingAttendees::Table.into_iden(),
            Meetings::Table.into_iden(),
            Liaisons::Table.into_iden(),
            Ministries::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().take())
                .await?;
        }
        Ok(())
    }
}
