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
    let mut command = command(sandbox, dir, args);
    tokio::task::spawn_blocking(move || command.output().expect("roster runs"))
        .await
        .expect("the runner thread")
}

/// The `roster` command with `args`, with exactly the sandbox's credentials in its
/// environment.
fn command(sandbox: Option<&Sandbox>, dir: &Path, args: &[&str]) -> std::process::Command {
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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The report's lines, each checked to be one whole JSON object.
fn journal_lines(path: &Path) -> Vec<Value> {
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
fn read_report(path: &Path) -> Value {
    let lines = journal_lines(path);
    let kinds: Vec<&str> = lines
        .iter()
        .map(|l| l["type"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(kinds.first(), Some(&"start"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"summary"), "{kinds:?}");
    let mut sorted = kinds.clone();
    sorted.sort_by_key(|k| {
        ["start", "invalid", "member", "summary"]
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
            "first.jsonl",
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
    let report = read_report(&dir.path().join("first.jsonl"));
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
            "second.jsonl",
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
    let report = read_report(&dir.path().join("second.jsonl"));
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
            "r.jsonl",
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
        stderr.contains("vendor call(s) failed; see r.jsonl"),
        "{stderr}"
    );
    assert!(stdout.contains("failed (11):"), "{stdout}");
    let report = read_report(&dir.path().join("r.jsonl"));
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

    // A quote that never closes: the whole file is refused, naming the line.
    std::fs::write(
        dir.path().join("quote.csv"),
        "email,first_name,last_name\r\n\r\nann@example.com,\"Ann,Smith\r\nbob@example.com,Bob,Jones\r\n",
    )
    .expect("write");
    let out = roster(Some(&sandbox), dir.path(), &["provision", "quote.csv"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("quote.csv: line 3: a quoted field opens here and never closes"),
        "{}",
        text(&out.stderr)
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
    assert!(!dir.path().join("roster-report.jsonl").exists());
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
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin!("roster"))
        .arg("--help")
        .output()
        .expect("roster runs");
    let help = text(&out.stdout);
    for documented in [
        "Exit codes: 0 done, 1 some member failed",
        "2 bad usage/configuration/file",
        "3 --strict refused",
        "130 interrupted",
        "A second Ctrl-C stops at once",
    ] {
        assert!(help.contains(documented), "{documented}: {help}");
    }
}

/// Runs `command` with its standard output a pipe that is closed after one line is read
/// (`| head -1`): the exit code, that line, and standard error.
async fn head_1(mut command: std::process::Command) -> (Option<i32>, String, String) {
    use std::io::{BufRead, Read};
    tokio::task::spawn_blocking(move || {
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("roster runs");
        let mut first = String::new();
        {
            let stdout = child.stdout.take().expect("piped");
            let mut reader = std::io::BufReader::new(stdout);
            reader.read_line(&mut first).expect("one line");
            // Dropped here: the reader has left.
        }
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .expect("piped")
            .read_to_string(&mut stderr)
            .expect("stderr");
        let status = child.wait().expect("roster ends");
        (status.code(), first, stderr)
    })
    .await
    .expect("the runner thread")
}

/// Members `name0@domain` … made through the library, straight into the sandbox.
async fn seed(sandbox: &Sandbox, domain: &str, n: usize) {
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

fn no_panic(stderr: &str) {
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_list_into_a_closed_pipe_stops_quietly() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    seed(&sandbox, "pipe.example", 5).await;
    // Every listing page is slow: the reader has left before the first user is printed.
    sandbox.faults(Vendor::Vectera).inject(
        FaultRule::new(
            "/users/",
            Fault::Delay(std::time::Duration::from_millis(500)),
        )
        .method(roster_sandbox::Method::GET),
    );
    let (code, first, stderr) = head_1(command(
        Some(&sandbox),
        dir.path(),
        &["users", "list", "--vendor", "vectera"],
    ))
    .await;
    assert!(first.starts_with("id "), "{first:?}");
    no_panic(&stderr);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(sandbox.calls(Vendor::Vectera, "GET /users/") >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provision_into_a_closed_pipe_finishes_the_work_and_the_report() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    // Slow writes: the reader leaves after the first line, before the summary is printed.
    sandbox.faults(Vendor::Vyte).inject(
        FaultRule::new(
            "/v2/users",
            Fault::Delay(std::time::Duration::from_millis(500)),
        )
        .method(roster_sandbox::Method::POST),
    );
    let (code, first, stderr) = head_1(command(
        Some(&sandbox),
        dir.path(),
        &[
            "provision",
            example_team().to_str().expect("utf-8"),
            "--report",
            "r.jsonl",
        ],
    ))
    .await;
    assert!(first.starts_with("provisioning 11 member(s)"), "{first:?}");
    no_panic(&stderr);
    assert_eq!(code, Some(0), "{stderr}");
    let report = read_report(&dir.path().join("r.jsonl"));
    for vendor in ["vectera", "vyte", "veo"] {
        assert_eq!(
            summary(&report, vendor),
            (VALID as u64, 0, 0, 0),
            "{report:#}"
        );
    }
    assert_eq!(report["members"].as_array().map(Vec::len), Some(VALID));
    assert_eq!(report["end"]["interrupted"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_report_is_refused_before_anything_is_sent() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let team = example_team();
    for (report, why) in [
        ("missing/r.jsonl", "does not exist"),
        (".", "is a directory"),
    ] {
        let out = roster(
            Some(&sandbox),
            dir.path(),
            &[
                "provision",
                team.to_str().expect("utf-8"),
                "--report",
                report,
            ],
        )
        .await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("cannot write the report to"), "{stderr}");
        assert!(stderr.contains(why), "{stderr}");
    }
    for vendor in Vendor::ALL {
        assert_eq!(sandbox.all_calls(vendor), [], "{vendor} got a call");
    }
}

/// A team of `n` valid members.
fn big_team(dir: &Path, n: usize) -> PathBuf {
    let mut csv = String::from("email,first_name,last_name\n");
    for i in 0..n {
        csv.push_str(&format!("member{i}@big.example,Member,{i}\n"));
    }
    let path = dir.join("big.csv");
    std::fs::write(&path, csv).expect("write");
    path
}

fn sigint(child: &std::process::Child) {
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// Waits until the sandbox has seen `route` in `vendor`.
async fn seen(sandbox: &Sandbox, vendor: Vendor, route: &str) {
    for _ in 0..1_500 {
        if sandbox.calls(vendor, route) > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{route} never reached {vendor}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_finishes_the_calls_in_flight_completes_the_report_and_exits_130() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    // More than one window (1,000 members) of the stream: the second is never started.
    let team = big_team(dir.path(), 1_005);
    let before = sandbox.user_count(Vendor::Vyte);
    sandbox.faults(Vendor::Vyte).inject(
        FaultRule::new(
            "/v2/users/batch",
            Fault::Delay(std::time::Duration::from_secs(1)),
        )
        .method(roster_sandbox::Method::POST),
    );
    let child = command(
        Some(&sandbox),
        dir.path(),
        &[
            "provision",
            team.to_str().expect("utf-8"),
            "--vendors",
            "vyte",
            "--report",
            "r.jsonl",
        ],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .expect("roster runs");
    seen(&sandbox, Vendor::Vyte, "POST /v2/users/batch").await;
    sigint(&child);
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().expect("ends"))
        .await
        .expect("the runner thread");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted: 1000 member(s) done, 5 not started; see r.jsonl"),
        "{stderr}"
    );
    let report = read_report(&dir.path().join("r.jsonl"));
    assert_eq!(report["end"]["interrupted"], true);
    assert_eq!(report["end"]["members"], 1_000);
    assert_eq!(summary(&report, "vyte"), (1_000, 0, 0, 0));
    let members = report["members"].as_array().expect("members");
    assert_eq!(members.len(), 1_000);
    assert_eq!(members[999]["line"], 1_001);
    assert_eq!(members[999]["email"], "member999@big.example");
    // The calls in flight finished; nothing of the second window was sent.
    assert_eq!(sandbox.user_count(Vendor::Vyte), before + 1_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_ctrl_c_stops_at_once_leaving_the_outcomes_so_far() {
    use std::io::BufRead;
    let sandbox = Sandbox::start().await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let before = sandbox.user_count(Vendor::Vyte);
    // The first window (1,000 members, 10 batches) goes through; the second one's batch
    // hangs.
    let team = big_team(dir.path(), 1_050);
    let batch =
        |fault| FaultRule::new("/v2/users/batch", fault).method(roster_sandbox::Method::POST);
    let faults = sandbox.faults(Vendor::Vyte);
    faults.inject(batch(Fault::Delay(std::time::Duration::ZERO)).times(10));
    faults.inject(batch(Fault::Delay(std::time::Duration::from_secs(60))));
    let mut child = command(
        Some(&sandbox),
        dir.path(),
        &[
            "provision",
            team.to_str().expect("utf-8"),
            "--vendors",
            "vyte",
            "--report",
            "r.jsonl",
        ],
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .expect("roster runs");
    let (tx, mut stderr_lines) = tokio::sync::mpsc::unbounded_channel();
    let stderr = child.stderr.take().expect("piped");
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let mut stderr = String::new();
    let mut wait_for = async |text: &str, stderr: &mut String| {
        while let Some(line) = stderr_lines.recv().await {
            stderr.push_str(&line);
            stderr.push('\n');
            if line.contains(text) {
                return;
            }
        }
        panic!("{text:?} never came: {stderr}");
    };
    // The second window's batch has been sent: the first window's outcomes are known.
    for _ in 0..1_500 {
        if sandbox.calls(Vendor::Vyte, "POST /v2/users/batch") == 11 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(sandbox.calls(Vendor::Vyte, "POST /v2/users/batch"), 11);
    let started = std::time::Instant::now();
    sigint(&child);
    wait_for("roster: interrupted", &mut stderr).await;
    sigint(&child);
    wait_for("stopped at once", &mut stderr).await;
    let status = tokio::task::spawn_blocking(move || child.wait().expect("ends"))
        .await
        .expect("the runner thread");
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "not at once"
    );
    // Every outcome so far, each line whole; no summary: the run did not end.
    let lines = journal_lines(&dir.path().join("r.jsonl"));
    assert_eq!(lines[0]["type"], "start");
    assert_eq!(lines.len(), 1 + 1_000, "{:?}", lines.last());
    assert!(lines[1..].iter().all(|l| l["type"] == "member"));
    assert_eq!(lines[1_000]["email"], "member999@big.example");
    assert_eq!(sandbox.user_count(Vendor::Vyte), before + 1_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendor_text_with_control_characters_is_printed_escaped() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    // A name as a hostile vendor (or another tool) could hold it: the fields are public, so
    // the library check in `Member::new` is bypassed on purpose.
    let mut eve = roster::Member::new("eve@ansi.example", "Eve", "Smith").expect("valid");
    eve.first_name = "\u{1b}[2J\u{1b}]0;owned\u{7}Eve".to_owned();
    eve.last_name = "Smith\u{9b}31m\u{7f}".to_owned();
    let provisioner = roster::Provisioner::new(&sandbox.config()).expect("clients");
    let report = provisioner.ensure(&eve).await;
    assert!(
        report
            .outcome(Vendor::Vyte)
            .is_some_and(|o| !o.is_failure()),
        "{report:?}"
    );
    for json in [false, true] {
        let mut args = vec![
            "users",
            "list",
            "--vendor",
            "vyte",
            "--search",
            "ansi.example",
        ];
        if json {
            args.push("--json");
        }
        let out = roster(Some(&sandbox), dir.path(), &args).await;
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(stdout.contains("eve@ansi.example"), "{stdout}");
        for raw in ['\u{1b}', '\u{7}', '\u{9b}', '\u{7f}'] {
            assert!(!stdout.contains(raw), "{raw:?} printed raw: {stdout:?}");
        }
        let escaped = if json { "\\u001b[2J" } else { "\\u{1b}[2J" };
        assert!(stdout.contains(escaped), "{stdout}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_configuration_names_the_variable_and_never_the_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (vars, expected) in [
        (
            vec![
                ("ROSTER_VYTE_TOKEN", "vyte-key"),
                ("ROSTER_VYTE_BASE_URL", ""),
            ],
            "ROSTER_VYTE_BASE_URL: is set but empty",
        ),
        (
            vec![
                ("ROSTER_VYTE_TOKEN", "vyte-key"),
                (
                    "ROSTER_VYTE_BASE_URL",
                    "https://api.example.com/?api_key=HIDDEN-1234",
                ),
            ],
            "ROSTER_VYTE_BASE_URL: invalid base URL",
        ),
        (
            vec![("ROSTER_VYTE_TOKEN", "HIDDEN-1234\nX-Injected: 1")],
            "ROSTER_VYTE_TOKEN: invalid secret: ",
        ),
    ] {
        let mut cmd = command(None, dir.path(), &["users", "list", "--vendor", "vyte"]);
        cmd.envs(vars);
        let out = tokio::task::spawn_blocking(move || cmd.output().expect("runs"))
            .await
            .expect("the runner thread");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(!stderr.contains("HIDDEN"), "{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_link_refuses_every_disguised_other_host_before_any_call() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    seed(&sandbox, "link.example", 1).await;
    let huge = format!("/{}", "a".repeat(100_000));
    for next in [
        "/..//evil.example",
        "/.%2e/%2e%2e//evil.example",
        "/%2525252F%2525252Fevil.example",
        "/\u{ff0f}evil.example",
        "/%E2%88%95evil.example",
        "/\u{200b}/evil.example",
        "/%C0%AF%C0%AFevil.example",
        huge.as_str(),
    ] {
        let out = roster(
            Some(&sandbox),
            dir.path(),
            &["login-link", "user0@link.example", "--next", next],
        )
        .await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{next}: {stderr}");
        assert!(stderr.contains("`next`"), "{stderr}");
    }
    assert_eq!(
        sandbox.calls(Vendor::Vectera, "POST /users/{id}/loginTokens/"),
        0
    );
}

/// A hostile vendor on loopback: every request gets `status` with `body` as `content_type`.
async fn hostile_vendor(
    status: &'static str,
    content_type: &'static str,
    body: &'static str,
) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendor_error_body_with_control_characters_never_reaches_the_terminal_raw() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (content_type, body) in [
        (
            "text/html",
            "<h1>\u{1b}]0;pwned\u{7}\u{1b}[2Jdenied\u{9b}31m</h1>",
        ),
        (
            "application/json",
            "{\"message\": \"\u{1b}[2Jdenied\u{7}\"}",
        ),
    ] {
        let base_url = hostile_vendor("400 Bad Request", content_type, body).await;
        let mut cmd = command(
            None,
            dir.path(),
            &[
                "provision",
                example_team().to_str().expect("utf-8"),
                "--vendors",
                "vyte",
                "--report",
                "r.jsonl",
            ],
        );
        cmd.envs([
            ("ROSTER_VYTE_TOKEN", "vyte-key"),
            ("ROSTER_VYTE_BASE_URL", base_url.as_str()),
        ]);
        let out = tokio::task::spawn_blocking(move || cmd.output().expect("runs"))
            .await
            .expect("the runner thread");
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
        assert!(stdout.contains("failed (11):"), "{stdout}");
        if content_type == "application/json" {
            // The vendor's text does reach the failure list, escaped.
            assert!(stdout.contains("\\u{1b}[2Jdenied"), "{stdout}");
        }
        let report = std::fs::read_to_string(dir.path().join("r.jsonl")).expect("report");
        for shown in [&stdout, &stderr, &report] {
            for raw in ['\u{1b}', '\u{7}', '\u{9b}'] {
                assert!(!shown.contains(raw), "{raw:?} shown raw: {shown:?}");
            }
        }
    }
}

/// `roster provision` of the example team twice and `roster users list` of each vendor, with
/// every vendor's fake answering in one dialect (`Dialect::variants()`): everyone created with
/// the batch routes and no retry, then everyone unchanged with no write, then listed.
async fn provision_and_list_in_dialect(index: usize) {
    let (name, dialect) = roster_sandbox::Dialect::variants()[index];
    let sandbox = Sandbox::start().await.expect("sandbox");
    for vendor in Vendor::ALL {
        sandbox.set_dialect(vendor, dialect);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let team = example_team();
    let team = team.to_str().expect("utf-8 path");
    let before: Vec<usize> = Vendor::ALL.map(|v| sandbox.user_count(v)).to_vec();
    let calls = || {
        Vendor::ALL
            .map(|v| format!("{v}: {:?}", sandbox.all_calls(v)))
            .join("\n")
    };

    let first = roster(
        Some(&sandbox),
        dir.path(),
        &["provision", team, "--report", "first.jsonl"],
    )
    .await;
    assert_eq!(
        first.status.code(),
        Some(0),
        "{name}\nstdout:\n{}\nstderr:\n{}",
        text(&first.stdout),
        text(&first.stderr)
    );
    let report = read_report(&dir.path().join("first.jsonl"));
    for vendor in ["vectera", "vyte", "veo"] {
        assert_eq!(
            summary(&report, vendor),
            (VALID as u64, 0, 0, 0),
            "{name}: {report:#}"
        );
    }
    for (vendor, before) in Vendor::ALL.into_iter().zip(&before) {
        assert_eq!(
            sandbox.user_count(vendor),
            before + VALID,
            "{name}: {vendor}"
        );
    }
    // The batch routes, once each, and never one call per member; one look-up or listing
    // per member or batch, and one create per member where there is no batch: no retry.
    let expected = [
        (Vendor::Vyte, "POST /v2/users/batch", 1),
        (Vendor::Vyte, "POST /v2/users", 0),
        (Vendor::Vyte, "PUT /v2/users/batch", 0),
        // One listing before the batch, one after to confirm it (its answer is any JSON).
        (Vendor::Vyte, "GET /v2/users", 2),
        (Vendor::Veo, "POST /api/userinvites/multiple", 1),
        (Vendor::Veo, "POST /api/users/create", 0),
        (Vendor::Veo, "GET /api/users/get-all", VALID),
        (Vendor::Vectera, "POST /users/", VALID),
        (Vendor::Vectera, "GET /users/", VALID),
        // The token's own user (`me`), for the organisation: once per run.
        (Vendor::Vectera, "GET /users/{id}/", 1),
    ];
    for (vendor, route, n) in expected {
        assert_eq!(
            sandbox.calls(vendor, route),
            n,
            "{name}: {vendor} {route}\n{}",
            calls()
        );
    }
    let writes_after_first: Vec<_> = Vendor::ALL.map(|v| writes(&sandbox, v)).to_vec();

    let second = roster(
        Some(&sandbox),
        dir.path(),
        &["provision", team, "--report", "second.jsonl"],
    )
    .await;
    assert_eq!(
        second.status.code(),
        Some(0),
        "{name}\n{}\n{}",
        text(&second.stdout),
        text(&second.stderr)
    );
    let report = read_report(&dir.path().join("second.jsonl"));
    for vendor in ["vectera", "vyte", "veo"] {
        assert_eq!(
            summary(&report, vendor),
            (0, 0, VALID as u64, 0),
            "{name}: {report:#}"
        );
    }
    assert_eq!(
        Vendor::ALL.map(|v| writes(&sandbox, v)).to_vec(),
        writes_after_first,
        "{name}: the second run wrote"
    );
    assert_eq!(
        sandbox.calls(Vendor::Vyte, "GET /v2/users"),
        3,
        "{name}\n{}",
        calls()
    );

    let members = report["members"].as_array().expect("members").clone();
    // More users than one page (100) of every vendor's listing.
    const MORE: usize = 100;
    seed(&sandbox, "dialects.example", MORE).await;
    for vendor in ["vectera", "vyte", "veo"] {
        let out = roster(
            Some(&sandbox),
            dir.path(),
            &["users", "list", "--vendor", vendor, "--json"],
        )
        .await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {vendor}: {}",
            text(&out.stderr)
        );
        let listed: Vec<Value> = text(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect();
        let index = ["vectera", "vyte", "veo"]
            .iter()
            .position(|v| *v == vendor)
            .expect("vendor");
        assert_eq!(
            listed.len(),
            before[index] + VALID + MORE,
            "{name}: {vendor}: {:?}",
            listed.iter().map(|u| &u["email"]).collect::<Vec<_>>()
        );
        assert!(listed.iter().all(|u| u["vendor"] == vendor), "{listed:?}");
        for member in &members {
            let email = member["email"].as_str().expect("an email");
            assert!(
                listed.iter().any(|u| u["email"]
                    .as_str()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))),
                "{name}: {vendor}: {email} not listed"
            );
        }
    }
}

macro_rules! provision_in_each_dialect {
    ($($(#[$attr:meta])* $test:ident = $index:literal,)*) => {
        mod dialects {
            $(
                $(#[$attr])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::provision_and_list_in_dialect($index).await;
                }
            )*

            #[test]
            fn every_variant_has_its_test() {
                assert_eq!(roster_sandbox::Dialect::variants().len(), [$($index),*].len());
            }
        }
    };
}

provision_in_each_dialect! {
    documented = 0,
    lists_as_arrays = 1,
    created_as_200 = 2,
    updates_empty = 3,
    null_for_empty_lists = 4,
    text_errors = 5,
    all_alternatives = 6,
}

/// Issue 14, case 8: a refused token fails the vendor's remaining members at once — one call,
/// not one per member — is named once with the variable to check, and is exit 2 (bad
/// configuration); the other vendors are still done. Vectera is the vendor that looks each
/// member up on its own, so without the circuit every member would be refused again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_stops_that_vendor_at_once_names_the_variable_and_exits_2() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let team = example_team();
    let mut command = command(
        Some(&sandbox),
        dir.path(),
        &[
            "provision",
            team.to_str().expect("utf-8"),
            "--concurrency",
            "1",
        ],
    );
    command.env("ROSTER_VECTERA_TOKEN", "a-wrong-vectera-token");
    let out = tokio::task::spawn_blocking(move || command.output().expect("roster runs"))
        .await
        .expect("the runner thread");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stderr.contains("ROSTER_VECTERA_TOKEN"), "{stderr}");
    assert!(stderr.contains("credentials were refused"), "{stderr}");
    assert!(!format!("{stdout}{stderr}").contains("a-wrong-vectera-token"));
    // The first look-up was refused; nothing else was sent to Vectera.
    let vectera: usize = sandbox
        .all_calls(Vendor::Vectera)
        .iter()
        .map(|(_, n)| n)
        .sum();
    assert_eq!(vectera, 1, "{:?}", sandbox.all_calls(Vendor::Vectera));
    // The cause is named once for the 11 members it failed, not eleven times.
    assert_eq!(stdout.matches("HTTP 401").count(), 1, "{stdout}");
    assert!(stdout.contains("11 members in vectera"), "{stdout}");
    // The other vendors were still done.
    assert!(sandbox.user_count(Vendor::Vyte) >= 11);
    assert_eq!(
        sandbox.calls(Vendor::Veo, "POST /api/userinvites/multiple"),
        1
    );
}
