//! What the end-to-end tests share: the example team, running the `roster` binary with the
//! sandbox's credentials, reading its JSON Lines report, the writes a vendor saw, members seeded
//! straight into the sandbox.

use std::path::{Path, PathBuf};
use std::process::Output;

use roster::Vendor;
use roster_sandbox::Sandbox;
use serde_json::Value;

/// The example team: 11 valid members and one bad row (line 15).
pub(crate) fn example_team() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/team.csv")
        .canonicalize()
        .expect("examples/team.csv exists")
}

pub(crate) const VALID: usize = 11;

/// Runs `roster` with `args`, with exactly the sandbox's credentials in its environment, off
/// the async threads (the sandbox keeps serving while the binary runs).
pub(crate) async fn roster(sandbox: Option<&Sandbox>, dir: &Path, args: &[&str]) -> Output {
    let mut command = command(sandbox, dir, args);
    tokio::task::spawn_blocking(move || command.output().expect("roster runs"))
        .await
        .expect("the runner thread")
}

/// The `roster` command with `args`, with exactly the sandbox's credentials in its
/// environment.
pub(crate) fn command(
    sandbox: Option<&Sandbox>,
    dir: &Path,
    args: &[&str],
) -> std::process::Command {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("roster"));
    command.current_dir(dir).args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("ROSTER_") {
            command.env_remove(name);
        }
    }
    if let Some(sandbox) = sandbox {
        command.envs(sandbox.env());
    }
    command
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The report's lines, each checked to be one whole JSON object.
pub(crate) fn journal_lines(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("the report is written");
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "a cut line: {text:?}"
    );
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The JSON Lines report of a finished run, gathered into one object: `start`,
/// `invalid_rows`, `members` (each line's fields) and `summary` (counts per vendor), with the
/// summary line as `end`. Checks the order: the start line, invalid rows, members, summary.
pub(crate) fn read_report(path: &Path) -> Value {
    let lines = journal_lines(path);
    let kinds: Vec<&str> = lines
        .iter()
        .map(|l| l["type"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(kinds.first(), Some(&"start"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"summary"), "{kinds:?}");
    let mut sorted = kinds.clone();
    sorted.sort_by_key(|k| {
        ["start", "invalid", "member", "removal", "team", "summary"]
            .iter()
            .position(|x| x == k)
    });
    assert_eq!(sorted, kinds, "out of order");
    let of = |kind: &str| -> Vec<Value> {
        lines
            .iter()
            .filter(|l| l["type"] == kind)
            .cloned()
            .collect()
    };
    let end = lines.last().cloned().unwrap_or_default();
    serde_json::json!({
        "start": lines[0],
        "invalid_rows": of("invalid"),
        "members": of("member"),
        "summary": end["summary"],
        "end": end,
    })
}

/// Every write route (POST/PUT/PATCH/DELETE) a vendor has seen, with counts.
pub(crate) fn writes(sandbox: &Sandbox, vendor: Vendor) -> Vec<(String, usize)> {
    sandbox
        .all_calls(vendor)
        .into_iter()
        .filter(|(route, _)| !route.starts_with("GET "))
        .collect()
}

pub(crate) fn summary(report: &Value, vendor: &str) -> (u64, u64, u64, u64) {
    let c = &report["summary"][vendor];
    let n = |k: &str| c[k].as_u64().unwrap_or(u64::MAX);
    (n("created"), n("updated"), n("unchanged"), n("failed"))
}

/// Members `name0@domain` … made through the library, straight into the sandbox.
pub(crate) async fn seed(sandbox: &Sandbox, domain: &str, n: usize) {
    let provisioner = roster::Provisioner::new(&sandbox.config()).expect("clients");
    let members: Vec<roster::Member> = (0..n)
        .map(|i| {
            roster::Member::new(&format!("user{i}@{domain}"), "Seed", format!("{i}"))
                .expect("valid")
        })
        .collect();
    for report in provisioner.ensure_all(&members).await {
        assert!(!report.has_failures(), "{report:?}");
    }
}
