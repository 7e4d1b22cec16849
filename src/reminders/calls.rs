//! What a page of planning calls for: the reminders the policy asks for on a day, addressed
//! to each ministry's liaisons, the escalation addresses and each meeting's convener, less
//! those planned before.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::{
    action_supporter,
    enums::{Language, RecipientRole, ReminderKind},
    liaison, meeting, reminder,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{next_day::Due, policy::Policy, write::NewReminder};
use crate::error::AppResult;

/// Someone a reminder is addressed to.
#[derive(Debug, Clone)]
pub(super) struct Recipient {
    pub liaison_id: Option<Uuid>,
    pub email: String,
    pub name: Option<String>,
    pub language: Language,
}

impl From<&liaison::Model> for Recipient {
    fn from(l: &liaison::Model) -> Self {
        Self {
            liaison_id: Some(l.id),
            email: l.email.clone(),
            name: Some(l.name.clone()),
            language: l.language,
        }
    }
}

/// The convener of each meeting planning has met so far in a run: read once per meeting.
#[derive(Default)]
pub(super) struct Conveners(pub HashMap<Uuid, Uuid>);

impl Conveners {
    pub(super) async fn load<C: ConnectionTrait>(
        &mut self,
        db: &C,
        actions: &[&Due],
    ) -> AppResult<()> {
        let missing: std::collections::BTreeSet<Uuid> = actions
            .iter()
            .map(|a| a.meeting_id)
            .filter(|m| !self.0.contains_key(m))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let rows: Vec<(Uuid, Uuid)> = meeting::Entity::find()
            .select_only()
            .columns([meeting::Column::Id, meeting::Column::ConvenedById])
            .filter(meeting::Column::Id.is_in(missing))
            .into_tuple()
            .all(db)
            .await?;
        self.0.extend(rows);
        Ok(())
    }
}

/// Who receives what planning writes: each ministry's liaisons, the extra escalation
/// addresses, each meeting's convener.
pub(super) struct People<'a> {
    pub by_ministry: &'a HashMap<Uuid, Vec<Recipient>>,
    pub extra: &'a [Recipient],
    pub conveners: &'a HashMap<Uuid, Uuid>,
}

pub(super) async fn liaisons_by_ministry<C: ConnectionTrait>(
    db: &C,
) -> AppResult<HashMap<Uuid, Vec<Recipient>>> {
    let mut map: HashMap<Uuid, Vec<Recipient>> = HashMap::new();
    let rows = liaison::Entity::find()
        .filter(liaison::Column::Active.eq(true))
        .filter(liaison::Column::ReceivesReminders.eq(true))
        .order_by_asc(liaison::Column::Name)
        .all(db)
        .await?;
    for l in &rows {
        map.entry(l.ministry_id).or_default().push(l.into());
    }
    Ok(map)
}

pub(super) async fn rows_for<C: ConnectionTrait>(
    db: &C,
    policy: &Policy,
    people: &People<'_>,
    actions: &[&Due],
    day: NaiveDate,
) -> AppResult<Vec<(Key, NewReminder)>> {
    let mut supporters: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    let rows: Vec<(Uuid, Uuid)> = action_supporter::Entity::find()
        .select_only()
        .columns([
            action_supporter::Column::ActionId,
            action_supporter::Column::MinistryId,
        ])
        .filter(action_supporter::Column::ActionId.is_in(actions.iter().map(|a| a.id)))
        .order_by_asc(action_supporter::Column::Position)
        .into_tuple()
        .all(db)
        .await?;
    for (action, ministry) in rows {
        supporters.entry(action).or_default().push(ministry);
    }
    let (by_ministry, extra, conveners) = (people.by_ministry, people.extra, people.conveners);
    let none = Vec::new();
    let liaisons_of = |m: &Uuid| by_ministry.get(m).unwrap_or(&none);
    let mut rows = Vec::new();
    for a in actions {
        for (kind, offset) in policy.due(a.due_on, day) {
            let mut recipients: Vec<(&Recipient, RecipientRole)> = Vec::new();
            if kind == ReminderKind::Escalation {
                if let Some(convener) = conveners.get(&a.meeting_id) {
                    recipients.extend(
                        liaisons_of(convener)
                            .iter()
                            .map(|r| (r, RecipientRole::Escalation)),
                    );
                }
                recipients.extend(extra.iter().map(|r| (r, RecipientRole::Escalation)));
            } else {
                recipients.extend(
                    liaisons_of(&a.lead_ministry_id)
                        .iter()
                        .map(|r| (r, RecipientRole::Act)),
                );
                for m in supporters.get(&a.id).unwrap_or(&Vec::new()) {
                    recipients.extend(liaisons_of(m).iter().map(|r| (r, RecipientRole::Support)));
                }
            }
            let mut seen: Vec<&str> = Vec::new();
            for (r, role) in recipients {
                let key = r.email.as_str();
                if seen.iter().any(|e| e.eq_ignore_ascii_case(key)) {
                    continue;
                }
                seen.push(key);
                let email = r.email.to_lowercase();
                let key = (a.id, email.clone(), kind, a.due_on, offset);
                rows.push((
                    key,
                    NewReminder {
                        id: Uuid::now_v7(),
                        action_id: a.id,
                        liaison_id: r.liaison_id,
                        email,
                        name: r.name.clone(),
                        language: r.language,
                        role,
                        kind,
                        planned_for: a.due_on,
                        offset_days: offset,
                    },
                ));
            }
        }
    }
    Ok(rows)
}

/// What makes a reminder unique: action, recipient, kind, due date, occurrence.
type Key = (Uuid, String, ReminderKind, NaiveDate, i32);

/// Drops the rows planned before: one read per page instead of a refused insert per row.
pub(super) async fn without_planned<C: ConnectionTrait>(
    db: &C,
    actions: &[&Due],
    rows: Vec<(Key, NewReminder)>,
) -> AppResult<Vec<NewReminder>> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let existing: std::collections::HashSet<Key> = reminder::Entity::find()
        .select_only()
        .columns([
            reminder::Column::ActionId,
            reminder::Column::Email,
            reminder::Column::Kind,
            reminder::Column::PlannedFor,
            reminder::Column::OffsetDays,
        ])
        .filter(reminder::Column::ActionId.is_in(actions.iter().map(|a| a.id)))
        .into_tuple::<Key>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .filter(|(key, _)| !existing.contains(key))
        .map(|(_, row)| row)
        .collect())
}
