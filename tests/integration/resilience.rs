//! The facade's retry layer around real generated calls (Vectera and Vyte clients) against
//! httpmock: what is retried, how long it waits (recorded, never slept), what is never
//! retried, and the error the caller gets.

use std::sync::Arc;
use std::time::Duration;

use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use roster::test_util::RecordingSleeper;
use roster::vectera::prelude::*;
use roster::{ErrorKind, Idempotency, Resilience, RetryBudget, Vendor};
use roster_tests::{TOKEN, assert_no_secret, first, layer, server};
use serde_json::json;

fn vectera(server: &MockServer) -> roster::vectera::Client {
    roster::vectera::Client::new(&server.base_url(), TOKEN).expect("client")
}

/// Answers the first `n` matching requests only (httpmock has no response sequences).
fn me() -> serde_json::Value {
    json!({"id": "1", "firstName": "Ada", "email": "ada@example.com"})
}

#[tokio::test]
async fn a_429_then_200_is_retried_after_the_retry_after_delay() {
    let server = server().await;
    let throttled = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/users/me/")
                .is_true(first(1, "/users/me/"));
            then.status(429)
                .header("retry-after", "7")
                .json_body(json!({"detail": "Request was throttled."}));
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            when.method(GET).path("/users/me/");
            then.status(200).json_body(me());
        })
        .await;
    let (resilience, sleeper) = layer(500);
    let client = vectera(&server);
    let user = resilience
        .call(Vendor::Vectera, "get_user", Idempotency::Idempotent, || {
            client.get_user().id("me").send()
        })
        .await
        .expect("the retry succeeds");
    assert_eq!(user.id.as_deref(), Some("1"));
    throttled.assert_async().await;
    ok.assert_async().await;
    // The backoff before a first retry is at most 200 ms: the 7 s the vendor asked for wins.
    assert_eq!(sleeper.delays(), [Duration::from_secs(7)]);
    assert_eq!(
        resilience.budget().available(),
        500,
        "a success refunds the retry"
    );
}

#[tokio::test]
async fn a_500_on_a_create_is_not_retried() {
    let server = server().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path("/users/");
            then.status(500).body("boom");
        })
        .await;
    let (resilience, sleeper) = layer(500);
    let client = vectera(&server);
    let err = resilience
        .call(
            Vendor::Vectera,
            "create_user",
            Idempotency::NotIdempotent,
            || {
                client
                    .create_user()
                    .body_map(|b| {
                        b.first_name("Ann")
                            .email("ann@example.com")
                            .organization_id(uuid_org())
                    })
                    .send()
            },
        )
        .await
        .expect_err("500");
    assert_eq!(create.calls_async().await, 1, "a create runs at most once");
    assert!(sleeper.delays().is_empty());
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(err.attempts(), 1);
    assert!(err.is_transient());
    assert_eq!(
        err.to_string(),
        // `5XX` is declared (any JSON); the text body reaches the caller as the text it is.
        "vectera create_user: HTTP 500 Internal Server Error: boom"
    );
}

fn uuid_org() -> uuid::Uuid {
    "3f6c2a1e-8b4d-4c2e-9a7f-1d2e3f4a5b6c"
        .parse()
        .expect("uuid")
}

#[tokio::test]
async fn transient_failures_are_retried_up_to_the_attempt_limit_with_growing_backoff() {
    let server = server().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path("/users/");
            then.status(503).body("<html>unavailable</html>");
        })
        .await;
    let (resilience, sleeper) = layer(500);
    let client = vectera(&server);
    let err = resilience
        .call(
            Vendor::Vectera,
            "list_users",
            Idempotency::Idempotent,
            || client.list_users().send(),
        )
        .await
        .expect_err("always 503");
    assert_eq!(failing.calls_async().await, 3);
    assert_eq!(err.attempts(), 3);
    assert!(err.to_string().ends_with("[after 3 attempts]"), "{err}");
    let delays = sleeper.delays();
    assert_eq!(delays.len(), 2);
    assert!(delays[0] <= Duration::from_millis(200), "{delays:?}");
    assert!(delays[1] <= Duration::from_millis(400), "{delays:?}");
    assert_eq!(
        resilience.budget().available(),
        490,
        "two retries spent 5 each"
    );
}

