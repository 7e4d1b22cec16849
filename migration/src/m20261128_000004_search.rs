//! Search columns folded in Rust, so that case-insensitive search finds the same rows on
//! SQLite and PostgreSQL, for non-ASCII text too. Existing rows are folded here.

use entity::{action, issue, meeting, ministry};
use sea_orm_migration::{
    prelude::*,
    sea_orm::{ActiveValue::Set, EntityTrait, QueryFilter, QueryOrder, QuerySelect},
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
        let mut after = None;
        while let Some(rows) = page::<ministry::Entity>(db, &mut after).await? {
            for m in rows {
                let value = ministry::search_of(&m.code, &m.name, m.short_name.as_deref());
                let mut row: ministry::ActiveModel = m.into();
                row.search = Set(value);
                ministry::Entity::update(row).exec(db).await?;
            }
        }
        let mut after = None;
        while let Some(rows) = page::<meeting::Entity>(db, &mut after).await? {
            for m in rows {
                let value =
                    meeting::search_of(&m.title, m.summary.as_deref(), m.location.as_deref());
                let mut row: meeting::ActiveModel = m.into();
                row.search = Set(value);
                meeting::Entity::update(row).exec(db).await?;
            }
        }
        let mut after = None;
        while let Some(rows) = page::<issue::Entity>(db, &mut after).await? {
            for i in rows {
                let value = issue::search_of(&i.title, i.description.as_deref());
                let key = i
                    .category
                    .as_deref()
                    .map(|c| entity::search::fold([Some(c)]));
                let mut row: issue::ActiveModel = i.into();
                row.search = Set(value);
                row.category_key = Set(key);
                issue::Entity::update(row).exec(db).await?;
            }
        }
        let mut after = None;
        while let Some(rows) = page::<action::Entity>(db, &mut after).await? {
            for a in rows {
                let value = action::search_of(&a.title, a.description.as_deref());
                let mut row: action::ActiveModel = a.into();
                row.search = Set(value);
                action::Entity::update(row).exec(db).await?;
            }
        }
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

/// The next rows of `E` after the id `after` (every entity here is keyed by a UUID `id`).
async fn page<E>(
    db: &SchemaManagerConnection<'_>,
    after: &mut Option<sea_orm_migration::sea_orm::prelude::Uuid>,
) -> Result<Option<Vec<E::Model>>, DbErr>
where
    E: EntityTrait,
    E::Model: HasId,
{
    let id = <E::Column as std::str::FromStr>::from_str("id")
        .map_err(|_| DbErr::Custom("no id column".into()))?;
    let mut query = E::find().order_by_asc(id).limit(BATCH);
    if let Some(last) = *after {
        query = query.filter(Expr::col(id).gt(last));
    }
    let rows = query.all(db).await?;
    *after = rows.last().map(HasId::id);
    Ok((!rows.is_empty()).then_some(rows))
}

/// A model keyed by a UUID.
trait HasId {
    fn id(&self) -> sea_orm_migration::sea_orm::prelude::Uuid;
}

impl HasId for ministry::Model {
    fn id(&self) -> sea_orm_migration::sea_orm::prelude::Uuid {
        self.id
    }
}
impl HasId for meeting::Model {
    fn id(&self) -> sea_orm_migration::sea_orm::prelude::Uuid {
        self.id
    }
}
impl HasId for issue::Model {
    fn id(&self) -> sea_orm_migration::sea_orm::prelude::Uuid {
        self.id
    }
}
impl HasId for action::Model {
    fn id(&self) -> sea_orm_migration::sea_orm::prelude::Uuid {
        self.id
    }
}
