//! Giving memory back to the system after a burst of work.
//!
//! The server allocates with mimalloc (`src/main.rs`), which hands freed memory back to the
//! system lazily, on later allocations. A reminder run that plans and delivers a backlog
//! allocates in bursts and then the server may sit idle for the rest of the interval: without
//! a nudge it kept what the run had used resident (measured after a run that planned and sent
//! 207,693 reminders in 443 emails on PostgreSQL: 87-119 MiB resident while idle; README,
//! Performance). SQLite does not allocate through mimalloc but through the C library's
//! `malloc`, whose glibc keeps what SQLite frees in its arenas: after the same run on SQLite,
//! 40-70 MiB more (README, Performance, twentieth round).

/// Returns the memory freed so far to the system, mimalloc's and the C library's. Costs a
/// walk of the allocators' free lists: for after a large piece of work, not for every request.
/// Where mimalloc is not the allocator (the tests), only the C library's heap has any.
pub fn release_freed() {
    // SAFETY: `mi_collect` takes no pointer and may be called from any thread at any time;
    // it only returns pages that mimalloc no longer hands out.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
    trim_c_heap();
}

/// Keeps the process's memory in small (4 KiB) pages: no transparent huge pages for it
/// (`prctl(PR_SET_THP_DISABLE)`, Linux; inherited by any child). mimalloc asks the kernel for
/// huge pages over its arena (`MADV_HUGEPAGE`), so that the first touch of any of its 2 MiB
/// made the whole 2 MiB resident: the idle server held 24.6 MiB after start and 33.1 MiB
/// after one nested page on PostgreSQL (14 MiB of it in huge pages), and under the page's
/// load peaked at 54 MiB on SQLite. With this call in `main`: 21.8 and 24.6 MiB (what
/// mimalloc touched before `main`, 4 MiB, stays in huge pages), a peak of 35 MiB, and the
/// page as fast or faster (README, Performance, twenty-second round). A failure (an older
/// kernel) leaves the pages as they were.
pub fn small_pages_only() {
    #[cfg(target_os = "linux")]
    {
        const PR_SET_THP_DISABLE: std::ffi::c_int = 41;
        #[allow(unsafe_code)]
        unsafe extern "C" {
            fn prctl(
                option: std::ffi::c_int,
                arg2: std::ffi::c_ulong,
                arg3: std::ffi::c_ulong,
                arg4: std::ffi::c_ulong,
                arg5: std::ffi::c_ulong,
            ) -> std::ffi::c_int;
        }
        // SAFETY: `PR_SET_THP_DISABLE` takes integers only and sets a flag of the process.
        #[allow(unsafe_code)]
        unsafe {
            prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
        }
    }
}

/// Gives back the whole free pages of glibc's heaps (`malloc_trim(0)`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim_c_heap() {
    #[allow(unsafe_code)]
    unsafe extern "C" {
        fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }
    // SAFETY: `malloc_trim` takes no pointer, locks each arena as it walks it, and only
    // returns pages that hold no allocated block.
    #[allow(unsafe_code)]
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim_c_heap() {}

/// Peak and current resident memory of a process, in KiB (Linux: `/proc/<pid>/status`).
pub fn resident(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}
