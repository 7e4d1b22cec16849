//! SQLite's statement journals stay in memory up to `tindak::db::STATEMENT_JOURNAL_IN_MEMORY`
//! (src/db/journal.rs). A binary of its own: it looks at the files the whole process holds
//! open, which other tests' connections running beside it would add to.
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

async fn database(dir: &tempfile::TempDir) -> DatabaseConnection {
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("j.db").display());
    let db = tindak::db::connect_with_pool(&url, 1)
        .await
        .expect("connect");
    // 20,000 rows under a unique key: some 3 MiB of table and index.
    db.execute_unprepared(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, k BLOB NOT NULL UNIQUE, pad TEXT NOT NULL); \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
         INSERT INTO t (k, pad) SELECT randomblob(16), hex(randomblob(40)) FROM n",
    )
    .await
    .expect("the table");
    db
}

#[tokio::test]
async fn a_statement_that_changes_megabytes_inside_a_transaction_journals_them_in_memory() {
    let dir = tempfile::tempdir().expect("a directory");
    let db = database(&dir).await;
    let txn = tindak::db::begin_write(&db).await.expect("a transaction");
    // One statement that changes every row and every key, and so every page of the table and
    // of its index: SQLite journals what they were (about 3 MiB), so that a key refused
    // halfway could undo the statement alone. Past SQLite's default of 64 KiB that journal
    // went to a temporary file, held open until the transaction ends.
    let changed = txn
        .execute_unprepared("UPDATE t SET k = randomblob(16), pad = hex(randomblob(40))")
        .await
        .expect("the update")
        .rows_affected();
    assert_eq!(changed, 20_000);
    let files = sqlite_temporary_files();
    txn.commit().await.expect("commit");
    assert!(
        files.is_empty(),
        "the statement's journal (under {} bytes) went to {files:?}",
        tindak::db::STATEMENT_JOURNAL_IN_MEMORY
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
