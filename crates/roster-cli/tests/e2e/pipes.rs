//! Output into a closed pipe (`| head -1`) and an unwritable report: stop quietly, finish the
//! work and the report, or refuse before anything is sent.

use roster::Vendor;
use roster_sandbox::{Fault, FaultRule, Sandbox};

use crate::support::*;

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
    assert!(first.starts_with("vendor "), "{first:?}");
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
