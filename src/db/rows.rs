//! Rows in memory handed to SQLite as a table: `tindak_rows(?)`, a table-valued function every
//! SQLite connection of the process knows, whose rows are those lent under the token it is
//! given. `INSERT INTO … SELECT … FROM tindak_rows(?)` writes thousands of rows with one
//! bound parameter.
//!
//! Bound parameters are what a large insert costs on SQLite beyond its B-trees: planning's new
//! reminders went as `VALUES` of 1,000 rows and 10,000 parameters a statement, each value
//! converted to sqlx's argument (a `Vec` allocated per id), bound, and copied by SQLite. Read
//! from here, the backlog's inserts take about half the time (README, Performance, twenty-fourth
//! round).
//!
//! The table's columns are `c0` to `c15`, whatever each use makes of them; a column a use
//! leaves out reads as NULL. The token column is hidden and must be given (`tindak_rows(?)`):
//! without it SQLite finds no way to read the table and refuses the statement. A token
//! nothing is lent under (returned already, or never lent) fails the statement with an error
//! that says so, rather than read as no rows. The table cannot be named by a view or a
//! trigger of the schema (`SQLITE_VTAB_DIRECTONLY`), only by a statement.
#![allow(unsafe_code)]

use std::{
    collections::BTreeMap,
    ffi::{CStr, c_char, c_int, c_void},
    ptr,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicI64, Ordering},
    },
};

use libsqlite3_sys as ffi;
use sea_orm::sqlx::{self, sqlite::SqliteConnection};

/// The table's name, as SQLite is given it.
const NAME: &CStr = c"tindak_rows";
/// The table's name in SQL.
pub const TABLE: &str = match NAME.to_str() {
    Ok(name) => name,
    Err(_) => panic!("the table's name is UTF-8"),
};
/// How many value columns the table has (`c0` to `c15`).
pub const COLUMNS: usize = 16;
/// The hidden column that takes the token, after the value columns.
const TOKEN: c_int = COLUMNS as c_int;

/// One value of a lent row, as SQLite stores it.
pub enum Cell<'a> {
    Null,
    Integer(i64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// Rows lent to SQLite: how many, and the value at a row and column (both within bounds when
/// SQLite asks; a column a use leaves out is [`Cell::Null`]).
pub trait Rows: Send + Sync + 'static {
    fn len(&self) -> usize;
    fn cell(&self, row: usize, column: usize) -> Cell<'_>;
}

/// The rows lent now, by token. A statement's cursor holds its own reference, so rows a
/// statement reads stay alive until it is done with them, even once returned here.
static LENT: Mutex<BTreeMap<i64, Arc<dyn Rows>>> = Mutex::new(BTreeMap::new());
static NEXT_TOKEN: AtomicI64 = AtomicI64::new(1);

/// Rows lent to every SQLite connection of the process under [`Lent::token`], until this
/// drops.
pub struct Lent(i64);

impl Lent {
    pub fn new(rows: Arc<dyn Rows>) -> Self {
        let token = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed);
        lent().insert(token, rows);
        Self(token)
    }

    /// The value to bind for `tindak_rows(?)`.
    pub fn token(&self) -> i64 {
        self.0
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        lent().remove(&self.0);
    }
}

fn lent() -> std::sync::MutexGuard<'static, BTreeMap<i64, Arc<dyn Rows>>> {
    // The map is left whole by every operation on it; a panic elsewhere does not spoil it.
    LENT.lock().unwrap_or_else(PoisonError::into_inner)
}

fn borrow(token: i64) -> Option<Arc<dyn Rows>> {
    lent().get(&token).cloned()
}

/// Makes [`TABLE`] known to `conn` (every new SQLite connection, see [`super::connect_with_pool`]).
pub(super) async fn register(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is this connection's, locked for this call; `MODULE` is a static
    // that outlives every connection; no client data is passed, so none is to be freed.
    let done = unsafe {
        ffi::sqlite3_create_module_v2(
            handle.as_raw_handle().as_ptr(),
            NAME.as_ptr(),
            &MODULE,
            ptr::null_mut(),
            None,
        )
    };
    if done == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(sqlx::Error::Configuration(
            format!("SQLite refused the table {TABLE} (code {done})").into(),
        ))
    }
}

