//! `cargo xtask bench`: what build-time generation costs, and how fast the generated client is.
//!
//! - `bench build` times cold and incremental debug builds of the workspace's client crates
//!   twice in the same run: as they are (each vendor crate's `build.rs` runs progenitor through
//!   `roster-codegen`), and as a *baseline* that compiles the committed snapshot
//!   `crates/roster-<vendor>/generated/client.rs` with no build script and no generator stack.
//!   It prints one Markdown table of medians and ratios, ready for `docs/performance.md`.
//! - `bench client` runs the criterion benchmark `tests/benches/client.rs` (release build),
//!   then counts instructions per request of each side under callgrind ([`client`]).
//! - `bench bulk` provisions 10,000 and 100,000 members into the sandbox vendors ([`bulk`]).
//!
//! # How the baseline is built (one code path)
//! Both variants are copies of the workspace sources under `target/bench-build/`, so the real
//! tree is never edited (the one-line spec edit happens in the copy; an interrupted run leaves
//! only a throwaway copy behind). The baseline copy differs in three mechanical ways, each
//! checked: vendor crates lose `build.rs`, their manifests lose `build = "build.rs"` and
//! `[build-dependencies]`, and `roster_runtime::include_generated_client!` includes
//! `$CARGO_MANIFEST_DIR/generated/client.rs` instead of `$OUT_DIR/client.rs`. The vendor crates'
//! `lib.rs`, the macro and the generated source are otherwise the very files the real build
//! compiles (`cargo xtask check` keeps the snapshot byte-for-byte equal to the build's output).
//!
//! Every measurement uses its own `--target-dir` under `target/bench-build/` and `--offline`
//! (sources come from the local registry cache: run `cargo fetch` first).

mod build;
pub mod bulk;
pub mod client;

use std::io::{self, Write};
use std::path::Path;

pub use build::{BuildOptions, Part};

use crate::cli::{FAILED, OK, USAGE};

const HELP: &str = "\
Benchmarks: build time of the generated crates, request overhead of the generated client.

Usage: cargo xtask bench build [OPTIONS]
       cargo xtask bench client [--quick] [--callgrind-only | --no-callgrind] [--requests N]
       cargo xtask bench bulk [--members N,N] [--naive-members N] [--runs N] [--quick]

build    cold debug builds of each vendor crate alone (`vendors`) and of the facade with all
         features (`facade`), and incremental rebuilds after a one-line edit of
         specs/vectera.yaml (`rebuild`), each with build.rs generation and from the committed
         snapshot (no build script); prints a Markdown table of medians and ratios.
         Sources are copied to target/bench-build/ (the real tree is never edited); each
         cold build gets an empty --target-dir there, and every cargo call is --offline.
  --part PART       vendors | facade | rebuild (repeatable; default: all three)
  --vendor VENDOR   limit `vendors` to these vendors (repeatable; default: all)
  --runs N          cold builds per case, median reported (default 1: they are long)
  --rebuild-runs N  rebuilds per case, median reported (default 3)
  --config KEY=VAL  passed to every cargo call as `--config KEY=VAL` (try profile settings
                    without editing Cargo.toml), repeatable
  --quick           `--part vendors --vendor vectera --part rebuild`, one run each, and the
                    rebuild of roster-vectera only: a first look in a few minutes
client   cargo bench -p roster-tests --bench client (criterion, then a latency pass with
         p50/p99 and the throughput ratio); --quick shortens both. Then instructions per
         request of each side (client side only) under valgrind's callgrind: deterministic,
         unlike the wall-clock ratios; results in target/bench-client/
  --callgrind-only  only the callgrind pass;  --no-callgrind  skip it
  --requests N      requests per side under callgrind (default 2000; 500 with --quick)
bulk     members/s and peak RSS of provisioning generated members into all three sandbox
         vendors (a fresh roster-sandbox process per run, release builds) through
         Provisioner::ensure_stream, beside the naive loop of one ensure per member
  --members N,N       team sizes (default 10000,100000)
  --naive-members N   team size of the naive loop (default 1000: it lists Vyte's whole
                      organisation once per member, so it slows as the team grows)
  --runs N            runs per case, median reported (default 3)
  --quick             2000 members, naive 200, one run

Exit status: 0 ok, 1 a build failed, 2 usage error.";

/// Runs `cargo xtask bench` with `args` (after `bench`) on the workspace at `root`.
pub fn run(args: &[String], root: &Path, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let result = match args.split_first() {
        Some((command, rest)) if command == "build" => match BuildOptions::parse(rest) {
            Ok(None) => writeln!(out, "{HELP}").map(|()| OK),
            Ok(Some(options)) => build::run(&options, root, out, err),
            Err(message) => usage(&message, err),
        },
        Some((command, rest)) if command == "client" => client(rest, root, out, err),
        Some((command, rest)) if command == "bulk" => match bulk::parse(rest) {
            Ok(options) => match bulk::run(root, &options, out) {
                Ok(()) => Ok(OK),
                Err(message) => writeln!(err, "error: {message}").map(|()| FAILED),
            },
            Err(message) => usage(&message, err),
        },
        Some((command, _)) if ["help", "--help", "-h"].contains(&command.as_str()) => {
            writeln!(out, "{HELP}").map(|()| OK)
        }
        Some((command, _)) => usage(&format!("unknown bench `{command}`"), err),
        None => usage("no bench given", err),
    };
    result.unwrap_or(FAILED)
}

fn usage(message: &str, err: &mut dyn Write) -> io::Result<u8> {
    writeln!(err, "error: {message}\n\n{HELP}")?;
    Ok(USAGE)
}

fn client(
    args: &[String],
    root: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    let mut options = client::ClientOptions::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--callgrind-only" => options.callgrind_only = true,
            "--no-callgrind" => options.no_callgrind = true,
            "--requests" => match args.next().and_then(|n| n.parse::<usize>().ok()) {
                Some(n) if n > 0 => options.requests = Some(n),
                _ => return usage("`--requests` takes a positive number", err),
            },
            "--help" | "-h" => {
                writeln!(out, "{HELP}")?;
                return Ok(OK);
            }
            other => return usage(&format!("unknown option `{other}` for `bench client`"), err),
        }
    }
    client::run(&options, root, out, err)
}
