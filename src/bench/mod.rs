//! Benchmarks and the data they run on.

pub mod seed;
