//! `tindak bench seed`: fills an empty database with a reproducible registry for reports and
//! benchmarks, through the project's own entities.
//!
//! The mix: statuses 40% OPEN, 20% IN_PROGRESS, 35% DONE, 5% CANCELLED (exactly, for every
//! hundred actions); meetings spread over the two years before `today`, due dates two weeks to
//! six months after their meeting; 1 to 3 supporting ministries per action; one in five
//! actions rescheduled once; a timeline consistent with each action's status and due date;
//! one liaison per ministry (`penghubung@klNNNN.example.go.id`), for the reminder benchmark.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use entity::{
    action, action_supporter, action_update,
    enums::{ActionStatus, Language, MinistryKind, Priority},
    liaison, meeting, ministry, reminder_day,
};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait, PaginatorTrait};
use uuid::Uuid;

/// What to make.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub actions: u64,
    pub meetings: u64,
    pub ministries: u64,
    pub seed: u64,
    /// The last day of the data: meetings lie in the two years before it.
    pub today: NaiveDate,
}

/// What was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seeded {
    pub ministries: u64,
    pub liaisons: u64,
    pub meetings: u64,
    pub actions: u64,
    pub supporters: u64,
    pub updates: u64,
}

/// A small, fast, reproducible generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// An id that depends only on the seed and the order of calls.
    fn uuid(&mut self) -> Uuid {
        let bytes = (u128::from(self.next()) << 64) | u128::from(self.next());
        uuid::Builder::from_random_bytes(bytes.to_be_bytes()).into_uuid()
    }
}

/// The status of the `i`th action: every hundred consecutive actions hold exactly 40 OPEN,
/// 20 IN_PROGRESS, 35 DONE and 5 CANCELLED (37 and 100 share no factor).
pub fn status_of(i: u64, seed: u64) -> ActionStatus {
    match (i * 37 + seed) % 100 {
        0..40 => ActionStatus::Open,
        40..60 => ActionStatus::InProgress,
        60..95 => ActionStatus::Done,
        _ => ActionStatus::Cancelled,
    }
}

const BATCH: usize = 1_000;

/// For unit tests: a temporary migrated SQLite database with a pool of `size` connections,
/// seeded with ten actions, and the id of one of them; the directory goes when the guard drops.
#[cfg(test)]
pub(crate) async fn temporary_with_an_action(
    size: u32,
) -> (tempfile::TempDir, DatabaseConnection, Uuid) {
    let (dir, db) = crate::db::temporary_sqlite(size).await;
    let plan = Plan {
        actions: 10,
        meetings: 1,
        ministries: 4,
        seed: 1,
        today: NaiveDate::from_ymd_opt(2026, 12, 6).expect("a day"),
    };
    seed(&db, chrono_tz::Asia::Jakarta, plan)
        .await
        .expect("seed");
    let action = action::Entity::find()
        .one(&db)
        .await
        .expect("an action")
        .expect("a row")
        .id;
    (dir, db, action)
}

