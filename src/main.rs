use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tindak::cli::run().await
}
