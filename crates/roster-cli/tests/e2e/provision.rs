//! `roster provision`: everyone created and a second run changing nothing, a vendor failing
//! mid-run or refusing its token (the others still done), a bad CSV refused before anything is
//! sent.

use roster::Vendor;
use roster_sandbox::{Fault, FaultRule, Sandbox};

use crate::support::*;

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
        assert_eq!(cells, [vendor, "11", "0", "0", "0", "0"], "{stdout}");
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
    // 11 members, and the 4 Vyte teams, whose members are not Vyte users: nothing sent
    // for them, each named.
    assert!(stdout.contains("failed (15):"), "{stdout}");
    assert!(stdout.contains("team Leadership in vyte"), "{stdout}");
    let report = read_report(&dir.path().join("r.jsonl"));
    assert_eq!(
        writes(&sandbox, Vendor::Vyte)
            .iter()
            .filter(|(r, _)| r.contains("teams"))
            .count(),
        0
    );
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

    // --dry-run: the plan (look-ups only), and no write.
    let files = || std::fs::read_dir(dir.path()).expect("dir").count();
    let before = files();
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
    let plan = text(&out.stdout);
    assert!(
        plan.contains("(11 member(s)); nothing is written"),
        "{plan}"
    );
    assert_eq!(
        plan.matches("11 to create, 0 to update, 0 unchanged")
            .count(),
        3,
        "{plan}"
    );
    assert!(plan.lines().all(|l| l.chars().count() <= 80), "{plan}");
    assert_eq!(files(), before, "no report");
    for vendor in Vendor::ALL {
        assert_eq!(writes(&sandbox, vendor), [], "{vendor} got a write");
    }
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
