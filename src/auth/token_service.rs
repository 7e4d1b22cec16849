//! Issuing, revoking and checking API tokens.

use chrono::{DateTime, Duration, Utc};
use entity::{api_token, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use secrecy::SecretString;
use uuid::Uuid;

use super::{
    policy::{Operation, authorize},
    tokens,
};
use crate::{
    actor::Who,
    audit::service::{self as audit, Entry},
    db::{begin_write, now},
    error::{AppError, AppResult},
    validate,
};

/// Longest a token may live.
pub const MAX_TOKEN_DAYS: i64 = 3650;

/// `issueToken` (ADMIN): a token for `user_id`; the token in clear is returned once and never
/// stored.
pub async fn issue_token(
    db: &DatabaseConnection,
    who: &Who,
    user_id: Uuid,
    name: &str,
    expires_in_days: Option<i64>,
) -> AppResult<(SecretString, api_token::Model)> {
    authorize(db, who, Operation::ManageUsers, "issueToken").await?;
    let txn = begin_write(db).await?;
    let user = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found_at("user", "userId"))?;
    let (token, model) = insert_token(&txn, user.id, name, expires_in_days).await?;
    let entry = Entry::created("issueToken", "ApiToken", model.id, &model);
    audit::record(&txn, who, entry).await?;
    txn.commit().await?;
    Ok((token, model))
}

pub(super) async fn insert_token<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    name: &str,
    expires_in_days: Option<i64>,
) -> AppResult<(SecretString, api_token::Model)> {
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

/// `revokeToken` (ADMIN): the token stops working at once.
pub async fn revoke_token(
    db: &DatabaseConnection,
    who: &Who,
    id: Uuid,
) -> AppResult<api_token::Model> {
    authorize(db, who, Operation::ManageUsers, "revokeToken").await?;
    let txn = begin_write(db).await?;
    let before = api_token::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found_at("token", "id"))?;
    if before.revoked_at.is_some() {
        return Err(AppError::bad_input("id", "the token is already revoked"));
    }
    let mut model: api_token::ActiveModel = before.clone().into();
    model.revoked_at = Set(Some(now()));
    let after = model.update(&txn).await?;
    let entry = Entry::changed("revokeToken", "ApiToken", id, &before, &after);
    audit::record(&txn, who, entry).await?;
    txn.commit().await?;
    Ok(after)
}

/// How long a token's `lastUsedAt` may lag behind, to spare a write on every request.
const LAST_USED_GRANULARITY: i64 = 60;

/// The actor behind a bearer token, or `None` when the token is unknown, expired, revoked,
/// or its user deactivated.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    token: &str,
) -> AppResult<Option<(user::Model, Uuid)>> {
    Ok(authenticate_token(db, token)
        .await?
        .map(|(user, token)| (user, token.id)))
}

/// [`authenticate`], with the whole token record.
pub async fn authenticate_token<C: ConnectionTrait>(
    db: &C,
    token: &str,
) -> AppResult<Option<(user::Model, api_token::Model)>> {
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
    Ok(Some((user, found)))
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
