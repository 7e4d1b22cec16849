//! Loading what a digest shows: the actions of the claimed reminders, with their meetings,
//! issues, ministries and last updates.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{
    action, action_supporter,
    enums::{ActionStatus, RecipientRole, ReminderKind},
    issue, meeting, ministry, reminder,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Statement};
use uuid::Uuid;

use super::{
    digest::{Digest, Item, LastUpdate},
    failures,
    links::LinkSigner,
    pages::Names,
};
use crate::error::AppResult;

/// Signs the progress links of a digest.
pub struct Links<'a> {
    pub signer: &'a LinkSigner,
    pub public_url: &'a str,
}

/// Most actions [`Seen`] keeps; when it holds more it starts again (a few hundred bytes an
/// action: at most some tens of MiB during a run, none after it).
const MOST_SEEN: usize = 50_000;

/// What the digests of one delivery run have loaded of their actions. An action is in the
/// digests of its lead ministry's liaison, of each supporting ministry's and of its
/// escalations (3.8 on average in the benchmark's backlog); a run loads it once. A digest
/// shows an action as the run first loaded it: at most the run's length ago.
#[derive(Default)]
pub struct Seen(Mutex<HashMap<Uuid, Arc<Facts>>>);

impl Seen {
    /// The facts of `ids`, from what the run has seen, the others loaded.
    async fn facts<C: ConnectionTrait>(
        &self,
        db: &C,
        ids: &[Uuid],
        tz: Tz,
    ) -> AppResult<Vec<Arc<Facts>>> {
        let (mut known, missing) = {
            let seen = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            let mut known = Vec::with_capacity(ids.len());
            let mut missing = Vec::new();
            for id in ids {
                match seen.get(id) {
                    Some(facts) => known.push(Arc::clone(facts)),
                    None => missing.push(*id),
                }
            }
            (known, missing)
        };
        let loaded: Vec<Arc<Facts>> = facts(db, &missing, tz)
            .await?
            .into_iter()
            .map(Arc::new)
            .collect();
        let mut seen = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.len() + loaded.len() > MOST_SEEN {
            seen.clear();
        }
        seen.extend(loaded.iter().map(|f| (f.id, Arc::clone(f))));
        known.extend(loaded);
        Ok(known)
    }
}

/// The digest for `rows`, all of one recipient; the days of the latest updates are those of
/// `tz`, as everywhere else the product shows a day. The actions the run has `seen` already
/// are not loaded again.
pub async fn digest<C: ConnectionTrait>(
    db: &C,
    links: &Links<'_>,
    rows: &[reminder::Model],
    today: NaiveDate,
    tz: Tz,
    now: DateTime<Utc>,
    seen: &Seen,
) -> AppResult<Option<Digest>> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut action_ids: Vec<Uuid> = rows.iter().map(|r| r.action_id).collect();
    action_ids.sort_unstable();
    action_ids.dedup();
    let facts = seen.facts(db, &action_ids, tz).await?;
    let mut by_action: HashMap<Uuid, Vec<&reminder::Model>> = HashMap::new();
    for r in rows {
        by_action.entry(r.action_id).or_default().push(r);
    }
    let mut items: Vec<Item> = Vec::with_capacity(facts.len());
    for a in facts {
        let mine = by_action.remove(&a.id).unwrap_or_default();
        let escalated = mine.iter().any(|r| r.kind == ReminderKind::Escalation);
        // The row that makes the recipient responsible: to act before to support.
        let responsible = mine
            .iter()
            .filter(|r| r.role != RecipientRole::Escalation)
            .min_by_key(|r| r.role == RecipientRole::Support);
        let role = responsible.map_or(RecipientRole::Escalation, |r| r.role);
        // Signed for the liaison of this item's own reminder: one person may be the liaison
        // of several ministries, and each link must be accepted for the ministry it is about.
        let link = responsible.and_then(|r| r.liaison_id).map(|liaison| {
            format!(
                "{}/respond/{}",
                links.public_url.trim_end_matches('/'),
                links.signer.link(a.id, liaison, now)
            )
        });
        items.push(Item {
            action_id: a.id,
            title: a.title.clone(),
            meeting: a.meeting.clone(),
            issue: a.issue.clone(),
            lead: a.lead.clone(),
            supporters: a.supporters.clone(),
            due_on: a.due_on,
            role,
            escalated,
            last_update: a.last_update.clone(),
            link,
        });
    }
    let undelivered = failures::undelivered(db, rows).await?;
    Ok(Some(Digest {
        to_email: first.email.clone(),
        to_name: first.recipient_name.clone(),
        language: first.language,
        today,
        items,
        undelivered,
    }))
}

