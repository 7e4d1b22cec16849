//! The lent rows read back through SQL, and the statements refused.

use std::sync::Arc;

use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};

use super::{Cell, Lent, Rows};

/// Three rows of every kind of value, the edges included.
struct Edges;

const TEXTS: [&str; 3] = [
    "",
    "nul \0 tab \t bell \u{7} é 😀",
    "Kementerian Koordinator",
];

impl Rows for Edges {
    fn len(&self) -> usize {
        3
    }

    fn cell(&self, row: usize, column: usize) -> Cell<'_> {
        match column {
            0 => Cell::Integer([i64::MIN, 0, i64::MAX][row]),
            1 => Cell::Text(TEXTS[row]),
            2 => Cell::Blob([&[][..], &[0, 255], &[7; 16]][row]),
            3 if row == 1 => Cell::Integer(1),
            _ => Cell::Null,
        }
    }
}

async fn read<C: ConnectionTrait>(
    db: &C,
    sql: &str,
    token: i64,
) -> Result<Vec<sea_orm::QueryResult>, sea_orm::DbErr> {
    db.query_all_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        sql,
        [token.into()],
    ))
    .await
}

#[tokio::test]
async fn lent_rows_read_back_value_for_value_on_every_connection() {
    let (_dir, db) = crate::db::temporary_sqlite(3).await;
    let lent = Lent::new(Arc::new(Edges));
    let sql = "SELECT c0, c1, c2, c3, c15, typeof(c15) AS t, token \
               FROM tindak_rows(?) ORDER BY rowid";
    // Three transactions open at once: each holds a connection of its own.
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(db.begin().await.expect("a connection"));
    }
    for txn in &open {
        let rows = read(txn, sql, lent.token()).await;
        let rows = rows.expect("the lent rows");
        assert_eq!(rows.len(), 3);
        for (n, row) in rows.iter().enumerate() {
            let get = |c: &str| row.try_get::<Option<i64>>("", c).expect(c);
            assert_eq!(get("c0"), Some([i64::MIN, 0, i64::MAX][n]));
            assert_eq!(row.try_get::<String>("", "c1").expect("c1"), TEXTS[n]);
            let blob: Vec<u8> = row.try_get("", "c2").expect("c2");
            assert_eq!(blob, [&[][..], &[0, 255], &[7; 16]][n]);
            assert_eq!(get("c3"), (n == 1).then_some(1));
            assert_eq!(get("c15"), None);
            assert_eq!(row.try_get::<String>("", "t").expect("t"), "null");
            assert_eq!(get("token"), Some(lent.token()));
        }
    }
}

#[tokio::test]
async fn a_statement_without_rows_lent_under_its_token_fails() {
    let (_dir, db) = crate::db::temporary_sqlite(1).await;
    let returned = Lent::new(Arc::new(Edges));
    let token = returned.token();
    drop(returned);
    let sql = "SELECT count(*) FROM tindak_rows(?)";
    let e = read(&db, sql, token).await.expect_err("returned rows");
    assert!(e.to_string().contains("no rows are lent"), "{e}");
    let e = read(&db, sql, -5).await.expect_err("never lent");
    assert!(e.to_string().contains("no rows are lent"), "{e}");
    let e = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT count(*) FROM tindak_rows",
        ))
        .await
        .expect_err("no token");
    assert!(e.to_string().contains("no query solution"), "{e}");
    // A view of the schema cannot read the table.
    db.execute_unprepared("CREATE VIEW lent AS SELECT c0 FROM tindak_rows(1)")
        .await
        .expect("the view is made");
    let kept = Lent::new(Arc::new(Edges));
    let e = read(&db, "SELECT count(*) FROM lent WHERE ? > 0", kept.token())
        .await
        .expect_err("through a view");
    assert!(e.to_string().contains("unsafe use"), "{e}");
}
