//! SQLite's statement journals stay in memory (src/db/journal.rs), also past the 16 MiB at
//! which they once went to a file and failed. A binary of its own: it looks at the files the
//! whole process holds open, which other tests' connections running beside it would add to.
#![cfg(target_os = "linux")]

use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

/// The temporary files SQLite holds open in this process (it names them `etilqs_…` and
/// removes them from their directory as soon as they are open).
fn sqlite_temporary_files() -> Vec<String> {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
        .map(|target| target.display().to_string())
        .filter(|target| target.contains("etilqs_"))
        .collect()
}

/// A database of one table `t` of `rows` rows of some 150 bytes under a unique key.
async fn database(dir: &tempfile::TempDir, rows: u32) -> DatabaseConnection {
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("j.db").display());
    let db = tindak::db::connect_with_pool(&url, 1)
        .await
        .expect("connect");
    db.execute_unprepared(&format!(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, k BLOB NOT NULL UNIQUE, pad TEXT NOT NULL); \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) \
         INSERT INTO t (k, pad) SELECT randomblob(16), hex(randomblob(40)) FROM n"
    ))
    .await
    .expect("the table");
    db
}

/// One statement that gives every row of `t` another key and padding; how many rows.
async fn change_every_row(txn: &sea_orm::DatabaseTransaction) -> u64 {
    txn.execute_unprepared("UPDATE t SET k = randomblob(16), pad = hex(randomblob(40))")
        .await
        .expect("the update of every row")
        .rows_affected()
}

#[tokio::test]
async fn a_statement_that_changes_megabytes_inside_a_transaction_journals_them_in_memory() {
    let dir = tempfile::tempdir().expect("a directory");
    // Some 3 MiB of table and index.
    let db = database(&dir, 20_000).await;
    let txn = tindak::db::begin_write(&db).await.expect("a transaction");
    // One statement that changes every row and every key, and so every page of the table and
    // of its index: SQLite journals what they were (about 3 MiB), so that a key refused
    // halfway could undo the statement alone. Past SQLite's default of 64 KiB that journal
    // went to a temporary file, held open until the transaction ends.
    assert_eq!(change_every_row(&txn).await, 20_000);
    let files = sqlite_temporary_files();
    txn.commit().await.expect("commit");
    assert!(
        files.is_empty(),
        "the statement's journal went to {files:?}"
    );
    // And what the statement wrote is there.
    let txn = db.begin().await.expect("a read");
    let row = txn
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT count(*), count(DISTINCT k) FROM t",
        ))
        .await
        .expect("count")
        .expect("a row");
    let (rows, keys): (i64, i64) = (
        row.try_get_by_index(0).expect("rows"),
        row.try_get_by_index(1).expect("keys"),
    );
    assert_eq!((rows, keys), (20_000, 20_000));
}

#[tokio::test]
async fn a_statement_that_journals_more_than_sixteen_mebibytes_is_written_whole() {
    let dir = tempfile::tempdir().expect("a directory");
    // Some 28 MiB of table and index.
    let db = database(&dir, 180_000).await;
    let txn = tindak::db::begin_write(&db).await.expect("a transaction");
    // Every page of the table and its index changed by one statement: a journal of some
    // 28 MiB. Kept in memory up to 16 MiB and then moved to a file, it failed here with
    // "database or disk is full" (SQLite wrote the 16 MiB it held in one call, which its
    // Unix file layer cuts to 128 KiB less one byte: nothing).
    assert_eq!(change_every_row(&txn).await, 180_000);
    // A key refused halfway undoes that statement alone, from its journal: the rows stay as
    // the update left them, and the transaction goes on.
    let refused = txn
        .execute_unprepared("UPDATE t SET k = x'00' WHERE id > 170000")
        .await;
    assert!(refused.is_err(), "10,000 rows given one key");
    txn.commit().await.expect("commit");
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT count(*), count(DISTINCT k), count(*) FILTER (WHERE k = x'00') FROM t",
        ))
        .await
        .expect("count")
        .expect("a row");
    let counts: (i64, i64, i64) = (
        row.try_get_by_index(0).expect("rows"),
        row.try_get_by_index(1).expect("keys"),
        row.try_get_by_index(2).expect("refused keys"),
    );
    assert_eq!(counts, (180_000, 180_000, 0));
}
