//! The VEO fake: one organisation (id 1, administered by the token's user) whose members are
//! invited (`/api/userinvites/multiple`), created without invitation, updated, deleted and
//! listed page by page, plus `/api/me` and `/api/regions`, behind `Authorization: Bearer` —
//! the fake's fixed token, or one its token server (`POST /oauth2/token`, see `signin`) issued
//! and that has not expired (an expired one is answered 401).
//!
//! It answers in the shapes VEO documents, and holds requests to what `specs/veo.yaml` says
//! and nothing stricter: no request field is required but an update's `Roles` (the only one
//! VEO calls required), a value of the wrong JSON type or an explicit `null` is refused (the
//! spec types each field and makes none nullable) — except `OrganisationId`, which VEO types
//! as string and sends as a number, so either is read.
//!
//! What it does where VEO's docs are silent:
//! - errors are ASP.NET Web API's `{"Message"}`, with `ModelState` (messages per field path,
//!   `model.Email`) for invalid bodies and query values; JSON property names are matched
//!   case-insensitively, as Json.NET binds them;
//! - the invite answer's lists are .NET lists: an empty one is sent as `null`; updates and
//!   deletes answer `200 OK` with no body; a create answers the new id as a bare JSON number;
//! - an organisation id other than 1 (or none) and a role id VEO reserves for its staff are
//!   answered 403, an unknown user id 404 (any text is a user id to the spec), an address
//!   another user has 409;
//! - an invited address new to VEO becomes a user of the organisation at once, listed with its
//!   email, its roles and `IsActive: true` but no names: the invitation carries none, the
//!   person gives them when accepting. Inviting an address already in the organisation puts
//!   it in `AlreadyInOrganisationList` and sets its admin right to the one asked for; an
//!   address VEO refuses (not an email) goes to `ErrorList`. The sandbox's VEO holds no users
//!   outside the organisation, so `ExistingUserAddedMembershipToOrganisation` stays empty;
//! - `list_users` orders by creation, oldest first (`orderByDirection=true` reads as newest
//!   first: VEO types it bool without saying which is which), pages with `pageNumber`
//!   (default 1; below 1 answers no items) and `pageSize` (default 10; below 1 answers no
//!   items), and matches `searchTerm`
//!   against first name, last name and email as a case-insensitive substring — except that a
//!   term holding `@` is taken as an address and matched whole (an index look-up, so a
//!   look-up by email never scans the organisation);
//! - the token's own user (`/api/me`) is not one of the organisation's listed users, so the
//!   fake's user count is what was provisioned.

mod account;
mod invites;
mod model;
pub(crate) mod signin;
mod store;
mod users;

use std::collections::HashMap;

use axum::Router;
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{delete, get, post, put};

use crate::plumbing::{Auth, Refusal, Shared, json};
use crate::server::App;
use crate::signin::{Acceptance, Issuer, accept_issued};
use store::Store;

/// The organisation the token's user administers.
const ORG_ID: i64 = 1;
const ORG_NAME: &str = "Sandbox Academy";
/// The first id given to a user.
const FIRST_USER_ID: i64 = 50001;
/// Role ids: every user, organisation admin, site admin.
const ROLE_USER: i32 = 4;
const ROLE_ORG_ADMIN: i32 = 2;
const ROLE_SITE_ADMIN: i32 = 8;
/// `pageSize` when none is given.
const DEFAULT_PAGE_SIZE: i32 = 10;
/// `pageSize` when none is given.
/// Body property names as VEO spells them; a body's keys are matched to these ignoring case.
const PROPERTIES: [&str; 13] = [
    "OrganisationId",
    "Users",
    "Email",
    "IsOrgAdmin",
    "Communities",
    "FirstName",
    "LastName",
    "Password",
    "AcceptsPrivacyPolicy",
    "AcceptsTermsAndConditions",
    "IsActive",
    "Roles",
    "RegionId",
];

/// The state every handler shares.
type S = axum::extract::State<std::sync::Arc<Shared<Store>>>;

/// VEO's routes, behind its bearer check, at the root.
pub(crate) fn app(token: String) -> App {
    let shared = Shared::new(Store {
        next_id: FIRST_USER_ID,
        ..Store::default()
    });
    let counted = shared.clone();
    let router = Router::new()
        .route("/api/userinvites/multiple", post(invites::invite_users))
        .route("/api/users/create", post(users::create_user))
        .route("/api/v2/users/{userId}", put(users::update_user))
        .route("/api/user", delete(users::delete_user))
        .route("/api/users/get-all", get(users::list_users))
        .route("/api/me", get(account::get_me))
        .route("/api/regions", get(account::list_regions));
    let issuer = Issuer::new();
    let acceptance = Acceptance {
        issuer: issuer.clone(),
        token: token.clone(),
        refuse: || refuse("Authorization has been denied for this request."),
    };
    // The token server takes no bearer token: it is merged after the API's guard.
    let token_server = Router::new()
        .route(signin::TOKEN_PATH, post(signin::request_token))
        .with_state(issuer.clone());
    let router = Auth {
        token,
        check,
        refuse,
    }
    .guard(router)
    // Added after the guard, so it runs first: an issued token stands for the account.
    .route_layer(axum::middleware::from_fn_with_state(
        acceptance,
        accept_issued,
    ))
    .fallback(not_found)
    .method_not_allowed_fallback(method_not_allowed)
    .with_state(shared)
    .merge(token_server);
    App {
        router,
        base_path: "",
        state: counted.clone(),
        users: Box::new(move || counted.lock().users.len()),
        error,
        site: None,
        issuer: Some(issuer),
    }
}

/// VEO's scheme: `Bearer <token>`, the scheme in any case.
fn check(given: Option<&HeaderValue>, token: &str) -> Result<(), Refusal> {
    let authorized = given
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .is_some_and(|(scheme, given)| {
            scheme.eq_ignore_ascii_case("bearer") && given.trim() == token
        });
    if authorized {
        Ok(())
    } else {
        Err("Authorization has been denied for this request.")
    }
}

fn refuse(refusal: Refusal) -> Response {
    error(StatusCode::UNAUTHORIZED, refusal)
}

/// VEO's (ASP.NET Web API's) error body: `{"Message": …}`.
fn error(status: StatusCode, message: &str) -> Response {
    json(status, &serde_json::json!({ "Message": message }))
}

/// A 400 with `ModelState`: messages per invalid field.
fn invalid(model_state: HashMap<String, Vec<String>>) -> Response {
    json(
        StatusCode::BAD_REQUEST,
        &serde_json::json!({ "Message": "The request is invalid.", "ModelState": model_state }),
    )
}

/// A refused request's answer, boxed (a `Response` is large to carry in a `Result`).
type Refused = Box<Response>;

fn refused(status: StatusCode, message: &str) -> Refused {
    Box::new(error(status, message))
}

fn refused_field(key: impl Into<String>, message: impl Into<String>) -> Refused {
    Box::new(invalid_field(key, message))
}

/// A 400 naming one invalid field.
fn invalid_field(key: impl Into<String>, message: impl Into<String>) -> Response {
    invalid(HashMap::from([(key.into(), vec![message.into()])]))
}

fn forbidden_organisation(id: &str) -> Response {
    error(
        StatusCode::FORBIDDEN,
        &format!("You are not an administrator of organisation '{id}'."),
    )
}

async fn not_found(uri: Uri) -> Response {
    error(
        StatusCode::NOT_FOUND,
        &format!("No HTTP resource was found that matches the request URI '{uri}'."),
    )
}

async fn method_not_allowed(method: Method) -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("The requested resource does not support http method '{method}'."),
    )
}
