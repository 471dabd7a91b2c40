//! The Vectera fake: Django REST Framework behaviour over `specs/vectera.yaml`.
//!
//! - `Authorization: Token <token>`, checked like DRF's `TokenAuthentication` (401 with
//!   `{"detail": ...}` and `WWW-Authenticate: Token`).
//! - Bodies validated like DRF serializers: 400 with one list of messages per field
//!   (`{"email": ["Enter a valid email address."]}`), `{"detail": "JSON parse error - ..."}`
//!   for malformed JSON, `non_field_errors` for a body that is not an object.
//! - Lists page like DRF's page-number pagination (`page`, 100 a page, `count` / `next` /
//!   `previous` / `results` with absolute links) and take `search`, `filter` and `orderBy`.
//!   Users are found by email through an index: `filter=email="..."` and a `search` term with
//!   an `@` (how the facade looks members up) cost a few tree look-ups, not a scan.
//! - The token's user (`me`, a team admin) and organization exist from the start; neither can
//!   be deleted (403), so the token keeps working.
//! - Login tokens work once within a minute at `GET /login/?token=...`, at the site's root as
//!   Vectera's (not part of the spec: it stands in for Vectera's login page), which redirects
//!   to a same-site `next`.
//! - Ids of users, meetings and permissions are UUID strings, as Vectera's guides show them.

mod fields;
mod filter;
mod login;
mod meetings;
mod options;
mod organizations;
mod pages;
mod permissions;
mod query;
mod request;
mod store;
mod users;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use serde::Serialize;
use serde_json::{Value, json};

use crate::plumbing::{Auth, Refusal, Shared, json_plain};
use crate::server::App;
use store::Store;

/// The path of Vectera's base URL: the fake's routes are nested under it, and its absolute
/// links and redirects name it.
const BASE_PATH: &str = "/api/v1";

/// Every route, as the spec writes it (for the trailing-slash redirect of unknown paths).
const ROUTES: [&str; 13] = [
    "/users/",
    "/users/{id}/",
    "/users/{id}/loginTokens/",
    "/organizations/",
    "/organizations/{id}/",
    "/organizations/{id}/members/",
    "/organizations/{id}/subscription/",
    "/meetings/",
    "/meetings/{id}/",
    "/meetings/{id}/reset/",
    "/meetings/{id}/permissions/",
    "/meetings/{id}/permissions/{permissionId}/",
    "/meetings/{id}/accessKeys/{permissionId}/",
];

/// The state the router holds.
type AppState = std::sync::Arc<Shared<Store>>;
/// The state every handler takes.
type S = State<AppState>;

/// The API (under `/api/v1`) and the site's login page (at the root).
pub(crate) fn app(token: String) -> App {
    let shared = Shared::new(Store::new());
    let api = Router::new()
        .route(
            "/users/",
            get(users::list_users)
                .post(users::create_user)
                .options(options::options(
                    "User List",
                    "GET, POST, HEAD, OPTIONS",
                    options::USER_FIELDS,
                )),
        )
        .route(
            "/users/{id}/",
            get(users::get_user)
                .patch(users::update_user)
                .delete(users::delete_user)
                .options(options::options(
                    "User Detail",
                    "GET, PATCH, DELETE, HEAD, OPTIONS",
                    &[],
                )),
        )
        .route(
            "/users/{id}/loginTokens/",
            post(login::create_login_token).options(options::options(
                "Login Token List",
                "POST, OPTIONS",
                &[],
            )),
        )
        .route(
            "/organizations/",
            post(organizations::create_organization).options(options::options(
                "Organization List",
                "POST, OPTIONS",
                options::ORGANIZATION_FIELDS,
            )),
        )
        .route(
            "/organizations/{id}/",
            get(organizations::get_organization)
                .patch(organizations::update_organization)
                .delete(organizations::delete_organization)
                .options(options::options(
                    "Organization Detail",
                    "GET, PATCH, DELETE, HEAD, OPTIONS",
                    &[],
                )),
        )
        .route(
            "/organizations/{id}/members/",
            get(users::list_members).options(options::options(
                "Member List",
                "GET, HEAD, OPTIONS",
                &[],
            )),
        )
        .route(
            "/organizations/{id}/subscription/",
            get(organizations::get_subscription)
                .patch(organizations::update_subscription)
                .options(options::options(
                    "Subscription",
                    "GET, PATCH, HEAD, OPTIONS",
                    &[],
                )),
        )
        .route(
            "/meetings/",
            get(meetings::list_meetings)
                .post(meetings::create_meeting)
                .options(options::options(
                    "Meeting List",
                    "GET, POST, HEAD, OPTIONS",
                    options::MEETING_FIELDS,
                )),
        )
        .route(
            "/meetings/{id}/",
            get(meetings::get_meeting)
                .patch(meetings::update_meeting)
                .delete(meetings::delete_meeting)
                .options(options::options(
                    "Meeting Detail",
                    "GET, PATCH, DELETE, HEAD, OPTIONS",
                    &[],
                )),
        )
        .route(
            "/meetings/{id}/reset/",
            MethodRouter::new()
                .patch(meetings::reset_meeting)
                .options(options::options("Meeting Reset", "PATCH, OPTIONS", &[])),
        )
        .route(
            "/meetings/{id}/permissions/",
            get(permissions::list_permissions)
                .post(permissions::create_permission)
                .options(options::options(
                    "Permission List",
                    "GET, POST, HEAD, OPTIONS",
                    options::PERMISSION_FIELDS,
                )),
        )
        .route(
            "/meetings/{id}/permissions/{permissionId}/",
            get(permissions::get_permission).options(options::options(
                "Permission Detail",
                "GET, HEAD, OPTIONS",
                &[],
            )),
        )
        .route(
            "/meetings/{id}/accessKeys/{permissionId}/",
            MethodRouter::new()
                .patch(permissions::update_permission)
                .delete(permissions::delete_permission)
                .options(options::options(
                    "Access Key Detail",
                    "PATCH, DELETE, OPTIONS",
                    &[],
                )),
        );
    let router = Auth {
        token,
        check,
        refuse,
    }
    .guard(api)
    .fallback(unknown_path)
    .layer(middleware::from_fn(drf_method_not_allowed))
    .with_state(shared.clone());
    // The login page stands for Vectera's site: the login token is its own credential.
    let site = Router::new()
        .route("/login/", get(login::login))
        .with_state(shared.clone());
    App {
        router,
        base_path: BASE_PATH,
        state: shared.clone(),
        users: Box::new(move || shared.lock().users.len()),
        error,
        site: Some(site),
        issuer: None,
    }
}

