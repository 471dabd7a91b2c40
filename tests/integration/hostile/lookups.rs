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
