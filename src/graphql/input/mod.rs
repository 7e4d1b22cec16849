//! What clients send: the API's input objects, each with the domain value it stands for
//! (IDs parsed, with the path of each field named in errors).

pub mod actions;
pub mod auth;
pub mod issues;
pub mod meetings;
pub mod ministries;
pub mod reports;