/// Fills `db`, which must hold no meeting yet.
pub async fn seed(db: &DatabaseConnection, tz: Tz, plan: Plan) -> anyhow::Result<Seeded> {
    anyhow::ensure!(
        meeting::Entity::find().count(db).await? == 0,
        "the database already holds meetings: seed an empty one"
    );
    anyhow::ensure!(
        plan.ministries >= 4 && plan.meetings >= 1,
        "seed at least 4 ministries and 1 meeting"
    );
    let mut rng = Rng(plan.seed);
    let mut out = Seeded::default();
    let txn = crate::db::begin_write(db).await?;
    let now = Utc::now();
    let mut ministries = Vec::new();
    let mut rows = Vec::new();
    for k in 0..plan.ministries {
        let id = rng.uuid();
        ministries.push(id);
        rows.push(ministry::ActiveModel {
            id: Set(id),
            code: Set(format!("KL{k:04}")),
            name: Set(format!("Kementerian Uji {k}")),
            short_name: Set(Some(format!("KU{k}"))),
            kind: Set(MinistryKind::Ministry),
            parent_id: Set(None),
            calendar_key_generation: Set(0),
            search: Set(ministry::search_of(
                &format!("KL{k:04}"),
                &format!("Kementerian Uji {k}"),
                Some(&format!("KU{k}")),
            )),
            created_at: Set(now),
            updated_at: Set(now),
        });
    }
    for chunk in rows.chunks(BATCH) {
        ministry::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    // One liaison per ministry, so that reminders have someone to go to. Their ids come
    // from the ministries' (not from the generator), so the rest of the data is unchanged.
    let liaisons: Vec<liaison::ActiveModel> = ministries
        .iter()
        .enumerate()
        .map(|(k, &ministry_id)| liaison::ActiveModel {
            id: Set(Uuid::from_u128(ministry_id.as_u128() ^ 1)),
            ministry_id: Set(ministry_id),
            name: Set(format!("Penghubung Uji {k}")),
            email: Set(format!("penghubung@kl{k:04}.example.go.id")),
            position: Set(None),
            language: Set(Language::Id),
            receives_reminders: Set(true),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    for chunk in liaisons.chunks(BATCH) {
        liaison::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    out.ministries = plan.ministries;
    out.liaisons = plan.ministries;
    let first_day = plan.today - Duration::days(730);
    let mut meetings = Vec::new();
    let mut rows = Vec::new();
    for m in 0..plan.meetings {
        let id = rng.uuid();
        let day = first_day + Duration::days((m * 730 / plan.meetings) as i64);
        let starts = tz
            .from_local_datetime(&day.and_hms_opt(9, 0, 0).unwrap_or_default())
            .earliest()
            .map_or(now, |t| t.to_utc());
        let convener = ministries[rng.below(plan.ministries) as usize];
        meetings.push((id, day));
        let title = format!("Rapat koordinasi uji {m}");
        rows.push(meeting::ActiveModel {
            id: Set(id),
            search: Set(meeting::search_of(&title, None, Some("Jakarta"))),
            title: Set(title),
            starts_at: Set(starts),
            time_zone: Set(tz.name().to_owned()),
            location: Set(Some("Jakarta".into())),
            chair: Set(None),
            chair_position: Set(None),
            convened_by_id: Set(convener),
            summary: Set(None),
            source_url: Set(None),
            version: Set(1),
            created_at: Set(starts),
            updated_at: Set(starts),
        });
    }
    for chunk in rows.chunks(BATCH) {
        meeting::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    out.meetings = plan.meetings;
    let mut actions = Vec::with_capacity(BATCH);
    let mut days = Vec::with_capacity(BATCH);
    let mut supporters = Vec::with_capacity(BATCH * 2);
    let mut updates = Vec::with_capacity(BATCH);
    let priorities = [
        Priority::Low,
        Priority::Normal,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];
    for i in 0..plan.actions {
        let id = rng.uuid();
        let (meeting_id, day) = meetings[(i % plan.meetings) as usize];
        let lead_at = rng.below(plan.ministries) as usize;
        let original = day + Duration::days(14 + rng.below(166) as i64);
        let rescheduled = rng.below(5) == 0;
        let due = if rescheduled {
            original + Duration::days(7 + rng.below(60) as i64)
        } else {
            original
        };
        let status = status_of(i, plan.seed);
        // Entries happen between the meeting and today, in order.
        let at = |offset: i64| {
            let d = (day + Duration::days(offset.max(1))).min(plan.today);
            tz.from_local_datetime(&d.and_hms_opt(10, 0, 0).unwrap_or_default())
                .earliest()
                .map_or(now, |t| t.to_utc())
        };
        let span = (plan.today - day).num_days().max(2);
        let entry =
            |rng: &mut Rng, when: DateTime<Utc>, from, to, prev, new| action_update::ActiveModel {
                id: Set(rng.uuid()),
                action_id: Set(id),
                note: Set(None),
                from_status: Set(from),
                to_status: Set(to),
                previous_due_on: Set(prev),
                new_due_on: Set(new),
                completed_on: Set(
                    (to == Some(ActionStatus::Done)).then(|| when.with_timezone(&tz).date_naive())
                ),
                author: Set(Some("Sekretariat (data uji)".into())),
                author_id: Set(None),
                created_at: Set(when),
            };
        let first = 1 + rng.below((span / 3) as u64) as i64;
        if rescheduled {
            let e = entry(&mut rng, at(first), None, None, Some(original), Some(due));
            updates.push(e);
        }
        let mut completed = None;
        let close = first + 1 + rng.below((span / 2) as u64) as i64;
        match status {
            ActionStatus::Open => {}
            ActionStatus::InProgress | ActionStatus::Blocked => {
                let e = entry(
                    &mut rng,
                    at(close),
                    Some(ActionStatus::Open),
                    Some(status),
                    None,
                    None,
                );
                updates.push(e);
            }
            ActionStatus::Done | ActionStatus::Cancelled => {
                let e = entry(
                    &mut rng,
                    at(close - 1),
                    Some(ActionStatus::Open),
                    Some(ActionStatus::InProgress),
                    None,
                    None,
                );
                updates.push(e);
                let when = at(close);
                let e = entry(
                    &mut rng,
                    when,
                    Some(ActionStatus::InProgress),
                    Some(status),
                    None,
                    None,
                );
                updates.push(e);
                if status == ActionStatus::Done {
                    completed = Some(when.with_timezone(&tz).date_naive());
                }
            }
        }
        let n_support = 1 + rng.below(3);
        let mut taken = vec![lead_at];
        for position in 0..n_support {
            let mut s = rng.below(plan.ministries) as usize;
            while taken.contains(&s) {
                s = (s + 1) % plan.ministries as usize;
            }
            taken.push(s);
            supporters.push(action_supporter::ActiveModel {
                action_id: Set(id),
                ministry_id: Set(ministries[s]),
                position: Set(position as i32),
            });
        }
        let title = format!("Tindak lanjut uji {i}");
        days.push(reminder_day::start(id, status));
        actions.push(action::ActiveModel {
            id: Set(id),
            meeting_id: Set(meeting_id),
            issue_id: Set(None),
            search: Set(action::search_of(&title, None)),
            title: Set(title),
            description: Set(None),
            lead_ministry_id: Set(ministries[lead_at]),
            due_on: Set(due),
            original_due_on: Set(original),
            priority: Set(priorities[rng.below(5) as usize]),
            status: Set(status),
            completed_on: Set(completed),
            version: Set(1 + i32::from(rescheduled) + i32::from(status != ActionStatus::Open)),
            created_at: Set(at(0)),
            updated_at: Set(at(0)),
        });
        if actions.len() == BATCH || i + 1 == plan.actions {
            out.actions += actions.len() as u64;
            out.supporters += supporters.len() as u64;
            out.updates += updates.len() as u64;
            action::Entity::insert_many(std::mem::take(&mut actions))
                .exec(&txn)
                .await?;
            reminder_day::Entity::insert_many(std::mem::take(&mut days))
                .exec(&txn)
                .await?;
            for chunk in std::mem::take(&mut supporters).chunks(BATCH) {
                action_supporter::Entity::insert_many(chunk.to_vec())
                    .exec(&txn)
                    .await?;
            }
            for chunk in std::mem::take(&mut updates).chunks(BATCH) {
                action_update::Entity::insert_many(chunk.to_vec())
                    .exec(&txn)
                    .await?;
            }
        }
    }
    txn.commit().await?;
    // Fresh statistics, as the database's own maintenance would gather them, so that plans
    // on the new rows are the plans of a database in use.
    sea_orm::ConnectionTrait::execute_unprepared(db, "ANALYZE").await?;
    Ok(out)
}
