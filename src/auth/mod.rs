//! Who calls the API: users, their bearer tokens, and what each role may do.

pub mod cache;
pub mod graphql;
pub mod policy;
pub mod service;
pub mod token_service;
pub mod tokens;
