//! VEO's token server, `POST /oauth2/token` (the spec's `request_token`): an OAuth2 password
//! grant as a form, answered as an OWIN authorization server answers it.
//!
//! The sandbox's account signs in with [`USERNAME`], [`PASSWORD`] and [`CLIENT_ID`]; the token
//! it gets is valid for the sandbox's [`TokenPolicy`](crate::TokenPolicy) (VEO's 14 days by
//! default, as short as a test wants). Form field names are matched without regard to case
//! (as OWIN reads a form). Refusals are OAuth2's (RFC 6749, section 5.2), all 400 with
//! `{"error", "error_description"}`: `unsupported_grant_type` (`Grant_type` missing or not
//! `password`), `invalid_client` (`Client_id` missing or unknown), `invalid_request` (no
//! `Username` or `Password`), `invalid_grant` (wrong username or password); a body that is
//! not a form is `invalid_request`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use roster::veo::types;

use crate::plumbing::json;
use crate::signin::Issuer;

/// The sandbox account's username.
pub const USERNAME: &str = "sandra.admin@sandbox.veo.example";
/// The sandbox account's password.
pub const PASSWORD: &str = "sandbox-veo-password";
/// The client id the sandbox knows.
pub const CLIENT_ID: &str = "sandbox-veo-client";

/// The token endpoint's path (the spec's).
pub(crate) const TOKEN_PATH: &str = "/oauth2/token";

fn refused(error: &str, description: &str) -> Response {
    json(
        StatusCode::BAD_REQUEST,
        &serde_json::json!({ "error": error, "error_description": description }),
    )
}

/// `POST /oauth2/token`.
pub(super) async fn request_token(
    State(issuer): State<Arc<Issuer>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return refused(
            "invalid_request",
            "The request must be application/x-www-form-urlencoded.",
        );
    }
    let field = |name: &str| {
        url::form_urlencoded::parse(&body)
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.into_owned())
    };
    if field("Grant_type").as_deref() != Some("password") {
        return refused(
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
        );
    }
    if field("Client_id").as_deref() != Some(CLIENT_ID) {
        return refused("invalid_client", "The client_id is not known.");
    }
    let (Some(username), Some(password)) = (field("Username"), field("Password")) else {
        return refused(
            "invalid_request",
            "The username and the password are required.",
        );
    };
    if !username.eq_ignore_ascii_case(USERNAME) || password != PASSWORD {
        return refused("invalid_grant", "The user name or password is incorrect.");
    }
    let (token, expires_in) = issuer.issue();
    json(
        StatusCode::OK,
        &types::TokenAnswer {
            access_token: Some(token.into()),
            token_type: Some("bearer".to_owned()),
            expires_in: Some(i64::try_from(expires_in).unwrap_or(i64::MAX)),
        },
    )
}
