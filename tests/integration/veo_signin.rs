//! roster-veo signing in with a username and password against httpmock: the token request on
//! the wire (a form POST to `/oauth2/token`, no `Authorization`), the bearer token used
//! afterwards, one renewal and one resend after a 401, one sign-in for many concurrent
//! callers, sign-in failures named without the password; and the facade hiding every token a
//! sign-in obtained.

use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use roster::{Config, Provisioner, SignIn, Vendor};
use roster_tests::{assert_no_secret, server};
use roster_veo::prelude::*;
use roster_veo::{Credentials, Error};
use serde_json::json;

const PASSWORD: &str = "p@ss word&=1-SECRET";
/// The form as serde_urlencoded writes it: fields in the schema's order, `@`, spaces, `&` and
/// `=` encoded.
const FORM: &str = "Client_id=roster-client&Grant_type=password&Password=p%40ss+word%26%3D1-SECRET&Username=ada%40example.com";

fn credentials() -> Credentials {
    Credentials::new("ada@example.com", PASSWORD, "roster-client")
}

fn client(server: &MockServer) -> Client {
    Client::with_password(
        &server.base_url(),
        &server.url("/oauth2/token"),
        credentials(),
    )
    .expect("loopback URLs are accepted")
}

/// `POST /oauth2/token` with exactly the grant, answering `token` valid for `expires_in`.
async fn token_server<'a>(server: &'a MockServer, token: &str) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth2/token")
                .header("content-type", "application/x-www-form-urlencoded")
                .header_missing("authorization")
                .header_missing("api-version")
                .form_urlencoded_tuple("Username", "ada@example.com")
                .form_urlencoded_tuple("Password", PASSWORD)
                .form_urlencoded_tuple("Grant_type", "password")
                .form_urlencoded_tuple("Client_id", "roster-client")
                .body(FORM);
            then.status(200).json_body(json!({
                "access_token": token, "token_type": "bearer", "expires_in": 1209599
            }));
        })
        .await
}

fn me(email: &str) -> serde_json::Value {
    json!({"Id": 1001, "Email": email, "Organisations": [{"Id": 1, "Name": "Acme", "Roles": [4, 2]}]})
}

#[tokio::test]
async fn the_grant_is_a_form_post_and_its_token_the_bearer_of_every_later_request() {
    let server = server().await;
    let token = token_server(&server, "tok-issued-1").await;
    let api = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/me")
                .header("authorization", "Bearer tok-issued-1")
                .header_missing("api-version");
            then.status(200).json_body(me("ada@example.com"));
        })
        .await;
    let client = client(&server);
    for _ in 0..3 {
        let answer = client
            .get_me()
            .send()
            .await
            .expect("signed in")
            .into_inner();
        assert_eq!(answer.email.as_deref(), Some("ada@example.com"));
    }
    token.assert_calls_async(1).await;
    api.assert_calls_async(3).await;
    assert_no_secret(&format!("{client:?}"), &[PASSWORD, "tok-issued-1"]);
}

/// A matcher true for the first `n` token requests only (httpmock runs every matcher on every
/// request, so the count looks at the request itself).
fn first_sign_ins(n: usize) -> impl Fn(&httpmock::HttpMockRequest) -> bool + Send + Sync {
    let seen = std::sync::atomic::AtomicUsize::new(0);
    move |request| {
        request.method_str() == "POST"
            && request.uri().path() == "/oauth2/token"
            && seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < n
    }
}

#[tokio::test]
async fn a_401_signs_in_again_once_and_sends_the_request_once_more() {
    let server = server().await;
    // The first sign-in answers tok-issued-1, which the API then refuses; later ones tok-issued-2.
    let first = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth2/token")
                .body(FORM)
                .is_true(first_sign_ins(1));
            then.status(200)
                .json_body(json!({"access_token": "tok-issued-1", "token_type": "bearer", "expires_in": 1209599}));
        })
        .await;
    let later = token_server(&server, "tok-issued-2").await;
    let refused = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/me")
                .header("authorization", "Bearer tok-issued-1");
            then.status(401)
                .json_body(json!({"Message": "Authorization has been denied for this request."}));
        })
        .await;
    let accepted = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/me")
                .header("authorization", "Bearer tok-issued-2");
            then.status(200).json_body(me("ada@example.com"));
        })
        .await;
    let client = client(&server);
    let answer = client.get_me().send().await.expect("renewed and resent");
    assert_eq!(answer.status(), 200);
    first.assert_calls_async(1).await;
    later.assert_calls_async(1).await;
    refused.assert_calls_async(1).await;
    accepted.assert_calls_async(1).await;
    // The renewed token is kept: the next request needs no sign-in.
    client.get_me().send().await.expect("cached");
    later.assert_calls_async(1).await;
    accepted.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_401_to_the_renewed_token_reaches_the_caller_after_one_resend() {
    let server = server().await;
    let token = token_server(&server, "tok-revoked").await;
    let refused = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/me");
            then.status(401).body("");
        })
        .await;
    let error = client(&server).get_me().send().await.expect_err("refused");
    assert!(
        matches!(&error, Error::ErrorResponse(r) if r.status() == 401),
        "{error:?}"
    );
    token.assert_calls_async(2).await;
    refused.assert_calls_async(2).await;
}

