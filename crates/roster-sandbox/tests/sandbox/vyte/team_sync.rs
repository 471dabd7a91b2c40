//! The facade's Vyte team sync against the fake: `ensure_all` then `sync_vyte_teams` for a
//! file whose members sit in two teams (one already in Vyte, one created), a second run that
//! sends nothing, a member moved between teams, a leaver pruned, a user unlinked dropped; and
//! the plan before any of it. Calls are counted per route.

use roster::{TeamAction, TeamChange, TeamReport};

use super::*;

const PUT_TEAM: &str = "PUT /v2/teams/{team_id}";
const POST_TEAM: &str = "POST /v2/teams";

fn member(email: &str, teams: &[&str]) -> Member {
    let mut m = Member::new(email, "First", "Last").expect("a member");
    m.vyte.teams = teams.iter().map(|t| (*t).to_owned()).collect();
    m
}

/// Each team's name and its members' addresses, as Vyte holds them now, by name.
async fn held(client: &Client) -> Vec<(String, Vec<String>)> {
    let users = client
        .list_users()
        .send()
        .await
        .expect("users")
        .into_inner()
        .0;
    let email = |id: &String| {
        users
            .iter()
            .find(|u| u.id.as_ref() == Some(id))
            .and_then(|u| u.emails.as_ref()?.first().cloned())
            .unwrap_or_else(|| format!("(gone {id})"))
    };
    let mut teams: Vec<(String, Vec<String>)> = client
        .list_teams()
        .send()
        .await
        .expect("teams")
        .into_inner()
        .0
        .into_iter()
        .map(|t| {
            let members = t.members.unwrap_or_default();
            (
                t.name.unwrap_or_default(),
                members.iter().map(email).collect(),
            )
        })
        .collect();
    teams.sort();
    teams
}

/// (team, outcome as text, added, removed, how many dropped) of a report.
type Summary = (String, String, Vec<String>, Vec<String>, usize);

