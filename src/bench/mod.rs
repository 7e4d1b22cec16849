//! Benchmarks and the data they run on.

mod bare;
mod floor;
mod inproc;
mod load;
pub mod reminders;
pub mod run;
pub mod seed;
pub mod sink;
