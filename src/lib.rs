//! Tindak: the follow-up registry of inter-ministry coordination meetings.

pub mod actions;
pub mod actor;
pub mod app;
pub mod audit;
pub mod auth;
pub mod bench;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod graphql;
pub mod home;
pub mod issues;
pub mod meetings;
pub mod memory;
pub mod metrics;
pub mod ministries;
pub mod pages;
pub mod patch;
pub mod playground;
pub mod reminders;
pub mod reports;
pub mod search;
pub mod validate;
pub mod words;