#[tokio::test]
async fn an_html_error_page_on_a_documented_status_is_still_retried() {
    // An HTML page on a 503 keeps its status (the runtime turns a non-JSON error body into
    // text for the any-JSON error schema), so it is retried as the 503 it is.
    let server = server().await;
    let down = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/users")
                .is_true(first(1, "/v2/users"));
            then.status(503).body("<html>maintenance</html>");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/users");
            then.status(200).json_body(json!([]));
        })
        .await;
    let (resilience, sleeper) = layer(500);
    let client = roster::vyte::Client::new(&server.base_url(), TOKEN).expect("client");
    let users = resilience
        .call(Vendor::Vyte, "list_users", Idempotency::Idempotent, || {
            use roster::vyte::prelude::*;
            client.list_users().send()
        })
        .await
        .expect("retried");
    assert!(users.is_empty());
    down.assert_async().await;
    assert_eq!(sleeper.delays().len(), 1);
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_is_not_waited_for() {
    let server = server().await;
    let throttled = server
        .mock_async(|when, then| {
            when.method(GET).path("/users/me/");
            then.status(429)
                .header("retry-after", "3600")
                .json_body(json!({"detail": "Come back in an hour."}));
        })
        .await;
    let (resilience, sleeper) = layer(500);
    let client = vectera(&server);
    let err = resilience
        .call(Vendor::Vectera, "get_user", Idempotency::Idempotent, || {
            client.get_user().id("me").send()
        })
        .await
        .expect_err("429");
    assert_eq!(throttled.calls_async().await, 1);
    assert!(sleeper.delays().is_empty());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(err.kind(), ErrorKind::Status);
    assert_eq!(err.body(), Some(r#"{"detail":"Come back in an hour."}"#));
}

#[tokio::test]
async fn an_empty_budget_stops_retries() {
    let server = server().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path("/users/");
            then.status(502);
        })
        .await;
    let (resilience, sleeper) = layer(RetryBudget::RETRY_COST);
    let client = vectera(&server);
    let err = resilience
        .call(
            Vendor::Vectera,
            "list_users",
            Idempotency::Idempotent,
            || client.list_users().send(),
        )
        .await
        .expect_err("502");
    assert_eq!(
        failing.calls_async().await,
        2,
        "one retry, then the budget is spent"
    );
    assert_eq!(sleeper.delays().len(), 1);
    assert_eq!(err.attempts(), 2);
    assert_eq!(resilience.budget().available(), 0);
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_a_create() {
    // Nothing listens on this port: the request is never sent, so retrying cannot duplicate it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let (resilience, sleeper) = layer(500);
    let client =
        roster::vectera::Client::new(&format!("http://127.0.0.1:{port}"), TOKEN).expect("client");
    let err = resilience
        .call(
            Vendor::Vectera,
            "create_user",
            Idempotency::NotIdempotent,
            || {
                client
                    .create_user()
                    .body_map(|b| {
                        b.first_name("Ann")
                            .email("a@example.com")
                            .organization_id(uuid_org())
                    })
                    .send()
            },
        )
        .await
        .expect_err("nobody listens");
    assert_eq!(err.kind(), ErrorKind::Connect);
    assert_eq!(err.attempts(), 3);
    assert_eq!(sleeper.delays().len(), 2);
    assert!(
        err.to_string()
            .starts_with("vectera create_user: cannot connect"),
        "{err}"
    );
    // The host it could not reach is named; the request's path and query never are.
    let text = err.to_string();
    assert!(text.contains("(127.0.0.1:"), "names the host: {err}");
    assert!(!text.contains("/users/"), "no path in errors: {err}");
    assert_no_secret(&format!("{err} {err:?}"), &[]);
}

#[tokio::test]
async fn invalid_input_is_not_retried_and_says_what_is_missing() {
    let server = server().await;
    let (resilience, sleeper) = layer(500);
    let client = vectera(&server);
    let err = resilience
        .call(
            Vendor::Vectera,
            "create_user",
            Idempotency::NotIdempotent,
            || {
                client
                    .create_user()
                    .body_map(|b| b.first_name("Ann"))
                    .send()
            },
        )
        .await
        .expect_err("email and organization are missing");
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(!err.is_transient());
    assert!(sleeper.delays().is_empty());
    assert!(err.to_string().contains("email"), "{err}");
}

fn vyte_only(server: &MockServer, timeouts: roster::Timeouts) -> roster::Config {
    roster::Config::default()
        .with(Vendor::Vyte, Some(&server.base_url()), TOKEN)
        .expect("config")
        .with_timeouts(timeouts)
}

/// On tokio's paused clock (and without transport timers, which would fire while a real
/// socket is read), the provisioner's own sleeper waits exactly as long as a `Retry-After`
/// given as an HTTP date asks — virtual time, no real sleep.
#[tokio::test(start_paused = true)]
async fn a_retry_after_http_date_is_waited_for_on_a_paused_clock() {
    let server = server().await;
    let asked = std::time::SystemTime::now() + Duration::from_secs(30);
    let throttled = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/users")
                .is_true(first(1, "/v2/users"));
            then.status(429)
                .header("retry-after", httpdate::fmt_http_date(asked))
                .json_body(json!({"message": "Too many requests"}));
        })
        .await;
    let listed = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/users");
            then.status(200).json_body(json!([]));
        })
        .await;
    let created = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/users");
            then.status(200).json_body(json!({"user": {"_id": "v1"}}));
        })
        .await;
    let provisioner =
        roster::Provisioner::new(&vyte_only(&server, roster::Timeouts::NONE)).expect("client");
    let start = tokio::time::Instant::now();
    let report = provisioner
        .ensure(&roster::Member::new("ann@example.com", "Ann", "Smith").expect("valid"))
        .await;
    let waited = start.elapsed();
    assert!(
        matches!(report.outcome(Vendor::Vyte), Some(roster::Outcome::Created)),
        "{report:?}"
    );
    throttled.assert_async().await;
    listed.assert_async().await;
    created.assert_async().await;
    // The date has a one-second resolution: the wait is 29 to 30 s of virtual time (the
    // paused clock may also jump ahead to the connection pool's idle timer while a socket is
    // read, so only the lower bound is exact).
    assert!(waited >= Duration::from_secs(29), "waited {waited:?}");
}

