//! `cargo xtask bench client`: the criterion benchmark `tests/benches/client.rs` (wall clock),
//! then the deterministic figure: instructions per request of each side under callgrind.
//!
//! The bench binary's `--callgrind SIDE N` mode makes N sequential requests of one side inside
//! one function (`callgrind_generated` / `callgrind_hand_written`) on the client thread, after
//! warm-up calls; the server runs on another thread. Run under
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect=*<function>*`, callgrind
//! counts only what that thread executes inside the function: the client side of N requests
//! (building, sending, reading and decoding), not the server, not the set-up. Instruction
//! counts do not depend on the machine's load, unlike the wall-clock ratios.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::build::cargo;
use crate::cli::{FAILED, OK};

/// The options of `bench client`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ClientOptions {
    /// Shorter criterion run and latency pass, fewer callgrind requests.
    pub quick: bool,
    /// Only the callgrind pass (no criterion, no latency pass).
    pub callgrind_only: bool,
    /// Skip the callgrind pass.
    pub no_callgrind: bool,
    /// Requests per side under callgrind (default 2,000; 500 with `--quick`).
    pub requests: Option<usize>,
}

/// The two sides: name for the bench binary, function callgrind counts.
const SIDES: [(&str, &str); 2] = [
    ("generated", "callgrind_generated"),
    ("hand-written", "callgrind_hand_written"),
];

/// Where the callgrind output files go.
const OUT_DIR: &str = "target/bench-client";

/// Runs the benchmark.
pub(super) fn run(
    options: &ClientOptions,
    root: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    if !options.callgrind_only {
        let mut command = Command::new(cargo());
        command
            .current_dir(root)
            .args(["bench", "-p", "roster-tests", "--bench", "client", "--"]);
        if options.quick {
            command.arg("--quick");
        }
        if !command.status()?.success() {
            return Ok(FAILED);
        }
    }
    if options.no_callgrind {
        return Ok(OK);
    }
    match callgrind(options, root, err) {
        Ok(table) => {
            write!(out, "{table}")?;
            Ok(OK)
        }
        Err(message) => {
            writeln!(err, "error: {message}")?;
            Ok(FAILED)
        }
    }
}

fn callgrind(options: &ClientOptions, root: &Path, err: &mut dyn Write) -> Result<String, String> {
    let requests = options
        .requests
        .unwrap_or(if options.quick { 500 } else { 2_000 });
    let valgrind = Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .status();
    if !valgrind.is_ok_and(|s| s.success()) {
        return Err("valgrind is not installed (apt-get install valgrind)".to_owned());
    }
    let exe = bench_executable(root)?;
    let dir = root.join(OUT_DIR);
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut counts = Vec::new();
    for (side, function) in SIDES {
        let file = dir.join(format!("callgrind-{side}.out"));
        let _ = writeln!(err, "callgrind: {requests} requests, {side} ...");
        let output = Command::new("valgrind")
            .arg("--tool=callgrind")
            .arg("--collect-atstart=no")
            .arg(format!("--toggle-collect=*{function}*"))
            .arg(format!("--callgrind-out-file={}", file.display()))
            .arg(&exe)
            .args(["--callgrind", side, &requests.to_string()])
            .current_dir(root)
            .output()
            .map_err(|e| format!("cannot run valgrind: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "valgrind {side} failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let text = fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let total = totals(&text).ok_or_else(|| format!("no totals in {}", file.display()))?;
        if total == 0 {
            return Err(format!(
                "callgrind counted nothing in `{function}`: was it inlined or renamed?"
            ));
        }
        counts.push(total);
    }
    Ok(table(requests, counts[0], counts[1]))
}

/// The `totals:` (or `summary:`) line of a callgrind output file: the first event, `Ir`.
pub(super) fn totals(text: &str) -> Option<u64> {
    text.lines()
        .rev()
        .find_map(|l| {
            l.strip_prefix("totals:")
                .or_else(|| l.strip_prefix("summary:"))
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// The Markdown table of the callgrind pass.
pub(super) fn table(requests: usize, generated: u64, hand: u64) -> String {
    let per = |total: u64| total as f64 / requests as f64;
    format!(
        "\nInstructions per request under callgrind (client side only, {requests} sequential \
         requests per side after warm-up; deterministic):\n\n\
         | side | instructions | per request |\n|---|---:|---:|\n\
         | generated | {generated} | {:.0} |\n| hand-written | {hand} | {:.0} |\n\n\
         generated / hand-written: {:.3}× instructions per request ({:+.1}%)\n",
        per(generated),
        per(hand),
        generated as f64 / hand as f64,
        100.0 * (generated as f64 / hand as f64 - 1.0),
    )
}

/// Builds the bench binary (release, as `cargo bench` does) and answers its path.
fn bench_executable(root: &Path) -> Result<PathBuf, String> {
    let output = Command::new(cargo())
        .current_dir(root)
        .args([
            "bench",
            "-p",
            "roster-tests",
            "--bench",
            "client",
            "--no-run",
            "--message-format=json",
        ])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err("building the client bench failed".to_owned());
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "client")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo named no executable for the client bench".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_callgrind_totals() {
        let text = "events: Ir\nfl=(1) a.rs\nfn=(1) f\n1 10\nsummary: 1234\n\n\ntotals: 1234\n";
        assert_eq!(totals(text), Some(1234));
        assert_eq!(totals("events: Ir\nsummary: 77\n"), Some(77));
        assert_eq!(totals("events: Ir\n"), None);
    }

    #[test]
    fn table_reports_per_request_and_ratio() {
        let t = table(1000, 1_100_000, 1_000_000);
        assert!(t.contains("| generated | 1100000 | 1100 |"), "{t}");
        assert!(
            t.contains("1.100× instructions per request (+10.0%)"),
            "{t}"
        );
    }
}
