//! `cargo xtask`: how maintainers work on Roster's specs (`cargo xtask --help`).

use std::process::ExitCode;

fn main() -> ExitCode {
    // Lossy, not `env::args()`, which panics on an argument that is not UTF-8.
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let root = match xtask::workspace_root() {
        Ok(root) => root,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(xtask::cli::FAILED);
        }
    };
    let (out, err) = (&mut std::io::stdout().lock(), &mut std::io::stderr().lock());
    let status = match args.split_first() {
        // `bench` has its own options and help (xtask/src/bench.rs).
        Some((command, rest)) if command == "bench" => xtask::bench::run(rest, &root, out, err),
        _ => xtask::cli::run(&args, &root, out, err),
    };
    ExitCode::from(status)
}
