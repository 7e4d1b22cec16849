//! The weekly leadership digest: on the configured weekday and hour, the state of every
//! action, what changed in the week, who is most overdue and who is silent, with a signed
//! link to the status page, to every active LEADERSHIP user with an email and the configured
//! addresses. One row per (slot, address) in an outbox of its own, claimed under a lease
//! and retried like the reminders, so that each goes once whatever the number of workers.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{
    enums::{ReminderStatus, Role},
    leadership_digest as row, user,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::OnConflict,
};
use uuid::Uuid;

mod email;

use email::{Week, message, week};

use super::{deliver::backoff, mail::SendError, worker::Reminders};
use crate::{config::Weekly, error::AppResult, reports::links::ReportSigner};

/// How long the link in a digest works.
const LINK_DAYS: i32 = 14;

/// The digest's day for a run planning `day` at `now`: the latest configured weekday on or
/// before `day`; when `day` is today and that weekday, only once the hour has passed. A run
/// for another day (`--as-of`) ignores the hour. Earlier slots are never planned.
pub fn slot(schedule: Weekly, day: NaiveDate, now: DateTime<Utc>, tz: Tz) -> Option<NaiveDate> {
    let Weekly::At { weekday, time } = schedule else {
        return None;
    };
    let back = (7 + day.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
    let slot = day.checked_sub_days(chrono::Days::new(u64::from(back)))?;
    let local = now.with_timezone(&tz);
    if slot == local.date_naive() && local.time() < time {
        return None;
    }
    Some(slot)
}

/// Plans the digest of `slot` for every recipient who does not have it yet; returns how
/// many were new.
pub async fn plan<C: ConnectionTrait>(
    db: &C,
    slot: NaiveDate,
    extra: &[String],
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let leaders = user::Entity::find()
        .filter(user::Column::Role.eq(Role::Leadership))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Email.is_not_null())
        .all(db)
        .await?;
    let mut seen = std::collections::HashSet::new();
    let mut rows = Vec::new();
    let recipients = leaders
        .into_iter()
        .filter_map(|u| {
            let email = u.email.clone()?;
            Some((email, Some(u.name.clone()), Some(u.id)))
        })
        .chain(
            extra
                .iter()
                .map(|e| (e.trim().to_owned(), None::<String>, None::<Uuid>)),
        );
    for (email, name, user_id) in recipients {
        if email.is_empty() || !seen.insert(email.to_lowercase()) {
            continue;
        }
        rows.push(row::ActiveModel {
            id: Set(Uuid::now_v7()),
            slot: Set(slot),
            email: Set(email),
            recipient_name: Set(name),
            user_id: Set(user_id),
            status: Set(ReminderStatus::Pending),
            attempts: Set(0),
            next_attempt_at: Set(now),
            lease_owner: Set(None),
            lease_until: Set(None),
            last_error: Set(None),
            message_id: Set(None),
            sent_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        });
    }
    let mut planned = 0;
    for r in rows {
        let done = row::Entity::insert(r)
            .on_conflict(
                OnConflict::columns([row::Column::Slot, row::Column::Email])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        planned += done;
    }
    Ok(planned)
}

/// What one run delivered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    pub sent: u64,
    pub retried: u64,
    pub failed: u64,
}

/// The digests due at `now`: pending, their next attempt reached, nobody holding them.
fn due(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(row::Column::Status.eq(ReminderStatus::Pending))
        .add(row::Column::NextAttemptAt.lte(now))
        .add(
            Condition::any()
                .add(row::Column::LeaseUntil.is_null())
                .add(row::Column::LeaseUntil.lt(now)),
        )
}