/// An eponymous-only table (no `xCreate`): it exists in every connection that registers it and
/// cannot be made by `CREATE VIRTUAL TABLE`. Read-only (no `xUpdate`).
static MODULE: ffi::sqlite3_module = ffi::sqlite3_module {
    iVersion: 1,
    xCreate: None,
    xConnect: Some(connect),
    xBestIndex: Some(best_index),
    xDisconnect: Some(disconnect),
    xDestroy: Some(disconnect),
    xOpen: Some(open),
    xClose: Some(close),
    xFilter: Some(filter),
    xNext: Some(next),
    xEof: Some(eof),
    xColumn: Some(column),
    xRowid: Some(rowid),
    xUpdate: None,
    xBegin: None,
    xSync: None,
    xCommit: None,
    xRollback: None,
    xFindFunction: None,
    xRename: None,
    xSavepoint: None,
    xRelease: None,
    xRollbackTo: None,
    xShadowName: None,
    xIntegrity: None,
};

/// A cursor: the rows it reads (once filtered) and where it is.
#[repr(C)]
struct Cursor {
    /// First, as SQLite expects of a cursor it allocates through `xOpen`.
    base: ffi::sqlite3_vtab_cursor,
    rows: Option<Arc<dyn Rows>>,
    token: i64,
    at: usize,
}

unsafe extern "C" fn connect(
    db: *mut ffi::sqlite3,
    _aux: *mut c_void,
    _argc: c_int,
    _argv: *const *const c_char,
    table: *mut *mut ffi::sqlite3_vtab,
    _error: *mut *mut c_char,
) -> c_int {
    let declaration = c"CREATE TABLE x(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, \
        c13, c14, c15, token HIDDEN)";
    // SAFETY: SQLite calls this with its connection and a place for the table; the table is
    // allocated here and freed by `disconnect`, which SQLite calls once for it.
    unsafe {
        let done = ffi::sqlite3_declare_vtab(db, declaration.as_ptr());
        if done != ffi::SQLITE_OK {
            return done;
        }
        ffi::sqlite3_vtab_config(db, ffi::SQLITE_VTAB_DIRECTONLY);
        *table = Box::into_raw(Box::new(ffi::sqlite3_vtab {
            pModule: ptr::null(),
            nRef: 0,
            zErrMsg: ptr::null_mut(),
        }));
    }
    ffi::SQLITE_OK
}

unsafe extern "C" fn disconnect(table: *mut ffi::sqlite3_vtab) -> c_int {
    // SAFETY: `table` was made by `connect` with `Box::into_raw`; SQLite frees its error
    // message itself and hands the table back once.
    drop(unsafe { Box::from_raw(table) });
    ffi::SQLITE_OK
}

/// The one way to read the table: with its token given by an equality. A plan without it is
/// refused (`SQLITE_CONSTRAINT`), so a statement that does not give the token fails.
unsafe extern "C" fn best_index(
    _table: *mut ffi::sqlite3_vtab,
    info: *mut ffi::sqlite3_index_info,
) -> c_int {
    // SAFETY: SQLite hands a valid index info whose two arrays have `nConstraint` entries.
    let info = unsafe { &mut *info };
    let count = usize::try_from(info.nConstraint).unwrap_or(0);
    if count == 0 {
        return ffi::SQLITE_CONSTRAINT;
    }
    // SAFETY: as above, `count` > 0 entries each.
    let (constraints, usage) = unsafe {
        (
            std::slice::from_raw_parts(info.aConstraint, count),
            std::slice::from_raw_parts_mut(info.aConstraintUsage, count),
        )
    };
    let token = constraints.iter().position(|c| {
        c.iColumn == TOKEN && c_int::from(c.op) == ffi::SQLITE_INDEX_CONSTRAINT_EQ && c.usable != 0
    });
    let Some(token) = token else {
        return ffi::SQLITE_CONSTRAINT;
    };
    usage[token].argvIndex = 1;
    usage[token].omit = 1;
    info.estimatedCost = 1.0;
    info.estimatedRows = 1_000;
    ffi::SQLITE_OK
}

unsafe extern "C" fn open(
    _table: *mut ffi::sqlite3_vtab,
    cursor: *mut *mut ffi::sqlite3_vtab_cursor,
) -> c_int {
    let made = Box::new(Cursor {
        base: ffi::sqlite3_vtab_cursor {
            pVtab: ptr::null_mut(),
        },
        rows: None,
        token: 0,
        at: 0,
    });
    // SAFETY: SQLite hands a place for the cursor; `close` frees it. `base` comes first in a
    // `repr(C)` struct, so the pointer is the cursor's and its base's alike.
    unsafe { *cursor = Box::into_raw(made).cast() };
    ffi::SQLITE_OK
}

