//! Planning reads only what can produce a reminder. Each action keeps the next day on which
//! the reminder policy calls for something new (`next_reminder_on`): `0001-01-01` means "look
//! at it on the next run" (new, changed, or its ministries' liaisons changed), `9999-12-31`
//! means never (closed). `reminder_generation` counts the changes made to an action from
//! outside it (its ministries' liaisons, its meeting's convener), so that a planner that read
//! the action before such a change does not overwrite the "look again". `planner_state` keeps
//! the policy the days were computed under; another policy makes every open action be looked
//! at again. Existing open actions are looked at on the first run.

use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("actions"))
                    .add_column(
                        ColumnDef::new(Alias::new("next_reminder_on"))
                            .date()
                            .not_null()
                            .default("0001-01-01"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("actions"))
                    .add_column(
                        ColumnDef::new(Alias::new("reminder_generation"))
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE actions SET next_reminder_on = '9999-12-31' \
                 WHERE status IN ('DONE', 'CANCELLED')",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_actions_next_reminder_on")
                    .table(Alias::new("actions"))
                    .col(Alias::new("next_reminder_on"))
                    .col(Alias::new("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("planner_state"))
                    .col(
                        ColumnDef::new(Alias::new("name"))
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Alias::new("value")).text().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("planner_state")).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_actions_next_reminder_on")
                    .table(Alias::new("actions"))
                    .to_owned(),
            )
            .await?;
        for column in ["reminder_generation", "next_reminder_on"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("actions"))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
