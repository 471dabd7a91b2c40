//! `roster provision` and `roster users list` with every vendor's fake answering in each of
//! its dialects.

use roster::Vendor;
use roster_sandbox::Sandbox;
use serde_json::Value;

use crate::support::*;

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
        // The plan's listing, one before the batch, one after to confirm it (its answer is
        // any JSON), one for the team sync's member ids.
        (Vendor::Vyte, "GET /v2/users", 4),
        // The example's four teams: one listing, one create each (members included).
        (Vendor::Vyte, "GET /v2/teams", 1),
        (Vendor::Vyte, "POST /v2/teams", 4),
        (Vendor::Vyte, "PUT /v2/teams/{team_id}", 0),
        (Vendor::Veo, "POST /api/userinvites/multiple", 1),
        (Vendor::Veo, "POST /api/users/create", 0),
        // The plan's listing (one page), then one look-up per member to create.
        (Vendor::Veo, "GET /api/users/get-all", VALID + 1),
        (Vendor::Vectera, "POST /users/", VALID),
        (Vendor::Vectera, "GET /users/", VALID + 1),
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
    // The second run's plan finds everyone unchanged: one listing, no look-up, no write;
    // the team sync lists teams and users once each and writes nothing.
    assert_eq!(
        sandbox.calls(Vendor::Vyte, "GET /v2/users"),
        6,
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
