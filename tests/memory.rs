//! Memory freed by a large piece of work goes back to the system (`tindak::memory`). A binary
//! of its own: it reads the process's resident memory, which other tests running beside it
//! would move.

/// This process's resident memory, in KiB.
fn resident_kib() -> u64 {
    tindak::memory::resident(std::process::id())
        .expect("/proc/self/status")
        .1
}

#[test]
fn memory_freed_inside_the_c_heap_goes_back_to_the_system() {
    // Here the C library's malloc is the allocator, as it is for SQLite in the server: 64 MiB
    // in blocks of 4 KiB, written so that they are resident, then all freed but the last, which
    // keeps the freed ones inside the heap rather than at its top (where free would give them
    // back by itself).
    const BLOCKS: usize = 16 * 1024;
    let mut blocks: Vec<Vec<u8>> = (0..BLOCKS).map(|i| vec![(i % 251) as u8; 4096]).collect();
    let last = blocks.pop().expect("a block");
    drop(blocks);
    let before = resident_kib();
    tindak::memory::release_freed();
    let after = resident_kib();
    assert_eq!(last[0], ((BLOCKS - 1) % 251) as u8);
    assert!(
        before.saturating_sub(after) >= 32 * 1024,
        "{before} KiB resident before, {after} KiB after"
    );
}