/// What a digest says of one action.
struct Facts {
    id: Uuid,
    title: String,
    due_on: NaiveDate,
    meeting: String,
    issue: Option<String>,
    lead: String,
    supporters: Vec<String>,
    last_update: Option<LastUpdate>,
}

/// The actions `ids` with the names around them and their latest timeline entry, in two
/// statements whatever their number: one for the actions, their meeting, issue, lead
/// ministry and latest entry, one for their supporting ministries. (The latest entry is
/// looked up by its action first: joined by its id alone, PostgreSQL hashes every entry of the
/// registry for each digest — 45 ms instead of 5 ms for 500 actions of 100,000.)
///
/// On PostgreSQL the ids go as one array, so that both statements keep one text and their
/// prepared plans (a list of 470 parameters was planned anew for every digest: 4 ms of
/// planning and 14-19 ms of execution for the actions, against 0.5 ms and 5-7 ms with the
/// array and the latest entry joined laterally, measured on the benchmark's data).
async fn facts<C: ConnectionTrait>(db: &C, ids: &[Uuid], tz: Tz) -> AppResult<Vec<Facts>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let backend = db.get_database_backend();
    let (among, latest, values) = if backend == sea_orm::DbBackend::Postgres {
        let array = crate::db::array(sea_orm::sea_query::ArrayType::Uuid, ids.iter().copied());
        (
            "= ANY($1)".to_owned(),
            "LEFT JOIN LATERAL (SELECT u2.created_at, u2.note, u2.to_status \
               FROM action_updates u2 WHERE u2.action_id = a.id \
               ORDER BY u2.created_at DESC, u2.id DESC LIMIT 1) u ON TRUE",
            vec![array],
        )
    } else {
        let list = (1..=ids.len())
            .map(|n| crate::db::param(backend, n))
            .collect::<Vec<_>>()
            .join(", ");
        (
            format!("IN ({list})"),
            "LEFT JOIN action_updates u ON u.action_id = a.id AND u.id = ( \
               SELECT u2.id FROM action_updates u2 WHERE u2.action_id = a.id \
               ORDER BY u2.created_at DESC, u2.id DESC LIMIT 1)",
            ids.iter().map(|id| sea_orm::Value::from(*id)).collect(),
        )
    };
    let sql = format!(
        "SELECT a.id, a.title, a.due_on, m.title AS meeting, i.title AS issue, \
           COALESCE(l.short_name, l.name) AS lead, \
           u.created_at AS update_at, u.note AS update_note, u.to_status AS update_status \
         FROM actions a \
         JOIN meetings m ON m.id = a.meeting_id \
         JOIN ministries l ON l.id = a.lead_ministry_id \
         LEFT JOIN issues i ON i.id = a.issue_id \
         {latest} \
         WHERE a.id {among}"
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values.clone()))
        .await?;
    let sql = format!(
        "SELECT s.action_id, COALESCE(mi.short_name, mi.name) AS name \
         FROM action_supporters s JOIN ministries mi ON mi.id = s.ministry_id \
         WHERE s.action_id {among} ORDER BY s.action_id, s.position"
    );
    let mut supporters: HashMap<Uuid, Vec<String>> = HashMap::new();
    for row in db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
    {
        supporters
            .entry(row.try_get("", "action_id")?)
            .or_default()
            .push(row.try_get("", "name")?);
    }
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id: Uuid = row.try_get("", "id")?;
        let at: Option<DateTime<Utc>> = row.try_get("", "update_at")?;
        let note: Option<String> = row.try_get("", "update_note")?;
        let status: Option<ActionStatus> = row.try_get("", "update_status")?;
        let last_update = at.map(|at| LastUpdate {
            on: crate::reports::state::date_in(tz, at),
            note,
            status,
        });
        out.push(Facts {
            id,
            title: row.try_get("", "title")?,
            due_on: row.try_get("", "due_on")?,
            meeting: row.try_get("", "meeting")?,
            issue: row.try_get("", "issue")?,
            lead: row.try_get("", "lead")?,
            supporters: supporters.remove(&id).unwrap_or_default(),
            last_update,
        });
    }
    Ok(out)
}

