//! The facade's Vyte team sync against httpmock: what goes over the wire (two listings, a
//! create with its members, an update with `members` only, nothing for a team as wanted, no
//! write at all for a plan), and failing closed — a listing not understood, a member who is
//! not a Vyte user, an entry naming two teams, a failed listing, a create never sent twice.

use std::sync::Arc;

use httpmock::Method::{GET, POST, PUT};
use httpmock::MockServer;
use roster::test_util::RecordingSleeper;
use roster::{
    Config, Member, Outcome, Provisioner, Resilience, RetryBudget, RetryPolicy, TeamAction,
    TeamReport, Vendor,
};
use roster_tests::{TOKEN, request, server};
use serde_json::{Value, json};

fn provisioner(server: &MockServer) -> Provisioner {
    let config = Config::default()
        .with(Vendor::Vyte, Some(&server.base_url()), TOKEN)
        .expect("config");
    let resilience = Resilience::new(RetryPolicy::default(), Arc::new(RetryBudget::default()))
        .with_sleeper(Arc::new(RecordingSleeper::default()));
    Provisioner::with_resilience(&config, resilience).expect("clients")
}

fn member(email: &str, teams: &[&str]) -> Member {
    let mut m = Member::new(email, "First", "Last").expect("valid");
    m.vyte.teams = teams.iter().map(|t| (*t).to_owned()).collect();
    m
}

fn user(id: &str, email: &str) -> Value {
    json!({"_id": id, "emails": [email], "first_name": "First", "last_name": "Last"})
}

fn team(id: &str, extid: &str, name: &str, members: &[&str]) -> Value {
    json!({"_id": id, "extid": extid, "name": name, "members": members,
           "admins": ["u-admin"], "public": "false"})
}

/// The two listings the sync reads, answering `teams` and `users`.
async fn listings<'a>(
    server: &'a MockServer,
    teams: Value,
    users: Value,
) -> (httpmock::Mock<'a>, httpmock::Mock<'a>) {
    let teams = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/teams", TOKEN, &[]);
            then.status(200).json_body(teams);
        })
        .await;
    let users = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200).json_body(users);
        })
        .await;
    (teams, users)
}

/// A mock answering 599 to every write: it must never be called.
async fn no_writes(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.is_true(|r: &httpmock::HttpMockRequest| r.method_str() != "GET");
            then.status(599);
        })
        .await
}

/// A matcher true for the first `n` `PUT path` requests (see `roster_tests::first`).
fn first_puts(
    n: usize,
    path: &'static str,
) -> impl Fn(&httpmock::HttpMockRequest) -> bool + Send + Sync + 'static {
    let seen = std::sync::atomic::AtomicUsize::new(0);
    move |request| {
        request.method_str() == "PUT"
            && request.uri().path() == path
            && seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < n
    }
}

fn outcome(report: &TeamReport) -> String {
    match &report.outcome {
        Outcome::Failed(e) => format!("failed: {e}"),
        other => format!("{other:?}"),
    }
}

#[tokio::test]
async fn a_sync_creates_with_members_updates_with_members_only_and_leaves_the_rest() {
    let server = server().await;
    let (teams, users) = listings(
        &server,
        json!([
            team("t-sales", "crm-1", "Sales", &["u-out", "u-ann", "u-bob"]),
            team("t-support", "crm-2", "Support", &["u-cy"]),
            // Named by no one in the file: never written.
            team("t-other", "crm-3", "Other", &["u-ann"]),
        ]),
        json!([
            user("u-ann", "ann@example.com"),
            user("u-bob", "bob@example.com"),
            user("u-cy", "cy@example.com"),
            user("u-out", "out@example.com"),
        ]),
    )
    .await;
    // Bob moves to Support; Ann stays; Cy starts a new team besides.
    let update_sales = server
        .mock_async(|when, then| {
            request(when, PUT, "/v2/teams/t-sales", TOKEN, &[])
                .header("content-type", "application/json")
                .json_body(json!({"members": ["u-out", "u-ann"]}));
            then.status(200)
                .json_body(team("t-sales", "crm-1", "Sales", &["u-out", "u-ann"]));
        })
        .await;
    let update_support = server
        .mock_async(|when, then| {
            request(when, PUT, "/v2/teams/t-support", TOKEN, &[])
                .json_body(json!({"members": ["u-cy", "u-bob"]}));
            // An update answered with no body (204) reads too.
            then.status(204);
        })
        .await;
    let create = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/teams", TOKEN, &[])
                .header("content-type", "application/json")
                .json_body(json!({"extid": "Design", "name": "Design", "members": ["u-cy"]}));
            then.status(200)
                .json_body(team("t-new", "Design", "Design", &["u-cy"]));
        })
        .await;
    let file = [
        member("ann@example.com", &["crm-1"]),
        member("bob@example.com", &["support"]),
        member("cy@example.com", &["Support", "Design"]),
    ];
    let reports = provisioner(&server).sync_vyte_teams(&file, false).await;
    update_sales.assert_async().await;
    update_support.assert_async().await;
    create.assert_async().await;
    teams.assert_calls_async(1).await;
    users.assert_calls_async(1).await;
    let view: Vec<_> = reports
        .iter()
        .map(|r| {
            (
                r.team.as_str(),
                r.vendor_id.as_deref(),
                outcome(r),
                r.added.clone(),
                r.removed.clone(),
            )
        })
        .collect();
    assert_eq!(
        view,
        [
            (
                "Sales",
                Some("t-sales"),
                "Updated".to_owned(),
                vec![],
                vec!["bob@example.com".to_owned()]
            ),
            (
                "Support",
                Some("t-support"),
                "Updated".to_owned(),
                vec!["bob@example.com".to_owned()],
                vec![]
            ),
            (
                "Design",
                Some("t-new"),
                "Created".to_owned(),
                vec!["cy@example.com".to_owned()],
                vec![]
            ),
        ]
    );
    assert_eq!(reports[2].extid.as_deref(), Some("Design"));
}

