//! Signing in to VEO with a username and password: the bearer token obtained through the
//! spec's `request_token` operation (VEO's OAuth2 password grant), kept and renewed by
//! `roster_runtime::TokenSource`.
//!
//! VEO's tokens expire after about 14 days. A client made by [`Client::with_password`] asks
//! VEO's token server for one before its first request, sends it as `Authorization: Bearer`,
//! signs in again shortly before it expires and once after a 401 (then sends the refused
//! request once more), with one sign-in in flight however many requests need it. The token
//! server is a host of its own ([`TOKEN_URL`], [`UAT_TOKEN_URL`]); progenitor ignores the
//! operation's `servers`, so the sign-in goes through a second generated [`Client`], one
//! without credentials, pointed at it.
//!
//! The password and every token are [`Secret`]s: no `Debug` output, error or message shows
//! them. A refused sign-in reads `sign-in failed at POST https://tokenapi.veo.co.uk/oauth2/token:
//! HTTP 400: {"error":"invalid_grant"}` — the endpoint, the status and VEO's words, with the
//! password taken out should VEO ever echo it.

use std::sync::Arc;
use std::time::Duration;

use roster_runtime::{
    ConfigError, Credential, IssuedToken, Secret, SecretLog, SignInError, TokenSource,
};

/// What VEO's password grant takes (username, password, client id): the runtime's
/// [`PasswordGrant`](roster_runtime::PasswordGrant), under the name this crate has always used.
pub use roster_runtime::PasswordGrant as Credentials;

use crate::{Client, ClientSignInExt, Error, types};

/// VEO's production token endpoint (the `request_token` operation's first server).
pub const TOKEN_URL: &str = "https://tokenapi.veo.co.uk/oauth2/token";

/// VEO's user-acceptance-testing token endpoint (for the UAT API, `https://apiuat.veo.co.uk`).
pub const UAT_TOKEN_URL: &str = "https://tokenapiuat.veo.co.uk/oauth2/token";

/// The token endpoint's path on its server, as the spec names it.
const TOKEN_PATH: &str = "/oauth2/token";

/// How much of a token server's error text a [`SignInError`] keeps.
const MAX_REASON_CHARS: usize = 300;

/// The token server's base URL for a token endpoint URL (`https://tokenapi.veo.co.uk` for
/// [`TOKEN_URL`]): checked like every base URL (https, or plain http on loopback; no
/// credentials, query or fragment), and ending in VEO's token path, `/oauth2/token`.
///
/// # Errors
/// [`ConfigError::InvalidBaseUrl`] or [`ConfigError::InsecureBaseUrl`].
pub fn token_server(token_url: &str) -> Result<String, ConfigError> {
    let url = roster_runtime::base_url(token_url)?;
    match url.strip_suffix(TOKEN_PATH) {
        Some(server) if !server.ends_with('/') && server.contains("://") => Ok(server.to_owned()),
        _ => Err(ConfigError::InvalidBaseUrl {
            url,
            reason: "a VEO token URL ends with /oauth2/token (https://tokenapi.veo.co.uk/oauth2/token)",
        }),
    }
}

/// A [`TokenSource`] that signs in to VEO at `token_url` with `credentials` through `http`,
/// recording every token it obtains in `log` (for a redactor; pass `SecretLog::new()` when
/// none needs them). Give it to [`Client::with_credential`] as
/// `roster_runtime::Credential::SignIn`; nothing is sent until the first request needs a token.
///
/// # Errors
/// [`ConfigError`] for a token URL [`token_server`] refuses, or an empty username, password or
/// client id.
pub fn sign_in(
    token_url: &str,
    credentials: Credentials,
    http: reqwest::Client,
    log: SecretLog,
) -> Result<TokenSource, ConfigError> {
    credentials.check()?;
    let server = token_server(token_url)?;
    let endpoint: Arc<str> = format!("POST {server}{TOKEN_PATH}").into();
    let client = Client::with_credential(&server, Credential::None, http)?;
    let credentials = Arc::new(credentials);
    Ok(TokenSource::new(endpoint.to_string(), log, move || {
        let (client, credentials, endpoint) =
            (client.clone(), credentials.clone(), endpoint.clone());
        async move { request_token(&client, &credentials, &endpoint).await }
    }))
}

