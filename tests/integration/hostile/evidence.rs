//! Case 9, outcomes from evidence: an invitation or batch answer that confirms no one, a
//! re-list to confirm, no teams in a user update (they go through the Teams API), no
//! reactivation, login URLs that are not absolute, a missing member named.

use super::*;

async fn veo_invite_answering(answer: Value) -> Vec<MemberReport> {
    let server = server().await;
    let _me = veo_me(&server).await;
    let _list = veo_list(
        &server,
        json!({"Items": [], "Page": 1, "PageSize": 100, "TotalItemCount": 0}),
    )
    .await;
    let invite = server
        .mock_async(|when, then| {
            request(when, POST, "/api/userinvites/multiple", VEO, &[]);
            then.status(200).json_body(answer);
        })
        .await;
    let (p, _) = provisioner(&server, Vendor::Veo);
    let mut reports = vec![p.ensure(&ann()).await];
    reports.extend(p.ensure_all(&members(3)).await);
    assert!(invite.calls_async().await >= 2);
    reports
}

#[tokio::test]
async fn a_veo_invitation_confirming_no_one_creates_no_one() {
    for answer in [
        json!({"TotalInvites": 0, "SuccessList": [], "AlreadyInOrganisationList": [],
               "AddedToOrganisationList": [], "FailedList": []}),
        json!({"TotalInvites": 1, "SuccessList": ["zed@example.com"]}),
    ] {
        for report in veo_invite_answering(answer.clone()).await {
            assert!(
                !matches!(outcome(&report, Vendor::Veo), Outcome::Created),
                "{answer}: {report:?}"
            );
        }
    }
}

async fn vyte_batch_answering(answer: Value) {
    let server = server().await;
    let team = members(3);
    let _empty = server
        .mock_async(|when, then| {
            when.is_true(first(1, "/v2/users"));
            then.status(200).json_body(json!([]));
        })
        .await;
    // After the batch, only the first member is listed.
    let relist = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200)
                .json_body(json!([vyte_user("v0", team[0].email(), "New")]));
        })
        .await;
    let batch = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/users/batch", TOKEN, &[]);
            then.status(200).json_body(answer.clone());
        })
        .await;
    let (p, _) = provisioner(&server, Vendor::Vyte);
    let reports = p.ensure_all(&team).await;
    batch.assert_calls_async(1).await;
    assert!(relist.calls_async().await >= 1, "confirmed by a re-list");
    assert!(
        matches!(outcome(&reports[0], Vendor::Vyte), Outcome::Created),
        "{answer}: {:?}",
        reports[0]
    );
    for report in &reports[1..] {
        assert!(
            !matches!(outcome(report, Vendor::Vyte), Outcome::Created),
            "{answer}: {report:?}"
        );
    }
}

#[tokio::test]
async fn a_vyte_batch_answering_nothing_is_confirmed_by_a_re_list() {
    vyte_batch_answering(json!([])).await;
}

#[tokio::test]
async fn a_vyte_batch_answering_other_users_is_confirmed_by_a_re_list() {
    vyte_batch_answering(json!([{"user": vyte_user("vz", "zed@example.com", "Zed")}])).await;
}

#[tokio::test]
async fn a_vyte_user_update_sends_no_teams() {
    let server = server().await;
    let _list = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200)
                .json_body(json!([vyte_user("v42", "ann@example.com", "Anne")]));
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            request(when, PUT, "/v2/users/v42", TOKEN, &[]).is_true(|r: &HttpMockRequest| {
                let body = body_json(r);
                // Membership is the Teams API's alone: two writers would fight over it.
                body["user"]["first_name"] == "Ann" && body.get("teams").is_none()
            });
            then.status(200)
                .json_body(json!({"user": vyte_user("v42", "ann@example.com", "Ann")}));
        })
        .await;
    let mut ann = ann();
    ann.vyte.teams = vec!["Sales".into()];
    let (p, _) = provisioner(&server, Vendor::Vyte);
    let report = p.ensure(&ann).await;
    assert!(
        matches!(outcome(&report, Vendor::Vyte), Outcome::Updated),
        "{report:?}"
    );
    update.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_veo_ensure_never_reactivates_a_deactivated_user() {
    let server = server().await;
    let _me = veo_me(&server).await;
    let _list = veo_list(
        &server,
        json!({"Items": [veo_user(42, "ann@example.com", "Anne", false)], "Page": 1,
               "PageSize": 100, "TotalItemCount": 1}),
    )
    .await;
    let reactivating = server
        .mock_async(|when, then| {
            when.method(PUT)
                .is_true(|r: &HttpMockRequest| body_json(r)["IsActive"] == json!(true));
            then.status(599);
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            request(when, PUT, "/api/v2/users/42", VEO, &[]).is_true(|r: &HttpMockRequest| {
                let body = body_json(r);
                body["FirstName"] == "Ann" && body["IsActive"] != json!(true)
            });
            then.status(200);
        })
        .await;
    let (p, _) = provisioner(&server, Vendor::Veo);
    let report = p.ensure(&ann()).await;
    reactivating.assert_calls_async(0).await;
    update.assert_calls_async(1).await;
    assert!(
        matches!(outcome(&report, Vendor::Veo), Outcome::Updated),
        "{report:?}"
    );
}

#[tokio::test]
async fn a_vectera_login_url_that_is_not_absolute_is_an_error_with_or_without_next() {
    let server = server().await;
    let _search = vectera_list(
        &server,
        json!({"count": 1, "next": null, "previous": null,
               "results": [vectera_user("42", "ann@example.com", "Ann")]}),
    )
    .await;
    let token = server
        .mock_async(|when, then| {
            request(when, POST, "/users/42/loginTokens/", VECTERA, &[]);
            then.status(201).json_body(json!({"url": "nulla"}));
        })
        .await;
    let (p, _) = provisioner(&server, Vendor::Vectera);
    for next in [None, Some("/scheduling/")] {
        let err = p
            .vectera_login_link("ann@example.com", next)
            .await
            .expect_err("not a URL");
        assert_eq!(err.operation(), "create_login_token", "{next:?}: {err}");
        assert!(err.to_string().contains("create_login_token"), "{err}");
    }
    token.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_login_link_for_a_missing_member_names_the_look_up() {
    let server = server().await;
    let _search = vectera_list(
        &server,
        json!({"count": 0, "next": null, "previous": null, "results": []}),
    )
    .await;
    let token = never(&server, POST, "/users/42/loginTokens/").await;
    let (p, _) = provisioner(&server, Vendor::Vectera);
    let err = p
        .vectera_login_link("nobody@example.com", None)
        .await
        .expect_err("no such member");
    assert_eq!(err.operation(), "list_users", "{err}");
    assert!(!err.to_string().contains("create_login_token"), "{err}");
    token.assert_calls_async(0).await;
}