#[tokio::test]
async fn a_plan_reads_twice_and_writes_nothing() {
    let server = server().await;
    let (teams, users) = listings(
        &server,
        json!([team("t-sales", "crm-1", "Sales", &["u-ann", "u-gone"])]),
        json!([user("u-ann", "ann@example.com")]),
    )
    .await;
    let writes = no_writes(&server).await;
    let file = [
        member("ann@example.com", &["Sales"]),
        member("new@example.com", &["Sales", "Design"]),
    ];
    let plan = provisioner(&server)
        .plan_vyte_teams(&file, false)
        .await
        .expect("a plan");
    writes.assert_calls_async(0).await;
    teams.assert_calls_async(1).await;
    users.assert_calls_async(1).await;
    assert_eq!(plan.len(), 2);
    assert_eq!(plan[0].action, TeamAction::Update);
    assert_eq!(plan[0].added, ["new@example.com"]);
    assert_eq!(plan[0].not_yet_users, ["new@example.com"]);
    assert_eq!(plan[0].dropped, ["u-gone"]);
    assert_eq!(plan[1].action, TeamAction::Create);
    assert_eq!(
        (plan[1].team.as_str(), plan[1].extid.as_deref()),
        ("Design", Some("Design"))
    );
}

#[tokio::test]
async fn a_users_listing_not_understood_fails_every_team_and_writes_nothing() {
    for odd in [
        json!({"_id": "u-x", "first_name": "X"}),
        json!({"_id": "u-x", "emails": null}),
        json!({"emails": ["x@example.com"]}),
    ] {
        let server = server().await;
        let _listed = listings(
            &server,
            json!([team("t-sales", "crm-1", "Sales", &["u-x"])]),
            json!([user("u-ann", "ann@example.com"), odd.clone()]),
        )
        .await;
        let writes = no_writes(&server).await;
        let file = [member("ann@example.com", &["Sales", "New"])];
        let p = provisioner(&server);
        let err = p
            .plan_vyte_teams(&file, true)
            .await
            .expect_err("fail closed");
        assert_eq!(err.operation(), "list_users", "{odd}");
        let reports = p.sync_vyte_teams(&file, true).await;
        assert_eq!(reports.len(), 2);
        for report in &reports {
            assert!(
                outcome(report).contains("listed user(s) have no `_id` or no `emails`"),
                "{odd}: {report:?}"
            );
        }
        writes.assert_calls_async(0).await;
    }
}

#[tokio::test]
async fn a_member_not_in_vyte_fails_its_team_and_the_other_teams_still_sync() {
    let server = server().await;
    let _listed = listings(
        &server,
        json!([
            team("t-sales", "crm-1", "Sales", &["u-ann"]),
            team("t-support", "crm-2", "Support", &[]),
        ]),
        json!([user("u-ann", "ann@example.com")]),
    )
    .await;
    let support = server
        .mock_async(|when, then| {
            request(when, PUT, "/v2/teams/t-support", TOKEN, &[])
                .json_body(json!({"members": ["u-ann"]}));
            then.status(200).json_body(json!({}));
        })
        .await;
    let sales = server
        .mock_async(|when, then| {
            when.method(PUT).path("/v2/teams/t-sales");
            then.status(599);
        })
        .await;
    let creates = server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(599);
        })
        .await;
    let file = [
        member("ann@example.com", &["Sales", "Support"]),
        // Its user create failed, say: not in the listing.
        member("zed@example.com", &["Sales", "Design"]),
    ];
    let reports = provisioner(&server).sync_vyte_teams(&file, false).await;
    sales.assert_calls_async(0).await;
    creates.assert_calls_async(0).await;
    support.assert_calls_async(1).await;
    assert_eq!(reports.len(), 3);
    let Outcome::Failed(e) = &reports[0].outcome else {
        panic!("{:?}", reports[0]);
    };
    assert_eq!(e.operation(), "update_team");
    assert!(
        e.to_string().contains("not a Vyte user: zed@example.com"),
        "{e}"
    );
    assert_eq!(
        reports[0].added,
        ["zed@example.com"],
        "what would have been added"
    );
    assert!(
        matches!(reports[1].outcome, Outcome::Updated),
        "{:?}",
        reports[1]
    );
    let Outcome::Failed(e) = &reports[2].outcome else {
        panic!("{:?}", reports[2]);
    };
    assert_eq!(
        (reports[2].team.as_str(), e.operation()),
        ("Design", "create_team")
    );
}

