//! Login links: `POST /users/{id}/loginTokens/`, and the site's `/login/` page that takes
//! them once within a minute.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use roster::Secret;
use roster::vectera::types;
use serde_json::json;

use super::pages::origin;
use super::request::{Params, random_key};
use super::{S, answer, error, not_found, query};

/// A one-time login link at the site's root, as Vectera's
/// (`https://www.vectera.com/login/?token=...`): `http://<host>/login/?token=<32 characters>`.
pub(super) async fn create_login_token(
    State(shared): S,
    params: Params,
    headers: HeaderMap,
) -> Response {
    let mut store = shared.lock();
    let Some(id) = params.user(&store) else {
        return not_found();
    };
    let token = random_key(32);
    store.add_login_token(id, &token);
    let url = format!("{}/login/?token={token}", origin(&headers));
    answer(
        StatusCode::CREATED,
        types::LoginToken {
            url: Some(Secret::new(url)),
            token: Some(Secret::new(token)),
        },
    )
}

/// Vectera's login page, as far as a login link goes: the token works once within a minute;
/// the answer redirects to `next` when it is a same-site path (else to `/`).
pub(super) async fn login(State(shared): S, RawQuery(raw): RawQuery) -> Response {
    let pairs = query::decode_query(raw.as_deref().unwrap_or_default());
    let value = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut store = shared.lock();
    let Some(id) = value("token").and_then(|t| store.use_login_token(t)) else {
        return error(
            StatusCode::BAD_REQUEST,
            "This login link is invalid, was already used or has expired.",
        );
    };
    let next = value("next")
        .filter(|n| roster::vectera::check_next(n).is_ok())
        .unwrap_or("/");
    let Ok(location) = HeaderValue::from_str(next) else {
        return error(StatusCode::BAD_REQUEST, "Invalid next page.");
    };
    let mut response = answer(
        StatusCode::FOUND,
        json!({ "detail": "Logged in.", "id": store.public_id(id), "next": next }),
    );
    response.headers_mut().insert(header::LOCATION, location);
    response
}
