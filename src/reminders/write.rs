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
    insert_values(db, rows, now).await
}

/// Rows per statement on SQLite: ten parameters a row, well under SQLite's limit of 32,766
/// parameters a statement. Each statement is a round trip to the connection's thread, which
/// waits for the next one meanwhile: statements of 1,000 rows make half the round trips of
/// 500 (measured, the backlog's planning with 1,000, 2,000 and 3,000 rows alike within the
/// noise; README, Performance, twenty-first round), and keep each statement's journal small.
const ROWS_PER_STATEMENT: usize = 1_000;
const _: () = assert!(2 + ROWS_PER_STATEMENT * 10 <= 32_766);

/// On SQLite, a page's new reminders in statements of [`ROWS_PER_STATEMENT`] rows of the ten
/// columns that differ from row to row; the columns every new reminder shares are bound once
/// per statement (an entity's `insert_many` bound all 21 columns of every row; measured in
/// the README's thirteenth round). While one statement runs on the connection's thread, the
/// next one is made.
async fn insert_values<C: ConnectionTrait>(
    db: &C,
    rows: Vec<NewReminder>,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let mut inserted = 0;
    let mut rows = rows.into_iter().peekable();
    let mut next = statement(&mut rows, now);
    while let Some(current) = next {
        // `join` polls the statement first, which hands it to the connection's thread, and
        // makes the next one while it runs.
        let (done, following) = futures_util::future::join(db.execute_raw(current), async {
            statement(&mut rows, now)
        })
        .await;
        inserted += done?.rows_affected();
        next = following;
    }
    Ok(inserted)
}

/// The `INSERT` of the next [`ROWS_PER_STATEMENT`] of `rows`; `None` when there are none.
fn statement(
    rows: &mut std::iter::Peekable<std::vec::IntoIter<NewReminder>>,
    now: DateTime<Utc>,
) -> Option<Statement> {
    rows.peek()?;
    let mut values: Vec<sea_orm::Value> = Vec::with_capacity(2 + ROWS_PER_STATEMENT * 10);
    values.push(now.into());
    values.push(ReminderStatus::Pending.to_value().into());
    let mut count = 0;
    for r in rows.by_ref().take(ROWS_PER_STATEMENT) {
        values.extend([
            r.id.into(),
            r.action_id.into(),
            r.liaison_id.into(),
            r.email.into(),
            r.name.into(),
            r.language.to_value().into(),
            r.role.to_value().into(),
            r.kind.to_value().into(),
            // The text SQLite stores for a date, without chrono's format string per row.
            crate::graphql::scalars::ymd(r.planned_for).into(),
            r.offset_days.into(),
        ]);
        count += 1;
    }
    let sql = format!(
        "INSERT INTO reminders ({VARYING_COLUMNS}, {SHARED_COLUMNS}) \
         SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, \
           v.column7, v.column8, v.column9, v.column10, n.status, 0, n.now, n.now, n.now \
         FROM (SELECT ? AS now, ? AS status) AS n, (VALUES {}) AS v",
        vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; count].join(", ")
    );
    Some(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        sql,
        values,
    ))
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

    use super::{NewReminder, ROWS_PER_STATEMENT, insert, of_one_action};

    #[tokio::test]
    async fn sqlite_writes_a_page_in_several_statements_whole_or_not_at_all() {
        let (_dir, db, action) = crate::bench::seed::temporary_with_an_action(2).await;
        let now = Utc
            .with_ymd_and_hms(2026, 12, 6, 1, 2, 3)
            .single()
            .expect("now");
        // Two full statements and a part of one.
        let count = 2 * ROWS_PER_STATEMENT + ROWS_PER_STATEMENT / 2;
        let txn = db.begin().await.expect("a transaction");
        let written = insert(&txn, of_one_action(action, count), now)
            .await
            .expect("insert");
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

        // A reminder planned before, in the last statement of a page: the unique key refuses
        // it, and the transaction the page was written in keeps none of the page.
        let one = || of_one_action(action, 1).remove(0);
        let mut fresh: Vec<NewReminder> = (0..2 * ROWS_PER_STATEMENT)
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
