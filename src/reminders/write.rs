//! Writing what planning made: the new reminders of a page, in the statements each engine
//! takes best.

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{Language, RecipientRole, ReminderKind, ReminderStatus};
use sea_orm::{ActiveEnum, ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use crate::error::AppResult;

/// A reminder planning writes: what differs from one to the next (the rest is the same for
/// every new reminder: pending, no attempt yet, due at once).
#[derive(Debug, Clone)]
pub(crate) struct NewReminder {
    pub id: Uuid,
    pub action_id: Uuid,
    pub liaison_id: Option<Uuid>,
    pub email: String,
    pub name: Option<String>,
    pub language: Language,
    pub role: RecipientRole,
    pub kind: ReminderKind,
    pub planned_for: NaiveDate,
    pub offset_days: i32,
}

/// The columns of a new reminder that differ from one to the next, in the order every insert
/// of planned reminders (and the benchmark's by-hand floor) gives them.
pub(crate) const VARYING_COLUMNS: &str = "id, action_id, liaison_id, email, recipient_name, \
     language, role, kind, planned_for, offset_days";

/// The columns every new reminder is given alike after [`VARYING_COLUMNS`]: pending, no attempt
/// yet, due (and made) now.
pub(crate) const SHARED_COLUMNS: &str = "status, attempts, next_attempt_at, created_at, updated_at";

/// Inserts what is new, due at `now`. What was planned before is gone from `rows` already
/// and planners take turns (see [`super::plan::begin`]); should a reminder be written twice all the same,
/// the unique key refuses it and the run fails whole, to be done again by the next one
/// (measured on PostgreSQL by SQL alone: 180,000 rows in 4.1 s without a conflict clause,
/// 4.8-5.5 s with one).
pub(crate) async fn insert<C: ConnectionTrait>(
    db: &C,
    rows: Vec<NewReminder>,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    if db.get_database_backend() == DbBackend::Postgres {
        return insert_arrays(db, &rows, now).await;
    }
    insert_from_memory(db, rows, now).await
}

/// On SQLite, a page's new reminders in one statement that reads them from memory
/// ([`crate::db::rows`]): one bound parameter for the page instead of ten per row (the
/// thirteenth round bound all 21 columns of every row through an entity's `insert_many`; the
/// twenty-first to twenty-third sent `VALUES` of 1,000 rows and 10,000 parameters; README,
/// Performance). The columns every new reminder shares are given once.
async fn insert_from_memory<C: ConnectionTrait>(
    db: &C,
    rows: Vec<NewReminder>,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    use crate::db::rows::{Lent, TABLE};
    let lent = Lent::new(std::sync::Arc::new(Lendable::new(rows)));
    let sql = format!(
        "INSERT INTO reminders ({VARYING_COLUMNS}, {SHARED_COLUMNS}) \
         SELECT v.c0, v.c1, v.c2, v.c3, v.c4, v.c5, v.c6, v.c7, v.c8, v.c9, \
           n.status, 0, n.now, n.now, n.now \
         FROM (SELECT ? AS now, ? AS status) AS n, {TABLE}(?) AS v"
    );
    let done = db
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            sql,
            [
                now.into(),
                ReminderStatus::Pending.to_value().into(),
                lent.token().into(),
            ],
        ))
        .await?;
    Ok(done.rows_affected())
}

/// A page's new reminders as SQLite reads them, column by column in the order of
/// [`VARYING_COLUMNS`]: ids as SQLite stores a UUID (its 16 bytes), enums as their stored
/// words, the day as `YYYY-MM-DD`.
struct Lendable {
    rows: Vec<NewReminder>,
    /// Each row's language, role, kind and day, as stored.
    words: Vec<[String; 4]>,
}

impl Lendable {
    fn new(rows: Vec<NewReminder>) -> Self {
        let words = rows
            .iter()
            .map(|r| {
                [
                    r.language.to_value(),
                    r.role.to_value(),
                    r.kind.to_value(),
                    // Without chrono's format string per row.
                    crate::graphql::scalars::ymd(r.planned_for),
                ]
            })
            .collect();
        Self { rows, words }
    }
}

