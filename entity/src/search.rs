//! Text folded for case-insensitive search.
//!
//! Both engines compare a stored, folded column with a pattern folded the same way, so that
//! they find the same rows: SQLite's own `lower()` and `LIKE` fold ASCII only, PostgreSQL's
//! fold by the server's locale. Folding is Rust's Unicode lower-casing, done when a row is
//! written.

/// The parts present, lower-cased, one per line.
pub fn fold<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    parts
        .into_iter()
        .flatten()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn non_ascii_letters_fold_like_ascii_ones() {
        assert_eq!(
            super::fold([Some("ÉVALUATION"), None, Some("ÄRZTE")]),
            "évaluation\närzte"
        );
    }
}
