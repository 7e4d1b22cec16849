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

impl<T> Patch<T> {
    /// `None` to keep; `Some(None)` to clear; `Some(Some(v))` to set.
    pub fn as_change(&self) -> Option<Option<&T>> {
        match self {
            Self::Keep => None,
            Self::Clear => Some(None),
            Self::Set(v) => Some(Some(v)),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Self::Keep => Patch::Keep,
            Self::Clear => Patch::Clear,
            Self::Set(v) => Patch::Set(f(v)),
        }
    }
}
