//! Database entities of Tindak. Plain sea-orm models: no GraphQL, no rules.

pub mod action;
pub mod action_supporter;
pub mod action_update;
pub mod api_token;
pub mod audit_event;
pub mod enums;
pub mod issue;
pub mod issue_meeting;
pub mod issue_update;
pub mod leadership_digest;
pub mod liaison;
pub mod meeting;
pub mod meeting_attendee;
pub mod ministry;
pub mod outbox_lease;
pub mod reminder;
pub mod reminder_day;
pub mod search;
pub mod user;
