//! The facade against all three fakes at once: the bulk paths, and faults injected into one
//! vendor.

use crate::support::writes;
use futures::StreamExt;
use roster::{Member, MemberReport, Outcome, Provisioner, STREAM_WINDOW, Vendor};
use roster_sandbox::{Fault, FaultRule, Method, Sandbox};
use std::time::Duration;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ensure_stream_works_window_by_window_and_lists_vyte_once_then_per_window_to_confirm() {
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
    // One listing for the look-ups, and one per window that wrote to confirm what its batches
    // did (Vyte's batch answers are undocumented, so they are never read).
    assert_eq!(
        sandbox.calls(Vendor::Vyte, "GET /v2/users"),
        1 + 3,
        "one listing, then one confirmation per window"
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
    // The first stream's 1 + 3 listings, and this stream's one (nothing written, nothing to
    // confirm).
    assert_eq!(sandbox.calls(Vendor::Vyte, "GET /v2/users"), 1 + 3 + 1);
}

/// Each vendor's look-up route (what `ensure` calls first) and its error body's message field.
const LOOKUPS: [(Vendor, &str, &str); 3] = [
    (Vendor::Vectera, "/users/", "detail"),
    (Vendor::Vyte, "/v2/users", "message"),
    (Vendor::Veo, "/api/users/get-all", "Message"),
];

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_and_retried_in_every_vendor() {
    for (vendor, lookup, message) in LOOKUPS {
        let sandbox = Sandbox::start().await.expect("sandbox");
        let (provisioner, waits) = crate::support::recording_provisioner(&sandbox, vendor);
        sandbox.faults(vendor).inject(
            FaultRule::new(lookup, Fault::too_many_requests(7))
                .method(Method::GET)
                .times(1),
        );
        let member = Member::new("eve@example.com", "Eve", "Ng").expect("a member");
        let report = provisioner.ensure(&member).await;
        assert!(
            matches!(report.outcome(vendor), Some(Outcome::Created)),
            "{vendor}: {report:?}"
        );
        let route = format!("GET {lookup}");
        assert_eq!(
            sandbox.calls(vendor, &route),
            2,
            "{vendor}: the 429, then the retry"
        );
        assert_eq!(
            waits.delays(),
            [Duration::from_secs(7)],
            "{vendor}: Retry-After honoured"
        );

        // The injected answer has the vendor's error body and the header.
        sandbox
            .faults(vendor)
            .inject(FaultRule::new("", Fault::too_many_requests(30)).times(1));
        let response = roster_runtime::http_client_with("roster-sandbox-test", None, None)
            .expect("client")
            .get(format!("{}{lookup}", sandbox.base_url(vendor)))
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), 429, "{vendor}");
        let retry_after = response.headers().get("retry-after").cloned();
        assert_eq!(
            retry_after.as_ref().and_then(|v| v.to_str().ok()),
            Some("30")
        );
        let body: serde_json::Value = response.json().await.expect("a JSON body");
        assert!(body[message].is_string(), "{vendor}: {body}");
    }
}

#[tokio::test]
async fn a_500_fails_that_vendor_alone_and_creates_nothing_blindly() {
    for (vendor, _, message) in LOOKUPS {
        let sandbox = Sandbox::start().await.expect("sandbox");
        let provisioner = Provisioner::new(&sandbox.config()).expect("a provisioner");
        let before = sandbox.user_count(vendor);
        sandbox
            .faults(vendor)
            .inject(FaultRule::new("", Fault::status(500)));
        let member = Member::new("fay@example.com", "Fay", "Oh").expect("a member");
        let report = provisioner.ensure(&member).await;
        for (other, outcome) in &report.vendors {
            match outcome {
                Outcome::Failed(e) if *other == vendor => {
                    assert_eq!(e.status().map(|s| s.as_u16()), Some(500), "{vendor}");
                    assert_eq!(e.vendor(), vendor);
                    assert!(e.body().is_some_and(|b| b.contains(message)), "{e}");
                }
                Outcome::Created if *other != vendor => {}
                unexpected => panic!("{vendor} failing: {other} was {unexpected:?}"),
            }
        }
        assert_eq!(
            sandbox.user_count(vendor),
            before,
            "{vendor}: nothing created"
        );
        sandbox.faults(vendor).clear();
        let again = provisioner.ensure(&member).await;
        assert!(
            matches!(again.outcome(vendor), Some(Outcome::Created)),
            "{again:?}"
        );
    }
}
