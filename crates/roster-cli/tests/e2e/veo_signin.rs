//! `roster provision` with VEO configured by username and password (`ROSTER_VEO_USERNAME`,
//! `_PASSWORD`, `_CLIENT_ID`, `_TOKEN_URL`) instead of a token: the binary signs in at the
//! sandbox's token server, renews the token when the fake expires it, and never shows the
//! password or a token; a wrong password and a half-configured sign-in are named clearly.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use roster::Vendor;
use roster_sandbox::{Sandbox, TokenPolicy, VEO_PASSWORD};

use crate::support::*;

/// Runs `roster` with `env` as its only `ROSTER_*` variables.
async fn roster_with(dir: &Path, env: Vec<(String, String)>, args: &[&str]) -> Output {
    let mut command = command(None, dir, args);
    command.envs(env);
    tokio::task::spawn_blocking(move || command.output().expect("roster runs"))
        .await
        .expect("the runner thread")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provision_signs_in_to_veo_renews_the_token_and_shows_no_secret() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    // Each token answers 10 requests: a run of the example team (a look-up per member, the
    // organisation, the invitations) outlives its first token.
    sandbox.set_token_policy(TokenPolicy {
        lifetime: Duration::from_secs(600),
        uses: Some(10),
    });
    let env = sandbox.env_with_sign_in();
    let names: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
    assert!(!names.contains(&"ROSTER_VEO_TOKEN"), "{names:?}");
    for var in [
        "ROSTER_VEO_USERNAME",
        "ROSTER_VEO_PASSWORD",
        "ROSTER_VEO_CLIENT_ID",
        "ROSTER_VEO_TOKEN_URL",
    ] {
        assert!(names.contains(&var), "{var}: {names:?}");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let team = example_team();
    let out = roster_with(
        dir.path(),
        env,
        &[
            "provision",
            team.to_str().expect("utf-8 path"),
            "--report",
            "signin.jsonl",
        ],
    )
    .await;
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let row = stdout
        .lines()
        .find(|l| l.starts_with("veo"))
        .unwrap_or_else(|| panic!("no veo row:\n{stdout}"));
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        ["veo", "11", "0", "0", "0", "0"],
        "{stdout}"
    );
    assert_eq!(sandbox.user_count(Vendor::Veo), VALID);

    // Signed in, then renewed at least once during the run.
    let sign_ins = sandbox.calls(Vendor::Veo, "POST /oauth2/token");
    assert!(sign_ins >= 2, "{:?}", sandbox.all_calls(Vendor::Veo));
    let tokens = sandbox.issued_tokens(Vendor::Veo);
    assert_eq!(tokens.len(), sign_ins);

    // Neither the password nor any token (issued or configured) in what the operator sees.
    let report = std::fs::read_to_string(dir.path().join("signin.jsonl")).expect("report");
    let mut secrets: Vec<&str> = tokens.iter().map(String::as_str).collect();
    secrets.push(VEO_PASSWORD);
    secrets.extend([Vendor::Vectera, Vendor::Vyte].map(|v| sandbox.token(v)));
    for shown in [&stdout, &stderr, &report] {
        for secret in &secrets {
            assert!(!shown.contains(secret), "{secret} was shown:\n{shown}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_fails_veo_with_the_token_servers_answer_and_never_the_password() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let wrong = "Wr0ng-Pa55word-xyz";
    let env: Vec<(String, String)> = sandbox
        .env_with_sign_in()
        .into_iter()
        .map(|(k, v)| match k.as_str() {
            "ROSTER_VEO_PASSWORD" => (k, wrong.to_owned()),
            _ => (k, v),
        })
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let team = example_team();
    let out = roster_with(
        dir.path(),
        env,
        &[
            "provision",
            team.to_str().expect("utf-8 path"),
            "--vendors",
            "veo",
            "--report",
            "wrong.jsonl",
        ],
    )
    .await;
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    // Refused credentials: exit 2, naming the variables to check (never the password).
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("veo: the credentials were refused")
            && stderr.contains("ROSTER_VEO_USERNAME, ROSTER_VEO_PASSWORD and ROSTER_VEO_CLIENT_ID"),
        "{stderr}"
    );
    // One sign-in for the whole run: the failure concerns every member.
    assert_eq!(sandbox.calls(Vendor::Veo, "POST /oauth2/token"), 1);
    assert_eq!(sandbox.user_count(Vendor::Veo), 0);
    let report = read_report(&dir.path().join("wrong.jsonl"));
    assert_eq!(
        summary(&report, "veo"),
        (0, 0, 0, VALID as u64),
        "{report:#}"
    );
    let error = report["members"][0]["vendors"]["veo"]["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let token_url = format!("http://{}/oauth2/token", sandbox.addr(Vendor::Veo));
    assert!(
        error.contains(&format!("sign-in failed at POST {token_url}: HTTP 400")),
        "{error}"
    );
    assert!(error.contains("invalid_grant"), "{error}");
    let everything = format!("{stdout}{stderr}{report}");
    assert!(!everything.contains(wrong), "the password was shown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_or_partial_veo_credentials_name_both_ways_to_set_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let team = example_team();
    let args = [
        "provision",
        team.to_str().expect("utf-8 path"),
        "--vendors",
        "veo",
    ];
    let out = roster_with(dir.path(), Vec::new(), &args).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    for var in [
        "ROSTER_VEO_TOKEN",
        "ROSTER_VEO_USERNAME",
        "ROSTER_VEO_PASSWORD",
        "ROSTER_VEO_CLIENT_ID",
    ] {
        assert!(stderr.contains(var), "{var}: {stderr}");
    }

    let partial = vec![(
        "ROSTER_VEO_USERNAME".to_owned(),
        "ada@example.com".to_owned(),
    )];
    let out = roster_with(dir.path(), partial, &args).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("set ROSTER_VEO_PASSWORD and ROSTER_VEO_CLIENT_ID"),
        "{stderr}"
    );
}

/// A token server that is down is not a refusal: VEO's members fail (exit 1, "some member
/// failed"), the other vendors are done, and the message does not tell the operator to check
/// the credentials.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_server_down_fails_veo_without_blaming_the_credentials() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    sandbox
        .faults(Vendor::Veo)
        .inject(roster_sandbox::FaultRule::new(
            "/oauth2/token",
            roster_sandbox::Fault::status(503),
        ));
    let dir = tempfile::tempdir().expect("temp dir");
    let team = example_team();
    let out = roster_with(
        dir.path(),
        sandbox.env_with_sign_in(),
        &[
            "provision",
            team.to_str().expect("utf-8 path"),
            "--report",
            "down.jsonl",
        ],
    )
    .await;
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(!stderr.contains("credentials were refused"), "{stderr}");
    assert!(stdout.contains("HTTP 503"), "{stdout}");
    let report = read_report(&dir.path().join("down.jsonl"));
    assert_eq!(summary(&report, "veo").3, VALID as u64, "{report:#}");
    assert_eq!(summary(&report, "vyte").0, VALID as u64, "{report:#}");
    assert!(!format!("{stdout}{stderr}").contains(VEO_PASSWORD));
}
