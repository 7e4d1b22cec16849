//! SQLite's statement journals kept in memory.
//!
//! Inside a transaction, SQLite keeps a statement journal for each statement that writes
//! several rows and may fail halfway (a constraint, a foreign key): the pages the statement
//! changes, as they were, so that a failed statement can be undone without the transaction.
//! Past 64 KiB (SQLite's default) the journal goes to a temporary file: every multi-row
//! statement of a planning run (a page's new reminders, in one statement since the
//! twenty-fourth round, and its 2,000 next days) wrote and read back some hundreds of KiB
//! through the file system (measured in Tindak, statements of 500 then, the seeded
//! 100,000-action backlog: inserts 1,104-1,175 ms in memory, 1,163-1,235 ms through the file;
//! by hand, Python's SQLite with random ids, whose statements touch more pages: 835-852 ms
//! against 1,070-1,085 ms; README, Performance, twenty-first round).
//!
//! The journals stay in memory whatever their size: SQLite cannot move a larger one to a file.
//! A journal held in memory is one block as large as the threshold, and when it passes the
//! threshold SQLite writes that block to the file in one call, which its Unix file layer
//! limits to 128 KiB less one byte: a block of 16 MiB (the threshold before) was written as
//! nothing and the statement failed with "database or disk is full". It happened to the
//! first statement whose journal passed 16 MiB (`tindak bench seed --actions 1000000` on
//! SQLite, whose inserts of 1,000 actions change pages of six indexes with random keys), and
//! would have happened to any such statement. A journal holds at most the pages its
//! statement changes that were there before it; the largest Tindak writes are planning's
//! pages (some hundreds of KiB) and, after a change of the reminder settings, the next day
//! of every open action (the next days' table and index: about 7 MiB at 100,000 actions).
//! It is freed when the statement ends.

/// SQLite's statement journal spill threshold for the process: negative, never to a file
/// (see the module's documentation for why no threshold above 128 KiB can be used).
const STATEMENT_JOURNAL_SPILL: i32 = -1;

/// Sets [`STATEMENT_JOURNAL_SPILL`] for the process, once, before its first SQLite
/// connection opens: SQLite takes this setting only before it initialises, which it does when
/// the first connection opens. Every SQLite connection of the process opens through
/// [`super::connect_with_pool`], which calls this first. Should SQLite have been initialised
/// already all the same, the setting is not taken and journals spill at 64 KiB (SQLite's
/// default, whose blocks are small enough to be written whole): slower, not wrong.
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
                STATEMENT_JOURNAL_SPILL,
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
