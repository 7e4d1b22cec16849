use std::process::ExitCode;

/// mimalloc: fewer and cheaper allocations' worth of time per request than glibc's malloc
/// (measured with `tindak bench run`, see the README's Performance section).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Before the runtime and the first request allocate.
    tindak::memory::small_pages_only();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(tindak::cli::run()),
        Err(e) => {
            eprintln!("error: could not start the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}
