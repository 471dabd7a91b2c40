//! The error paths (401, 404 and field errors, 429 and 5xx with `Retry-After`, a body of the
//! wrong shape, an unexpected status, a slow server, a redirect) and the client's
//! configuration checks.

use super::*;

#[tokio::test]
async fn unauthorized_names_the_status_and_carries_the_detail() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/me/", AUTH, &[]);
            then.status(401)
                .json_body(json!({"detail": "Invalid token."}));
        })
        .await;
    let err = client(&server)
        .get_user()
        .id("me")
        .send()
        .await
        .expect_err("401");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    let Error::ErrorResponse(body) = &err else {
        panic!("a 4XX gives the body as JSON: {err:?}")
    };
    assert_eq!(body["detail"], "Invalid token.");
    assert!(err.to_string().contains("401"), "{err}");
    assert_no_secret(&format!("{err} {err:?}"), &[]);
}

#[tokio::test]
async fn not_found_and_field_errors_are_typed() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, &format!("/meetings/{ROOM}/"), AUTH, &[]);
            then.status(404).json_body(json!({"detail": "Not found."}));
        })
        .await;
    server
        .mock_async(|when, then| {
            request(when, POST, "/users/", AUTH, &[]);
            then.status(400)
                .json_body(json!({"email": ["Enter a valid email address."], "code": 7}));
        })
        .await;
    let client = client(&server);
    let err = client.get_meeting().id(ROOM).send().await.expect_err("404");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    let err = client
        .create_user()
        .body_map(|b| {
            b.first_name("A")
                .email("not-an-email")
                .organization_id(org())
        })
        .send()
        .await
        .expect_err("400");
    let Error::ErrorResponse(body) = err else {
        panic!("typed 400")
    };
    assert_eq!(body.status(), 400);
    assert_eq!(body["email"], json!(["Enter a valid email address."]));
    assert_eq!(body["code"], json!(7));
}

#[tokio::test]
async fn too_many_requests_exposes_retry_after() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/", AUTH, &[]);
            then.status(429).header("retry-after", "30").json_body(
                json!({"detail": "Request was throttled. Expected available in 30 seconds."}),
            );
        })
        .await;
    let err = client(&server).list_users().send().await.expect_err("429");
    assert!(err.is_retryable());
    let Error::ErrorResponse(response) = &err else {
        panic!("typed 429: {err:?}")
    };
    assert_eq!(response.status(), 429);
    assert_eq!(
        roster_runtime::retry_after(response.headers(), SystemTime::now()),
        Some(Duration::from_secs(30))
    );
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_is_an_error_not_a_panic() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/me/", AUTH, &[]);
            // An integer id: Vectera's ids are UUID strings, and a number is not read as one.
            then.status(200)
                .json_body(json!({"id": 1042, "email": "steve@example.com"}));
        })
        .await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/", AUTH, &[]);
            then.status(200).body("{\"count\": 1, \"results\": [");
        })
        .await;
    let client = client(&server);
    let err = client
        .get_user()
        .id("me")
        .send()
        .await
        .expect_err("wrong shape");
    assert!(matches!(err, Error::InvalidResponsePayload(..)), "{err:?}");
    assert!(err.to_string().contains("invalid type"), "{err}");
    let err = client.list_users().send().await.expect_err("truncated");
    assert!(matches!(err, Error::InvalidResponsePayload(..)), "{err:?}");
    assert!(err.to_string().contains("EOF"), "{err}");
}

#[tokio::test]
async fn a_5xx_is_an_error_response_with_its_status_and_retry_after() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/", AUTH, &[]);
            then.status(503)
                .header("retry-after", "7")
                .json_body(json!({"detail": "Service unavailable."}));
        })
        .await;
    let err = client(&server).list_users().send().await.expect_err("503");
    let Error::ErrorResponse(response) = &err else {
        panic!("a 5XX gives the body as JSON: {err:?}")
    };
    assert_eq!(response.status(), 503);
    assert_eq!(response["detail"], "Service unavailable.");
    assert_eq!(
        roster_runtime::retry_after(response.headers(), SystemTime::now()),
        Some(Duration::from_secs(7))
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_status_outside_the_ranges_is_unexpected() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/", AUTH, &[]);
            then.status(304);
        })
        .await;
    let err = client(&server).list_users().send().await.expect_err("304");
    assert!(matches!(err, Error::UnexpectedResponse(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(304));
}

#[tokio::test]
async fn a_slow_server_times_out_with_a_clear_error() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/me/", AUTH, &[]);
            then.status(200)
                .delay(Duration::from_secs(5))
                .json_body(user_json(ADA, false));
        })
        .await;
    // A caller's own client: built through the runtime so that TLS uses the ring provider
    // (reqwest is compiled with `rustls-no-provider`).
    let http =
        roster_runtime::http_client_with("roster-tests", None, Some(Duration::from_millis(200)))
            .expect("client");
    let client = Client::with_http_client(&server.base_url(), TOKEN, http).expect("client");
    let err = client
        .get_user()
        .id("me")
        .send()
        .await
        .expect_err("timeout");
    let Error::CommunicationError(inner) = &err else {
        panic!("a timeout is a communication error: {err:?}")
    };
    assert!(inner.is_timeout(), "{inner:?}");
    assert!(err.is_retryable());
    assert_no_secret(&format!("{err} {err:?}"), &[]);
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = server().await;
    let elsewhere = roster_tests::server().await;
    let target = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(user_json(ADA, false));
        })
        .await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/me/", AUTH, &[]);
            then.status(302)
                .header("location", elsewhere.url("/users/me/"));
        })
        .await;
    let err = client(&server)
        .get_user()
        .id("me")
        .send()
        .await
        .expect_err("a redirect is not a success");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302));
    assert_eq!(
        target.calls_async().await,
        0,
        "the secret never went elsewhere"
    );
}

#[test]
fn client_configuration_is_checked_and_secret_free() {
    let client = Client::new("http://127.0.0.1:9/", TOKEN).expect("loopback http is fine");
    assert_eq!(client.base_url(), "http://127.0.0.1:9");
    assert_no_secret(&format!("{client:?}"), &[]);
    assert_eq!(
        roster_vectera::DEFAULT_BASE_URL,
        "https://www.vectera.com/api/v1"
    );
    assert!(Client::new(roster_vectera::DEFAULT_BASE_URL, TOKEN).is_ok());

    let err = Client::new("http://vectera.example/api/v1", TOKEN).expect_err("cleartext");
    assert!(err.to_string().contains("use https"), "{err}");
    let err = Client::new(roster_vectera::DEFAULT_BASE_URL, "").expect_err("empty token");
    assert!(err.to_string().contains("empty"), "{err}");
    let err = Client::new(roster_vectera::DEFAULT_BASE_URL, "tok\nX-Injected: 1")
        .expect_err("header injection");
    assert_no_secret(&format!("{err} {err:?}"), &["X-Injected"]);
}
