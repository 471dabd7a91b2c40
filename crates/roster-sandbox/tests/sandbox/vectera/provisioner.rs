//! The facade against the Vectera fake: `ensure` twice writes once; `ensure_all` creates,
//! then leaves 250 members alone.

use super::*;

#[tokio::test]
async fn ensure_twice_writes_once() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    let first = provisioner.ensure(&member(7)).await;
    assert!(
        matches!(first.outcome(V), Some(Outcome::Created)),
        "{first:?}"
    );
    let second = provisioner.ensure(&member(7)).await;
    assert!(
        matches!(second.outcome(V), Some(Outcome::Unchanged)),
        "{second:?}"
    );
    assert_eq!(sandbox.calls(V, "POST /users/"), 1);
    assert_eq!(sandbox.calls(V, "PATCH /users/{id}/"), 0);
    assert_eq!(sandbox.calls(V, "GET /users/"), 2, "one look-up each");

    // A changed name is an update, not a second user.
    let mut renamed = member(7);
    renamed.last_name = "Other".to_owned();
    let third = provisioner.ensure(&renamed).await;
    assert!(
        matches!(third.outcome(V), Some(Outcome::Updated)),
        "{third:?}"
    );
    assert_eq!(sandbox.calls(V, "PATCH /users/{id}/"), 1);
    assert_eq!(sandbox.user_count(V), 2);

    let found = provisioner.find("MEMBER7@example.com").await;
    let account = found[0].1.as_ref().expect("ok").as_ref().expect("found");
    assert_eq!(account.last_name.as_deref(), Some("Other"));
    let removed = provisioner.remove("member7@example.com").await;
    assert!(matches!(removed.outcome(V), Some(Outcome::Removed)));
    assert_eq!(sandbox.user_count(V), 1);
}

#[tokio::test]
async fn ensure_all_creates_then_leaves_250_members_alone() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    let members: Vec<Member> = (0..250).map(member).collect();
    let reports = provisioner.ensure_all(&members).await;
    assert_eq!(reports.len(), 250);
    assert!(
        reports
            .iter()
            .all(|r| matches!(r.outcome(V), Some(Outcome::Created))),
        "{:?}",
        reports
            .iter()
            .find(|r| !matches!(r.outcome(V), Some(Outcome::Created)))
    );
    assert_eq!(sandbox.user_count(V), 251);
    let reports = provisioner.ensure_all(&members).await;
    assert!(
        reports
            .iter()
            .all(|r| matches!(r.outcome(V), Some(Outcome::Unchanged)))
    );
    assert_eq!(sandbox.calls(V, "POST /users/"), 250);
    assert_eq!(sandbox.calls(V, "PATCH /users/{id}/"), 0);

    // The facade's listing walks every page.
    use futures::StreamExt;
    let listed: Vec<_> = provisioner.list(V).collect().await;
    assert_eq!(listed.len(), 251);
    assert!(listed.iter().all(Result::is_ok));
}
