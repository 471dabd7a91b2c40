//! VEO's token server in the fake: the password grant answered as OAuth2 says, issued tokens
//! accepted until they expire (by time or by uses), and the client's and the facade's sign-in
//! renewing its token against it.

use std::time::Duration;

use roster::veo::{Credentials, SecretLog};
use roster::{Config, ErrorKind, Outcome};
use roster_sandbox::{TokenPolicy, VEO_CLIENT_ID, VEO_PASSWORD, VEO_USERNAME};

use super::*;
use crate::support::raw;

const FORM: &str = "application/x-www-form-urlencoded";

fn grant(username: &str, password: &str, client_id: &str, grant_type: &str) -> String {
    format!("Username={username}&Password={password}&Client_id={client_id}&Grant_type={grant_type}")
}

fn token_url(sandbox: &Sandbox) -> String {
    sandbox
        .sign_in(V)
        .and_then(|s| s.token_url().map(str::to_owned))
        .expect("VEO signs in")
}

#[tokio::test]
async fn the_password_grant_issues_a_bearer_token_the_api_accepts() {
    let sandbox = sandbox().await;
    let body = grant(VEO_USERNAME, VEO_PASSWORD, VEO_CLIENT_ID, "password");
    let (status, answer) = raw(
        &sandbox,
        V,
        reqwest::Method::POST,
        "/oauth2/token",
        None,
        Some(FORM),
        Some(&body),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["token_type"], "bearer");
    assert_eq!(answer["expires_in"], 1_209_599);
    let token = answer["access_token"].as_str().expect("a token").to_owned();
    assert_eq!(sandbox.issued_tokens(V), std::slice::from_ref(&token));
    let bearer = format!("Bearer {token}");
    let (status, me) = raw(
        &sandbox,
        V,
        reqwest::Method::GET,
        "/api/me",
        Some(&bearer),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["Email"], VEO_USERNAME);
    // The fixed token still works beside it; an unknown one does not.
    let fixed = format!("Bearer {}", sandbox.token(V));
    assert_eq!(
        raw(
            &sandbox,
            V,
            reqwest::Method::GET,
            "/api/me",
            Some(&fixed),
            None,
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        raw(
            &sandbox,
            V,
            reqwest::Method::GET,
            "/api/me",
            Some("Bearer sandbox-issued-9-nope"),
            None,
            None
        )
        .await
        .0,
        401
    );
    assert_eq!(sandbox.calls(V, "POST /oauth2/token"), 1);
}

#[tokio::test]
async fn refused_grants_are_oauth2_errors() {
    let sandbox = sandbox().await;
    for (body, content_type, error) in [
        (
            grant(VEO_USERNAME, "wrong", VEO_CLIENT_ID, "password"),
            FORM,
            "invalid_grant",
        ),
        (
            grant("someone@else", VEO_PASSWORD, VEO_CLIENT_ID, "password"),
            FORM,
            "invalid_grant",
        ),
        (
            grant(VEO_USERNAME, VEO_PASSWORD, "other-client", "password"),
            FORM,
            "invalid_client",
        ),
        (
            grant(
                VEO_USERNAME,
                VEO_PASSWORD,
                VEO_CLIENT_ID,
                "client_credentials",
            ),
            FORM,
            "unsupported_grant_type",
        ),
        (
            format!("Grant_type=password&Client_id={VEO_CLIENT_ID}"),
            FORM,
            "invalid_request",
        ),
        (
            r#"{"Username":"x"}"#.to_owned(),
            "application/json",
            "invalid_request",
        ),
    ] {
        let (status, answer) = raw(
            &sandbox,
            V,
            reqwest::Method::POST,
            "/oauth2/token",
            None,
            Some(content_type),
            Some(&body),
        )
        .await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some(error)),
            "{body}: {answer}"
        );
    }
    assert!(sandbox.issued_tokens(V).is_empty());
}

#[tokio::test]
async fn an_issued_token_expires_after_its_uses() {
    let sandbox = sandbox().await;
    sandbox.set_token_policy(TokenPolicy {
        lifetime: Duration::from_secs(600),
        uses: Some(2),
    });
    let body = grant(VEO_USERNAME, VEO_PASSWORD, VEO_CLIENT_ID, "password");
    let (_, answer) = raw(
        &sandbox,
        V,
        reqwest::Method::POST,
        "/oauth2/token",
        None,
        Some(FORM),
        Some(&body),
    )
    .await;
    assert_eq!(answer["expires_in"], 600);
    let bearer = format!(
        "Bearer {}",
        answer["access_token"].as_str().expect("a token")
    );
    let me = || {
        raw(
            &sandbox,
            V,
            reqwest::Method::GET,
            "/api/me",
            Some(&bearer),
            None,
            None,
        )
    };
    assert_eq!(me().await.0, 200);
    assert_eq!(me().await.0, 200);
    let (status, refusal) = me().await;
    assert_eq!(status, 401);
    assert_eq!(
        refusal["Message"],
        "Authorization has been denied for this request."
    );
}