impl crate::db::rows::Rows for Lendable {
    fn len(&self) -> usize {
        self.rows.len()
    }

    fn cell(&self, row: usize, column: usize) -> crate::db::rows::Cell<'_> {
        use crate::db::rows::Cell;
        let (r, words) = (&self.rows[row], &self.words[row]);
        match column {
            0 => Cell::Blob(r.id.as_bytes()),
            1 => Cell::Blob(r.action_id.as_bytes()),
            2 => r
                .liaison_id
                .as_ref()
                .map_or(Cell::Null, |id| Cell::Blob(id.as_bytes())),
            3 => Cell::Text(&r.email),
            4 => r.name.as_deref().map_or(Cell::Null, Cell::Text),
            5..=8 => Cell::Text(&words[column - 5]),
            9 => Cell::Integer(r.offset_days.into()),
            _ => Cell::Null,
        }
    }
}

/// On PostgreSQL, a page's new reminders in one statement: one array per column that differs
/// from row to row, unnested by the server, instead of a parameter per column of each row
/// (21 of them, in chunks of 500 rows). The columns every new reminder shares are written
/// once. An absent liaison or name is marked in an array of its own (the arrays carry no
/// NULL here).
async fn insert_arrays<C: ConnectionTrait>(
    db: &C,
    rows: &[NewReminder],
    now: DateTime<Utc>,
) -> AppResult<u64> {
    use sea_orm::{Value, sea_query::ArrayType};
    let column = |ty: ArrayType, value: fn(&NewReminder) -> Value| {
        crate::db::array(ty, rows.iter().map(value))
    };
    let values = vec![
        column(ArrayType::Uuid, |r| r.id.into()),
        column(ArrayType::Uuid, |r| r.action_id.into()),
        column(ArrayType::Uuid, |r| r.liaison_id.unwrap_or_default().into()),
        column(ArrayType::Bool, |r| r.liaison_id.is_some().into()),
        column(ArrayType::String, |r| r.email.clone().into()),
        column(ArrayType::String, |r| {
            r.name.clone().unwrap_or_default().into()
        }),
        column(ArrayType::Bool, |r| r.name.is_some().into()),
        column(ArrayType::String, |r| r.language.to_value().into()),
        column(ArrayType::String, |r| r.role.to_value().into()),
        column(ArrayType::String, |r| r.kind.to_value().into()),
        column(ArrayType::ChronoDate, |r| r.planned_for.into()),
        column(ArrayType::Int, |r| r.offset_days.into()),
        now.into(),
        ReminderStatus::Pending.to_value().into(),
    ];
    let sql = format!(
        "INSERT INTO reminders ({VARYING_COLUMNS}, {SHARED_COLUMNS}) \
               SELECT r.id, r.action_id, CASE WHEN r.has_liaison THEN r.liaison_id END, \
                 r.email, CASE WHEN r.has_name THEN r.name END, r.language, r.role, r.kind, \
                 r.planned_for, r.offset_days, $14, 0, $13, $13, $13 \
               FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::boolean[], $5::text[], \
                 $6::text[], $7::boolean[], $8::text[], $9::text[], $10::text[], $11::date[], \
                 $12::integer[]) \
                 AS r(id, action_id, liaison_id, has_liaison, email, name, has_name, language, \
                 role, kind, planned_for, offset_days)"
    );
    let done = db
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await?;
    Ok(done.rows_affected())
}

