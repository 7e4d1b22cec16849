//! Users and tokens: creating them, authenticating a request, bootstrapping the first admin.

use std::path::Path;

pub use entity::enums::Role;
use entity::{api_token, enums as db, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set, Statement,
};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

pub use super::token_service::{
    MAX_TOKEN_DAYS, all_tokens, authenticate, issue_token, revoke_token, tokens_of,
};
use super::{
    policy::{Operation, authorize},
    token_service::insert_token,
};
use crate::{
    actor::Who,
    audit::service::{self as audit, Entry},
    db::{begin_write, now},
    error::{AppError, AppResult},
    ministries::service::{MinistryRef, resolve},
    patch::Patch,
    validate,
};

/// A user to create.
#[derive(Debug, Clone)]
pub struct CreateUserInput {
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    /// Required for a LIAISON: the ministry it speaks for.
    pub ministry: Option<MinistryRef>,
}

/// Changes to a user; what is left out stays.
#[derive(Debug, Clone, Default)]
pub struct UpdateUserInput {
    pub name: Option<String>,
    pub email: Patch<String>,
    pub role: Option<Role>,
    /// The ministry of a LIAISON; cleared for other roles.
    pub ministry: Patch<MinistryRef>,
    /// False stops every token of the user at once; true lets them work again.
    pub active: Option<bool>,
}

/// A LIAISON speaks for exactly one ministry; no other role is bound to one.
fn ministry_for_role(role: db::Role, ministry: Option<Uuid>) -> AppResult<Option<Uuid>> {
    match (role == db::Role::Liaison, ministry) {
        (true, None) => Err(AppError::bad_input(
            "input.ministry",
            "a LIAISON speaks for one ministry: name it",
        )),
        (false, Some(_)) => Err(AppError::bad_input(
            "input.ministry",
            "only a LIAISON is bound to a ministry",
        )),
        _ => Ok(ministry),
    }
}

/// `updateUser`: changes a user (ADMIN). The last active ADMIN cannot be demoted or
/// deactivated.
pub async fn update_user(
    db: &DatabaseConnection,
    who: &Who,
    id: Uuid,
    input: UpdateUserInput,
) -> AppResult<user::Model> {
    authorize(db, who, Operation::ManageUsers, "updateUser").await?;
    let txn = begin_write(db).await?;
    let (before, after) = change_user(&txn, id, input).await?;
    audit::record(
        &txn,
        who,
        Entry::changed("updateUser", "User", id, &before, &after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

async fn change_user<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    input: UpdateUserInput,
) -> AppResult<(user::Model, user::Model)> {
    let before = user_by_id(db, id, "id").await?;
    let mut model: user::ActiveModel = before.clone().into();
    if let Some(name) = &input.name {
        model.name = Set(validate::required(name, "input.name", validate::LINE)?);
    }
    match &input.email {
        Patch::Keep => {}
        Patch::Clear => model.email = Set(None),
        Patch::Set(e) => model.email = Set(Some(validate::email(e, "input.email")?)),
    }
    let role = input.role.unwrap_or(before.role);
    model.role = Set(role);
    let ministry = match &input.ministry {
        Patch::Keep => before.ministry_id,
        Patch::Clear => None,
        Patch::Set(r) => Some(resolve(db, r, "input.ministry").await?.id),
    };
    model.ministry_id = Set(ministry_for_role(role, ministry)?);
    let active = input.active.unwrap_or(before.active);
    model.active = Set(active);
    let was_admin = before.role == db::Role::Admin && before.active;
    if was_admin
        && !(role == db::Role::Admin && active)
        && !another_active_admin(db, before.id).await?
    {
        return Err(AppError::Conflict(
            "this is the last active ADMIN: make another user ADMIN first, so that someone can still manage users".into(),
        ));
    }
    model.updated_at = Set(now());
    Ok((before, model.update(db).await?))
}

/// Whether an active ADMIN other than `except` exists. The ADMIN rows are locked (`FOR
/// UPDATE` on PostgreSQL; SQLite's writer lock does the same), so that two admins demoting
/// each other at once cannot both succeed.
async fn another_active_admin<C: ConnectionTrait>(db: &C, except: Uuid) -> AppResult<bool> {
    let admins: Vec<Uuid> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Role.eq(db::Role::Admin))
        .filter(user::Column::Active.eq(true))
        .lock_exclusive()
        .into_tuple()
        .all(db)
        .await?;
    Ok(admins.iter().any(|id| *id != except))
}

/// `createUser` (ADMIN).
pub async fn create_user(
    db: &DatabaseConnection,
    who: &Who,
    input: CreateUserInput,
) -> AppResult<user::Model> {
    authorize(db, who, Operation::ManageUsers, "createUser").await?;
    let txn = begin_write(db).await?;
    let u = insert_user(&txn, input).await?;
    audit::record(&txn, who, Entry::created("createUser", "User", u.id, &u)).await?;
    txn.commit().await?;
    Ok(u)
}

async fn insert_user<C: ConnectionTrait>(db: &C, input: CreateUserInput) -> AppResult<user::Model> {
    let ministry = match &input.ministry {
        Some(r) => Some(resolve(db, r, "input.ministry").await?.id),
        None => None,
    };
    let ministry = ministry_for_role(input.role, ministry)?;
    let email = match input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        Some(e) => Some(validate::email(e, "input.email")?),
        None => None,
    };
    let now = now();
    Ok(user::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(validate::required(
            &input.name,
            "input.name",
            validate::LINE,
        )?),
        email: Set(email),
        role: Set(input.role),
        ministry_id: Set(ministry),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

pub async fn find_user<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id).one(db).await?)
}