#[tokio::test]
async fn an_entry_naming_two_teams_fails_that_team_only() {
    let server = server().await;
    let _listed = listings(
        &server,
        json!([
            team("t-1", "a", "Sales", &[]),
            team("t-2", "b", "SALES", &[]),
            team("t-3", "c", "Support", &[]),
        ]),
        json!([user("u-ann", "ann@example.com")]),
    )
    .await;
    let support = server
        .mock_async(|when, then| {
            request(when, PUT, "/v2/teams/t-3", TOKEN, &[])
                .json_body(json!({"members": ["u-ann"]}));
            then.status(200).json_body(json!({}));
        })
        .await;
    let file = [member("ann@example.com", &["sales", "Support"])];
    let reports = provisioner(&server).sync_vyte_teams(&file, false).await;
    support.assert_calls_async(1).await;
    assert!(
        outcome(&reports[0]).contains("\"sales\" names 2 Vyte teams (by name)"),
        "{reports:?}"
    );
    assert!(matches!(reports[1].outcome, Outcome::Updated));
    // The extid decides before the name does: "a" is one team.
    let file = [member("ann@example.com", &["a"])];
    let plan = provisioner(&server)
        .plan_vyte_teams(&file, false)
        .await
        .expect("a plan");
    assert_eq!(plan[0].vendor_id.as_deref(), Some("t-1"));
}

#[tokio::test]
async fn a_failed_listing_fails_every_team_and_writes_nothing() {
    let server = server().await;
    let teams = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/teams", TOKEN, &[]);
            then.status(503).json_body(json!({"message": "down"}));
        })
        .await;
    let _users = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200).json_body(json!([]));
        })
        .await;
    let writes = no_writes(&server).await;
    let file = [member("ann@example.com", &["Sales", "Support"])];
    let reports = provisioner(&server).sync_vyte_teams(&file, false).await;
    writes.assert_calls_async(0).await;
    // A GET is retried (the default policy's attempts), then given up.
    assert!(teams.calls_async().await > 1);
    assert_eq!(
        reports.iter().map(|r| r.team.as_str()).collect::<Vec<_>>(),
        ["Sales", "Support"]
    );
    for report in &reports {
        let Outcome::Failed(e) = &report.outcome else {
            panic!("{report:?}");
        };
        assert_eq!(
            (e.operation(), e.status().map(|s| s.as_u16())),
            ("list_teams", Some(503))
        );
    }
}

#[tokio::test]
async fn a_create_that_fails_is_never_sent_twice_but_an_update_is_retried() {
    let server = server().await;
    let _listed = listings(
        &server,
        json!([team("t-sales", "crm-1", "Sales", &[])]),
        json!([user("u-ann", "ann@example.com")]),
    )
    .await;
    let create = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/teams", TOKEN, &[]);
            then.status(503).json_body(json!({"message": "down"}));
        })
        .await;
    let failing_update = server
        .mock_async(|when, then| {
            request(when, PUT, "/v2/teams/t-sales", TOKEN, &[])
                .is_true(first_puts(2, "/v2/teams/t-sales"));
            then.status(503);
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            request(when, PUT, "/v2/teams/t-sales", TOKEN, &[])
                .json_body(json!({"members": ["u-ann"]}));
            then.status(200).json_body(json!({}));
        })
        .await;
    let file = [member("ann@example.com", &["Sales", "New"])];
    let reports = provisioner(&server).sync_vyte_teams(&file, false).await;
    create.assert_calls_async(1).await;
    failing_update.assert_calls_async(2).await;
    update.assert_calls_async(1).await;
    assert!(
        matches!(reports[0].outcome, Outcome::Updated),
        "{reports:?}"
    );
    let Outcome::Failed(e) = &reports[1].outcome else {
        panic!("{reports:?}");
    };
    assert_eq!(
        (e.operation(), e.status().map(|s| s.as_u16()), e.attempts()),
        ("create_team", Some(503), 1)
    );
}

#[tokio::test]
async fn without_vyte_the_plan_is_an_error_and_every_team_fails() {
    let config = Config::default()
        .with(Vendor::Veo, Some("http://127.0.0.1:9"), TOKEN)
        .expect("config");
    let p = Provisioner::new(&config).expect("clients");
    let file = [member("ann@example.com", &["Sales"])];
    let err = p.plan_vyte_teams(&file, false).await.expect_err("no vyte");
    assert!(err.to_string().contains("vyte is not configured"), "{err}");
    let reports = p.sync_vyte_teams(&file, false).await;
    assert_eq!(reports.len(), 1);
    assert!(outcome(&reports[0]).contains("vyte is not configured"));
    // A file naming no team: nothing to do, nothing to report.
    assert!(
        p.sync_vyte_teams(&[member("ann@example.com", &[])], false)
            .await
            .is_empty()
    );
}