#[tokio::test]
async fn twenty_concurrent_requests_share_one_sign_in() {
    let server = server().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token").body(FORM);
            // Slow, so the requests arrive while it is under way (the count holds either way).
            then.status(200)
                .delay(std::time::Duration::from_millis(200))
                .json_body(json!({"access_token": "tok-shared", "expires_in": 1209599}));
        })
        .await;
    let api = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/me")
                .header("authorization", "Bearer tok-shared");
            then.status(200).json_body(me("ada@example.com"));
        })
        .await;
    let client = client(&server);
    let calls = (0..20).map(|_| client.get_me().send());
    for result in futures::future::join_all(calls).await {
        result.expect("signed in");
    }
    token.assert_calls_async(1).await;
    api.assert_calls_async(20).await;
}

#[tokio::test]
async fn a_failed_sign_in_names_the_endpoint_and_the_answer_never_the_password() {
    let server = server().await;
    let endpoint = format!("POST {}", server.url("/oauth2/token"));
    let api = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/me");
            then.status(200).json_body(me("ada@example.com"));
        })
        .await;
    for (status, content_type, body, expected) in [
        (
            400,
            "application/json",
            format!(r#"{{"error":"invalid_grant","error_description":"{PASSWORD} is wrong"}}"#),
            format!("{endpoint}: HTTP 400: {{\"error\":\"invalid_grant\""),
        ),
        (
            503,
            "text/html",
            "<html>Service Unavailable</html>".to_owned(),
            format!("{endpoint}: HTTP 503: <html>Service Unavailable</html>"),
        ),
        (
            200,
            "text/html",
            "<html>sign in here</html>".to_owned(),
            format!("{endpoint}: the answer is not a token answer"),
        ),
        (
            200,
            "application/json",
            r#"{"token_type":"bearer","expires_in":1209599}"#.to_owned(),
            format!("{endpoint}: the answer has no access_token"),
        ),
    ] {
        let token = server
            .mock_async(|when, then| {
                when.method(POST).path("/oauth2/token");
                then.status(status)
                    .header("content-type", content_type)
                    .body(body.clone());
            })
            .await;
        let error = client(&server).get_me().send().await.expect_err("no token");
        let Error::Custom(message) = &error else {
            panic!("a sign-in failure is Error::Custom: {error:?}");
        };
        assert!(
            message.starts_with(&format!("sign-in failed at {expected}")),
            "{message}"
        );
        assert_no_secret(&format!("{error} {error:?}"), &[PASSWORD, "p%40ss"]);
        token.delete_async().await;
    }
    api.assert_calls_async(0).await;
}

#[tokio::test]
async fn the_facade_hides_every_token_a_sign_in_obtained_and_the_password() {
    let server = server().await;
    let _token = token_server(&server, "tok-issued-SECRET-77").await;
    // VEO echoes the request's credentials in its error (some servers do).
    let echo = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/me")
                .header("authorization", "Bearer tok-issued-SECRET-77");
            then.status(400).json_body(json!({
                "Message": "Bad request with Authorization: Bearer tok-issued-SECRET-77",
                "Detail": format!("signed in as ada@example.com / {PASSWORD}")
            }));
        })
        .await;
    let sign_in = SignIn::new("ada@example.com", PASSWORD, "roster-client")
        .with_token_url(server.url("/oauth2/token"));
    let config = Config::default()
        .with(Vendor::Veo, Some(&server.base_url()), sign_in)
        .expect("valid");
    let provisioner = Provisioner::new(&config).expect("clients");
    let member = roster::Member::new("bob@example.com", "Bob", "Jones").expect("valid");
    let report = provisioner.ensure(&member).await;
    echo.assert_calls_async(1).await;
    let roster::Outcome::Failed(error) = &report.vendors[0].1 else {
        panic!("failed: {report:?}");
    };
    let text = format!("{error} {error:?} {report:?}");
    assert!(text.contains("Bearer [redacted]"), "{text}");
    assert_no_secret(&text, &["tok-issued-SECRET-77", PASSWORD]);
    assert_no_secret(
        &format!("{config:?} {provisioner:?}"),
        &["tok-issued-SECRET-77", PASSWORD],
    );
}

#[tokio::test]
async fn the_token_request_never_carries_the_clients_own_credentials() {
    // `request_token` says `security: []`: even a client built with a token sends none there.
    let server = server().await;
    let token = token_server(&server, "tok-issued-1").await;
    let client = Client::new(&server.base_url(), roster_tests::TOKEN).expect("valid");
    let answer = client
        .request_token()
        .body(roster_veo::types::TokenRequest {
            username: "ada@example.com".into(),
            password: PASSWORD.into(),
            grant_type: roster_veo::types::TokenRequestGrantType::Password,
            client_id: "roster-client".into(),
        })
        .send()
        .await
        .expect("the token mock requires no authorization header")
        .into_inner();
    token.assert_calls_async(1).await;
    assert_eq!(
        answer.access_token.as_ref().map(|t| t.expose()),
        Some("tok-issued-1")
    );
    assert_no_secret(&format!("{answer:?}"), &["tok-issued-1"]);
    assert_eq!(
        roster_veo::operations::WITHOUT_CREDENTIALS,
        ["request_token"]
    );
}