#[tokio::test]
async fn a_client_signed_in_renews_its_token_when_the_fake_expires_it() {
    let sandbox = sandbox().await;
    sandbox.set_token_policy(TokenPolicy {
        lifetime: Duration::from_secs(600),
        uses: Some(2),
    });
    let log = SecretLog::new();
    let http = roster_runtime::http_client("sandbox-test").expect("a client");
    let source = roster::veo::sign_in(
        &token_url(&sandbox),
        Credentials::new(VEO_USERNAME, VEO_PASSWORD, VEO_CLIENT_ID),
        http.clone(),
        log.clone(),
    )
    .expect("valid");
    let client = Client::with_credential(
        &sandbox.base_url(V),
        roster::veo::Credential::SignIn(source),
        http,
    )
    .expect("valid");
    for _ in 0..5 {
        let me = client
            .get_me()
            .send()
            .await
            .expect("signed in, renewed when refused");
        assert_eq!(me.into_inner().email.as_deref(), Some(VEO_USERNAME));
    }
    // Five requests, two per token: three tokens, each 401 answered by one renewal and resend.
    assert_eq!(sandbox.calls(V, "POST /oauth2/token"), 3);
    assert_eq!(sandbox.calls(V, "GET /api/me"), 7);
    assert_eq!(log.len(), 3);
    assert_eq!(
        log.secrets()
            .iter()
            .map(|s| s.expose().to_owned())
            .collect::<Vec<_>>(),
        sandbox.issued_tokens(V)
    );
}

#[tokio::test]
async fn the_facade_provisions_with_a_sign_in_and_names_a_refused_one() {
    let sandbox = sandbox().await;
    sandbox.set_token_policy(TokenPolicy {
        lifetime: Duration::from_secs(600),
        uses: Some(3),
    });
    let config = Config::default()
        .with(
            V,
            Some(&sandbox.base_url(V)),
            sandbox.sign_in(V).expect("VEO signs in"),
        )
        .expect("valid");
    // One call at a time: which request meets an expired token is then certain.
    let provisioner = Provisioner::new(&config)
        .expect("clients")
        .with_concurrency(1);
    let members: Vec<Member> = (0..6)
        .map(|i| {
            Member::new(&format!("signin{i}@example.com"), "Sign", format!("In{i}")).expect("valid")
        })
        .collect();
    for report in provisioner.ensure_all(&members).await {
        assert!(
            matches!(report.vendors[0].1, Outcome::Created),
            "{report:?}"
        );
    }
    assert!(
        sandbox.calls(V, "POST /oauth2/token") >= 2,
        "{:?}",
        sandbox.all_calls(V)
    );
    assert_eq!(sandbox.user_count(V), 6);

    // A wrong password: every member fails with the sign-in's error, and the token server is
    // asked once (the failure concerns the whole vendor).
    let before = sandbox.calls(V, "POST /oauth2/token");
    let wrong = roster::SignIn::new(VEO_USERNAME, "not-the-Pa55word", VEO_CLIENT_ID)
        .with_token_url(token_url(&sandbox));
    let config = Config::default()
        .with(V, Some(&sandbox.base_url(V)), wrong)
        .expect("valid");
    let provisioner = Provisioner::new(&config).expect("clients");
    let reports = provisioner.ensure_all(&members).await;
    assert_eq!(sandbox.calls(V, "POST /oauth2/token"), before + 1);
    for report in &reports {
        let Outcome::Failed(error) = &report.vendors[0].1 else {
            panic!("failed: {report:?}");
        };
        assert_eq!(error.kind(), ErrorKind::SignIn);
        let text = error.to_string();
        assert!(
            text.contains(&format!(
                "sign-in failed at POST {}: HTTP 400",
                token_url(&sandbox)
            )),
            "{text}"
        );
        assert!(text.contains("invalid_grant"), "{text}");
        assert!(!text.contains("Pa55word"), "{text}");
    }
}

/// The conformance run signs in with the sandbox's credentials, written in its settings file:
/// they must stay the ones the fake accepts.
#[test]
fn the_conformance_settings_sign_in_as_the_sandbox_account() {
    let settings = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../.ci/schemathesis/veo.toml"
    ))
    .expect("the settings file");
    for (field, value) in [
        ("body.Username", VEO_USERNAME),
        ("body.Password", VEO_PASSWORD),
        ("body.Client_id", VEO_CLIENT_ID),
    ] {
        assert!(
            settings.contains(&format!("\"{field}\" = \"{value}\"")),
            "{field} is not {value:?} in .ci/schemathesis/veo.toml"
        );
    }
}
