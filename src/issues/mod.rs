//! Issues identified at meetings.

pub mod graphql;
pub mod service;
