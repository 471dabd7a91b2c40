//! Case 2, no duplicate writes after a look-up not understood (items in the wrong case, users
//! without emails), and a search match on page two found, not created.

use super::*;

#[tokio::test]
async fn veo_items_in_lower_case_fail_the_member_and_invite_no_one() {
    let server = server().await;
    let _me = veo_me(&server).await;
    let _list = veo_list(
        &server,
        json!({"items": [veo_user(42, "ann@example.com", "Ann", true)], "Page": 1,
               "PageSize": 100, "TotalItemCount": 1}),
    )
    .await;
    let invite = never(&server, POST, "/api/userinvites/multiple").await;
    let (p, _) = provisioner(&server, Vendor::Veo);
    let report = p.ensure(&ann()).await;
    failed(&report, Vendor::Veo);
    let reports = p
        .ensure_all(&[ann(), member("bob@example.com", "Bob")])
        .await;
    for report in &reports {
        failed(report, Vendor::Veo);
    }
    invite.assert_calls_async(0).await;
}

#[tokio::test]
async fn vyte_users_without_emails_are_never_created_again() {
    let server = server().await;
    let _list = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200).json_body(json!([
                {"_id": "v42", "first_name": "Ann", "last_name": "Smith"},
                {"_id": "v43", "first_name": "Bob", "last_name": "Smith"}
            ]));
        })
        .await;
    let create = never(&server, POST, "/v2/users").await;
    let batch = never(&server, POST, "/v2/users/batch").await;
    let (p, _) = provisioner(&server, Vendor::Vyte);
    let report = p.ensure(&ann()).await;
    failed(&report, Vendor::Vyte);
    let reports = p
        .ensure_all(&[
            ann(),
            member("bob@example.com", "Bob"),
            member("cy@example.com", "Cy"),
        ])
        .await;
    for report in &reports {
        failed(report, Vendor::Vyte);
    }
    create.assert_calls_async(0).await;
    batch.assert_calls_async(0).await;
}

#[tokio::test]
async fn vectera_search_match_on_page_two_is_found_and_not_created() {
    let server = server().await;
    let base = server.base_url();
    let page2 = server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                "/users/",
                VECTERA,
                &[
                    ("search", "ann@example.com"),
                    ("page", "2"),
                    ("perPage", "100"),
                ],
            );
            then.status(200).json_body(json!({"count": 2, "next": null,
                "previous": format!("{base}/users/?search=ann%40example.com&page=1&perPage=100"),
                "results": [vectera_user("42", "ann@example.com", "Ann")]}));
        })
        .await;
    let page1 = server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                "/users/",
                VECTERA,
                &[
                    ("search", "ann@example.com"),
                    ("page", "1"),
                    ("perPage", "100"),
                ],
            );
            then.status(200)
                .json_body(json!({"count": 2, "previous": null,
                "next": format!("{base}/users/?search=ann%40example.com&page=2&perPage=100"),
                "results": [vectera_user("7", "joann@example.com", "Jo")]}));
        })
        .await;
    let _me = vectera_me_mock(&server).await;
    let create = never(&server, POST, "/users/").await;
    let (p, _) = provisioner(&server, Vendor::Vectera);
    let report = p.ensure(&ann()).await;
    assert!(
        matches!(outcome(&report, Vendor::Vectera), Outcome::Unchanged),
        "{report:?}"
    );
    page1.assert_calls_async(1).await;
    page2.assert_calls_async(1).await;
    create.assert_calls_async(0).await;
}

/// A plan fails closed: users it cannot tell apart (Vyte users without `emails`) make every
/// member not found `Unknown` — never "create" — and are never removals.
#[tokio::test]
async fn a_plan_over_users_without_emails_decides_nothing_for_the_members_it_does_not_find() {
    let server = server().await;
    let _list = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200).json_body(json!([
                vyte_user("v41", "ann@example.com", "Ann"),
                {"_id": "v42", "first_name": "Nameless", "last_name": "Smith"},
                {"_id": "v43", "first_name": "Nulled", "emails": null}
            ]));
        })
        .await;
    let (p, _) = provisioner(&server, Vendor::Vyte);
    let plan = p.plan(&[ann(), member("bob@example.com", "Bob")]).await;
    let step = |i: usize| &plan.members[i].step(Vendor::Vyte).expect("vyte").step;
    assert!(matches!(step(0), roster::Step::Unchanged), "{plan:#?}");
    let roster::Step::Unknown(e) = step(1) else {
        panic!("bob was decided on a listing not understood: {plan:#?}")
    };
    assert!(
        e.to_string().contains("2 listed user(s) have no address"),
        "{e}"
    );
    assert!(plan.removals.is_empty(), "{plan:#?}");
    assert_eq!(plan.unmatched, [(Vendor::Vyte, 2)]);
}

/// A listing that fails (a 500 after the retries, a page with no `Items`) leaves every step
/// `Unknown` and proposes no removal; the plan writes nothing.
#[tokio::test]
async fn a_plan_whose_listing_fails_decides_nothing_and_removes_no_one() {
    let server = server().await;
    let _me = veo_me(&server).await;
    let _list = veo_list(
        &server,
        json!({"Page": 1, "PageSize": 100, "TotalItemCount": 3}),
    )
    .await;
    let invite = never(&server, POST, "/api/userinvites/multiple").await;
    let (p, _) = provisioner(&server, Vendor::Veo);
    let plan = p.plan(&[ann()]).await;
    let roster::Step::Unknown(e) = &plan.members[0].step(Vendor::Veo).expect("veo").step else {
        panic!("{plan:#?}")
    };
    assert!(e.to_string().contains("no Items"), "{e}");
    assert!(plan.removals.is_empty());
    invite.assert_calls_async(0).await;
}
