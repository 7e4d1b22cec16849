//! Benchmarks and the data they run on.

pub mod run;
pub mod seed;