/// DRF's error body: `{"detail": message}`.
fn error(status: StatusCode, message: &str) -> Response {
    json_plain(status, &json!({ "detail": message }))
}

fn answer(status: StatusCode, body: impl Serialize) -> Response {
    json_plain(status, &body)
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not found.")
}

fn bad_request(body: Value) -> Response {
    answer(StatusCode::BAD_REQUEST, body)
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// DRF's `TokenAuthentication`: `Token <key>`, the keyword in any case; other schemes are
/// "not provided".
fn check(given: Option<&HeaderValue>, token: &str) -> Result<(), Refusal> {
    match given {
        None => Err("Authentication credentials were not provided."),
        Some(value) => {
            let parts: Vec<&[u8]> = value
                .as_bytes()
                .split(|b| b.is_ascii_whitespace())
                .filter(|p| !p.is_empty())
                .collect();
            match parts.as_slice() {
                [] => Err("Authentication credentials were not provided."),
                [keyword, ..] if !keyword.eq_ignore_ascii_case(b"token") => {
                    Err("Authentication credentials were not provided.")
                }
                [_] => Err("Invalid token header. No credentials provided."),
                [_, key] => match std::str::from_utf8(key) {
                    Err(_) => Err(
                        "Invalid token header. Token string should not contain invalid characters.",
                    ),
                    Ok(key) if constant_time_eq(key.as_bytes(), token.as_bytes()) => Ok(()),
                    Ok(_) => Err("Invalid token."),
                },
                _ => Err("Invalid token header. Token string should not contain spaces."),
            }
        }
    }
}

/// DRF's 401: the refusal as `detail`, with `WWW-Authenticate: Token`.
fn refuse(refusal: Refusal) -> Response {
    let mut response = error(StatusCode::UNAUTHORIZED, refusal);
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
    response
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// DRF's 405 body (`{"detail": "Method \"PUT\" not allowed."}`), keeping axum's `Allow`.
async fn drf_method_not_allowed(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let response = next.run(request).await;
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut response = error(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("Method \"{method}\" not allowed."),
    );
    if let Some(allow) = allow {
        response.headers_mut().insert(header::ALLOW, allow);
    }
    response
}

/// Django's `APPEND_SLASH` (a path that names a route once a `/` is added is redirected
/// there), else DRF's 404.
async fn unknown_path(uri: Uri) -> Response {
    let path = uri.path();
    if !path.ends_with('/') && known_route(&format!("{path}/")) {
        let mut location = format!("{BASE_PATH}{path}/");
        if let Some(q) = uri.query() {
            location.push('?');
            location.push_str(q);
        }
        if let Ok(location) = HeaderValue::from_str(&location) {
            return (
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, location)],
            )
                .into_response();
        }
    }
    not_found()
}

fn known_route(path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').collect();
    ROUTES.iter().any(|route| {
        let pattern: Vec<&str> = route.split('/').collect();
        pattern.len() == segments.len()
            && pattern
                .iter()
                .zip(&segments)
                .all(|(p, s)| p == s || (p.starts_with('{') && !s.is_empty()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_known_with_their_slash() {
        assert!(known_route("/users/"));
        assert!(known_route("/users/12/loginTokens/"));
        assert!(known_route("/meetings/5/accessKeys/7/"));
        assert!(!known_route("/users//"));
        assert!(!known_route("/nothing/"));
    }
}
