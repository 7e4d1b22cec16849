//! Follow-up actions: who leads, who supports, by when, and their timeline.

pub mod columns;
pub mod filter;
pub mod graphql;
pub mod joined;
pub mod service;
pub mod supporters;
pub mod timeline;
