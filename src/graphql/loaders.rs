//! DataLoaders: nested fields of a list are fetched in one statement per kind, not per row.

use std::{collections::HashMap, hash::Hash, sync::Arc};

use async_graphql::dataloader::{HashMapCache, Loader};
use entity::{
    action, action_supporter, action_update, issue, liaison, meeting, meeting_attendee, ministry,
    reminder,
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, Select,
};
use uuid::Uuid;

mod access;

pub use access::{fetch, list, many, one, prime};

pub type DataLoader = async_graphql::dataloader::DataLoader<Db, HashMapCache>;

/// The loader behind every key type below.
pub struct Db(pub DatabaseConnection);

/// A loader for one request: what it loads is cached for as long as the request lasts.
pub fn new_loader(db: DatabaseConnection) -> DataLoader {
    DataLoader::with_cache(Db(db), tokio::spawn, HashMapCache::default())
}

macro_rules! key {
    ($name:ident) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(pub Uuid);
    };
}

key!(MinistryKey);
key!(ActionKey);
key!(MeetingKey);
key!(IssueKey);
key!(SupportersOf);
key!(AttendeesOf);
key!(IssuesOf);
key!(ActionsOfMeeting);
key!(ActionsOfIssue);
key!(UpdatesOf);
key!(RemindersOf);
key!(LiaisonsOf);

type Loaded<K, V> = Result<HashMap<K, V>, Arc<DbErr>>;

fn ids<K: Copy>(keys: &[K], f: impl Fn(K) -> Uuid) -> Vec<Uuid> {
    keys.iter().map(|k| f(*k)).collect()
}

/// One row per key.
async fn by_id<E, K>(
    db: &DatabaseConnection,
    keys: &[K],
    id: fn(K) -> Uuid,
    key: fn(&E::Model) -> K,
    col: E::Column,
) -> Loaded<K, E::Model>
where
    E: EntityTrait,
    K: Copy + Eq + Hash,
{
    let rows = E::find()
        .filter(col.is_in(ids(keys, id)))
        .all(db)
        .await
        .map_err(Arc::new)?;
    Ok(rows.into_iter().map(|m| (key(&m), m)).collect())
}

/// Values kept in the request's cache and handed to every resolver that asks for them: shared,
/// not copied (a meeting's summary and folded search text, once per action of a page).
fn shared<K: Eq + Hash, V>(loaded: Loaded<K, V>) -> Loaded<K, Arc<V>> {
    Ok(loaded?.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
}

/// Many rows per key, in the order of `select`; keys without rows get an empty list.
async fn grouped<E, K>(
    db: &DatabaseConnection,
    keys: &[K],
    id: fn(K) -> Uuid,
    key: fn(&E::Model) -> K,
    col: E::Column,
    select: Select<E>,
) -> Loaded<K, Vec<E::Model>>
where
    E: EntityTrait,
    K: Copy + Eq + Hash,
{
    let rows = select
        .filter(col.is_in(ids(keys, id)))
        .all(db)
        .await
        .map_err(Arc::new)?;
    let mut map: HashMap<K, Vec<E::Model>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for row in rows {
        map.entry(key(&row)).or_default().push(row);
    }
    Ok(map)
}

impl Loader<MinistryKey> for Db {
    type Value = Arc<ministry::Model>;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[MinistryKey]) -> Loaded<MinistryKey, Self::Value> {
        shared(
            by_id::<ministry::Entity, _>(
                &self.0,
                keys,
                |k| k.0,
                |m| MinistryKey(m.id),
                ministry::Column::Id,
            )
            .await,
        )
    }
}

impl Loader<ActionKey> for Db {
    type Value = action::Model;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[ActionKey]) -> Loaded<ActionKey, Self::Value> {
        by_id::<action::Entity, _>(
            &self.0,
            keys,
            |k| k.0,
            |m| ActionKey(m.id),
            action::Column::Id,
        )
        .await
    }
}

impl Loader<MeetingKey> for Db {
    type Value = Arc<meeting::Model>;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[MeetingKey]) -> Loaded<MeetingKey, Self::Value> {
        shared(
            by_id::<meeting::Entity, _>(
                &self.0,
                keys,
                |k| k.0,
                |m| MeetingKey(m.id),
                meeting::Column::Id,
            )
            .await,
        )
    }
}

impl Loader<IssueKey> for Db {
    type Value = issue::Model;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[IssueKey]) -> Loaded<IssueKey, Self::Value> {
        by_id::<issue::Entity, _>(
            &self.0,
            keys,
            |k| k.0,
            |m| IssueKey(m.id),
            issue::Column::Id,
        )
        .await
    }
}

