//! Ministries and agencies (K/L) and their liaisons.

pub mod graphql;
pub mod liaisons;
pub mod service;