/// Sends the digests that are due, each under a lease of this worker's.
pub async fn deliver(r: &Reminders, now: DateTime<Utc>) -> AppResult<Outcome> {
    let db = &r.db;
    let tz = r.settings.timezone;
    let mut out = Outcome::default();
    let candidates = row::Entity::find()
        .filter(due(now))
        .order_by_asc(row::Column::Slot)
        .order_by_asc(row::Column::Id)
        .limit(100)
        .all(db)
        .await?;
    let lease = Duration::seconds(
        r.remind
            .remind_lease_secs
            .max(2 * r.remind.mail.smtp_timeout_secs as i64),
    );
    let signer = ReportSigner::new(&r.signer);
    let mut weeks: HashMap<NaiveDate, Week> = HashMap::new();
    for digest in candidates {
        // Claim it: only one worker's update finds it still free.
        let claimed = row::Entity::update_many()
            .col_expr(
                row::Column::LeaseOwner,
                sea_orm::sea_query::Expr::value(r.worker.clone()),
            )
            .col_expr(
                row::Column::LeaseUntil,
                sea_orm::sea_query::Expr::value(now + lease),
            )
            .filter(row::Column::Id.eq(digest.id))
            .filter(due(now))
            .exec(db)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        let figures = match weeks.entry(digest.slot) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(week(db, tz, digest.slot, now).await?)
            }
        };
        let figures = &*figures;
        let target = format!("/reports/status.html?asOf={}", digest.slot);
        let public = &r.remind.mail.public_url;
        let link = match digest.user_id {
            Some(user) => signer.link(public, &target, user, LINK_DAYS, now),
            None => signer.system_link(public, &target, LINK_DAYS, now),
        }
        .unwrap_or_else(|_| format!("{}{target}", public.trim_end_matches('/')));
        let message_id = format!("<{}@tindak>", digest.id);
        let sent = match message(
            &r.remind.mail.mail_from,
            &digest,
            figures,
            &link,
            &message_id,
        ) {
            Ok(m) => r.mailer.send(m).await,
            Err(e) => Err(SendError::Permanent(e)),
        };
        let attempts = digest.attempts + 1;
        let (status, next, error) = match &sent {
            Ok(()) => (ReminderStatus::Sent, now, None),
            Err(SendError::Permanent(e)) => (ReminderStatus::Failed, now, Some(e.clone())),
            Err(SendError::Transient(e)) if attempts >= r.remind.remind_max_attempts => {
                (ReminderStatus::Failed, now, Some(e.clone()))
            }
            Err(SendError::Transient(e)) => (
                ReminderStatus::Pending,
                now + backoff(attempts),
                Some(e.clone()),
            ),
        };
        match status {
            ReminderStatus::Sent => out.sent += 1,
            ReminderStatus::Failed => out.failed += 1,
            _ => out.retried += 1,
        }
        match &error {
            None => tracing::info!(slot = %digest.slot, "leadership digest sent"),
            Some(e) => {
                tracing::warn!(slot = %digest.slot, attempts, error = %e, "leadership digest not delivered")
            }
        }
        let mut update = row::ActiveModel {
            id: sea_orm::ActiveValue::Unchanged(digest.id),
            status: Set(status),
            attempts: Set(attempts),
            next_attempt_at: Set(next),
            lease_owner: Set(None),
            lease_until: Set(None),
            last_error: Set(error),
            updated_at: Set(crate::db::now()),
            ..Default::default()
        };
        if sent.is_ok() {
            update.message_id = Set(Some(message_id));
            update.sent_at = Set(Some(crate::db::now()));
        }
        row::Entity::update_many()
            .set(update)
            .filter(row::Column::Id.eq(digest.id))
            .filter(row::Column::LeaseOwner.eq(r.worker.clone()))
            .exec(db)
            .await?;
    }
    Ok(out)
}

/// The newest digests, for the outbox view.
pub async fn recent<C: ConnectionTrait>(db: &C, limit: u64) -> AppResult<Vec<row::Model>> {
    Ok(row::Entity::find()
        .order_by_desc(row::Column::Slot)
        .order_by_asc(row::Column::Email)
        .limit(limit)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveTime, TimeZone, Weekday};

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Tz::Asia__Jakarta
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .single()
            .expect("time")
            .to_utc()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn the_slot_is_the_latest_weekday_once_its_hour_has_passed() {
        let tz = Tz::Asia__Jakarta;
        let monday = Weekly::At {
            weekday: Weekday::Mon,
            time: NaiveTime::from_hms_opt(7, 0, 0).expect("time"),
        };
        // Monday 16 March 2026, 06:00 WIB: not yet; 08:00: today.
        assert_eq!(
            slot(monday, day("2026-03-16"), at(2026, 3, 16, 6), tz),
            None
        );
        assert_eq!(
            slot(monday, day("2026-03-16"), at(2026, 3, 16, 8), tz),
            Some(day("2026-03-16"))
        );
        // Wednesday: Monday's, whatever the hour.
        assert_eq!(
            slot(monday, day("2026-03-18"), at(2026, 3, 18, 6), tz),
            Some(day("2026-03-16"))
        );
        // A run for another day (--as-of) ignores the hour.
        assert_eq!(
            slot(monday, day("2026-03-16"), at(2026, 3, 20, 6), tz),
            Some(day("2026-03-16"))
        );
        assert_eq!(
            slot(Weekly::Off, day("2026-03-16"), at(2026, 3, 16, 8), tz),
            None
        );
    }
}
