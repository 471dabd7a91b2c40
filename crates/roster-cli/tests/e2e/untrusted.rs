//! Untrusted text: vendor text and error bodies with control characters printed escaped, bad
//! configuration named without the secret, a login link to a disguised other host refused
//! before any call.

use roster::Vendor;
use roster_sandbox::Sandbox;

use crate::support::*;

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
    for (run, (content_type, body)) in [
        (
            "text/html",
            "<h1>\u{1b}]0;pwned\u{7}\u{1b}[2Jdenied\u{9b}31m</h1>",
        ),
        (
            "application/json",
            "{\"message\": \"\u{1b}[2Jdenied\u{7}\"}",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        // Reports are never overwritten: one per run.
        let report_name = format!("r{run}.jsonl");
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
                &report_name,
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
        // 11 members and the 4 Vyte teams they name (the teams listing refused too).
        assert!(stdout.contains("failed (15):"), "{stdout}");
        if content_type == "application/json" {
            // The vendor's text does reach the failure list, escaped.
            assert!(stdout.contains("\\u{1b}[2Jdenied"), "{stdout}");
        }
        let report = std::fs::read_to_string(dir.path().join(&report_name)).expect("report");
        for shown in [&stdout, &stderr, &report] {
            for raw in ['\u{1b}', '\u{7}', '\u{9b}'] {
                assert!(!shown.contains(raw), "{raw:?} shown raw: {shown:?}");
            }
        }
    }
}
