//! `Provisioner::plan` and `Provisioner::offboard` against all three fakes: a plan writes
//! nothing, says create / update (fields old → new) / unchanged per vendor as `ensure_all`
//! then does, names the accounts no member names with each vendor's way out — never the
//! token's own account — and an offboarded account leaves the next plan.

use crate::support::writes;
use roster::{Member, Offboarding, Outcome, Provisioner, Step, Vendor};
use roster_sandbox::Sandbox;

fn member(email: &str, first: &str) -> Member {
    Member::new(email, first, "Plan").expect("a valid member")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_writes_nothing_and_agrees_with_what_ensure_all_then_does() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let provisioner = Provisioner::new(&sandbox.config()).expect("provisioner");
    let team = vec![
        member("ann@plan.example", "Ann"),
        member("bob@plan.example", "Bob"),
    ];

    let plan = provisioner.plan(&team).await;
    assert_eq!(writes(&sandbox), 0, "a plan never writes");
    for vendor in Vendor::ALL {
        assert_eq!(plan.counts(vendor), (2, 0, 0, 0), "{vendor}: {plan:#?}");
    }
    // VEO invites: the names cannot be applied, and the plan says so.
    let veo = plan.members[0].step(Vendor::Veo).expect("veo");
    assert!(veo.notes.iter().any(|n| n.contains("no names")), "{veo:?}");
    assert!(
        plan.removals.is_empty(),
        "the token's own users are never removals: {plan:#?}"
    );

    for report in provisioner.ensure_all(&team).await {
        assert!(
            report
                .vendors
                .iter()
                .all(|(_, o)| matches!(o, Outcome::Created)),
            "{report:?}"
        );
    }
    let again = provisioner.plan(&team).await;
    for vendor in Vendor::ALL {
        assert_eq!(again.counts(vendor), (0, 0, 2, 0), "{vendor}: {again:#?}");
        assert!(
            again.members[0]
                .step(vendor)
                .expect("configured")
                .account_id
                .is_some()
        );
    }

    // A rename: Vectera and Vyte would update first_name, old → new; VEO holds no name for
    // an invitee, so nothing changes there and the note says why.
    let renamed = vec![member("ann@plan.example", "Annie"), team[1].clone()];
    let before = writes(&sandbox);
    let plan = provisioner.plan(&renamed).await;
    assert_eq!(writes(&sandbox), before);
    for vendor in [Vendor::Vectera, Vendor::Vyte] {
        let step = plan.members[0].step(vendor).expect("configured");
        assert!(matches!(step.step, Step::Update), "{vendor}: {step:?}");
        assert_eq!(step.changes.len(), 1, "{vendor}: {step:?}");
        assert_eq!(step.changes[0].field, "first_name");
        assert_eq!(step.changes[0].old.as_deref(), Some("Ann"));
        assert_eq!(step.changes[0].new.as_deref(), Some("Annie"));
        assert!(matches!(
            plan.members[1].step(vendor).expect("configured").step,
            Step::Unchanged
        ));
    }
    let veo = plan.members[0].step(Vendor::Veo).expect("veo");
    assert!(matches!(veo.step, Step::Unchanged), "{veo:?}");
    assert!(veo.notes.iter().any(|n| n.contains("no name")), "{veo:?}");
    let reports = provisioner.ensure_all(&renamed).await;
    assert!(matches!(
        reports[0].outcome(Vendor::Vectera),
        Some(Outcome::Updated)
    ));
    assert!(matches!(
        reports[0].outcome(Vendor::Vyte),
        Some(Outcome::Updated)
    ));
    assert!(matches!(
        reports[0].outcome(Vendor::Veo),
        Some(Outcome::Unchanged)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_no_member_names_are_removals_each_vendor_its_own_way_and_leave_once_offboarded() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let provisioner = Provisioner::new(&sandbox.config()).expect("provisioner");
    let team = vec![
        member("stay@plan.example", "Stay"),
        member("leaver@plan.example", "Leaver").admin(true),
    ];
    provisioner.ensure_all(&team).await;
    let staying = &team[..1];

    let plan = provisioner.plan(staying).await;
    let removals: Vec<(Vendor, &str, Offboarding)> = plan
        .removals
        .iter()
        .map(|r| {
            (
                r.vendor,
                r.account.email.as_deref().unwrap_or("?"),
                r.action,
            )
        })
        .collect();
    assert_eq!(
        removals,
        [
            (Vendor::Vectera, "leaver@plan.example", Offboarding::Delete),
            (Vendor::Vyte, "leaver@plan.example", Offboarding::Unlink),
            (Vendor::Veo, "leaver@plan.example", Offboarding::Deactivate),
        ],
        "{plan:#?}"
    );
    assert_eq!(plan.removed_people(), 1);
    assert!(plan.removals.iter().all(|r| !r.account.id.is_empty()));

    let users = Vendor::ALL.map(|v| sandbox.user_count(v));
    for removal in &plan.removals {
        let outcome = provisioner
            .offboard(removal.vendor, "leaver@plan.example")
            .await;
        let expected = match removal.vendor {
            Vendor::Vectera => matches!(outcome, Outcome::Removed),
            _ => matches!(outcome, Outcome::Deactivated),
        };
        assert!(expected, "{}: {outcome:?}", removal.vendor);
    }
    assert_eq!(sandbox.user_count(Vendor::Vectera), users[0] - 1, "deleted");
    assert_eq!(sandbox.user_count(Vendor::Vyte), users[1] - 1, "unlinked");
    assert_eq!(sandbox.user_count(Vendor::Veo), users[2], "kept, inactive");

    // Offboarded (VEO: inactive), the leaver is no removal any more: pruning is idempotent.
    let after = provisioner.plan(staying).await;
    assert!(after.removals.is_empty(), "{after:#?}");
    // A second offboarding changes nothing.
    for vendor in Vendor::ALL {
        let outcome = provisioner.offboard(vendor, "leaver@plan.example").await;
        assert!(
            matches!(outcome, Outcome::Absent | Outcome::Unchanged),
            "{vendor}: {outcome:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tokens_own_account_is_never_a_removal_nor_offboarded() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let provisioner = Provisioner::new(&sandbox.config()).expect("provisioner");
    // The Vectera token's own user is in the organization's listing.
    let client = roster::vectera::Client::new(
        &sandbox.base_url(Vendor::Vectera),
        sandbox.token(Vendor::Vectera),
    )
    .expect("client");
    let me = {
        use roster::vectera::prelude::*;
        client
            .get_user()
            .id("me")
            .send()
            .await
            .expect("me")
            .into_inner()
    };
    let me = me.email.expect("the token's user has an address");
    assert_eq!(
        provisioner.find(&me).await[0]
            .1
            .as_ref()
            .ok()
            .and_then(|a| a.as_ref())
            .map(|a| a.vendor),
        Some(Vendor::Vectera),
        "the token's own user is listed"
    );
    let plan = provisioner.plan(&[]).await;
    assert!(plan.removals.is_empty(), "{plan:#?}");
    let before = sandbox.user_count(Vendor::Vectera);
    let outcome = provisioner.offboard(Vendor::Vectera, &me).await;
    let Outcome::Failed(error) = outcome else {
        panic!("the token's own user was offboarded: {outcome:?}")
    };
    assert!(error.to_string().contains("token's own user"), "{error}");
    assert_eq!(sandbox.user_count(Vendor::Vectera), before);
}