fn summary(reports: &[TeamReport]) -> Vec<Summary> {
    reports
        .iter()
        .map(|r| {
            let outcome = match &r.outcome {
                Outcome::Failed(e) => format!("failed: {e}"),
                other => format!("{other:?}"),
            };
            (
                r.team.clone(),
                outcome,
                r.added.clone(),
                r.removed.clone(),
                r.dropped.len(),
            )
        })
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn members_in_two_teams_are_synced_once_then_moved_pruned_and_dropped() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let provisioner = provisioner(&sandbox);

    // Vyte already has a "Sales" team (extid of its own) with a user the file does not name.
    let outsider = client
        .create_user()
        .body(create_body("out@example.com", "Out", "Sider"))
        .send()
        .await
        .expect("created")
        .into_inner()
        .0
        .and_then(|e| e.user)
        .and_then(|u| u.id)
        .expect("an _id");
    let sales = client
        .create_team()
        .body(types::TeamCreate {
            extid: "crm-sales".into(),
            name: "Sales".into(),
            members: Some(vec![outsider.clone()].into()),
            admins: Some(vec![outsider.clone()].into()),
            level_name: None,
            organization: None,
            public: None,
        })
        .send()
        .await
        .expect("created")
        .into_inner()
        .0
        .and_then(|t| t.id)
        .expect("an _id");

    let mut file = vec![
        member("ann@example.com", &["sales"]),
        member("bob@example.com", &["Sales", "Support"]),
        member("cy@example.com", &["support"]),
    ];

    // The plan, before the users exist: read only.
    let plan = provisioner
        .plan_vyte_teams(&file, false)
        .await
        .expect("a plan");
    assert_eq!(
        plan,
        [
            TeamChange {
                team: "Sales".into(),
                extid: Some("crm-sales".into()),
                vendor_id: Some(sales.clone()),
                action: TeamAction::Update,
                added: strings(&["ann@example.com", "bob@example.com"]),
                removed: vec![],
                dropped: vec![],
                not_yet_users: strings(&["ann@example.com", "bob@example.com"]),
            },
            TeamChange {
                team: "Support".into(),
                extid: Some("Support".into()),
                vendor_id: None,
                action: TeamAction::Create,
                added: strings(&["bob@example.com", "cy@example.com"]),
                removed: vec![],
                dropped: vec![],
                not_yet_users: strings(&["bob@example.com", "cy@example.com"]),
            },
        ]
    );
    assert_eq!(sandbox.calls(V, "GET /v2/teams"), 1);
    assert_eq!(sandbox.calls(V, POST_TEAM), 1, "only the setup's create");
    assert_eq!(sandbox.calls(V, PUT_TEAM), 0);

    // Run 1: users, then teams — one update (the existing team), one create (its members in it).
    let reports = provisioner.ensure_all(&file).await;
    assert!(!reports.iter().any(|r| r.has_failures()), "{reports:?}");
    assert_eq!(
        sandbox.calls(V, POST_TEAM),
        1,
        "ensure_all does not touch teams"
    );
    let teams = provisioner.sync_vyte_teams(&file, false).await;
    assert_eq!(
        summary(&teams),
        [
            (
                "Sales".into(),
                "Updated".into(),
                strings(&["ann@example.com", "bob@example.com"]),
                vec![],
                0
            ),
            (
                "Support".into(),
                "Created".into(),
                strings(&["bob@example.com", "cy@example.com"]),
                vec![],
                0
            ),
        ]
    );
    assert_eq!(teams[0].vendor_id.as_deref(), Some(sales.as_str()));
    assert!(
        teams[1].vendor_id.is_some(),
        "the create's answer names the team"
    );
    assert_eq!(sandbox.calls(V, PUT_TEAM), 1);
    assert_eq!(sandbox.calls(V, POST_TEAM), 2);
    assert_eq!(
        held(&client).await,
        [
            (
                "Sales".into(),
                // Current order kept, the file's members appended.
                strings(&["out@example.com", "ann@example.com", "bob@example.com"])
            ),
            (
                "Support".into(),
                strings(&["bob@example.com", "cy@example.com"])
            ),
        ]
    );

    // Run 2, the same file: nothing is written.
    let (puts, posts) = (sandbox.calls(V, PUT_TEAM), sandbox.calls(V, POST_TEAM));
    provisioner.ensure_all(&file).await;
    let again = provisioner.sync_vyte_teams(&file, false).await;
    assert!(
        again
            .iter()
            .all(|r| matches!(r.outcome, Outcome::Unchanged) && r.added.is_empty()),
        "{again:?}"
    );
    assert_eq!(
        sandbox.calls(V, PUT_TEAM),
        puts,
        "no update on a second run"
    );
    assert_eq!(sandbox.calls(V, POST_TEAM), posts);
    let plan = provisioner
        .plan_vyte_teams(&file, false)
        .await
        .expect("a plan");
    assert!(
        plan.iter().all(|c| c.action == TeamAction::Unchanged),
        "{plan:?}"
    );

    // Run 3: ann moves from Sales to Support — one update per team (reports in order of
    // first mention in the file: ann's Support now comes first).
    file[0] = member("ann@example.com", &["Support"]);
    provisioner.ensure_all(&file).await;
    let moved = provisioner.sync_vyte_teams(&file, false).await;
    assert_eq!(
        summary(&moved),
        [
            (
                "Support".into(),
                "Updated".into(),
                strings(&["ann@example.com"]),
                vec![],
                0
            ),
            (
                "Sales".into(),
                "Updated".into(),
                vec![],
                strings(&["ann@example.com"]),
                0
            ),
        ]
    );
    assert_eq!(sandbox.calls(V, PUT_TEAM), puts + 2);
    assert_eq!(
        held(&client).await,
        [
            (
                "Sales".into(),
                strings(&["out@example.com", "bob@example.com"])
            ),
            (
                "Support".into(),
                strings(&["bob@example.com", "cy@example.com", "ann@example.com"])
            ),
        ]
    );

    // Run 4: cy leaves the file. Kept without prune (not in the file at all); with prune,
    // removed, as is the user Vyte had in Sales.
    file.remove(2);
    let kept = provisioner.sync_vyte_teams(&file, false).await;
    assert!(
        kept.iter().all(|r| matches!(r.outcome, Outcome::Unchanged)),
        "{kept:?}"
    );
    let plan = provisioner
        .plan_vyte_teams(&file, true)
        .await
        .expect("a plan");
    assert_eq!(
        plan.iter()
            .map(|c| (c.action, c.removed.clone()))
            .collect::<Vec<_>>(),
        [
            (TeamAction::Update, strings(&["cy@example.com"])),
            (TeamAction::Update, strings(&["out@example.com"])),
        ]
    );
    let puts = sandbox.calls(V, PUT_TEAM);
    let pruned = provisioner.sync_vyte_teams(&file, true).await;
    assert!(
        pruned.iter().all(|r| matches!(r.outcome, Outcome::Updated)),
        "{pruned:?}"
    );
    assert_eq!(sandbox.calls(V, PUT_TEAM), puts + 2);
    assert_eq!(
        held(&client).await,
        [
            ("Sales".into(), strings(&["bob@example.com"])),
            (
                "Support".into(),
                strings(&["bob@example.com", "ann@example.com"])
            ),
        ]
    );
    // The admin list was never sent: the outsider is still Sales's admin.
    let sales_team = client
        .get_team()
        .team_id(&sales)
        .send()
        .await
        .expect("read")
        .into_inner();
    assert_eq!(sales_team.admins, Some(vec![outsider]));

    // A member unlinked from the organisation stays in Vyte's list (the fake keeps it); the
    // next sync drops the id instead of sending it back (which the fake would refuse).
    let bob = client
        .list_users()
        .send()
        .await
        .expect("users")
        .into_inner()
        .0
        .into_iter()
        .find(|u| u.emails.as_deref() == Some(&["bob@example.com".to_owned()][..]))
        .and_then(|u| u.id)
        .expect("bob");
    client
        .unlink_user()
        .user_id(&bob)
        .send()
        .await
        .expect("unlinked");
    let only_ann = [member("ann@example.com", &["Support"])];
    let dropped = provisioner.sync_vyte_teams(&only_ann, false).await;
    assert_eq!(
        summary(&dropped),
        [("Support".into(), "Updated".into(), vec![], vec![], 1)]
    );
    assert_eq!(dropped[0].dropped, std::slice::from_ref(&bob));
    assert_eq!(
        held(&client).await,
        [
            // Not named by this file: not managed, so never touched.
            ("Sales".into(), vec![format!("(gone {bob})")]),
            ("Support".into(), strings(&["ann@example.com"])),
        ]
    );
}

