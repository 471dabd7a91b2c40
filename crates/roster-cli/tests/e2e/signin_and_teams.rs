//! Issue 17's run, end to end: the real binary against the sandbox with VEO configured by
//! username and password only (its token renewed during the run) and a team whose members sit
//! in two Vyte teams; a second run moves one member between the teams — one update per team,
//! nothing else written — and a third changes nothing.

use std::time::Duration;

use roster::Vendor;
use roster_sandbox::{Sandbox, TokenPolicy, VEO_PASSWORD};
use serde_json::Value;

use crate::support::*;

const TEAM: &str = "\
email,first_name,last_name,vyte_teams
ann@two-teams.example,Ann,Lee,Sales
bob@two-teams.example,Bob,Ray,Sales
cat@two-teams.example,Cat,Poe,Support
dan@two-teams.example,Dan,Orr,Support
";

async fn run(sandbox: &Sandbox, dir: &std::path::Path, report: &str) -> (String, String) {
    let mut command = command(None, dir, &["provision", "team.csv", "--report", report]);
    command.envs(sandbox.env_with_sign_in());
    let out = tokio::task::spawn_blocking(move || command.output().expect("roster runs"))
        .await
        .expect("the runner thread");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

fn teams(report: &std::path::Path) -> Vec<(String, String, Value, Value)> {
    journal_lines(report)
        .into_iter()
        .filter(|l| l["type"] == "team")
        .map(|t| {
            (
                t["team"].as_str().unwrap_or("?").to_owned(),
                t["outcome"].as_str().unwrap_or("?").to_owned(),
                t["added"].clone(),
                t["removed"].clone(),
            )
        })
        .collect()
}

/// Writes to the Vyte teams routes.
fn team_writes(sandbox: &Sandbox) -> (usize, usize) {
    (
        sandbox.calls(Vendor::Vyte, "POST /v2/teams"),
        sandbox.calls(Vendor::Vyte, "PUT /v2/teams/{team_id}"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn veo_by_password_renews_its_token_and_a_member_moves_between_two_vyte_teams() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    // Each token answers 4 requests: the run outlives its first token.
    sandbox.set_token_policy(TokenPolicy {
        lifetime: Duration::from_secs(600),
        uses: Some(4),
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    std::fs::write(dir.join("team.csv"), TEAM).expect("write");

    // First run: everyone created; both teams created with their members, one call each.
    let (stdout, stderr) = run(&sandbox, dir, "r1.jsonl").await;
    assert!(
        stdout.contains("vyte teams: 2 created, 0 updated"),
        "{stdout}"
    );
    assert_eq!(team_writes(&sandbox), (2, 0));
    let sign_ins = sandbox.calls(Vendor::Veo, "POST /oauth2/token");
    assert!(
        sign_ins >= 2,
        "renewed at least once: {:?}",
        sandbox.all_calls(Vendor::Veo)
    );
    assert_eq!(sandbox.user_count(Vendor::Veo), 4);
    let first = teams(&dir.join("r1.jsonl"));
    assert_eq!(
        first,
        [
            (
                "Sales".into(),
                "created".into(),
                serde_json::json!(["ann@two-teams.example", "bob@two-teams.example"]),
                serde_json::json!([])
            ),
            (
                "Support".into(),
                "created".into(),
                serde_json::json!(["cat@two-teams.example", "dan@two-teams.example"]),
                serde_json::json!([])
            ),
        ]
    );
    // No secret of any kind in what the operator sees.
    let mut secrets: Vec<String> = sandbox.issued_tokens(Vendor::Veo);
    secrets.push(VEO_PASSWORD.to_owned());
    let report = std::fs::read_to_string(dir.join("r1.jsonl")).expect("report");
    for shown in [&stdout, &stderr, &report] {
        for secret in &secrets {
            assert!(
                !shown.contains(secret.as_str()),
                "a secret was shown:\n{shown}"
            );
        }
    }

    // Second run: Bob moves from Sales to Support — one update per team, nothing else.
    std::fs::write(
        dir.join("team.csv"),
        TEAM.replace(
            "bob@two-teams.example,Bob,Ray,Sales",
            "bob@two-teams.example,Bob,Ray,Support",
        ),
    )
    .expect("write");
    let writes_before: Vec<_> = Vendor::ALL.map(|v| writes(&sandbox, v)).to_vec();
    let (stdout, _) = run(&sandbox, dir, "r2.jsonl").await;
    assert!(
        stdout.contains("vyte teams: 0 created, 2 updated"),
        "{stdout}"
    );
    assert_eq!(team_writes(&sandbox), (2, 2), "one update per team");
    assert_eq!(
        teams(&dir.join("r2.jsonl")),
        [
            (
                "Sales".into(),
                "updated".into(),
                serde_json::json!([]),
                serde_json::json!(["bob@two-teams.example"])
            ),
            (
                "Support".into(),
                "updated".into(),
                serde_json::json!(["bob@two-teams.example"]),
                serde_json::json!([])
            ),
        ]
    );
    // The users themselves were already right: the only writes were the two team updates.
    let writes_after: Vec<_> = Vendor::ALL.map(|v| writes(&sandbox, v)).to_vec();
    for (vendor, (before, after)) in Vendor::ALL
        .iter()
        .zip(writes_before.iter().zip(&writes_after))
    {
        let changed: Vec<_> = after.iter().filter(|w| !before.contains(w)).collect();
        match vendor {
            Vendor::Vyte => assert_eq!(
                changed,
                [&("PUT /v2/teams/{team_id}".to_owned(), 2)],
                "{after:?}"
            ),
            Vendor::Veo => assert!(
                changed
                    .iter()
                    .all(|(route, _)| route == "POST /oauth2/token"),
                "only sign-ins: {changed:?}"
            ),
            Vendor::Vectera => assert!(changed.is_empty(), "{changed:?}"),
        }
    }

    // Third run: nothing to change anywhere.
    let (stdout, _) = run(&sandbox, dir, "r3.jsonl").await;
    assert!(
        stdout.contains("vyte teams: 0 created, 0 updated, 2 unchanged"),
        "{stdout}"
    );
    assert_eq!(team_writes(&sandbox), (2, 2));
}
