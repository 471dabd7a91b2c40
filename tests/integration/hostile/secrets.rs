//! Case 3, secrets: a login token or a sign-up link in an answer that does not decode, a token
//! echoed in an error body, never quoted in an error.

use super::*;

#[track_caller]
fn assert_error_clean(err: &Error, more: &[&str]) {
    assert_no_secret(&err.to_string(), more);
    assert_no_secret(&format!("{err:?}"), more);
    assert_no_secret(err.body().unwrap_or_default(), more);
}

#[tokio::test]
async fn a_login_token_in_an_answer_that_does_not_decode_is_not_quoted() {
    let server = server().await;
    let _search = vectera_list(
        &server,
        json!({"count": 1, "next": null, "previous": null,
               "results": [vectera_user("42", "ann@example.com", "Ann")]}),
    )
    .await;
    let _token = server
        .mock_async(|when, then| {
            when.method(POST).path("/users/42/loginTokens/");
            then.status(201)
                .header("content-type", "application/json")
                .body(r#"{"url": "https://www.vectera.com/login/?token=LOGIN_SECRET_q1w2e3r4t5""#);
        })
        .await;
    let (p, _) = provisioner(&server, Vendor::Vectera);
    let err = p
        .vectera_login_link("ann@example.com", None)
        .await
        .expect_err("a truncated answer");
    assert_eq!(err.operation(), "create_login_token");
    assert_error_clean(&err, &["LOGIN_SECRET_q1w2e3r4t5"]);
}

#[tokio::test]
async fn a_vyte_sign_up_link_in_an_answer_that_does_not_decode_is_not_quoted() {
    let server = server().await;
    let _list = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200).json_body(json!([]));
        })
        .await;
    let _create = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/users");
            then.status(200).header("content-type", "application/json").body(
                r#"{"user": {"_id": "v42"}, "link": "https://acme.vyte.in/signup?token=SIGNUP_SECRET_z9y8x7""#,
            );
        })
        .await;
    let (p, _) = provisioner(&server, Vendor::Vyte);
    let report = p.ensure(&ann()).await;
    assert_no_secret(&format!("{report:?}"), &["SIGNUP_SECRET_z9y8x7"]);
    if let Outcome::Failed(err) = outcome(&report, Vendor::Vyte) {
        assert_error_clean(err, &["SIGNUP_SECRET_z9y8x7"]);
    }
}

#[tokio::test]
async fn an_error_body_echoing_the_authorization_header_does_not_leak_the_token() {
    let server = server().await;
    for (path, auth) in [("/users/", VECTERA), ("/v2/users", TOKEN), ("/api/me", VEO)] {
        let echo = format!("Authorization: {auth}");
        server
            .mock_async(|when, then| {
                when.method(GET).path(path);
                then.status(400)
                    .json_body(json!({"detail": "bad request", "headers": echo}));
            })
            .await;
    }
    let (p, _) = provisioner_at(&server.base_url(), &Vendor::ALL);
    let report = p.ensure(&ann()).await;
    for vendor in Vendor::ALL {
        let err = failed(&report, vendor);
        assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err}");
        assert_error_clean(err, &[]);
    }
    assert_no_secret(&format!("{report:?}"), &[]);

    let server = roster_tests::server().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/users");
            then.status(403)
                .header("content-type", "text/plain")
                .body(format!(
                    "forbidden for X-Api-Key: {TOKEN} (Authorization: {TOKEN})"
                ));
        })
        .await;
    let (p, _) = provisioner(&server, Vendor::Vyte);
    let items = list_all(&p, Vendor::Vyte).await;
    let err = items[0].as_ref().expect_err("403");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    assert_error_clean(err, &[]);
}
