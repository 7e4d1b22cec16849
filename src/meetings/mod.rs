//! Coordination meetings and who attended them.

pub mod graphql;
pub mod service;
