use std::process::ExitCode;

/// mimalloc: fewer and cheaper allocations' worth of time per request than glibc's malloc
/// (measured with `tindak bench run`, see the README's Performance section).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    tindak::cli::run().await
}
