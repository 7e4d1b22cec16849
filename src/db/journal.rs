//! SQLite's statement journals kept in memory up to a bound.
//!
//! Inside a transaction, SQLite keeps a statement journal for each statement that writes
//! several rows and may fail halfway (a constraint, a foreign key): the pages the statement
//! changes, as they were, so that a failed statement can be undone without the transaction.
//! Past 64 KiB (SQLite's default) the journal goes to a temporary file: every multi-row
//! statement of a planning run (a page's new reminders, 1,000 a statement, and its 2,000 next
//! days) wrote and read back some hundreds of KiB through the file system (measured in
//! Tindak, statements of 500 then, the seeded 100,000-action backlog: inserts 1,104-1,175 ms in
//! memory, 1,163-1,235 ms through the file; by hand, Python's SQLite with random ids, whose
//! statements touch more pages: 835-852 ms against 1,070-1,085 ms; README, Performance,
//! twenty-first round). The bound keeps the memory of one statement's journal small; a
//! larger journal (a statement that changes more than 16 MiB of what was there) still goes
//! to a file.

/// The size, in bytes, up to which a statement's journal stays in memory. At most one
/// statement writes to a database at a time (SQLite has one writer), and the journal is freed
/// when the statement's transaction ends.
pub const STATEMENT_JOURNAL_IN_MEMORY: i32 = 16 * 1024 * 1024;

/// Sets [`STATEMENT_JOURNAL_IN_MEMORY`] for the process, once, before its first SQLite
/// connection opens: SQLite takes this setting only before it initialises, which it does when
/// the first connection opens. Every SQLite connection of the process opens through
/// [`super::connect_with_pool`], which calls this first. Should SQLite have been initialised
/// already all the same, the setting is not taken and journals spill at 64 KiB, as before:
/// slower, not wrong.
pub(super) fn keep_statement_journals_in_memory() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: `sqlite3_config` with this option takes one `int` and reads nothing else;
        // the `Once` runs it before any connection of this process opens, so no other thread
        // uses SQLite meanwhile (the condition SQLite sets for `sqlite3_config`).
        #[allow(unsafe_code)]
        let done = unsafe {
            libsqlite3_sys::sqlite3_config(
                libsqlite3_sys::SQLITE_CONFIG_STMTJRNL_SPILL,
                STATEMENT_JOURNAL_IN_MEMORY,
            )
        };
        if done != libsqlite3_sys::SQLITE_OK {
            tracing::warn!(
                code = done,
                "SQLite was initialised before its statement journals could be kept in memory"
            );
        }
    });
}
