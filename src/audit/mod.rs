//! The audit trail: who changed what, when, and what the record looked like before and after.

pub mod graphql;
pub mod service;
