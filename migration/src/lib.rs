//! Schema migrations. One file per change; each runs on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20260127_000001_registry;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20260127_000001_registry::Migration)]
    }
}
