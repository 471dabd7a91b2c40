//! The real `roster` binary against the sandbox vendors, served by this test process on
//! loopback: what an operator sees (exit code, output, report) and what reached the vendors.

use std::path::{Path, PathBuf};
use std::process::Output;

use roster::Vendor;
use roster_sandbox::{Fault, FaultRule, Sandbox};
use serde_json::Value;

/// The example team: 11 valid members and one bad row (line 15).
fn example_team() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/team.csv")
        .canonicalize()
        .expect("examples/team.csv exists")
}

const VALID: usize = 11;

/// Runs `roster` with `args`, with exactly the sandbox's credentials in its environment, off
/// the async threads (the sandbox keeps serving while the binary runs).
async fn roster(sandbox: Option<&Sandbox>, dir: &Path, args: &[&str]) -> Output {
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
    tokio::task::spawn_blocking(move || command.output().expect("roster runs"))
        .await
        .expect("the runner thread")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn read_report(path: &Path) -> Value {
    let bytes = std::fs::read(path).expect("the report is written");
    serde_json::from_slice(&bytes).expect("the report is JSON")
}

/// Every write route (POST/PUT/PATCH/DELETE) a vendor has seen, with counts.
fn writes(sandbox: &Sandbox, vendor: Vendor) -> Vec<(String, usize)> {
    sandbox
        .all_calls(vendor)
        .into_iter()
        .filter(|(route, _)| !route.starts_with("GET "))
        .collect()
}

fn summary(report: &Value, vendor: &str) -> (u64, u64, u64, u64) {
    let c = &report["summary"][vendor];
    let n = |k: &str| c[k].as_u64().unwrap_or(u64::MAX);
    (n("created"), n("updated"), n("unchanged"), n("failed"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provision_creates_everyone_and_a_second_run_changes_nothing() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let team = example_team();
    let before: Vec<usize> = Vendor::ALL.map(|v| sandbox.user_count(v)).to_vec();

    let first = roster(
        Some(&sandbox),
        dir.path(),
        &[
            "provision",
            team.to_str().expect("utf-8 path"),
            "--report",
            "first.json",
        ],
    )
    .await;
    let (stdout, stderr) = (text(&first.stdout), text(&first.stderr));
    assert_eq!(
        first.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    // The bad row is named with its line, and nothing was sent for it.
    assert!(
        stderr.contains("line 15: invalid email address \"grace.kim@northwind\""),
        "{stderr}"
    );
    assert!(stdout.contains("skipped 1 invalid row(s)"), "{stdout}");
    for vendor in ["vectera", "vyte", "veo"] {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(vendor))
            .unwrap_or_else(|| panic!("no summary row for {vendor}:\n{stdout}"));
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cells, [vendor, "11", "0", "0", "0"], "{stdout}");
    }
    let report = read_report(&dir.path().join("first.json"));
    for vendor in ["vectera", "vyte", "veo"] {
        assert_eq!(
            summary(&report, vendor),
            (VALID as u64, 0, 0, 0),
            "{report:#}"
        );
    }
    assert_eq!(report["invalid_rows"][0]["line"], 15);
    let members = report["members"].as_array().expect("members");
    assert_eq!(members.len(), VALID);
    assert_eq!(members[0]["line"], 3);
    assert_eq!(members[0]["email"], "amelia.hart@northwind.example");
    assert_eq!(members[0]["vendors"]["vyte"]["outcome"], "created");
    for (vendor, before) in Vendor::ALL.into_iter().zip(before) {
        assert_eq!(sandbox.user_count(vendor), before + VALID, "{vendor}");
    }
    assert!(
        members.iter().all(|m| m["email"] != "grace.kim@northwind"),
        "the bad row was sent"
    );
    let writes_after_first: Vec<_> = Vendor::ALL.map(|v| writes(&sandbox, v)).to_vec();

    let second = roster(
        Some(&sandbox),
        dir.path(),
        &[
            "provision",
            team.to_str().expect("utf-8 path"),
            "--report",
            "second.json",
        ],
    )
    .await;
    let stdout = text(&second.stdout);
    assert_eq!(
        second.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&second.stderr)
    );
    let report = read_report(&dir.path().join("second.json"));
    for vendor in ["vectera", "vyte", "veo"] {
        assert_eq!(
            summary(&report, vendor),
            (0, 0, VALID as u64, 0),
            "{report:#}"
        );
    }
    // Unchanged means no write at all reached any vendor.
    assert_eq!(
        Vendor::ALL.map(|v| writes(&sandbox, v)).to_vec(),
        writes_after_first
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendor_failing_mid_run_leaves_the_others_done_and_exits_non_zero() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    // Every Vyte write (batch and single creates) answers 500; lookups still work.
    sandbox.faults(Vendor::Vyte).inject(
        FaultRule::new("/v2/users", Fault::status(500)).method(roster_sandbox::Method::POST),
    );
    let team = example_team();
    let out = roster(
        Some(&sandbox),
        dir.path(),
        &[
            "provision",
            team.to_str().expect("utf-8 path"),
            "--report",
            "r.json",
        ],
    )
    .await;
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stderr.contains("vendor call(s) failed; see r.json"),
        "{stderr}"
    );
    assert!(stdout.contains("failed (11):"), "{stdout}");
    let report = read_report(&dir.path().join("r.json"));
    assert_eq!(summary(&report, "vectera"), (11, 0, 0, 0));
    assert_eq!(summary(&report, "veo"), (11, 0, 0, 0));
    assert_eq!(summary(&report, "vyte"), (0, 0, 0, 11));
    let vyte = &report["members"][0]["vendors"]["vyte"];
    assert_eq!(vyte["outcome"], "failed");
    assert_eq!(vyte["status"], 500);
    assert!(
        vyte["error"].as_str().is_some_and(|e| e.contains("vyte")),
        "{vyte}"
    );
    // Nothing secret in anything the operator sees.
    for shown in [&stdout, &stderr, &report.to_string()] {
        for vendor in Vendor::ALL {
            assert!(!shown.contains(sandbox.token(vendor)), "a secret was shown");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_csv_is_refused_before_anything_is_sent() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("typo.csv"),
        "email,first_name,last_name,admn\nann@example.com,Ann,Smith,yes\n",
    )
    .expect("write");
    let out = roster(Some(&sandbox), dir.path(), &["provision", "typo.csv"]).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("typo.csv: unknown column \"admn\" in the header row"),
        "{stderr}"
    );

    // --strict: one bad row and nothing is sent for any row.
    let out = roster(
        Some(&sandbox),
        dir.path(),
        &[
            "provision",
            example_team().to_str().expect("utf-8"),
            "--strict",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--strict: nothing was sent"));

    // --dry-run: the plan, and nothing sent.
    let out = roster(
        Some(&sandbox),
        dir.path(),
        &[
            "provision",
            example_team().to_str().expect("utf-8"),
            "--dry-run",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("dry run: 11 member(s) to provision into vectera, vyte, veo")
    );
    assert!(!dir.path().join("roster-report.json").exists());
    for vendor in Vendor::ALL {
        assert_eq!(writes(&sandbox, vendor), [], "{vendor} got a write");
        assert_eq!(sandbox.all_calls(vendor), [], "{vendor} got a call");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_credentials_the_error_says_what_to_set() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = roster(
        None,
        dir.path(),
        &[
            "provision",
            example_team().to_str().expect("utf-8"),
            "--vendors",
            "vyte,veo",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("ROSTER_VYTE_TOKEN"), "{stderr}");
    assert!(stderr.contains("ROSTER_VEO_TOKEN"), "{stderr}");
    assert!(!stderr.contains("ROSTER_VECTERA_TOKEN"), "{stderr}");
    assert!(stderr.contains("--sandbox"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_list_login_link_and_rooms_against_the_sandbox() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let team = example_team();
    let out = roster(
        Some(&sandbox),
        dir.path(),
        &[
            "provision",
            team.to_str().expect("utf-8"),
            "--vendors",
            "vectera,vyte",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(writes(&sandbox, Vendor::Veo), [], "veo was not asked for");

    let out = roster(
        Some(&sandbox),
        dir.path(),
        &[
            "users",
            "list",
            "--vendor",
            "vyte",
            "--search",
            "NORTHWIND",
            "--json",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let listed: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(listed.len(), VALID, "{listed:?}");
    assert!(listed.iter().all(|u| u["vendor"] == "vyte"));
    assert!(
        listed
            .iter()
            .any(|u| u["email"] == "yuki.tanaka@northwind.example" && u["first_name"] == "Yuki")
    );

    let out = roster(
        Some(&sandbox),
        dir.path(),
        &[
            "login-link",
            "claire.dubois@northwind.example",
            "--next",
            "/scheduling/",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let link = text(&out.stdout);
    assert!(link.trim().starts_with("http"), "{link}");
    assert_eq!(
        sandbox.calls(Vendor::Vectera, "POST /users/{id}/loginTokens/"),
        1
    );

    // An unsafe `next` is refused before anything is sent.
    let out = roster(
        Some(&sandbox),
        dir.path(),
        &[
            "login-link",
            "claire.dubois@northwind.example",
            "--next",
            "https://evil.example/",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        sandbox.calls(Vendor::Vectera, "POST /users/{id}/loginTokens/"),
        1
    );

    let out = roster(
        Some(&sandbox),
        dir.path(),
        &[
            "rooms",
            "create",
            "jonas.berg@northwind.example",
            "--key",
            "jonas-room",
            "--access",
            "is-host",
        ],
    )
    .await;
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(stdout.contains("(key jonas-room)"), "{stdout}");
    assert!(stdout.contains("(is_host)"), "{stdout}");
    assert!(stdout.contains("access key: "), "{stdout}");
    assert_eq!(sandbox.calls(Vendor::Vectera, "POST /meetings/"), 1);
    assert_eq!(
        sandbox.calls(Vendor::Vectera, "POST /meetings/{id}/permissions/"),
        1
    );

    // An unknown member: a clear error, exit code 1.
    let out = roster(
        Some(&sandbox),
        dir.path(),
        &["login-link", "nobody@northwind.example"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("nobody@northwind.example"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn help_is_everywhere() {
    for args in [
        vec!["--help"],
        vec!["provision", "--help"],
        vec!["users", "--help"],
        vec!["users", "list", "--help"],
        vec!["login-link", "--help"],
        vec!["rooms", "create", "--help"],
    ] {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin!("roster"))
            .args(&args)
            .output()
            .expect("roster runs");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(text(&out.stdout).contains("Usage: roster"), "{args:?}");
    }
}