unsafe extern "C" fn close(cursor: *mut ffi::sqlite3_vtab_cursor) -> c_int {
    // SAFETY: made by `open`; SQLite closes each cursor once.
    drop(unsafe { Box::from_raw(cursor.cast::<Cursor>()) });
    ffi::SQLITE_OK
}

/// Starts a scan of the rows lent under the token (`argv[0]`, from `best_index`).
unsafe extern "C" fn filter(
    cursor: *mut ffi::sqlite3_vtab_cursor,
    _index: c_int,
    _index_name: *const c_char,
    argc: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) -> c_int {
    // SAFETY: the cursor is one `open` made; `argv` has `argc` values.
    unsafe {
        let cursor = &mut *cursor.cast::<Cursor>();
        let token = if argc >= 1 && ffi::sqlite3_value_type(*argv) == ffi::SQLITE_INTEGER {
            Some(ffi::sqlite3_value_int64(*argv))
        } else {
            None
        };
        cursor.at = 0;
        cursor.rows = token.and_then(borrow);
        match (token, &cursor.rows) {
            (Some(token), Some(_)) => {
                cursor.token = token;
                ffi::SQLITE_OK
            }
            _ => {
                let table = &mut *cursor.base.pVtab;
                ffi::sqlite3_free(table.zErrMsg.cast());
                table.zErrMsg = ffi::sqlite3_mprintf(
                    c"%s: no rows are lent under this token".as_ptr(),
                    NAME.as_ptr(),
                );
                ffi::SQLITE_ERROR
            }
        }
    }
}

unsafe extern "C" fn next(cursor: *mut ffi::sqlite3_vtab_cursor) -> c_int {
    // SAFETY: the cursor is one `open` made.
    unsafe { (*cursor.cast::<Cursor>()).at += 1 };
    ffi::SQLITE_OK
}

unsafe extern "C" fn eof(cursor: *mut ffi::sqlite3_vtab_cursor) -> c_int {
    // SAFETY: the cursor is one `open` made.
    let cursor = unsafe { &*cursor.cast::<Cursor>() };
    c_int::from(
        cursor
            .rows
            .as_ref()
            .is_none_or(|rows| cursor.at >= rows.len()),
    )
}

unsafe extern "C" fn rowid(cursor: *mut ffi::sqlite3_vtab_cursor, rowid: *mut i64) -> c_int {
    // SAFETY: the cursor is one `open` made; `rowid` a place for the answer.
    unsafe { *rowid = (*cursor.cast::<Cursor>()).at as i64 };
    ffi::SQLITE_OK
}

/// The value at the cursor's row of `column`, copied by SQLite (`SQLITE_TRANSIENT`).
unsafe extern "C" fn column(
    cursor: *mut ffi::sqlite3_vtab_cursor,
    context: *mut ffi::sqlite3_context,
    column: c_int,
) -> c_int {
    // SAFETY: the cursor is one `open` made, on a row (SQLite asks only while `eof` is 0);
    // text and blobs are given with their lengths and copied before this returns.
    unsafe {
        let cursor = &*cursor.cast::<Cursor>();
        if column == TOKEN {
            ffi::sqlite3_result_int64(context, cursor.token);
            return ffi::SQLITE_OK;
        }
        let cell = match (&cursor.rows, usize::try_from(column)) {
            (Some(rows), Ok(column)) if column < COLUMNS && cursor.at < rows.len() => {
                rows.cell(cursor.at, column)
            }
            _ => Cell::Null,
        };
        match cell {
            Cell::Null => ffi::sqlite3_result_null(context),
            Cell::Integer(n) => ffi::sqlite3_result_int64(context, n),
            Cell::Text(text) => ffi::sqlite3_result_text64(
                context,
                text.as_ptr().cast(),
                text.len() as u64,
                ffi::SQLITE_TRANSIENT(),
                ffi::SQLITE_UTF8 as u8,
            ),
            Cell::Blob(bytes) => ffi::sqlite3_result_blob64(
                context,
                bytes.as_ptr().cast(),
                bytes.len() as u64,
                ffi::SQLITE_TRANSIENT(),
            ),
        }
    }
    ffi::SQLITE_OK
}

#[cfg(test)]
mod tests;
