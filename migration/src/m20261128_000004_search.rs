//! Search columns folded in Rust, so that case-insensitive search finds the same rows on
//! SQLite and PostgreSQL, for non-ASCII text too. Existing rows are folded here.

use entity::{action, issue, meeting, ministry};
use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, Statement, Value, prelude::Uuid},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Rows folded per round.
const BATCH: u64 = 1_000;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let search = |table: &str| Alias::new(table);
        for table in ["ministries", "meetings", "issues", "actions"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(search(table))
                        .add_column(
                            ColumnDef::new(Alias::new("search"))
                                .text()
                                .not_null()
                                .default(""),
                        )
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("issues"))
                    .add_column(ColumnDef::new(Alias::new("category_key")).string().null())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // Raw statements naming only the columns this migration knows: the entities grow
        // columns that later migrations add.
        refold(db, "ministries", &["code", "name", "short_name"], |v| {
            vec![(
                "search",
                Some(ministry::search_of(s(&v[0]), s(&v[1]), v[2].as_deref())),
            )]
        })
        .await?;
        refold(db, "meetings", &["title", "summary", "location"], |v| {
            vec![(
                "search",
                Some(meeting::search_of(
                    s(&v[0]),
                    v[1].as_deref(),
                    v[2].as_deref(),
                )),
            )]
        })
        .await?;
        refold(db, "issues", &["title", "description", "category"], |v| {
            vec![
                ("search", Some(issue::search_of(s(&v[0]), v[1].as_deref()))),
                (
                    "category_key",
                    v[2].as_deref().map(|c| entity::search::fold([Some(c)])),
                ),
            ]
        })
        .await?;
        refold(db, "actions", &["title", "description"], |v| {
            vec![("search", Some(action::search_of(s(&v[0]), v[1].as_deref())))]
        })
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("issues"))
                    .drop_column(Alias::new("category_key"))
                    .to_owned(),
            )
            .await?;
        for table in ["ministries", "meetings", "issues", "actions"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Alias::new("search"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

fn s(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or_default()
}

/// Sets the columns `compute` gives from `columns` on every row of `table`, a batch at a time
/// in the order of `id`.
async fn refold(
    db: &SchemaManagerConnection<'_>,
    table: &str,
    columns: &[&str],
    compute: impl Fn(&[Option<String>]) -> Vec<(&'static str, Option<String>)>,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let mut after: Option<Uuid> = None;
    loop {
        let mut sql = format!("SELECT id, {} FROM {table}", columns.join(", "));
        let mut values: Vec<Value> = Vec::new();
        if let Some(last) = after {
            sql.push_str(" WHERE id > $1");
            values.push(last.into());
        }
        sql.push_str(&format!(" ORDER BY id LIMIT {BATCH}"));
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = Some(last.try_get::<Uuid>("", "id")?);
        for row in &rows {
            let id: Uuid = row.try_get("", "id")?;
            let mut found = Vec::with_capacity(columns.len());
            for c in columns {
                found.push(row.try_get::<Option<String>>("", c)?);
            }
            let sets = compute(&found);
            let mut values: Vec<Value> = Vec::with_capacity(sets.len() + 1);
            let assignments: Vec<String> = sets
                .into_iter()
                .enumerate()
                .map(|(i, (column, value))| {
                    values.push(value.into());
                    format!("{column} = ${}", i + 1)
                })
                .collect();
            values.push(id.into());
            let sql = format!(
                "UPDATE {table} SET {} WHERE id = ${}",
                assignments.join(", "),
                values.len()
            );
            db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
                .await?;
        }
    }
}
