//! Giving memory back to the system after a burst of work.
//!
//! The server allocates with mimalloc (`src/main.rs`), which hands freed memory back to the
//! system lazily, on later allocations. A reminder run that plans and delivers a backlog
//! allocates in bursts and then the server may sit idle for the rest of the interval: without
//! a nudge it kept what the run had used resident (measured after a run that planned and sent
//! 207,693 reminders in 443 emails on PostgreSQL: 87-119 MiB resident while idle; README,
//! Performance).

/// Returns the memory freed so far to the system. Costs a walk of the allocator's free lists:
/// for after a large piece of work, not for every request. Where mimalloc is not the
/// allocator (the tests), it has nothing to return and does nothing.
pub fn release_freed() {
    // SAFETY: `mi_collect` takes no pointer and may be called from any thread at any time;
    // it only returns pages that mimalloc no longer hands out.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}
