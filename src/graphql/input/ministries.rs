//! What clients send about ministries and liaisons, and its domain form.

use async_graphql::{ID, InputObject, MaybeUndefined, OneofObject};

use crate::{
    error::AppResult,
    graphql::{
        enums::{Language, MinistryKind},
        scalars::parse_id,
    },
    ministries::{liaisons, service as ministries},
};

/// Names a ministry either by its ID or by its code (e.g. `KEMLU`).
#[derive(OneofObject, Debug, Clone, PartialEq, Eq)]
#[graphql(name = "MinistryRef")]
pub enum MinistryRefInput {
    /// The ministry's ID.
    Id(ID),
    /// The ministry's code, case-insensitive.
    Code(String),
}

impl MinistryRefInput {
    /// The reference; a malformed ID is a mistake in `field`.
    pub fn to_domain(&self, field: &str) -> AppResult<ministries::MinistryRef> {
        Ok(match self {
            Self::Id(id) => ministries::MinistryRef::Id(parse_id(id, field)?),
            Self::Code(code) => ministries::MinistryRef::Code(code.clone()),
        })
    }
}

/// `refs` with `field[i]` naming each in errors.
pub fn refs(refs: &[MinistryRefInput], field: &str) -> AppResult<Vec<ministries::MinistryRef>> {
    refs.iter()
        .enumerate()
        .map(|(i, r)| r.to_domain(&format!("{field}[{i}]")))
        .collect()
}

/// `reference` if given, with `field` naming it in errors.
pub fn opt_ref(
    reference: Option<&MinistryRefInput>,
    field: &str,
) -> AppResult<Option<ministries::MinistryRef>> {
    reference.map(|r| r.to_domain(field)).transpose()
}

/// `reference` as a patch: left out keeps, null clears.
pub fn patch_ref(
    reference: MaybeUndefined<MinistryRefInput>,
    field: &str,
) -> AppResult<crate::patch::Patch<ministries::MinistryRef>> {
    Ok(match reference {
        MaybeUndefined::Undefined => crate::patch::Patch::Keep,
        MaybeUndefined::Null => crate::patch::Patch::Clear,
        MaybeUndefined::Value(r) => crate::patch::Patch::Set(r.to_domain(field)?),
    })
}

/// A ministry, agency, task force or unit to register.
#[derive(InputObject, Debug, Clone)]
pub struct CreateMinistryInput {
    /// Short unique code, e.g. `KEMLU`; stored upper-case.
    pub code: String,
    /// The full name.
    pub name: String,
    /// The common abbreviation, e.g. `Kemlu`.
    pub short_name: Option<String>,
    /// What kind of body it is.
    pub kind: MinistryKind,
    /// The unit this one belongs to, e.g. a deputy under its coordinating ministry.
    pub parent: Option<MinistryRefInput>,
}

impl CreateMinistryInput {
    pub fn into_domain(self) -> AppResult<ministries::NewMinistry> {
        Ok(ministries::NewMinistry {
            parent: opt_ref(self.parent.as_ref(), "input.parent")?,
            code: self.code,
            name: self.name,
            short_name: self.short_name,
            kind: self.kind.into(),
        })
    }
}

/// Changes to a ministry: fields left out stay as they are, null clears.
#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdateMinistryInput {
    /// A new code.
    pub code: Option<String>,
    /// A new name.
    pub name: Option<String>,
    /// A new abbreviation; null clears it.
    pub short_name: MaybeUndefined<String>,
    /// A new kind.
    pub kind: Option<MinistryKind>,
    /// A new parent unit; null makes it a top-level body.
    pub parent: MaybeUndefined<MinistryRefInput>,
}

impl UpdateMinistryInput {
    pub fn into_domain(self) -> AppResult<ministries::MinistryChanges> {
        Ok(ministries::MinistryChanges {
            parent: patch_ref(self.parent, "input.parent")?,
            code: self.code,
            name: self.name,
            short_name: self.short_name.into(),
            kind: self.kind.map(Into::into),
        })
    }
}

/// Which ministries to list.
#[derive(InputObject, Debug, Clone, Default)]
pub struct MinistryFilter {
    /// Any of these kinds.
    pub kind: Option<Vec<MinistryKind>>,
    /// Case-insensitive match on code, name or short name.
    pub search: Option<String>,
    /// The units of this body.
    pub parent: Option<MinistryRefInput>,
}

impl MinistryFilter {
    pub fn into_domain(self) -> AppResult<ministries::MinistryFilter> {
        Ok(ministries::MinistryFilter {
            kind: self
                .kind
                .map(|kinds| kinds.into_iter().map(Into::into).collect()),
            search: self.search,
            parent: opt_ref(self.parent.as_ref(), "filter.parent")?,
        })
    }
}

/// A contact at a ministry who will receive reminders.
#[derive(InputObject, Debug, Clone)]
pub struct AddLiaisonInput {
    /// The ministry the liaison speaks for.
    pub ministry: MinistryRefInput,
    /// The liaison's name (or office), as emails greet them.
    pub name: String,
    /// Where reminders go; it must be an address mail can be delivered to.
    pub email: String,
    /// The liaison's position.
    pub position: Option<String>,
    /// Indonesian when not given.
    pub language: Option<Language>,
    /// Whether reminders are sent to this liaison; yes when not given.
    pub receives_reminders: Option<bool>,
}

impl AddLiaisonInput {
    pub fn into_domain(self) -> AppResult<liaisons::AddLiaisonInput> {
        Ok(liaisons::AddLiaisonInput {
            ministry: self.ministry.to_domain("input.ministry")?,
            name: self.name,
            email: self.email,
            position: self.position,
            language: self.language.map(Into::into),
            receives_reminders: self.receives_reminders,
        })
    }
}

/// Changes to a liaison: fields left out stay as they are.
#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdateLiaisonInput {
    /// Moves the liaison to another ministry.
    pub ministry: Option<MinistryRefInput>,
    /// A new name.
    pub name: Option<String>,
    /// A new address.
    pub email: Option<String>,
    /// A new position; null clears it.
    pub position: MaybeUndefined<String>,
    /// A new language for the emails.
    pub language: Option<Language>,
    /// Whether reminders are sent to this liaison.
    pub receives_reminders: Option<bool>,
    /// Set back to true to reactivate a removed liaison.
    pub active: Option<bool>,
}

impl UpdateLiaisonInput {
    pub fn into_domain(self) -> AppResult<liaisons::UpdateLiaisonInput> {
        Ok(liaisons::UpdateLiaisonInput {
            ministry: opt_ref(self.ministry.as_ref(), "input.ministry")?,
            name: self.name,
            email: self.email,
            position: self.position.into(),
            language: self.language.map(Into::into),
            receives_reminders: self.receives_reminders,
            active: self.active,
        })
    }
}
