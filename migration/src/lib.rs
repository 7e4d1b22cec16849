//! Schema migrations. One file per change; each runs on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20260127_000001_registry;
mod m20261127_000002_access;
mod m20261127_000003_reminders;
mod m20261128_000004_search;
mod m20261128_000005_completion;
mod m20261128_000006_continuity;
mod m20261128_000007_planning;
mod m20261128_000008_outbox_fill;
mod m20261128_000009_outbox_recipient;
mod m20261129_000010_reminder_days;
mod m20261129_000011_outbox_pending;
mod m20261129_000012_settled_days;
mod m20261129_000013_outbox_failed;
mod m20261206_000014_outbox_leases;
mod m20261206_000015_keyed_days;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260127_000001_registry::Migration),
            Box::new(m20261127_000002_access::Migration),
            Box::new(m20261127_000003_reminders::Migration),
            Box::new(m20261128_000004_search::Migration),
            Box::new(m20261128_000005_completion::Migration),
            Box::new(m20261128_000006_continuity::Migration),
            Box::new(m20261128_000007_planning::Migration),
            Box::new(m20261128_000008_outbox_fill::Migration),
            Box::new(m20261128_000009_outbox_recipient::Migration),
            Box::new(m20261129_000010_reminder_days::Migration),
            Box::new(m20261129_000011_outbox_pending::Migration),
            Box::new(m20261129_000012_settled_days::Migration),
            Box::new(m20261129_000013_outbox_failed::Migration),
            Box::new(m20261206_000014_outbox_leases::Migration),
            Box::new(m20261206_000015_keyed_days::Migration),
        ]
    }
}
