//! GraphQL types and resolvers for users and tokens.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::{api_token, user};

use super::{policy::Operation, service};
use crate::{
    error::AppError,
    graphql::{
        authorize, db,
        enums::Role,
        input::auth::{CreateUserInput, UpdateUserInput},
        loaders::{self, MinistryKey},
        pagination::{Conn, Page, paginate},
        scalars::{DateTime, parse_id, to_id},
        who,
    },
    ministries::graphql::Ministry,
};

/// Someone who calls the API.
pub struct User(pub user::Model);

impl From<user::Model> for User {
    fn from(m: user::Model) -> Self {
        Self(m)
    }
}

/// Someone who calls the API.
#[Object]
impl User {
    /// The user's ID.
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// The user's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The user's address, if any.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// What the user may do.
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    /// The ministry a LIAISON speaks for.
    async fn ministry(&self, ctx: &Context<'_>) -> Result<Option<Ministry>> {
        Ok(match self.0.ministry_id {
            Some(id) => loaders::one(ctx, MinistryKey(id)).await?.map(Ministry),
            None => None,
        })
    }
    /// False once deactivated: every token of the user stops working.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// The user's tokens (never the tokens themselves). ADMIN, or the user.
    async fn tokens(&self, ctx: &Context<'_>) -> Result<Vec<ApiToken>> {
        Box::pin(async move {
            if who(ctx)?.user_model().map(|u| u.id) != Some(self.0.id) {
                authorize(ctx, Operation::ReadUsers).await?;
            }
            let rows = service::tokens_of(db(ctx), self.0.id).await?;
            Ok(rows.into_iter().map(ApiToken).collect())
        })
        .await
    }
    /// When the user was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// A bearer token, as far as it may be shown: its first characters, never the whole.
pub struct ApiToken(pub api_token::Model);

/// A token a user calls the API with (never the token itself: only its prefix).
#[Object]
impl ApiToken {
    /// The token's ID (what `revokeToken` takes).
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// What the token is for.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The first characters of the token, to recognise it.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }
    /// When it stops working by itself; never when null.
    async fn expires_at(&self) -> Option<DateTime> {
        self.0.expires_at.map(Into::into)
    }
    /// When it was revoked.
    async fn revoked_at(&self) -> Option<DateTime> {
        self.0.revoked_at.map(Into::into)
    }
    /// When the token was last used (to the minute).
    async fn last_used_at(&self) -> Option<DateTime> {
        self.0.last_used_at.map(Into::into)
    }
    /// When it was issued.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// A newly issued token: `token` is shown this once and cannot be read again.
#[derive(SimpleObject)]
pub struct IssuedToken {
    /// The token itself: shown this once, stored only as a hash. Send it as
    /// `Authorization: Bearer <token>`.
    pub token: String,
    /// The token's record.
    pub api_token: ApiToken,
}

#[derive(Default)]
pub struct AuthQuery;

#[Object]
impl AuthQuery {
    /// The user behind the token of this request.
    async fn me(&self, ctx: &Context<'_>) -> Result<User> {
        let user = who(ctx)?.user_model().ok_or(AppError::Unauthenticated)?;
        Ok(User(user.clone()))
    }

    /// Every user, by name. ADMIN only.
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<User>> {
        authorize(ctx, Operation::ReadUsers).await?;
        let page = Page::from_args(first, after.as_deref())?;
        Ok(paginate(db(ctx), service::users_query(), page).await?)
    }
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Creates a user. ADMIN only.
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> Result<User> {
        let u = service::create_user(db(ctx), who(ctx)?, input.into_domain()?).await?;
        Ok(User(u))
    }

    /// Changes a user: name, email, role, ministry, or `active` (false stops every token of
    /// the user at once). The last active ADMIN cannot be demoted or deactivated. ADMIN only.
    async fn update_user(&self, ctx: &Context<'_>, id: ID, input: UpdateUserInput) -> Result<User> {
        let id = parse_id(&id, "id")?;
        let u = service::update_user(db(ctx), who(ctx)?, id, input.into_domain()?).await?;
        forget_tokens(ctx);
        Ok(User(u))
    }

    /// Issues a token for a user; the token is returned this once. ADMIN only.
    async fn issue_token(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        name: String,
        expires_in_days: Option<i32>,
    ) -> Result<IssuedToken> {
        let user_id = parse_id(&user_id, "userId")?;
        let days = expires_in_days.map(i64::from);
        let (token, model) = service::issue_token(db(ctx), who(ctx)?, user_id, &name, days).await?;
        Ok(IssuedToken {
            token: secrecy::ExposeSecret::expose_secret(&token).to_owned(),
            api_token: ApiToken(model),
        })
    }

    /// Revokes a token: it stops working at once. ADMIN only.
    async fn revoke_token(&self, ctx: &Context<'_>, id: ID) -> Result<ApiToken> {
        let t = service::revoke_token(db(ctx), who(ctx)?, parse_id(&id, "id")?).await?;
        forget_tokens(ctx);
        Ok(ApiToken(t))
    }
}

/// A token revoked or a user changed here acts at once on this replica.
fn forget_tokens(ctx: &Context<'_>) {
    if let Some(cache) = ctx.data_opt::<std::sync::Arc<crate::auth::cache::TokenCache>>() {
        cache.forget_all();
    }
}