impl Client {
    /// A client that signs in to VEO itself: `credentials` are exchanged at `token_url`
    /// ([`TOKEN_URL`], or [`UAT_TOKEN_URL`] with the UAT API) for a bearer token, which is
    /// kept, renewed shortly before it expires and once after a 401 (see the module docs).
    /// `base_url` is the API's, as for [`Client::new`]. Nothing is sent before the first
    /// request.
    ///
    /// # Errors
    /// As [`Client::new`] and [`sign_in`].
    pub fn with_password(
        base_url: &str,
        token_url: &str,
        credentials: Credentials,
    ) -> Result<Self, ConfigError> {
        let http = roster_runtime::http_client(concat!(
            env!("CARGO_PKG_NAME"),
            "/",
            env!("CARGO_PKG_VERSION")
        ))?;
        Self::with_password_and_http_client(base_url, token_url, credentials, http)
    }

    /// [`Client::with_password`] with an HTTP client of the caller's, used for the API and
    /// the token server alike.
    ///
    /// # Errors
    /// As [`Client::with_http_client`] and [`sign_in`].
    pub fn with_password_and_http_client(
        base_url: &str,
        token_url: &str,
        credentials: Credentials,
        http: reqwest::Client,
    ) -> Result<Self, ConfigError> {
        let source = sign_in(token_url, credentials, http.clone(), SecretLog::new())?;
        Self::with_credential(base_url, Credential::SignIn(source), http)
    }
}

/// One sign-in: the generated `request_token` call and its answer read.
async fn request_token(
    client: &Client,
    credentials: &Credentials,
    endpoint: &str,
) -> Result<IssuedToken, SignInError> {
    let grant = types::TokenRequest {
        username: credentials.username.clone(),
        password: credentials.password.clone(),
        grant_type: types::TokenRequestGrantType::Password,
        client_id: credentials.client_id.clone(),
    };
    match client.request_token().body(grant).send().await {
        Ok(answer) => {
            issued(answer.into_inner()).map_err(|reason| SignInError::new(endpoint, None, reason))
        }
        Err(error) => Err(failure(endpoint, error, &credentials.password)),
    }
}

/// The token of an answer, or why it cannot be used.
fn issued(answer: types::TokenAnswer) -> Result<IssuedToken, String> {
    let token = answer
        .access_token
        .filter(|t| !t.expose().trim().is_empty())
        .ok_or("the answer has no access_token")?;
    if let Some(kind) = answer.token_type.as_deref()
        && !kind.trim().eq_ignore_ascii_case("bearer")
    {
        return Err(format!(
            "the answer's token_type is {:?}, not bearer",
            cut(kind, 40)
        ));
    }
    let lifetime = answer
        .expires_in
        .and_then(|seconds| u64::try_from(seconds).ok())
        .filter(|seconds| *seconds > 0)
        .map(Duration::from_secs);
    Ok(IssuedToken { token, lifetime })
}

/// A failed `request_token` call as a [`SignInError`]: the status and VEO's words (without
/// `password`), or what went wrong on the way.
fn failure(endpoint: &str, error: Error<types::Error>, password: &Secret) -> SignInError {
    match error {
        Error::ErrorResponse(answer) => {
            let status = answer.status().as_u16();
            let text = match answer.into_inner().0 {
                serde_json::Value::Null => "(no body)".to_owned(),
                serde_json::Value::String(text) => text,
                json => json.to_string(),
            };
            SignInError::new(endpoint, Some(status), shown(&text, password))
        }
        Error::UnexpectedResponse(answer) => SignInError::new(
            endpoint,
            Some(answer.status().as_u16()),
            "an answer the spec does not document",
        ),
        Error::CommunicationError(e) | Error::ResponseBodyError(e) => {
            SignInError::new(endpoint, None, transport(e))
        }
        Error::InvalidResponsePayload(_, e) => SignInError::new(
            endpoint,
            None,
            // The values are not quoted: they could be the token.
            format!(
                "the answer is not a token answer (JSON error at line {}, column {})",
                e.line(),
                e.column()
            ),
        ),
        Error::InvalidUpgrade(e) => SignInError::new(endpoint, None, transport(e)),
        Error::InvalidRequest(message) | Error::Custom(message) => {
            SignInError::new(endpoint, None, shown(&message, password))
        }
    }
}

