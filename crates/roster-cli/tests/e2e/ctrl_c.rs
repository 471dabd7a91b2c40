//! Ctrl-C: the first finishes the calls in flight and completes the report (exit 130); a
//! second stops at once, leaving the outcomes so far.

use std::path::{Path, PathBuf};

use roster::Vendor;
use roster_sandbox::{Fault, FaultRule, Sandbox};

use crate::support::*;

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