impl Loader<SupportersOf> for Db {
    type Value = Vec<action_supporter::Model>;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[SupportersOf]) -> Loaded<SupportersOf, Self::Value> {
        let select =
            action_supporter::Entity::find().order_by_asc(action_supporter::Column::Position);
        grouped(
            &self.0,
            keys,
            |k| k.0,
            |m| SupportersOf(m.action_id),
            action_supporter::Column::ActionId,
            select,
        )
        .await
    }
}

impl Loader<AttendeesOf> for Db {
    type Value = Vec<meeting_attendee::Model>;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[AttendeesOf]) -> Loaded<AttendeesOf, Self::Value> {
        let select =
            meeting_attendee::Entity::find().order_by_asc(meeting_attendee::Column::Position);
        grouped(
            &self.0,
            keys,
            |k| k.0,
            |m| AttendeesOf(m.meeting_id),
            meeting_attendee::Column::MeetingId,
            select,
        )
        .await
    }
}

impl Loader<IssuesOf> for Db {
    type Value = Vec<issue::Model>;
    type Error = Arc<DbErr>;
    /// The issues taken up at each meeting (raised there or carried forward), oldest first.
    async fn load(&self, keys: &[IssuesOf]) -> Loaded<IssuesOf, Self::Value> {
        let links = entity::issue_meeting::Entity::find()
            .filter(entity::issue_meeting::Column::MeetingId.is_in(ids(keys, |k| k.0)))
            .all(&self.0)
            .await?;
        let issues = issue::Entity::find()
            .filter(issue::Column::Id.is_in(links.iter().map(|l| l.issue_id)))
            .order_by_asc(issue::Column::CreatedAt)
            .order_by_asc(issue::Column::Id)
            .all(&self.0)
            .await?;
        let mut out: HashMap<IssuesOf, Vec<issue::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for i in issues {
            for l in links.iter().filter(|l| l.issue_id == i.id) {
                if let Some(list) = out.get_mut(&IssuesOf(l.meeting_id)) {
                    list.push(i.clone());
                }
            }
        }
        Ok(out)
    }
}

fn actions_in_due_order() -> Select<action::Entity> {
    action::Entity::find()
        .order_by_asc(action::Column::DueOn)
        .order_by_asc(action::Column::Id)
}

impl Loader<ActionsOfMeeting> for Db {
    type Value = Vec<action::Model>;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[ActionsOfMeeting]) -> Loaded<ActionsOfMeeting, Self::Value> {
        grouped(
            &self.0,
            keys,
            |k| k.0,
            |m| ActionsOfMeeting(m.meeting_id),
            action::Column::MeetingId,
            actions_in_due_order(),
        )
        .await
    }
}

impl Loader<ActionsOfIssue> for Db {
    type Value = Vec<action::Model>;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[ActionsOfIssue]) -> Loaded<ActionsOfIssue, Self::Value> {
        let rows = grouped(
            &self.0,
            keys,
            |k| k.0,
            |m| ActionsOfIssue(m.issue_id.unwrap_or_default()),
            action::Column::IssueId,
            actions_in_due_order(),
        )
        .await?;
        Ok(rows)
    }
}

impl Loader<RemindersOf> for Db {
    type Value = Vec<reminder::Model>;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[RemindersOf]) -> Loaded<RemindersOf, Self::Value> {
        let select = reminder::Entity::find()
            .order_by_asc(reminder::Column::CreatedAt)
            .order_by_asc(reminder::Column::Id);
        grouped(
            &self.0,
            keys,
            |k| k.0,
            |m| RemindersOf(m.action_id),
            reminder::Column::ActionId,
            select,
        )
        .await
    }
}

impl Loader<UpdatesOf> for Db {
    type Value = Vec<action_update::Model>;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[UpdatesOf]) -> Loaded<UpdatesOf, Self::Value> {
        let select = action_update::Entity::find()
            .order_by_asc(action_update::Column::CreatedAt)
            .order_by_asc(action_update::Column::Id);
        grouped(
            &self.0,
            keys,
            |k| k.0,
            |m| UpdatesOf(m.action_id),
            action_update::Column::ActionId,
            select,
        )
        .await
    }
}

impl Loader<LiaisonsOf> for Db {
    type Value = Vec<liaison::Model>;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[LiaisonsOf]) -> Loaded<LiaisonsOf, Self::Value> {
        let select = liaison::Entity::find()
            .order_by_asc(liaison::Column::Name)
            .order_by_asc(liaison::Column::Id);
        grouped(
            &self.0,
            keys,
            |k| k.0,
            |m| LiaisonsOf(m.ministry_id),
            liaison::Column::MinistryId,
            select,
        )
        .await
    }
}
