//! The facade against the Vyte fake: `ensure` writes once, `ensure_all` creates in batches
//! then changes nothing, a batch member the listing does not show is not confirmed, a
//! transient batch failure is sent again, a member whose body cannot be made fails alone.

use super::*;

#[tokio::test]
async fn ensure_twice_writes_once() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    let mut member = Member::new("dana@example.com", "Dana", "Wu").expect("a member");
    member.vyte.timezone = Some("Europe/Berlin".into());
    member.vyte.language = Some("de".into());
    let first = provisioner.ensure(&member).await;
    assert!(
        matches!(first.outcome(V), Some(Outcome::Created)),
        "{first:?}"
    );
    let writes = |s: &Sandbox| {
        s.calls(V, "POST /v2/users")
            + s.calls(V, "PUT /v2/users/{user_id}")
            + s.calls(V, "POST /v2/users/batch")
            + s.calls(V, "PUT /v2/users/batch")
    };
    assert_eq!(writes(&sandbox), 1);
    let second = provisioner.ensure(&member).await;
    assert!(
        matches!(second.outcome(V), Some(Outcome::Unchanged)),
        "{second:?}"
    );
    assert_eq!(writes(&sandbox), 1, "the second ensure writes nothing");
    assert_eq!(sandbox.calls(V, "GET /v2/users"), 2);

    member.last_name = "Wu-Lang".into();
    let third = provisioner.ensure(&member).await;
    assert!(
        matches!(third.outcome(V), Some(Outcome::Updated)),
        "{third:?}"
    );
    assert_eq!(sandbox.calls(V, "PUT /v2/users/{user_id}"), 1);

    let found = provisioner.find("DANA@example.com").await;
    let account = found[0].1.as_ref().expect("found").as_ref().expect("some");
    assert_eq!(account.last_name.as_deref(), Some("Wu-Lang"));

    let removed = provisioner.remove("dana@example.com").await;
    assert!(matches!(removed.outcome(V), Some(Outcome::Removed)));
    assert_eq!(sandbox.user_count(V), 0);
    let again = provisioner.remove("dana@example.com").await;
    assert!(matches!(again.outcome(V), Some(Outcome::Absent)));
}

#[tokio::test]
async fn ensure_all_creates_in_batches_then_changes_nothing() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    let members: Vec<Member> = (0..250)
        .map(|n| Member::new(&format!("m{n}@example.com"), "Member", format!("N{n}")).expect("ok"))
        .collect();
    let reports = provisioner.ensure_all(&members).await;
    assert!(
        reports
            .iter()
            .all(|r| matches!(r.outcome(V), Some(Outcome::Created))),
        "{:?}",
        reports
            .iter()
            .find(|r| !matches!(r.outcome(V), Some(Outcome::Created)))
    );
    assert_eq!(sandbox.user_count(V), 250);
    assert_eq!(
        sandbox.calls(V, "GET /v2/users"),
        2,
        "one listing for everyone, one to confirm what the batches did"
    );
    assert_eq!(sandbox.calls(V, "POST /v2/users/batch"), 3, "100 a call");

    let reports = provisioner.ensure_all(&members).await;
    assert!(
        reports
            .iter()
            .all(|r| matches!(r.outcome(V), Some(Outcome::Unchanged)))
    );
    assert_eq!(sandbox.calls(V, "GET /v2/users"), 3, "nothing to confirm");
    assert_eq!(sandbox.calls(V, "POST /v2/users/batch"), 3, "no write");
    assert_eq!(sandbox.calls(V, "PUT /v2/users/batch"), 0, "no write");

    // A changed name in a third run: one batch update, the rest unchanged.
    let mut changed = members.clone();
    changed[7].first_name = "Renamed".into();
    changed[8].first_name = "Renamed".into();
    let reports = provisioner.ensure_all(&changed).await;
    let updated = reports
        .iter()
        .filter(|r| matches!(r.outcome(V), Some(Outcome::Updated)))
        .count();
    assert_eq!(updated, 2);
    assert_eq!(sandbox.calls(V, "PUT /v2/users/batch"), 1);
    assert_eq!(sandbox.calls(V, "GET /v2/users"), 5);
}

#[tokio::test]
async fn a_batch_member_the_listing_does_not_show_afterwards_is_not_confirmed() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    // The batch call answers 200 but creates nothing: an answer that is not read says
    // nothing either way.
    sandbox.faults(V).inject(
        FaultRule::new("/v2/users/batch", Fault::status(200))
            .method(Method::POST)
            .times(1),
    );
    let members: Vec<Member> = (0..3)
        .map(|n| Member::new(&format!("lost{n}@example.com"), "Lost", "Me").expect("ok"))
        .collect();
    let reports = provisioner.ensure_all(&members).await;
    for report in &reports {
        let Some(Outcome::Failed(e)) = report.outcome(V) else {
            panic!("never created by default: {report:?}");
        };
        assert!(e.to_string().contains("not confirmed"), "{e}");
    }
    assert_eq!(sandbox.user_count(V), 0);
    assert_eq!(sandbox.calls(V, "GET /v2/users"), 2);
}

#[tokio::test]
async fn a_batch_failing_transiently_is_sent_again_as_a_batch_without_duplicates() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    sandbox.faults(V).inject(
        FaultRule::new("/v2/users/batch", Fault::status(500))
            .method(Method::POST)
            .times(1),
    );
    let members: Vec<Member> = (0..5)
        .map(|n| Member::new(&format!("r{n}@example.com"), "Redo", "Me").expect("ok"))
        .collect();
    let reports = provisioner.ensure_all(&members).await;
    assert!(
        reports
            .iter()
            .all(|r| matches!(r.outcome(V), Some(Outcome::Created)))
    );
    assert_eq!(sandbox.user_count(V), 5);
    // A 500 is transient: the users are listed (did the batch write anything?), then the
    // batch is sent again — never member by member.
    assert_eq!(
        sandbox.calls(V, "POST /v2/users/batch"),
        2,
        "the batch, again"
    );
    assert_eq!(sandbox.calls(V, "POST /v2/users"), 0, "nothing one by one");
}

#[tokio::test]
async fn a_member_whose_body_cannot_be_made_fails_alone_in_its_batch() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    let mut members: Vec<Member> = (0..3)
        .map(|i| Member::new(&format!("b{i}@example.com"), "B", format!("N{i}")).expect("ok"))
        .collect();
    members[1].vyte.language = Some("french".to_owned());
    let reports = provisioner.ensure_all(&members).await;
    match reports[1].outcome(V) {
        Some(Outcome::Failed(e)) => assert!(e.to_string().contains("language"), "{e}"),
        other => panic!("the bad language fails its member: {other:?}"),
    }
    for report in [&reports[0], &reports[2]] {
        assert!(
            matches!(report.outcome(V), Some(Outcome::Created)),
            "{report:?}"
        );
    }
    assert_eq!(
        sandbox.calls(V, "POST /v2/users/batch"),
        1,
        "the other two in one call"
    );
    assert_eq!(sandbox.calls(V, "POST /v2/users"), 0);
    assert_eq!(sandbox.user_count(V), 2);
}
