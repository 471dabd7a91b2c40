//! A team's life through the real binary against the persistent sandbox (`--sandbox` keeps the
//! fakes' state between commands): onboard, re-run unchanged, list, rename, a leaver pruned, a
//! truncated file refused by the removal limit, the plan checked field by field, and a reset.

use std::path::Path;

use serde_json::Value;

use crate::support::*;

/// `roster --sandbox --sandbox-dir <dir>/state ARGS` in `dir`.
async fn sandboxed(dir: &Path, args: &[&str]) -> std::process::Output {
    let state = dir.join("state");
    let mut argv = vec!["--sandbox", "--sandbox-dir", state.to_str().expect("utf-8")];
    argv.extend_from_slice(args);
    roster(None, dir, &argv).await
}

fn ok(out: &std::process::Output) -> (String, String) {
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

/// The example team with Amelia renamed Amy, Jonas gone and Claire moved from the Sales team
/// to Support.
fn next_year(team: &str) -> String {
    team.lines()
        .filter(|l| !l.starts_with("jonas.berg@"))
        .map(|l| {
            l.replacen(
                "amelia.hart@northwind.example,Amelia,",
                "amelia.hart@northwind.example,Amy,",
                1,
            )
        })
        .map(|l| l.replacen("Europe/Paris,fr,Sales,", "Europe/Paris,fr,Support,", 1))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn users(dir: &Path, out: &std::process::Output) -> Vec<Value> {
    let _ = dir;
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn count(users: &[Value], vendor: &str, domain: &str) -> usize {
    users
        .iter()
        .filter(|u| u["vendor"] == vendor)
        .filter(|u| u["email"].as_str().is_some_and(|e| e.ends_with(domain)))
        .filter(|u| u["active"] != false)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teams_life_against_the_persistent_sandbox() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let original = std::fs::read_to_string(example_team()).expect("the example team");
    std::fs::write(dir.join("team.csv"), &original).expect("write");

    // 1. Onboard: everyone created in every vendor; the banner names the state directory.
    let first = sandboxed(dir, &["provision", "team.csv", "--report", "r1.jsonl"]).await;
    let (stdout, stderr) = ok(&first);
    assert!(stderr.contains("sandbox state kept in"), "{stderr}");
    assert!(
        stderr.contains(&dir.join("state").display().to_string()),
        "{stderr}"
    );
    let report = read_report(&dir.join("r1.jsonl"));
    for vendor in ["vectera", "vyte", "veo"] {
        assert_eq!(
            summary(&report, vendor),
            (VALID as u64, 0, 0, 0),
            "{report:#}"
        );
    }
    assert_eq!(report["start"]["sandbox"], true);
    assert_eq!(report["start"]["roster_version"], env!("CARGO_PKG_VERSION"));
    assert!(
        report["start"]["run_id"]
            .as_str()
            .is_some_and(|id| id.len() == 36)
    );
    assert_eq!(report["start"]["run_id"], report["end"]["run_id"]);
    assert!(report["end"]["finished_at"].is_string());
    let vendors: Vec<&str> = report["start"]["vendors"]
        .as_array()
        .expect("vendors")
        .iter()
        .map(|v| v["target"].as_str().expect("target"))
        .collect();
    assert_eq!(vendors, ["sandbox"; 3]);
    // The same vendor order everywhere: the table, the report's member lines.
    let order: Vec<&str> = stdout
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|cells| cells.len() == 6 && cells[1].parse::<u64>().is_ok())
        .map(|cells| cells[0])
        .collect();
    assert_eq!(order, ["vectera", "vyte", "veo"], "{stdout}");
    let line = std::fs::read_to_string(dir.join("r1.jsonl")).expect("report");
    let member = line
        .lines()
        .find(|l| l.contains("\"member\""))
        .expect("a member line");
    let (a, b, c) = (
        member.find("\"vectera\"").expect("vectera"),
        member.find("\"vyte\"").expect("vyte"),
        member.find("\"veo\"").expect("veo"),
    );
    assert!(a < b && b < c, "{member}");

    // 2. Again: nothing to do, and the plan said so before any look-up per member.
    let second = sandboxed(dir, &["provision", "team.csv", "--report", "r2.jsonl"]).await;
    let (stdout, _) = ok(&second);
    assert!(stdout.contains("(0 to look at, 11 unchanged)"), "{stdout}");
    let report = read_report(&dir.join("r2.jsonl"));
    for vendor in ["vectera", "vyte", "veo"] {
        assert_eq!(
            summary(&report, vendor),
            (0, 0, VALID as u64, 0),
            "{report:#}"
        );
    }
    assert_eq!(
        report["end"]["vyte_teams"],
        serde_json::json!({"created": 0, "updated": 0, "unchanged": 4, "failed": 0}),
        "the teams too: {report:#}"
    );
    // Account ids recorded for members the vendors hold.
    let amelia = &report["members"][0];
    for vendor in ["vectera", "vyte", "veo"] {
        assert!(
            amelia["vendors"][vendor]["account_id"].is_string(),
            "{amelia:#}"
        );
    }

    // 3. The vendors remember: users list over every vendor, and a login link.
    let listed = sandboxed(dir, &["users", "list", "--json"]).await;
    ok(&listed);
    let all = users(dir, &listed);
    for vendor in ["vectera", "vyte", "veo"] {
        assert_eq!(
            count(&all, vendor, "@northwind.example"),
            VALID,
            "{vendor}: {all:#?}"
        );
    }
    let searched = sandboxed(dir, &["users", "list", "--search", "amelia", "--json"]).await;
    ok(&searched);
    let found = users(dir, &searched);
    assert_eq!(found.len(), 3, "one per vendor: {found:#?}");
    let link = sandboxed(dir, &["login-link", "amelia.hart@northwind.example"]).await;
    let (stdout, _) = ok(&link);
    assert!(stdout.starts_with("http://127.0.0.1:"), "{stdout}");

    // 4. Amelia becomes Amy, Jonas leaves: the plan, field by field.
    std::fs::write(dir.join("team.csv"), next_year(&original)).expect("write");
    let plan = sandboxed(dir, &["plan", "team.csv", "--prune", "--json"]).await;
    let (stdout, _) = ok(&plan);
    let plan: Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert_eq!(plan["prune"], true);
    assert_eq!(plan["removals"], 1);
    assert_eq!(plan["refused"], false);
    for (vendor, action) in [
        ("vectera", "delete"),
        ("vyte", "unlink"),
        ("veo", "deactivate"),
    ] {
        let v = plan["vendors"]
            .as_array()
            .expect("vendors")
            .iter()
            .find(|v| v["vendor"] == vendor)
            .expect("vendor");
        let amy = &v["members"][0];
        assert_eq!(amy["email"], "amelia.hart@northwind.example");
        if vendor == "veo" {
            // An invitee: VEO holds no name, so nothing to change, and a note says so.
            assert_eq!(amy["action"], "unchanged", "{amy:#}");
            assert!(
                amy["notes"][0]
                    .as_str()
                    .is_some_and(|n| n.contains("no name")),
                "{amy:#}"
            );
        } else {
            assert_eq!(amy["action"], "update", "{vendor}: {amy:#}");
            assert_eq!(
                amy["changes"],
                serde_json::json!([{"field": "first_name", "old": "Amelia", "new": "Amy"}]),
                "{vendor}"
            );
        }
        assert_eq!(
            v["counts"]["unchanged"],
            if vendor == "veo" { 10 } else { 9 }
        );
        let gone = &v["not_in_file"];
        assert_eq!(gone.as_array().map(Vec::len), Some(1), "{vendor}: {gone:#}");
        assert_eq!(gone[0]["email"], "jonas.berg@northwind.example");
        assert_eq!(gone[0]["action"], action);
    }
    // Vyte teams: Claire leaves Sales for Support; Jonas, pruned, leaves Leadership.
    let vyte = plan["vendors"]
        .as_array()
        .expect("vendors")
        .iter()
        .find(|v| v["vendor"] == "vyte")
        .expect("vyte");
    let team = |name: &str| {
        vyte["teams"]
            .as_array()
            .expect("teams")
            .iter()
            .find(|t| t["team"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no team {name}: {vyte:#}"))
    };
    let claire = serde_json::json!(["claire.dubois@northwind.example"]);
    let jonas = serde_json::json!(["jonas.berg@northwind.example"]);
    assert_eq!(
        (
            team("Sales")["action"].clone(),
            team("Sales")["removed"].clone()
        ),
        ("update".into(), claire.clone()),
        "{vyte:#}"
    );
    assert_eq!(
        (
            team("Support")["action"].clone(),
            team("Support")["added"].clone()
        ),
        ("update".into(), claire)
    );
    assert_eq!(
        (
            team("Leadership")["action"].clone(),
            team("Leadership")["removed"].clone()
        ),
        ("update".into(), jonas)
    );
    assert_eq!(team("Coaching")["action"], "unchanged");
    let text_plan = sandboxed(dir, &["plan", "team.csv", "--prune"]).await;
    let (stdout, _) = ok(&text_plan);
    assert!(
        stdout.contains("first_name: \"Amelia\" -> \"Amy\""),
        "{stdout}"
    );
    assert!(stdout.contains("remove (unlink)"), "{stdout}");
    assert!(stdout.lines().all(|l| l.chars().count() <= 80), "{stdout}");

    // 5. Provision with --prune: exactly the plan.
    let third = sandboxed(
        dir,
        &["provision", "team.csv", "--prune", "--report", "r3.jsonl"],
    )
    .await;
    ok(&third);
    let lines = journal_lines(&dir.join("r3.jsonl"));
    let summary_line = lines.last().expect("summary");
    for (vendor, updated, unchanged) in [("vectera", 1, 9), ("vyte", 1, 9), ("veo", 0, 10)] {
        let c = &summary_line["summary"][vendor];
        assert_eq!(
            (c["updated"].as_u64(), c["unchanged"].as_u64()),
            (Some(updated), Some(unchanged)),
            "{vendor}: {c}"
        );
        assert_eq!(c["removed"], 1, "{vendor}: {c}");
    }
    let removals: Vec<&Value> = lines.iter().filter(|l| l["type"] == "removal").collect();
    assert_eq!(removals.len(), 3, "{lines:#?}");
    assert!(
        removals
            .iter()
            .all(|r| r["email"] == "jonas.berg@northwind.example")
    );
    let amy = lines
        .iter()
        .find(|l| l["type"] == "member")
        .expect("a member");
    assert_eq!(
        amy["vendors"]["vectera"]["changes"][0]["new"], "Amy",
        "{amy:#}"
    );

    // 6. A truncated file is refused whole by the removal limit: exit 3, nothing sent.
    let half: String = next_year(&original)
        .lines()
        .take(5)
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.join("half.csv"), half + "\n").expect("write");
    let refused = sandboxed(
        dir,
        &["provision", "half.csv", "--prune", "--report", "r4.jsonl"],
    )
    .await;
    let stderr = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("more than the limit of 1"), "{stderr}");
    assert!(
        !dir.join("r4.jsonl").exists(),
        "refused before the report was opened"
    );
    let after = sandboxed(dir, &["plan", "team.csv", "--prune", "--json"]).await;
    let (stdout, _) = ok(&after);
    let after: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(
        after["removals"], 0,
        "the refused run removed no one: {after:#}"
    );
    for v in after["vendors"].as_array().expect("vendors") {
        assert_eq!(v["counts"]["unchanged"], 10, "{v:#}");
    }

    // 7. A reset forgets everything.
    let reset = sandboxed(dir, &["sandbox", "reset"]).await;
    ok(&reset);
    let listed = sandboxed(dir, &["users", "list", "--json"]).await;
    ok(&listed);
    let all = users(dir, &listed);
    for vendor in ["vectera", "vyte", "veo"] {
        assert_eq!(
            count(&all, vendor, "@northwind.example"),
            0,
            "{vendor}: {all:#?}"
        );
    }
}