/// For unit tests: `count` reminders of `action`, one per occurrence, to seven addresses, every
/// other one with a name.
#[cfg(test)]
pub(crate) fn of_one_action(action: Uuid, count: usize) -> Vec<NewReminder> {
    (0..count)
        .map(|n| NewReminder {
            id: Uuid::now_v7(),
            action_id: action,
            liaison_id: None,
            email: format!("penghubung{}@kementerian.go.id", n % 7),
            name: (n % 2 == 0).then(|| "Sri Wahyuni".to_owned()),
            language: Language::En,
            role: RecipientRole::Support,
            kind: ReminderKind::Overdue,
            planned_for: NaiveDate::from_ymd_opt(2026, 12, 1).expect("a day"),
            offset_days: i32::try_from(n).expect("an offset"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, Statement, TransactionTrait};

    use super::{NewReminder, insert, of_one_action};

    /// More reminders than one page of planning makes of 2,000 actions at two a piece.
    const MANY: usize = 4_500;

    #[tokio::test]
    async fn sqlite_writes_a_page_from_memory_whole_or_not_at_all() {
        let (_dir, db, action) = crate::bench::seed::temporary_with_an_action(2).await;
        let now = Utc
            .with_ymd_and_hms(2026, 12, 6, 1, 2, 3)
            .single()
            .expect("now");
        let count = MANY;
        let given = of_one_action(action, count);
        let txn = db.begin().await.expect("a transaction");
        let written = insert(&txn, given.clone(), now).await.expect("insert");
        txn.commit().await.expect("commit");
        assert_eq!(written, count as u64);
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT count(*) AS n, count(DISTINCT offset_days) AS offsets, \
                   count(recipient_name) AS named, min(planned_for) AS first, \
                   max(planned_for) AS last, min(next_attempt_at) = max(created_at) AS at_once, \
                   sum(status = 'PENDING' AND language = 'en' AND role = 'SUPPORT') AS pending \
                 FROM reminders",
            ))
            .await
            .expect("the outbox")
            .expect("a row");
        let get = |column: &str| row.try_get::<i64>("", column).expect(column);
        assert_eq!(
            [
                get("n"),
                get("offsets"),
                get("named"),
                get("at_once"),
                get("pending")
            ],
            [
                count as i64,
                count as i64,
                (count as i64 + 1) / 2,
                1,
                count as i64
            ]
        );
        // Dates are stored as SQLite stores every other date: YYYY-MM-DD.
        let day = |column: &str| row.try_get::<String>("", column).expect(column);
        assert_eq!(
            (day("first"), day("last")),
            ("2026-12-01".into(), "2026-12-01".into())
        );
        let planned: Vec<entity::reminder::Model> = entity::reminder::Entity::find()
            .all(&db)
            .await
            .expect("the reminders as the entity reads them");
        assert!(planned.iter().all(|r| r.planned_for
            == NaiveDate::from_ymd_opt(2026, 12, 1).expect("a day")
            && r.next_attempt_at == now));
        // Each row as it was given, read back through the entity (ids as SQLite stores them).
        let key = |id, action, email: &str, name: Option<&str>, offset| {
            (
                id,
                action,
                email.to_owned(),
                name.map(str::to_owned),
                offset,
            )
        };
        let mut read: Vec<_> = planned
            .iter()
            .map(|r| {
                let name = r.recipient_name.as_deref();
                key(r.id, r.action_id, &r.email, name, r.offset_days)
            })
            .collect();
        let mut wanted: Vec<_> = given
            .iter()
            .map(|r| {
                key(
                    r.id,
                    r.action_id,
                    &r.email,
                    r.name.as_deref(),
                    r.offset_days,
                )
            })
            .collect();
        read.sort();
        wanted.sort();
        assert_eq!(read, wanted);

        // A reminder planned before, last of a page: the unique key refuses it, and the
        // transaction the page was written in keeps none of the page.
        let one = || of_one_action(action, 1).remove(0);
        let mut fresh: Vec<NewReminder> = (0..MANY)
            .map(|n| NewReminder {
                offset_days: -1 - i32::try_from(n).expect("an offset"),
                ..one()
            })
            .collect();
        fresh.push(one());
        let txn = db.begin().await.expect("a transaction");
        assert!(
            insert(&txn, fresh, now).await.is_err(),
            "a second reminder of occurrence 0"
        );
        txn.rollback().await.expect("rollback");
        let n = entity::reminder::Entity::find()
            .count(&db)
            .await
            .expect("count");
        assert_eq!(n, count as u64);
    }
}
