//! The facade against the VEO fake: `ensure` invites then changes nothing until the member
//! changes; `ensure_all` invites in batches and settles to unchanged.

use super::*;

#[tokio::test]
async fn ensure_invites_then_changes_nothing_until_the_member_changes() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    let member = Member::new("dana@example.com", "Dana", "Wu")
        .expect("a member")
        .admin(true);
    let writes = |s: &Sandbox| {
        s.calls(V, "POST /api/userinvites/multiple")
            + s.calls(V, "PUT /api/v2/users/{userId}")
            + s.calls(V, "POST /api/users/create")
            + s.calls(V, "DELETE /api/user")
    };
    let first = provisioner.ensure(&member).await;
    assert!(
        matches!(first.outcome(V), Some(Outcome::Created)),
        "{first:?}"
    );
    assert_eq!(sandbox.calls(V, "POST /api/userinvites/multiple"), 1);
    // The invitation carries no names (VEO's invite has only Email, IsOrgAdmin, Communities;
    // the invitee fills in their own profile): with the roles right there is nothing to write.
    let before = writes(&sandbox);
    let second = provisioner.ensure(&member).await;
    assert!(
        matches!(second.outcome(V), Some(Outcome::Unchanged)),
        "{second:?}"
    );
    assert_eq!(writes(&sandbox), before, "no write");
    // A change of role is written, and then nothing more.
    let member = member.admin(false);
    let third = provisioner.ensure(&member).await;
    assert!(
        matches!(third.outcome(V), Some(Outcome::Updated)),
        "{third:?}"
    );
    assert_eq!(sandbox.calls(V, "PUT /api/v2/users/{userId}"), 1);
    let before = writes(&sandbox);
    let fourth = provisioner.ensure(&member).await;
    assert!(
        matches!(fourth.outcome(V), Some(Outcome::Unchanged)),
        "{fourth:?}"
    );
    assert_eq!(writes(&sandbox), before, "no write");
    assert_eq!(
        sandbox.calls(V, "GET /api/me"),
        1,
        "the organisation is asked once"
    );

    let deactivated = provisioner.deactivate("dana@example.com").await;
    assert!(matches!(deactivated.outcome(V), Some(Outcome::Deactivated)));
    let account = provisioner.find("dana@example.com").await[0]
        .1
        .clone()
        .expect("found")
        .expect("some");
    assert_eq!(account.active, Some(false));
    let again = provisioner.deactivate("dana@example.com").await;
    assert!(matches!(again.outcome(V), Some(Outcome::Unchanged)));
    // ensure does not reactivate: it never sends IsActive, and the member does not mention it.
    let before = writes(&sandbox);
    let back = provisioner.ensure(&member).await;
    assert!(
        matches!(back.outcome(V), Some(Outcome::Unchanged)),
        "{back:?}"
    );
    assert_eq!(writes(&sandbox), before, "no write");
    let account = provisioner.find("dana@example.com").await[0]
        .1
        .clone()
        .expect("found")
        .expect("some");
    assert_eq!(account.active, Some(false));
    let removed = provisioner.remove("dana@example.com").await;
    assert!(matches!(removed.outcome(V), Some(Outcome::Removed)));
    assert_eq!(sandbox.user_count(V), 0);
    let absent = provisioner.remove("dana@example.com").await;
    assert!(matches!(absent.outcome(V), Some(Outcome::Absent)));
}

#[tokio::test]
async fn ensure_all_invites_in_batches_and_settles_to_unchanged() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    let members: Vec<Member> = (0..250)
        .map(|n| Member::new(&format!("m{n}@example.com"), "Member", format!("N{n}")).expect("ok"))
        .collect();
    let outcomes = |reports: &[roster::MemberReport], want: fn(&Outcome) -> bool| {
        reports.iter().all(|r| r.outcome(V).is_some_and(want))
    };
    let reports = provisioner.ensure_all(&members).await;
    assert!(outcomes(&reports, |o| matches!(o, Outcome::Created)));
    assert_eq!(sandbox.user_count(V), 250);
    assert_eq!(
        sandbox.calls(V, "POST /api/userinvites/multiple"),
        3,
        "100 a call"
    );
    assert_eq!(
        sandbox.calls(V, "GET /api/users/get-all"),
        250,
        "a look-up each"
    );

    // Invitees fill in their own names: the second run changes nothing and writes nothing.
    let reports = provisioner.ensure_all(&members).await;
    assert!(outcomes(&reports, |o| matches!(o, Outcome::Unchanged)));
    assert_eq!(
        sandbox.calls(V, "PUT /api/v2/users/{userId}"),
        0,
        "no write"
    );
    assert_eq!(
        sandbox.calls(V, "POST /api/userinvites/multiple"),
        3,
        "no write"
    );
    assert_eq!(sandbox.user_count(V), 250);
}
