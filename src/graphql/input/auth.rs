//! What clients send about users, and its domain form.

use async_graphql::{InputObject, MaybeUndefined};

use super::ministries::{MinistryRefInput, opt_ref, patch_ref};
use crate::{auth::service as auth, error::AppResult, graphql::enums::Role};

/// Someone who will call the API.
#[derive(InputObject, Debug, Clone)]
pub struct CreateUserInput {
    /// The user's name, as the audit trail and timelines show it.
    pub name: String,
    /// The user's address, if any.
    pub email: Option<String>,
    /// What the user may do.
    pub role: Role,
    /// Required for a LIAISON: the ministry it speaks for.
    pub ministry: Option<MinistryRefInput>,
}

impl CreateUserInput {
    pub fn into_domain(self) -> AppResult<auth::CreateUserInput> {
        Ok(auth::CreateUserInput {
            ministry: opt_ref(self.ministry.as_ref(), "input.ministry")?,
            name: self.name,
            email: self.email,
            role: self.role.into(),
        })
    }
}

/// Changes to a user: fields left out stay as they are, null clears.
#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdateUserInput {
    /// A new name.
    pub name: Option<String>,
    /// A new address; null clears it.
    pub email: MaybeUndefined<String>,
    /// A new role.
    pub role: Option<Role>,
    /// The ministry of a LIAISON; null for other roles.
    pub ministry: MaybeUndefined<MinistryRefInput>,
    /// False stops every token of the user at once; true lets them work again.
    pub active: Option<bool>,
}

impl UpdateUserInput {
    pub fn into_domain(self) -> AppResult<auth::UpdateUserInput> {
        Ok(auth::UpdateUserInput {
            ministry: patch_ref(self.ministry, "input.ministry")?,
            name: self.name,
            email: self.email.into(),
            role: self.role.map(Into::into),
            active: self.active,
        })
    }
}
