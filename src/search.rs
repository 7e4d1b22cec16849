//! Case-insensitive substring search that behaves the same on SQLite and PostgreSQL.

use sea_orm::{
    ColumnTrait, Condition,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};

/// The LIKE pattern for what a user typed, with `%`, `_` and `\` taken literally;
/// `None` when there is nothing to search for.
pub fn pattern(term: Option<&str>) -> Option<String> {
    let term = term?.trim();
    (!term.is_empty()).then(|| format!("%{}%", literal(term)))
}

/// `term`, lower-cased, as a LIKE pattern that matches exactly itself.
pub fn literal(term: &str) -> String {
    let mut out = String::with_capacity(term.len());
    for c in term.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// True where any of `cols`, lower-cased, contains the pattern.
pub fn any_matches<C: ColumnTrait>(cols: impl IntoIterator<Item = C>, pattern: &str) -> Condition {
    cols.into_iter().fold(Condition::any(), |cond, col| {
        cond.add(Expr::from(Func::lower(col.into_expr())).like(LikeExpr::new(pattern).escape('\\')))
    })
}