#[tokio::test]
async fn the_sync_reads_every_answer_shape_the_tolerance_policy_allows() {
    for (name, dialect) in roster_sandbox::Dialect::variants() {
        let sandbox = sandbox().await;
        sandbox.set_dialect(V, dialect);
        let provisioner = provisioner(&sandbox);
        // An empty team exists (its `members` is `null` in that dialect).
        client(&sandbox)
            .create_team()
            .body(types::TeamCreate {
                extid: "support".into(),
                name: "Support".into(),
                members: None,
                admins: None,
                level_name: None,
                organization: None,
                public: None,
            })
            .send()
            .await
            .expect("created");
        let file = [
            member("ann@example.com", &["Support", "Sales"]),
            member("bob@example.com", &["Sales"]),
        ];
        provisioner.ensure_all(&file).await;
        let first = provisioner.sync_vyte_teams(&file, false).await;
        assert_eq!(
            summary(&first)
                .into_iter()
                .map(|(team, outcome, ..)| (team, outcome))
                .collect::<Vec<_>>(),
            [
                ("Support".to_owned(), "Updated".to_owned()),
                ("Sales".to_owned(), "Created".to_owned())
            ],
            "{name}"
        );
        let puts = sandbox.calls(V, PUT_TEAM);
        let second = provisioner.sync_vyte_teams(&file, false).await;
        assert!(
            second
                .iter()
                .all(|r| matches!(r.outcome, Outcome::Unchanged)),
            "{name}: {second:?}"
        );
        assert_eq!(sandbox.calls(V, PUT_TEAM), puts, "{name}");
        assert_eq!(sandbox.calls(V, POST_TEAM), 2, "{name}");
    }
}
