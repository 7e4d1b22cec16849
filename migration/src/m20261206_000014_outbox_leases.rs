//! Delivery leases a recipient, not each of its reminders. A worker that sends a digest
//! claims its recipient's row here (one row, renewed while it sends, released with the
//! outcome) and reads the due reminders without writing them; each reminder is written once,
//! when its outcome is recorded. Claiming 500 reminders by writing a lease into each was a
//! third of a backlog's delivery time (measured in the README's fifteenth round).
//!
//! `claimed_at` is when the current owner claimed: a lease that ends without an outcome (its
//! worker was killed) counts an attempt for the reminders that were due then.
//!
//! The reminders' own lease columns are no longer written (a claim still skips a row that
//! an older version's worker holds through them). Workers of the older version do not know
//! these leases: stop them before starting this version's, or a recipient may get a digest
//! twice during the switch.

use sea_orm_migration::prelude::*;

use crate::columns::{instant_null, text, text_null};

#[derive(DeriveIden)]
enum OutboxLeases {
    Table,
    Email,
    Owner,
    LeaseUntil,
    ClaimedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboxLeases::Table)
                    .col(text(OutboxLeases::Email).primary_key())
                    .col(text_null(OutboxLeases::Owner))
                    .col(instant_null(OutboxLeases::LeaseUntil))
                    .col(instant_null(OutboxLeases::ClaimedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OutboxLeases::Table).to_owned())
            .await
    }
}
