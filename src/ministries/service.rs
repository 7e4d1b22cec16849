//! Rules and queries for ministries.

pub use entity::enums::MinistryKind;
use entity::ministry;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, Select, Set,
};
use uuid::Uuid;

use crate::{
    actor::Who,
    audit::service::{self as audit, Entry},
    auth::policy::{Operation, authorize},
    error::{AppError, AppResult},
    patch::Patch,
    validate,
};

/// Names a ministry either by its ID or by its code (e.g. `KEMLU`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MinistryRef {
    Id(Uuid),
    Code(String),
}

impl MinistryRef {
    pub fn code(code: &str) -> Self {
        Self::Code(code.to_owned())
    }
}

/// A ministry to register.
#[derive(Debug, Clone)]
pub struct NewMinistry {
    /// Short unique code, e.g. `KEMLU`; stored upper-case.
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: MinistryKind,
    /// The unit this one belongs to.
    pub parent: Option<MinistryRef>,
}

/// Changes to a ministry; what is left out stays.
#[derive(Debug, Clone, Default)]
pub struct MinistryChanges {
    pub code: Option<String>,
    pub name: Option<String>,
    pub short_name: Patch<String>,
    pub kind: Option<MinistryKind>,
    pub parent: Patch<MinistryRef>,
}

/// Which ministries to list.
#[derive(Debug, Clone, Default)]
pub struct MinistryFilter {
    pub kind: Option<Vec<MinistryKind>>,
    /// Case-insensitive match on code, name or short name.
    pub search: Option<String>,
    pub parent: Option<MinistryRef>,
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Option<ministry::Model>> {
    Ok(ministry::Entity::find_by_id(id).one(db).await?)
}

pub async fn find_by_code<C: ConnectionTrait>(
    db: &C,
    code: &str,
) -> AppResult<Option<ministry::Model>> {
    Ok(ministry::Entity::find()
        .filter(ministry::Column::Code.eq(code.trim().to_uppercase()))
        .one(db)
        .await?)
}

/// Looks up the ministry a client named; an unknown one is a mistake in `field`.
pub async fn resolve<C: ConnectionTrait>(
    db: &C,
    reference: &MinistryRef,
    field: &str,
) -> AppResult<ministry::Model> {
    let found = match reference {
        MinistryRef::Id(id) => find(db, *id).await?,
        MinistryRef::Code(code) => find_by_code(db, code).await?,
    };
    found.ok_or_else(|| {
        let what = match reference {
            MinistryRef::Id(id) => format!("no ministry has the ID \"{id}\""),
            MinistryRef::Code(code) => format!("no ministry has the code \"{code}\""),
        };
        AppError::bad_input(field, what)
    })
}

/// `createMinistry`: registers a ministry, agency, task force or unit.
pub async fn create(
    db: &DatabaseConnection,
    who: &Who,
    input: NewMinistry,
) -> AppResult<ministry::Model> {
    authorize(db, who, Operation::ManageRegistry, "createMinistry").await?;
    let txn = crate::db::begin_write(db).await?;
    let m = insert(&txn, input).await?;
    audit::record(
        &txn,
        who,
        Entry::created("createMinistry", "Ministry", m.id, &m),
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// Inserts a ministry (in the caller's transaction).
pub async fn insert<C: ConnectionTrait>(db: &C, input: NewMinistry) -> AppResult<ministry::Model> {
    let code = validate::code(&input.code, "input.code")?;
    ensure_code_free(db, &code, None).await?;
    let parent = match &input.parent {
        Some(r) => Some(resolve(db, r, "input.parent").await?.id),
        None => None,
    };
    let now = crate::db::now();
    let model = ministry::ActiveModel {
        // Filled in from the other fields when the row is saved.
        search: sea_orm::ActiveValue::NotSet,
        calendar_key_generation: Set(0),
        id: Set(Uuid::now_v7()),
        code: Set(code),
        name: Set(validate::required(
            &input.name,
            "input.name",
            validate::LINE,
        )?),
        short_name: Set(validate::optional(
            input.short_name.as_deref(),
            "input.shortName",
            validate::LINE,
        )?),
        kind: Set(input.kind),
        parent_id: Set(parent),
        created_at: Set(now),
        updated_at: Set(now),
    };
    model
        .insert(db)
        .await
        .map_err(|e| AppError::on_constraint(e, "input.code", "this code is already taken"))
}

/// `updateMinistry`: changes a ministry; what is left out stays, a cleared field is emptied.
pub async fn update(
    db: &DatabaseConnection,
    who: &Who,
    id: Uuid,
    input: MinistryChanges,
) -> AppResult<ministry::Model> {
    authorize(db, who, Operation::ManageRegistry, "updateMinistry").await?;
    let txn = crate::db::begin_write(db).await?;
    let (before, after) = change(&txn, id, input).await?;
    let entry = Entry::changed("updateMinistry", "Ministry", id, &before, &after);
    audit::record(&txn, who, entry).await?;
    txn.commit().await?;
    Ok(after)
}

async fn change<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    input: MinistryChanges,
) -> AppResult<(ministry::Model, ministry::Model)> {
    let current = find(db, id)
        .await?
        .ok_or_else(|| AppError::not_found_at("ministry", "id"))?;
    let mut model: ministry::ActiveModel = current.clone().into();
    if let Some(code) = &input.code {
        let code = validate::code(code, "input.code")?;
        ensure_code_free(db, &code, Some(id)).await?;
        model.code = Set(code);
    }
    if let Some(name) = &input.name {
        model.name = Set(validate::required(name, "input.name", validate::LINE)?);
    }
    if let Some(short) = validate::patch(&input.short_name, "input.shortName", validate::LINE)? {
        model.short_name = Set(short);
    }
    if let Some(kind) = input.kind {
        model.kind = Set(kind);
    }
    match &input.parent {
        Patch::Keep => {}
        Patch::Clear => model.parent_id = Set(None),
        Patch::Set(r) => {
            let parent = resolve(db, r, "input.parent").await?;
            ensure_not_own_ancestor(db, id, parent.clone()).await?;
            model.parent_id = Set(Some(parent.id));
        }
    }
    model.updated_at = Set(crate::db::now());
    let after = model
        .update(db)
        .await
        .map_err(|e| AppError::on_constraint(e, "input.code", "this code is already taken"))?;
    Ok((current, after))
}

async fn ensure_code_free<C: ConnectionTrait>(
    db: &C,
    code: &str,
    except: Option<Uuid>,
) -> AppResult<()> {
    match find_by_code(db, code).await? {
        Some(other) if Some(other.id) != except => Err(AppError::bad_input(
            "input.code",
            format!("the code \"{code}\" is already taken"),
        )),
        _ => Ok(()),
    }
}

/// A unit cannot sit below itself: walk up from the new parent.
async fn ensure_not_own_ancestor<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    parent: ministry::Model,
) -> AppResult<()> {
    let mut cursor = Some(parent);
    let mut steps = 0;
    while let Some(m) = cursor {
        if m.id == id {
            return Err(AppError::bad_input(
                "input.parent",
                "a ministry cannot be placed under itself or one of its own units",
            ));
        }
        steps += 1;
        if steps > 64 {
            break;
        }
        cursor = match m.parent_id {
            Some(p) => find(db, p).await?,
            None => None,
        };
    }
    Ok(())
}

/// Ministries matching `filter`, ordered by code.
pub async fn list_query<C: ConnectionTrait>(
    db: &C,
    filter: MinistryFilter,
) -> AppResult<Select<ministry::Entity>> {
    let mut cond = Condition::all();
    if let Some(kinds) = filter.kind {
        cond = cond.add(ministry::Column::Kind.is_in(kinds));
    }
    if let Some(parent) = &filter.parent {
        let parent = resolve(db, parent, "filter.parent").await?;
        cond = cond.add(ministry::Column::ParentId.eq(parent.id));
    }
    if let Some(term) = crate::search::pattern(filter.search.as_deref()) {
        cond = cond.add(crate::search::matches(ministry::Column::Search, &term));
    }
    Ok(ministry::Entity::find()
        .filter(cond)
        .order_by_asc(ministry::Column::Code)
        .order_by_asc(ministry::Column::Id))
}
