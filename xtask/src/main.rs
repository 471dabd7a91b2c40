//! `cargo xtask`: how maintainers work on Roster's specs (`cargo xtask --help`).

use std::process::ExitCode;

fn main() -> ExitCode {
    // Lossy, not `env::args()`, which panics on an argument that is not UTF-8.
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let status = xtask::cli::run(
        &args,
        &xtask::workspace_root(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(status)
}