async fn user_by_id<C: ConnectionTrait>(db: &C, id: Uuid, field: &str) -> AppResult<user::Model> {
    find_user(db, id)
        .await?
        .ok_or_else(|| AppError::not_found_at("user", field))
}

pub fn users_query() -> Select<user::Entity> {
    user::Entity::find()
        .order_by_asc(user::Column::Name)
        .order_by_asc(user::Column::Id)
}

/// A token for the active user of `name`, `role` and `ministry`, created if there is none
/// (what `tindak token create` does).
pub async fn token_for(
    db: &DatabaseConnection,
    who: &Who,
    input: CreateUserInput,
    expires_in_days: Option<i64>,
) -> AppResult<(user::Model, SecretString, api_token::Model)> {
    authorize(db, who, Operation::ManageUsers, "issueToken").await?;
    let txn = begin_write(db).await?;
    let ministry = match &input.ministry {
        Some(r) => Some(resolve(&txn, r, "ministry").await?.id),
        None => None,
    };
    let existing = user::Entity::find()
        .filter(user::Column::Name.eq(input.name.trim()))
        .filter(user::Column::Role.eq(input.role))
        .filter(user::Column::Active.eq(true))
        .all(&txn)
        .await?
        .into_iter()
        .find(|u| u.ministry_id == ministry);
    let user = match existing {
        Some(u) => u,
        None => {
            let u = insert_user(&txn, input).await?;
            audit::record(&txn, who, Entry::created("createUser", "User", u.id, &u)).await?;
            u
        }
    };
    let (token, model) = insert_token(&txn, user.id, "cli", expires_in_days).await?;
    let entry = Entry::created("issueToken", "ApiToken", model.id, &model);
    audit::record(&txn, who, entry).await?;
    txn.commit().await?;
    Ok((user, token, model))
}

/// On an empty database, creates an ADMIN and writes its token to `path`, readable by its
/// owner only. Returns whether it did.
///
/// Replicas starting together on one empty database create one ADMIN between them: the check
/// and the creation happen in one write transaction, under a transaction-scoped advisory lock
/// on PostgreSQL (SQLite's writer lock serialises them anyway).
pub async fn bootstrap_admin(db: &DatabaseConnection, path: &Path) -> anyhow::Result<bool> {
    let txn = crate::db::begin_write(db).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_string(
            DbBackend::Postgres,
            // An arbitrary key that names "the first ADMIN".
            "SELECT pg_advisory_xact_lock(7461726) ",
        ))
        .await?;
    }
    if user::Entity::find().count(&txn).await? > 0 {
        txn.commit().await?;
        return Ok(false);
    }
    let admin = insert_user(
        &txn,
        CreateUserInput {
            name: "Administrator".into(),
            email: None,
            role: Role::Admin,
            ministry: None,
        },
    )
    .await?;
    let (token, _) = insert_token(&txn, admin.id, "first start", None).await?;
    // The token is written before the commit: if writing fails, no ADMIN exists whose token
    // nobody has.
    write_secret(path, &format!("{}\n", token.expose_secret()))?;
    txn.commit().await?;
    Ok(true)
}

/// Writes `contents` to a file only its owner may read.
pub fn write_secret(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let mut file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(contents.as_bytes())?;
    }
    #[cfg(not(unix))]
    options.open(path)?.write_all(contents.as_bytes())?;
    Ok(())
}