/// A transport error in words, without its URL, with its causes.
fn transport(e: reqwest::Error) -> String {
    use std::error::Error as _;
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Vendor text fit for an error: without the password, control characters escaped, cut short.
fn shown(text: &str, password: &Secret) -> String {
    let secret = password.expose();
    let text = if secret.is_empty() {
        text.to_owned()
    } else {
        text.replace(secret, "[redacted]")
    };
    let escaped: String = text
        .chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_unicode().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    cut(&escaped, MAX_REASON_CHARS)
}

fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(json: serde_json::Value) -> types::TokenAnswer {
        serde_json::from_value(json).expect("a token answer")
    }

    #[test]
    fn an_answer_gives_its_token_and_lifetime_or_says_what_is_missing() {
        let ok = issued(answer(serde_json::json!({
            "access_token": "tok-abc", "token_type": "bearer", "expires_in": 1209599
        })))
        .expect("usable");
        assert_eq!(ok.token.expose(), "tok-abc");
        assert_eq!(ok.lifetime, Some(Duration::from_secs(1_209_599)));
        // Tolerated: no type, no lifetime (kept until refused), a lifetime of 0 or below.
        for json in [
            serde_json::json!({"access_token": "t", "token_type": null, "expires_in": null}),
            serde_json::json!({"access_token": "t", "token_type": "Bearer", "expires_in": 0}),
            serde_json::json!({"access_token": "t", "expires_in": -5}),
        ] {
            assert_eq!(issued(answer(json)).expect("usable").lifetime, None);
        }
        for (json, why) in [
            (serde_json::json!({}), "the answer has no access_token"),
            (
                serde_json::json!({"access_token": "  "}),
                "the answer has no access_token",
            ),
            (
                serde_json::json!({"access_token": "tok-abc", "token_type": "mac"}),
                "the answer's token_type is \"mac\", not bearer",
            ),
        ] {
            assert_eq!(issued(answer(json)).expect_err(why), why);
        }
    }

    #[test]
    fn a_refusal_names_the_endpoint_and_status_and_never_the_password() {
        let password = Secret::from("hunter2-Pa55");
        let body = serde_json::json!({
            "error": "invalid_grant",
            "error_description": "hunter2-Pa55 is not the password\u{1b}[31m"
        });
        let error = failure(
            "POST https://tokenapi.veo.co.uk/oauth2/token",
            Error::ErrorResponse(progenitor_client::ResponseValue::new(
                types::Error(body),
                reqwest::StatusCode::BAD_REQUEST,
                reqwest::header::HeaderMap::new(),
            )),
            &password,
        );
        let text = format!("{error} {error:?}");
        assert!(
            error.to_string().starts_with(
                "sign-in failed at POST https://tokenapi.veo.co.uk/oauth2/token: HTTP 400: "
            ),
            "{text}"
        );
        assert!(text.contains("invalid_grant"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(error.is_refusal());
    }

    #[test]
    fn token_urls_must_be_safe_and_end_in_the_token_path() {
        assert_eq!(
            token_server(TOKEN_URL).expect("production"),
            "https://tokenapi.veo.co.uk"
        );
        assert_eq!(
            token_server(UAT_TOKEN_URL).expect("UAT"),
            "https://tokenapiuat.veo.co.uk"
        );
        assert_eq!(
            token_server("http://127.0.0.1:9000/oauth2/token/").expect("loopback"),
            "http://127.0.0.1:9000"
        );
        for bad in [
            "https://tokenapi.veo.co.uk",
            "https://tokenapi.veo.co.uk/token",
            "http://tokenapi.veo.co.uk/oauth2/token",
            "https://tokenapi.veo.co.uk/oauth2/token?password=x",
        ] {
            let error = token_server(bad).expect_err(bad);
            assert!(!error.to_string().contains("password=x"), "{error}");
        }
    }

    #[test]
    fn credentials_never_show_the_password_and_must_be_complete() {
        let credentials = Credentials::new("ada@example.com", "pw-SECRET", "client-1");
        let text = format!("{credentials:?}");
        assert!(
            text.contains("ada@example.com") && text.contains("client-1"),
            "{text}"
        );
        assert!(!text.contains("pw-SECRET"), "{text}");
        let http = roster_runtime::http_client("test").expect("client");
        for (credentials, why) in [
            (Credentials::new(" ", "pw", "c"), "the username is empty"),
            (Credentials::new("u", "", "c"), "the password is empty"),
            (Credentials::new("u", "pw", ""), "the client id is empty"),
        ] {
            let error =
                sign_in(TOKEN_URL, credentials, http.clone(), SecretLog::new()).expect_err(why);
            assert_eq!(
                error.to_string(),
                format!("invalid sign-in credentials: {why}")
            );
        }
    }

    /// The constants are the spec's own token servers (progenitor does not read `servers`).
    #[test]
    fn the_token_urls_are_the_specs_servers() {
        let urls: Vec<String> = crate::operations::REQUEST_TOKEN_SERVERS
            .iter()
            .map(|u| format!("{u}{TOKEN_PATH}"))
            .collect();
        assert_eq!(urls, [TOKEN_URL, UAT_TOKEN_URL]);
    }
}
