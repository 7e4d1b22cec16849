//! Rules for liaisons: the contacts at a ministry who receive reminders.

pub use entity::enums::Language;
use entity::liaison;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set};
use uuid::Uuid;

use super::service::{MinistryRef, resolve};
use crate::{
    actor::Who,
    audit::service::{self as audit, Entry},
    auth::policy::{Operation, authorize},
    error::{AppError, AppResult},
    patch::Patch,
    validate,
};

/// A liaison to add.
#[derive(Debug, Clone)]
pub struct AddLiaisonInput {
    pub ministry: MinistryRef,
    pub name: String,
    pub email: String,
    pub position: Option<String>,
    /// Indonesian when not given.
    pub language: Option<Language>,
    /// Whether reminders are sent to this liaison; yes when not given.
    pub receives_reminders: Option<bool>,
}

/// Changes to a liaison; what is left out stays.
#[derive(Debug, Clone, Default)]
pub struct UpdateLiaisonInput {
    pub ministry: Option<MinistryRef>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub position: Patch<String>,
    pub language: Option<Language>,
    pub receives_reminders: Option<bool>,
    /// Set back to true to reactivate a removed liaison.
    pub active: Option<bool>,
}

/// `addLiaison`.
pub async fn add(
    db: &DatabaseConnection,
    who: &Who,
    input: AddLiaisonInput,
) -> AppResult<liaison::Model> {
    authorize(db, who, Operation::ManageRegistry, "addLiaison").await?;
    let txn = crate::db::begin_write(db).await?;
    let l = insert(&txn, input).await?;
    audit::record(&txn, who, Entry::created("addLiaison", "Liaison", l.id, &l)).await?;
    txn.commit().await?;
    Ok(l)
}

/// Inserts a liaison (in the caller's transaction).
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    input: AddLiaisonInput,
) -> AppResult<liaison::Model> {
    let ministry = resolve(db, &input.ministry, "input.ministry").await?;
    let now = crate::db::now();
    let model = liaison::ActiveModel {
        id: Set(Uuid::now_v7()),
        ministry_id: Set(ministry.id),
        name: Set(validate::required(
            &input.name,
            "input.name",
            validate::LINE,
        )?),
        email: Set(validate::email(&input.email, "input.email")?),
        position: Set(validate::optional(
            input.position.as_deref(),
            "input.position",
            validate::LINE,
        )?),
        language: Set(input.language.unwrap_or(Language::Id)),
        receives_reminders: Set(input.receives_reminders.unwrap_or(true)),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let liaison = model.insert(db).await?;
    crate::reminders::next_day::look_again_for_ministry(db, liaison.ministry_id).await?;
    Ok(liaison)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Option<liaison::Model>> {
    Ok(liaison::Entity::find_by_id(id).one(db).await?)
}

async fn load<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<liaison::Model> {
    liaison::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found_at("liaison", "id"))
}

/// `updateLiaison`.
pub async fn update(
    db: &DatabaseConnection,
    who: &Who,
    id: Uuid,
    input: UpdateLiaisonInput,
) -> AppResult<liaison::Model> {
    authorize(db, who, Operation::ManageRegistry, "updateLiaison").await?;
    let txn = crate::db::begin_write(db).await?;
    let (before, after) = change(&txn, id, input).await?;
    let entry = Entry::changed("updateLiaison", "Liaison", id, &before, &after);
    audit::record(&txn, who, entry).await?;
    txn.commit().await?;
    Ok(after)
}

async fn change<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    input: UpdateLiaisonInput,
) -> AppResult<(liaison::Model, liaison::Model)> {
    let before = load(db, id).await?;
    let mut model: liaison::ActiveModel = before.clone().into();
    if let Some(r) = &input.ministry {
        model.ministry_id = Set(resolve(db, r, "input.ministry").await?.id);
    }
    if let Some(name) = &input.name {
        model.name = Set(validate::required(name, "input.name", validate::LINE)?);
    }
    if let Some(email) = &input.email {
        model.email = Set(validate::email(email, "input.email")?);
    }
    if let Some(position) = validate::patch(&input.position, "input.position", validate::LINE)? {
        model.position = Set(position);
    }
    if let Some(language) = input.language {
        model.language = Set(language);
    }
    if let Some(receives) = input.receives_reminders {
        model.receives_reminders = Set(receives);
    }
    if let Some(active) = input.active {
        model.active = Set(active);
    }
    model.updated_at = Set(crate::db::now());
    let after = model.update(db).await?;
    crate::reminders::next_day::look_again_for_ministry(db, after.ministry_id).await?;
    Ok((before, after))
}

/// `removeLiaison`: deactivates a liaison: no more reminders, but the record stays for
/// history.
pub async fn remove(db: &DatabaseConnection, who: &Who, id: Uuid) -> AppResult<liaison::Model> {
    authorize(db, who, Operation::ManageRegistry, "removeLiaison").await?;
    let txn = crate::db::begin_write(db).await?;
    let before = load(&txn, id).await?;
    let mut model: liaison::ActiveModel = before.clone().into();
    model.active = Set(false);
    model.updated_at = Set(crate::db::now());
    let after = model.update(&txn).await?;
    // Its pending reminders are cancelled on the next run.
    crate::reminders::next_day::look_again_for_ministry(&txn, after.ministry_id).await?;
    let entry = Entry::changed("removeLiaison", "Liaison", id, &before, &after);
    audit::record(&txn, who, entry).await?;
    txn.commit().await?;
    Ok(after)
}
