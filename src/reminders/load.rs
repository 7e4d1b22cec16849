//! Loading what a digest shows: the actions of the claimed reminders, with their meetings,
//! issues, ministries and last updates.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    action, action_supporter, action_update,
    enums::{RecipientRole, ReminderKind},
    issue, meeting, ministry, reminder,
};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{
    digest::{Digest, Item},
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

/// The digest for `rows`, all of one recipient.
pub async fn digest<C: ConnectionTrait>(
    db: &C,
    links: &Links<'_>,
    rows: &[reminder::Model],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Option<Digest>> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let action_ids: Vec<Uuid> = rows.iter().map(|r| r.action_id).collect();
    let actions = action::Entity::find()
        .filter(action::Column::Id.is_in(action_ids.clone()))
        .all(db)
        .await?;
    let around = surroundings(db, &actions).await?;
    let mut last_updates: HashMap<Uuid, action_update::Model> = HashMap::new();
    for u in action_update::Entity::find()
        .filter(action_update::Column::ActionId.is_in(action_ids))
        .order_by_asc(action_update::Column::CreatedAt)
        .all(db)
        .await?
    {
        last_updates.insert(u.action_id, u);
    }
    let mut items: Vec<Item> = Vec::new();
    for a in &actions {
        let mine: Vec<&reminder::Model> = rows.iter().filter(|r| r.action_id == a.id).collect();
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
        let names = around.names(a);
        items.push(Item {
            action_id: a.id,
            title: a.title.clone(),
            meeting: names.meeting,
            issue: names.issue,
            lead: names.lead,
            supporters: names.supporters,
            due_on: a.due_on,
            role,
            escalated,
            last_update: last_updates.get(&a.id).map(|u| {
                let when = u.created_at.date_naive();
                match &u.note {
                    Some(note) => format!("{when}: {note}"),
                    None => format!(
                        "{when}: {}",
                        u.to_status.map(|s| s.to_value()).unwrap_or_default()
                    ),
                }
            }),
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
