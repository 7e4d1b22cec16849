//! How resolvers use the request's loader: one value, a list, many, or a batch primed ahead.

use std::{
    collections::{HashMap, HashSet},
    hash::Hash,
    sync::Arc,
};

use async_graphql::{Context, dataloader::Loader};
use sea_orm::DbErr;

use super::{DataLoader, Db};
use crate::error::{AppError, AppResult};

fn loader<'a>(ctx: &'a Context<'_>) -> &'a DataLoader {
    ctx.data_unchecked::<DataLoader>()
}

fn db_err(e: Arc<DbErr>) -> AppError {
    AppError::Internal(anyhow::anyhow!("{e}"))
}

/// Loads one value through the request's loader.
///
/// The loader's future is boxed here, so that the resolvers that await this one stay small:
/// async-graphql boxes each selected field's future at the size of its type's largest field,
/// and copies it for every field of every row of a page (README, Performance).
pub async fn one<K>(ctx: &Context<'_>, key: K) -> AppResult<Option<<Db as Loader<K>>::Value>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Db: Loader<K, Error = Arc<DbErr>>,
{
    Box::pin(loader(ctx).load_one(key)).await.map_err(db_err)
}

/// Loads the list behind a key; a key with nothing behind it yields an empty list.
pub async fn list<K, V>(ctx: &Context<'_>, key: K) -> AppResult<Vec<V>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    Db: Loader<K, Value = Vec<V>, Error = Arc<DbErr>>,
{
    Ok(one(ctx, key).await?.unwrap_or_default())
}

/// Loads many values by key, keeping the order of `keys` and skipping missing ones (the
/// loader's future boxed, as in [`one`]).
pub async fn many<K>(ctx: &Context<'_>, keys: Vec<K>) -> AppResult<Vec<<Db as Loader<K>>::Value>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Db: Loader<K, Error = Arc<DbErr>>,
{
    let mut found = Box::pin(loader(ctx).load_many(keys.clone()))
        .await
        .map_err(db_err)?;
    Ok(keys.iter().filter_map(|k| found.remove(k)).collect())
}

/// Loads `keys` into the request's cache in one batch, so that the resolvers asking for them
/// one by one later find them there.
///
/// The batch is loaded here, in the resolver's own task, and fed to the cache: going through
/// `load_many` would hand the batch to a spawned task that first waits out the loader's
/// batching delay on a timer thread, two thread hand-offs per kind of data per request for
/// keys that are all known already.
pub async fn prime<K>(ctx: &Context<'_>, keys: impl IntoIterator<Item = K>) -> AppResult<()>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Db: Loader<K, Error = Arc<DbErr>>,
{
    fetch(ctx, keys).await.map(|_| ())
}

/// Loads `keys` in one batch (see [`prime`]), keeps them in the request's cache, and returns
/// them.
pub async fn fetch<K>(
    ctx: &Context<'_>,
    keys: impl IntoIterator<Item = K>,
) -> AppResult<HashMap<K, <Db as Loader<K>>::Value>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Db: Loader<K, Error = Arc<DbErr>>,
{
    let keys: Vec<K> = keys
        .into_iter()
        .collect::<HashSet<K>>()
        .into_iter()
        .collect();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let found = loader(ctx).loader().load(&keys).await.map_err(db_err)?;
    loader(ctx)
        .feed_many(found.iter().map(|(k, v)| (k.clone(), v.clone())))
        .await;
    Ok(found)
}
