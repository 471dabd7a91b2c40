//! The facade's bulk paths against all three fakes at once.

use futures::StreamExt;
use roster::{Member, MemberReport, Outcome, Provisioner, STREAM_WINDOW, Vendor};
use roster_sandbox::Sandbox;

fn team(n: usize) -> Vec<Member> {
    (0..n)
        .map(|i| {
            Member::new(&format!("p{i}@stream.example"), format!("P{i}"), "Stream")
                .expect("a valid member")
                .admin(i % 7 == 0)
        })
        .collect()
}

fn count(reports: &[MemberReport], vendor: Vendor, want: fn(&Outcome) -> bool) -> usize {
    reports
        .iter()
        .filter(|r| r.outcome(vendor).is_some_and(want))
        .count()
}

fn writes(sandbox: &Sandbox) -> usize {
    Vendor::ALL
        .into_iter()
        .flat_map(|v| sandbox.all_calls(v))
        .filter(|(route, _)| !route.starts_with("GET "))
        .map(|(_, n)| n)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ensure_stream_works_window_by_window_and_lists_vyte_once() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let provisioner = Provisioner::new(&sandbox.config()).expect("provisioner");
    let mut members = team(2 * STREAM_WINDOW + 500);
    // An address already done in an earlier window (different case).
    let again = Member::new("P3@stream.example", "P3", "Stream").expect("valid");
    members.insert(STREAM_WINDOW + 10, again);

    let reports: Vec<MemberReport> = provisioner
        .ensure_stream(futures::stream::iter(members.clone()))
        .collect()
        .await;
    assert_eq!(reports.len(), members.len());
    for (report, member) in reports.iter().zip(&members) {
        assert_eq!(report.email, member.email(), "reports keep the input order");
    }
    let created = 2 * STREAM_WINDOW + 500;
    for vendor in Vendor::ALL {
        assert_eq!(
            count(&reports, vendor, |o| matches!(o, Outcome::Created)),
            created
        );
        assert!(sandbox.user_count(vendor) >= created, "{vendor}");
    }
    let duplicate = &reports[STREAM_WINDOW + 10];
    for (_, outcome) in &duplicate.vendors {
        let Outcome::Failed(e) = outcome else {
            panic!("the repeated address is not done twice: {duplicate:?}")
        };
        assert!(
            e.to_string()
                .contains("P3@stream.example is given twice; done once, for member #4"),
            "{e}"
        );
    }
    assert_eq!(
        sandbox.calls(Vendor::Vyte, "GET /v2/users"),
        1,
        "one listing"
    );

    // Again: nothing to do, nothing written.
    let before = writes(&sandbox);
    let reports: Vec<MemberReport> = provisioner
        .ensure_stream(futures::stream::iter(team(2 * STREAM_WINDOW + 500)))
        .collect()
        .await;
    for vendor in Vendor::ALL {
        assert_eq!(
            count(&reports, vendor, |o| matches!(o, Outcome::Unchanged)),
            created,
            "{vendor}"
        );
    }
    assert_eq!(writes(&sandbox), before);
    assert_eq!(sandbox.calls(Vendor::Vyte, "GET /v2/users"), 2);
}
