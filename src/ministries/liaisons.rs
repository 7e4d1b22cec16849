//! Rules for liaisons: the contacts at a ministry who receive reminders.

use async_graphql::{Enum, ID, InputObject, MaybeUndefined};
use entity::{enums as db, liaison};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

use super::service::{MinistryRef, resolve};
use crate::{
    error::{AppError, AppResult},
    graphql::scalars::parse_id,
    validate,
};

crate::mirror_enum! {
    /// The language a liaison's email is written in.
    Language => db::Language { Id, En }
}

#[derive(InputObject, Debug, Clone)]
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

#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdateLiaisonInput {
    pub ministry: Option<MinistryRef>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub position: MaybeUndefined<String>,
    pub language: Option<Language>,
    pub receives_reminders: Option<bool>,
    /// Set back to true to reactivate a removed liaison.
    pub active: Option<bool>,
}

pub async fn add<C: ConnectionTrait>(db: &C, input: AddLiaisonInput) -> AppResult<liaison::Model> {
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
        language: Set(input.language.unwrap_or(Language::Id).into()),
        receives_reminders: Set(input.receives_reminders.unwrap_or(true)),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(model.insert(db).await?)
}

async fn load<C: ConnectionTrait>(db: &C, id: &ID) -> AppResult<liaison::Model> {
    let id = parse_id(id, "id")?;
    liaison::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found_at("liaison", "id"))
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: &ID,
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
        model.language = Set(language.into());
    }
    if let Some(receives) = input.receives_reminders {
        model.receives_reminders = Set(receives);
    }
    if let Some(active) = input.active {
        model.active = Set(active);
    }
    model.updated_at = Set(crate::db::now());
    Ok((before, model.update(db).await?))
}

/// Deactivates a liaison: no more reminders, but the record stays for history.
pub async fn remove<C: ConnectionTrait>(
    db: &C,
    id: &ID,
) -> AppResult<(liaison::Model, liaison::Model)> {
    let before = load(db, id).await?;
    let mut model: liaison::ActiveModel = before.clone().into();
    model.active = Set(false);
    model.updated_at = Set(crate::db::now());
    Ok((before, model.update(db).await?))
}