/// What surrounds some actions: their meetings, issues, supporters and ministries, loaded
/// with one statement per kind.
pub struct Surroundings {
    meetings: HashMap<Uuid, meeting::Model>,
    issues: HashMap<Uuid, issue::Model>,
    supporters: Vec<action_supporter::Model>,
    ministries: HashMap<Uuid, ministry::Model>,
}

/// Loads what surrounds `actions`.
pub async fn surroundings<C: ConnectionTrait>(
    db: &C,
    actions: &[action::Model],
) -> AppResult<Surroundings> {
    let meetings = by_id(
        meeting::Entity::find()
            .filter(meeting::Column::Id.is_in(actions.iter().map(|a| a.meeting_id)))
            .all(db)
            .await?,
        |m| m.id,
    );
    let issues = by_id(
        issue::Entity::find()
            .filter(issue::Column::Id.is_in(actions.iter().filter_map(|a| a.issue_id)))
            .all(db)
            .await?,
        |i| i.id,
    );
    let supporters = action_supporter::Entity::find()
        .filter(action_supporter::Column::ActionId.is_in(actions.iter().map(|a| a.id)))
        .order_by_asc(action_supporter::Column::Position)
        .all(db)
        .await?;
    let ministry_ids = actions
        .iter()
        .map(|a| a.lead_ministry_id)
        .chain(supporters.iter().map(|s| s.ministry_id));
    let ministries = by_id(
        ministry::Entity::find()
            .filter(ministry::Column::Id.is_in(ministry_ids))
            .all(db)
            .await?,
        |m| m.id,
    );
    Ok(Surroundings {
        meetings,
        issues,
        supporters,
        ministries,
    })
}

impl Surroundings {
    /// A ministry as people name it: its short name, else its name.
    fn ministry(&self, id: &Uuid) -> String {
        self.ministries.get(id).map_or_else(
            || "?".to_owned(),
            |m| m.short_name.clone().unwrap_or_else(|| m.name.clone()),
        )
    }

    /// The meeting, issue and ministry names of `a`.
    pub fn names(&self, a: &action::Model) -> Names {
        Names {
            meeting: self
                .meetings
                .get(&a.meeting_id)
                .map_or_else(String::new, |m| m.title.clone()),
            issue: a
                .issue_id
                .and_then(|i| self.issues.get(&i))
                .map(|i| i.title.clone()),
            lead: self.ministry(&a.lead_ministry_id),
            supporters: self
                .supporters
                .iter()
                .filter(|s| s.action_id == a.id)
                .map(|s| self.ministry(&s.ministry_id))
                .collect(),
        }
    }
}

fn by_id<T>(rows: Vec<T>, id: impl Fn(&T) -> Uuid) -> HashMap<Uuid, T> {
    rows.into_iter().map(|r| (id(&r), r)).collect()
}
