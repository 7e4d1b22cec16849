//! Relay connections over offset cursors.
//!
//! A cursor is an opaque token; today it encodes a position in the ordered result. Ordering
//! always ends with the id, so pages are stable while the data does not change.

use std::{fmt::Write as _, future::Future, pin::Pin, sync::Arc};

use async_graphql::{
    Object, OutputType,
    connection::{Connection, CursorType, Edge},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, PaginatorTrait,
    QueryResult, QueryTrait, Select, Statement, Value, Values, sea_query::SelectStatement,
};

use crate::error::{AppError, AppResult};

pub const DEFAULT_PAGE: u64 = 20;
pub const MAX_PAGE: u64 = 100;

/// Which slice of a list a client asked for.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub offset: u64,
    pub limit: u64,
}

impl Page {
    pub fn from_args(first: Option<i32>, after: Option<&str>) -> AppResult<Self> {
        let limit = match first {
            None => DEFAULT_PAGE,
            Some(n) if n < 0 => {
                return Err(AppError::bad_input("first", "first must not be negative"));
            }
            Some(n) if n as u64 > MAX_PAGE => {
                return Err(AppError::bad_input(
                    "first",
                    format!("first must be at most {MAX_PAGE}"),
                ));
            }
            Some(n) => n as u64,
        };
        let offset = match after {
            None => 0,
            Some(cursor) => decode_cursor(cursor)? + 1,
        };
        if offset > MAX_OFFSET {
            return Err(beyond());
        }
        Ok(Self { offset, limit })
    }
}

/// An item's place in its list, written out as an opaque cursor only when a client selects
/// `cursor`, `startCursor` or `endCursor`: a page that does not ask for them (most lists)
/// formats nothing per row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position(pub u64);

impl CursorType for Position {
    type Error = AppError;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        decode_cursor(s).map(Self)
    }

    fn encode_cursor(&self) -> String {
        encode_cursor(self.0)
    }
}

fn encode_cursor(position: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("pos:{position}"))
}

fn decode_cursor(cursor: &str) -> AppResult<u64> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|s| s.strip_prefix("pos:").and_then(|n| n.parse::<u64>().ok()))
        .filter(|n| *n < MAX_OFFSET)
        .ok_or_else(|| AppError::bad_input("after", "the cursor is not valid"))
}

/// No list is longer than this; a cursor beyond it was not made by us.
const MAX_OFFSET: u64 = i32::MAX as u64;

fn beyond() -> AppError {
    AppError::bad_input(
        "after",
        "the cursor points beyond the end of the list: start again without `after`",
    )
}

type CountFn = dyn Fn() -> Pin<Box<dyn Future<Output = Result<u64, DbErr>> + Send>> + Send + Sync;

/// `totalCount` of a connection, counted only when a client asks for it.
#[derive(Clone)]
pub struct TotalCount(Arc<CountFn>);

impl TotalCount {
    pub fn of<E>(db: &DatabaseConnection, select: Select<E>) -> Self
    where
        E: EntityTrait,
        E::Model: Sync,
    {
        let db = db.clone();
        Self(Arc::new(move || {
            let db = db.clone();
            let select = select.clone();
            Box::pin(async move { select.count(&db).await })
        }))
    }
}

impl TotalCount {
    async fn count(&self) -> AppResult<u64> {
        Ok((self.0)().await?)
    }
}

#[Object]
impl TotalCount {
    /// How many items match, over all pages.
    async fn total_count(&self) -> async_graphql::Result<u64> {
        Ok((self.0)().await.map_err(AppError::from)?)
    }
}

pub type Conn<T> = Connection<Position, T, TotalCount>;

/// Fetches one page of `select` (which must already be ordered) and wraps it as a connection.
pub async fn paginate<E, T>(
    db: &DatabaseConnection,
    select: Select<E>,
    page: Page,
) -> AppResult<Conn<T>>
where
    E: EntityTrait,
    E::Model: Sync,
    T: OutputType + From<E::Model>,
{
    let total = TotalCount::of(db, select.clone());
    let statement = page_statement(db.get_database_backend(), &select.into_query(), page);
    let rows = E::find().from_raw_sql(statement).all(db).await?;
    connection(total, rows, page).await
}

/// [`paginate`] over a statement the caller shapes: `shape` picks the columns of `select`
/// (and may join other tables to it) and `decode` turns each row into a model, by position.
/// The offset and the limit are set here; the total counts `select` as it was given.
pub async fn paginate_rows<E, M, T>(
    db: &DatabaseConnection,
    select: Select<E>,
    page: Page,
    shape: impl FnOnce(Select<E>) -> SelectStatement,
    mut decode: impl FnMut(&QueryResult) -> Result<M, DbErr>,
) -> AppResult<Conn<T>>
where
    E: EntityTrait,
    E::Model: Sync,
    M: Send,
    T: OutputType + From<M>,
{
    let total = TotalCount::of(db, select.clone());
    let statement = page_statement(db.get_database_backend(), &shape(select), page);
    let rows = db
        .query_all_raw(statement)
        .await?
        .iter()
        .map(&mut decode)
        .collect::<Result<Vec<_>, _>>()?;
    connection(total, rows, page).await
}

/// `select` (ordered, without limit, offset or lock) limited to `page` and one more row.
///
/// The limit is written into the statement's text, not bound: it is ours (at most
/// [`MAX_PAGE`] + 1), and PostgreSQL plans a statement whose `LIMIT` is a parameter for every
/// execution anew, for ever (its plan for any limit guesses a tenth of the rows, so it never
/// finds that plan cheaper than planning again with the value). With the limit in the text,
/// a first page's statement is planned a handful of times per connection and then runs on its
/// cached plan: at 100,000 actions PostgreSQL's CPU for the nested page went from 0.52-0.54
/// to 0.31 ms (README, Performance). A later page binds its offset, a value that changes from
/// page to page and would make a new statement of each; the first page has none.
fn page_statement(backend: DbBackend, select: &SelectStatement, page: Page) -> Statement {
    let mut statement = backend.build(select);
    let _ = write!(statement.sql, " LIMIT {}", page.limit + 1);
    if page.offset > 0 {
        let values = &mut statement.values.get_or_insert_with(|| Values(Vec::new())).0;
        // At most MAX_OFFSET, an i32.
        values.push(Value::BigInt(Some(
            i64::try_from(page.offset).unwrap_or(i64::MAX),
        )));
        let offset = crate::db::param(backend, values.len());
        let _ = write!(statement.sql, " OFFSET {offset}");
    }
    statement
}

/// A connection over `rows`: the page's rows and one more if there is a next page.
async fn connection<M, T>(total: TotalCount, mut rows: Vec<M>, page: Page) -> AppResult<Conn<T>>
where
    T: OutputType + From<M>,
{
    if rows.is_empty() && page.offset > 0 && page.offset > total.count().await? {
        return Err(beyond());
    }
    let has_next = rows.len() as u64 > page.limit;
    rows.truncate(page.limit as usize);
    let mut conn = Connection::with_additional_fields(page.offset > 0, has_next, total);
    conn.edges.extend(
        rows.into_iter()
            .enumerate()
            .map(|(i, row)| Edge::new(Position(page.offset + i as u64), T::from(row))),
    );
    Ok(conn)
}
