//! The other commands: what is said without credentials, `users list`, `login-link` and
//! `rooms` against the sandbox, `--help` everywhere, diagnostics with `-v` and `RUST_LOG`.

use roster::Vendor;
use roster_sandbox::{Fault, FaultRule, Sandbox};
use serde_json::Value;

use crate::support::*;

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

    // Every configured vendor by default, as a table within 80 columns; `--search` is
    // Vectera's own search (`search=`), not a walk of every page filtered here.
    let searches = sandbox.calls(Vendor::Vectera, "GET /users/");
    let out = roster(
        Some(&sandbox),
        dir.path(),
        &["users", "list", "--search", "tanaka"],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let rows: Vec<&str> = table.lines().collect();
    assert!(rows[0].starts_with("vendor "), "{table}");
    assert!(rows.iter().all(|l| l.chars().count() <= 80), "{table}");
    let vendors: Vec<&str> = rows[1..]
        .iter()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    // VEO is asked too (its search), and holds no one: the team went into Vectera and Vyte.
    assert_eq!(
        vendors,
        ["vectera", "vyte"],
        "every vendor, in order: {table}"
    );
    assert!(
        sandbox.calls(Vendor::Veo, "GET /api/users/get-all") >= 1,
        "VEO was searched"
    );
    assert!(
        rows[1..].iter().all(|l| l.contains("yuki.tanaka@")),
        "{table}"
    );
    assert_eq!(
        sandbox.calls(Vendor::Vectera, "GET /users/"),
        searches + 1,
        "one search call"
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
    assert!(stdout.contains("url: http"), "the room's URL: {stdout}");
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
        "3 the file was refused (--strict, or --prune over --max-removals",
        "130 interrupted",
        "A second Ctrl-C stops at once",
    ] {
        assert!(help.contains(documented), "{documented}: {help}");
    }
}

/// `-v` and `RUST_LOG` show the facade's `tracing` events on standard error — a retry after a
/// 429, with the vendor, operation, status and wait — and never a secret; without either,
/// nothing of the kind is printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_and_rust_log_show_retries_and_never_a_secret() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("one.csv"),
        "email,first_name,last_name\nann@verbose.example,Ann,Lee\n",
    )
    .expect("write");
    let mut runs = Vec::new();
    for (flag, rust_log) in [
        (None, None),
        (Some("-v"), None),
        (None, Some("roster=info")),
    ] {
        // Vyte's listing answers one 429 (Retry-After: 0) before it answers.
        sandbox.faults(Vendor::Vyte).inject(
            FaultRule::new("/v2/users", Fault::too_many_requests(0))
                .method(roster_sandbox::Method::GET)
                .times(1),
        );
        let mut args = vec!["plan", "one.csv", "--vendors", "vyte"];
        if let Some(flag) = flag {
            args.insert(0, flag);
        }
        let mut command = command(Some(&sandbox), dir.path(), &args);
        if let Some(rust_log) = rust_log {
            command.env("RUST_LOG", rust_log);
        }
        let out = tokio::task::spawn_blocking(move || command.output().expect("roster runs"))
            .await
            .expect("the runner thread");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        runs.push(text(&out.stderr));
    }
    assert!(
        !runs[0].contains("retrying"),
        "quiet by default: {}",
        runs[0]
    );
    for stderr in &runs[1..] {
        assert!(stderr.contains("retrying a transient failure"), "{stderr}");
        assert!(stderr.contains("vendor=vyte"), "{stderr}");
        assert!(
            stderr.contains("status=Some(429)") || stderr.contains("status=429"),
            "{stderr}"
        );
        for vendor in Vendor::ALL {
            assert!(
                !stderr.contains(sandbox.token(vendor)),
                "a secret was shown: {stderr}"
            );
        }
    }
}
