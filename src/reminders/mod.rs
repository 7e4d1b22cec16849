//! Deadline reminders by email: planning the outbox, delivering digests, progress links.

mod cache;
mod calls;
mod claim;
pub mod deliver;
pub mod digest;
pub mod envelope;
pub mod failures;
pub mod graphql;
pub mod leadership;
pub mod lease;
pub mod links;
pub mod load;
pub mod mail;
pub mod next_day;
mod outcome;
pub mod pages;
pub mod plan;
pub mod policy;
pub mod respond;
pub mod service;
pub mod smtp;
mod stale;
mod statistics;
pub mod worker;
pub(crate) mod write;