#[tokio::test]
async fn the_configured_attempt_timeout_bounds_each_attempt() {
    let server = server().await;
    let slow = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/users");
            then.status(200)
                .json_body(json!([]))
                .delay(Duration::from_secs(5));
        })
        .await;
    let timeouts = roster::Timeouts {
        connect: Some(Duration::from_secs(5)),
        attempt: Some(Duration::from_millis(200)),
    };
    let sleeper = Arc::new(RecordingSleeper::default());
    let resilience = Resilience::default().with_sleeper(sleeper.clone());
    let provisioner =
        roster::Provisioner::with_resilience(&vyte_only(&server, timeouts), resilience)
            .expect("client");
    let found = provisioner.find("ann@example.com").await;
    let [(Vendor::Vyte, Err(err))] = found.as_slice() else {
        panic!("{found:?}");
    };
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.attempts(), 3, "a read is retried after a timeout");
    assert_eq!(err.operation(), "list_users");
    slow.assert_calls_async(3).await;
    assert_eq!(sleeper.delays().len(), 2);
    assert_no_secret(&format!("{err} {err:?}"), &[]);
}

#[tokio::test]
async fn a_huge_undocumented_error_page_is_read_only_up_to_max_body() {
    let server = server().await;
    let page = format!("<html>{}</html>", "x".repeat(1 << 20));
    server
        .mock_async(|when, then| {
            when.method(GET).path("/users/me/");
            then.status(418)
                .header("content-type", "text/html")
                .body(page);
        })
        .await;
    let (resilience, _) = layer(500);
    let client = vectera(&server);
    let err = resilience
        .call(Vendor::Vectera, "get_user", Idempotency::Idempotent, || {
            client.get_user().id("me").send()
        })
        .await
        .expect_err("418 is not documented");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(418));
    let body = err.body().expect("the start of the page is kept");
    assert!(body.starts_with("<html>xxx"), "{body:.40}");
    assert!(body.ends_with('…'));
    assert_eq!(body.len(), roster::MAX_BODY + '…'.len_utf8());
}
