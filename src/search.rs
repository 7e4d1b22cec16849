//! Case-insensitive substring search that behaves the same on SQLite and PostgreSQL: a LIKE
//! over a column folded in Rust.

use sea_orm::{
    ColumnTrait, Condition,
    sea_query::{ExprTrait, LikeExpr},
};

/// The LIKE pattern for what a user typed, with `%`, `_` and `\` taken literally;
/// `None` when there is nothing to search for.
pub fn pattern(term: Option<&str>) -> Option<String> {
    let term = term?.trim();
    (!term.is_empty()).then(|| format!("%{}%", literal(term)))
}

/// `term`, folded as the search columns are, as a LIKE pattern that matches exactly itself.
pub fn literal(term: &str) -> String {
    let mut out = String::with_capacity(term.len());
    for c in entity::search::fold([Some(term)]).chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// True where the folded search column `col` contains the pattern. The column is folded in
/// Rust when the row is written (`entity::search`), and so is the pattern: both engines then
/// compare the same text, whatever letters it holds.
pub fn matches<C: ColumnTrait>(col: C, pattern: &str) -> Condition {
    Condition::all().add(col.into_expr().like(LikeExpr::new(pattern).escape('\\')))
}
