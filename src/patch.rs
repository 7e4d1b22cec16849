//! A change to an optional field: keep it, clear it, or set it.

/// What an update does to one optional field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// Left out: the field stays as it is.
    #[default]
    Keep,
    /// Given as null: the field is cleared.
    Clear,
    /// Given: the field takes this value.
    Set(T),
}
