//! Integration tests: the real server on a random port, spoken to over HTTP, with its own
//! database per test (a temporary SQLite file, or a fresh PostgreSQL database when
//! `TEST_DATABASE_URL` is set).

mod access;
mod actions;
mod cli;
mod columns;
mod continuity;
mod delivery;
mod demo;
mod errors;
mod filters;
mod helpers;
mod hostile;
mod http;
mod meetings;
mod ministries;
mod operations;
mod pagination;
mod playground;
mod reminders;
mod reports;
mod resolution;
mod schema;
mod seed;
mod server;
mod smtp;
mod statements;
mod tokens;
