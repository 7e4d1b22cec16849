//! A per-replica cache of the tokens that checked out, so that a request does not wait on a
//! database round trip of its own to know who sent it.
//!
//! An entry lives [`TTL`] at most: a token revoked, or a user deactivated or given another
//! role, on another replica (or with `tindak token revoke`) stops working here within that
//! time. On this replica the change acts at once: the resolvers that make it empty the
//! cache. Unknown tokens are never cached, so a new token works at once.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use entity::user;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::token_service;
use crate::error::AppResult;

/// How long a checked token is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(3);

/// Entries kept at most; the cache starts over when full.
const CAPACITY: usize = 10_000;

struct Cached {
    user: user::Model,
    token_id: Uuid,
    expires_at: Option<DateTime<Utc>>,
    at: Instant,
}

#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<String, Cached>>,
}

impl TokenCache {
    /// Forgets every token: after a revocation or a change to a user on this replica.
    pub fn forget_all(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    /// The actor behind `token`, from the cache when it checked out less than [`TTL`] ago.
    pub async fn authenticate<C: ConnectionTrait>(
        &self,
        db: &C,
        token: &str,
    ) -> AppResult<Option<(user::Model, Uuid)>> {
        let key = super::tokens::hash(token);
        let now = crate::db::now();
        if let Ok(entries) = self.entries.lock()
            && let Some(c) = entries.get(&key)
            && c.at.elapsed() < TTL
            && c.expires_at.is_none_or(|t| t > now)
        {
            return Ok(Some((c.user.clone(), c.token_id)));
        }
        let found = token_service::authenticate_token(db, token).await?;
        if let Some((user, token)) = &found
            && let Ok(mut entries) = self.entries.lock()
        {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(
                key,
                Cached {
                    user: user.clone(),
                    token_id: token.id,
                    expires_at: token.expires_at,
                    at: Instant::now(),
                },
            );
        }
        Ok(found.map(|(user, token)| (user, token.id)))
    }
}
