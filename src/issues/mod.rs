//! Issues identified at meetings.

pub mod graphql;
mod history;
pub mod service;
