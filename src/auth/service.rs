//! Users and tokens: creating them, authenticating a request, bootstrapping the first admin.

use std::path::Path;

use async_graphql::{Enum, ID, InputObject};
use chrono::{DateTime, Duration, Utc};
use entity::{api_token, enums as db, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set, Statement,
};
use uuid::Uuid;

use super::tokens;
use crate::{
    db::now,
    error::{AppError, AppResult},
    graphql::scalars::parse_id,
    ministries::service::{MinistryRef, resolve},
    validate,
};

crate::mirror_enum! {
    /// What a user may do: ADMIN everything; SECRETARIAT the registry; LIAISON report progress
    /// on its own ministry's actions; LEADERSHIP read.
    Role => db::Role { Admin, Secretariat, Liaison, Leadership }
}

/// The user and token behind a request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: user::Model,
    pub token_id: Uuid,
}

#[derive(InputObject, Debug, Clone)]
pub struct CreateUserInput {
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    /// Required for a LIAISON: the ministry it speaks for.
    pub ministry: Option<MinistryRef>,
}

#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdateUserInput {
    pub name: Option<String>,
    pub email: async_graphql::MaybeUndefined<String>,
    pub role: Option<Role>,
    /// The ministry of a LIAISON; null for other roles.
    pub ministry: async_graphql::MaybeUndefined<MinistryRef>,
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

/// Changes a user. Returns the user before and after.
pub async fn update_user<C: ConnectionTrait>(
    db: &C,
    id: &ID,
    input: UpdateUserInput,
) -> AppResult<(user::Model, user::Model)> {
    use async_graphql::MaybeUndefined;
    let before = user_by_id(db, id, "id").await?;
    let mut model: user::ActiveModel = before.clone().into();
    if let Some(name) = &input.name {
        model.name = Set(validate::required(name, "input.name", validate::LINE)?);
    }
    match &input.email {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => model.email = Set(None),
        MaybeUndefined::Value(e) => model.email = Set(Some(validate::email(e, "input.email")?)),
    }
    let role = input.role.map_or(before.role, Into::into);
    model.role = Set(role);
    let ministry = match &input.ministry {
        MaybeUndefined::Undefined => before.ministry_id,
        MaybeUndefined::Null => None,
        MaybeUndefined::Value(r) => Some(resolve(db, r, "input.ministry").await?.id),
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

/// Longest a token may live.
pub const MAX_TOKEN_DAYS: i64 = 3650;

pub async fn create_user<C: ConnectionTrait>(
    db: &C,
    input: CreateUserInput,
) -> AppResult<user::Model> {
    let ministry = match &input.ministry {
        Some(r) => Some(resolve(db, r, "input.ministry").await?.id),
        None => None,
    };
    let ministry = ministry_for_role(input.role.into(), ministry)?;
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
        role: Set(input.role.into()),
        ministry_id: Set(ministry),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

/// Issues a token for `user_id`; the token in clear is returned once and never stored.
pub async fn issue_token<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    name: &str,
    expires_in_days: Option<i64>,
) -> AppResult<(String, api_token::Model)> {
    let name = validate::required(name, "name", validate::LINE)?;
    let expires_at = match expires_in_days {
        None => None,
        Some(d) if (1..=MAX_TOKEN_DAYS).contains(&d) => Some(
            now()
                .checked_add_signed(Duration::days(d))
                .ok_or_else(|| AppError::bad_input("expiresInDays", "too far in the future"))?,
        ),
        Some(_) => {
            return Err(AppError::bad_input(
                "expiresInDays",
                format!("a token lives from 1 to {MAX_TOKEN_DAYS} days"),
            ));
        }
    };
    let new = tokens::generate()?;
    let model = api_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        name: Set(name),
        prefix: Set(new.prefix),
        token_hash: Set(new.hash),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        last_used_at: Set(None),
        created_at: Set(now()),
    }
    .insert(db)
    .await?;
    Ok((new.token, model))
}

pub async fn find_user<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id).one(db).await?)
}

pub async fn user_by_id<C: ConnectionTrait>(
    db: &C,
    id: &ID,
    field: &str,
) -> AppResult<user::Model> {
    find_user(db, parse_id(id, field)?)
        .await?
        .ok_or_else(|| AppError::not_found_at("user", field))
}

/// Revokes a token; it stops working at once. Returns it before and after.
pub async fn revoke_token<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> AppResult<(api_token::Model, api_token::Model)> {
    let before = api_token::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found_at("token", "id"))?;
    if before.revoked_at.is_some() {
        return Err(AppError::bad_input("id", "the token is already revoked"));
    }
    let mut model: api_token::ActiveModel = before.clone().into();
    model.revoked_at = Set(Some(now()));
    let after = model.update(db).await?;
    Ok((before, after))
}

/// How long a token's `lastUsedAt` may lag behind, to spare a write on every request.
const LAST_USED_GRANULARITY: i64 = 60;

/// The actor behind a bearer token, or `None` when the token is unknown, expired, revoked,
/// or its user deactivated.
pub async fn authenticate<C: ConnectionTrait>(db: &C, token: &str) -> AppResult<Option<Actor>> {
    let Some((found, Some(user))) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(tokens::hash(token)))
        .find_also_related(user::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let now = now();
    if found.revoked_at.is_some() || found.expires_at.is_some_and(|t| t <= now) || !user.active {
        return Ok(None);
    }
    if found
        .last_used_at
        .is_none_or(|t: DateTime<Utc>| now - t > Duration::seconds(LAST_USED_GRANULARITY))
    {
        api_token::Entity::update_many()
            .col_expr(
                api_token::Column::LastUsedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(api_token::Column::Id.eq(found.id))
            .exec(db)
            .await?;
    }
    Ok(Some(Actor {
        user,
        token_id: found.id,
    }))
}

pub fn users_query() -> Select<user::Entity> {
    user::Entity::find()
        .order_by_asc(user::Column::Name)
        .order_by_asc(user::Column::Id)
}

pub async fn tokens_of<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
) -> AppResult<Vec<api_token::Model>> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_asc(api_token::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Every token with its user, newest first (for `tindak token list`).
pub async fn all_tokens<C: ConnectionTrait>(
    db: &C,
) -> AppResult<Vec<(api_token::Model, Option<user::Model>)>> {
    let tokens = api_token::Entity::find()
        .order_by_desc(api_token::Column::CreatedAt)
        .all(db)
        .await?;
    let users = user::Entity::find().all(db).await?;
    Ok(tokens
        .into_iter()
        .map(|t| {
            let owner = users.iter().find(|u| u.id == t.user_id).cloned();
            (t, owner)
        })
        .collect())
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
    let admin = create_user(
        &txn,
        CreateUserInput {
            name: "Administrator".into(),
            email: None,
            role: Role::Admin,
            ministry: None,
        },
    )
    .await?;
    let (token, _) = issue_token(&txn, admin.id, "first start", None).await?;
    // The token is written before the commit: if writing fails, no ADMIN exists whose token
    // nobody has.
    write_secret(path, &format!("{token}\n"))?;
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
