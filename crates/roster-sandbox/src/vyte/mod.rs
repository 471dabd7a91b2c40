//! The Vyte fake: the users of one organization (`/v2/users`, the single-user upsert
//! `PUT /v2/users`, the two batch calls, one user's read, update and unlink), its teams
//! (`/v2/teams`: list, create, read, update, delete, the public view, events and admin
//! preferences) and the key check (`/v2/auth/test`), behind Vyte's raw-key `Authorization`
//! header — except a team's public view, which Vyte serves without it.
//!
//! It answers in the documented shapes and refuses only what the spec says is wrong (a body
//! that is not the spec's JSON: wrong types, `null` where the spec has no `nullable`, a
//! missing body; values breaking the spec's patterns and formats). What it does where
//! Vyte's docs are silent (see `specs/vyte.yaml`):
//! - a create is the documented idempotent upsert: a body naming a known user by `id`, by
//!   `extid` (`user.account.organization.extid`) or by an email already linked updates that
//!   user (200, the same `_id`) instead of creating a second one; nothing in the body is
//!   required (a user created without an email lists `emails: []`);
//! - `PUT /v2/users` is the booking-page guide's single-user upsert, keyed on `extid`, then
//!   on `user.email`;
//! - ids are opaque strings: an id this organization never gave is 404, whatever its shape;
//! - an address or `extid` that belongs to another user is a 409 (Vyte names no status for
//!   it; any 4xx is within the spec's `4XX`);
//! - a batch is all or nothing: every item is checked, and one bad item (invalid email, unknown
//!   `id`, address taken by another user, …) answers the whole batch with that item's 4xx and
//!   changes nothing; a batch that succeeds answers `{}`, as Vyte's docs show;
//! - `GET /v2/users` answers every linked user in one bare array, in creation order (Vyte does
//!   not paginate); unlinking takes the user out of the organization, so it is no longer
//!   listed or readable;
//! - a team's `members` and `admins` are user ids of the organization: a write naming any
//!   other id is refused with a 404 ("no such user ... in your organization"); unlinking a
//!   user leaves the team lists as they are (Vyte says nothing about it), so a team may list
//!   an id that is no longer a user, and a write sending that id back is refused;
//! - a team's `extid` names one team: another team's is a 409; a booking goes to the team's
//!   members in turn, and a team without one answers 409;
//! - errors are `{"message", "error", "statusCode"}` (Vyte documents statuses, not bodies).

mod batch;
mod checks;
mod organization;
mod store;
mod team_events;
mod team_store;
mod teams;
mod users;
mod writes;

use axum::Router;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use roster::vyte::types;

use crate::plumbing::{Auth, Refusal, Shared, json};
use crate::server::App;
use store::Store;

/// The sandbox organization's id (a Mongo ObjectId, as Vyte's are) and name.
const ORG_ID: &str = "5f0c0ffee0000000000000a1";
const ORG_NAME: &str = "Sandbox Organization";
const APP_URL: &str = "https://sandbox.vyte.in";

/// The calendar kinds of a user's `calendars` flags, as bits of [`store::StoredUser::calendars`].
const CALENDARS: [types::CalendarSource; 5] = [
    types::CalendarSource::Google,
    types::CalendarSource::Office365,
    types::CalendarSource::Exchange,
    types::CalendarSource::Icloud,
    types::CalendarSource::Caldav,
];

/// The state every handler shares.
type S = axum::extract::State<std::sync::Arc<Shared<Store>>>;

/// Vyte's routes, behind its key check, at the root.
pub(crate) fn app(token: String) -> App {
    // Like an ObjectId: 4 bytes of seconds, then a counter.
    let shared = Shared::new(Store::new(format!(
        "{:08x}",
        Utc::now().timestamp().unsigned_abs() as u32
    )));
    let counted = shared.clone();
    let router = Router::new()
        .route("/v2/auth/test", get(organization::test_auth))
        .route(
            "/v2/users",
            get(users::list_users)
                .post(users::create_user)
                .put(users::upsert_user),
        )
        .route(
            "/v2/users/batch",
            // Only the spec's two methods: a GET or DELETE of `batch` is 405, not a user.
            post(batch::create_users_batch).put(batch::update_users_batch),
        )
        .route(
            "/v2/users/{user_id}",
            get(users::get_user)
                .put(users::update_user)
                .delete(users::unlink_user),
        )
        .route("/v2/teams", get(teams::list_teams).post(teams::create_team))
        .route(
            "/v2/teams/{team_id}",
            get(teams::get_team)
                .put(teams::update_team)
                .delete(teams::delete_team),
        )
        .route(
            "/v2/teams/{team_id}/events",
            get(team_events::list_team_events).post(team_events::create_team_event),
        )
        .route(
            "/v2/teams/{team_id}/admin-preferences",
            get(team_events::get_team_admin_preferences)
                .post(team_events::set_team_admin_preferences)
                .put(team_events::set_team_admin_preferences),
        );
    let router = Auth {
        token,
        check,
        refuse,
    }
    .guard(router)
    // Added after the guard: Vyte serves a team's public view without the API key.
    .route("/v2/teams/{team_id}/public", get(teams::get_public_team))
    .fallback(not_found)
    .method_not_allowed_fallback(method_not_allowed)
    .with_state(shared);
    App {
        router,
        base_path: "",
        state: counted.clone(),
        users: Box::new(move || counted.lock().users.len()),
        error,
        site: None,
        issuer: None,
    }
}

/// Vyte's scheme: the raw key as the whole `Authorization` header.
fn check(given: Option<&HeaderValue>, token: &str) -> Result<(), Refusal> {
    if given.is_some_and(|v| v.as_bytes() == token.as_bytes()) {
        Ok(())
    } else {
        Err("Unauthorized")
    }
}

fn refuse(refusal: Refusal) -> Response {
    error(StatusCode::UNAUTHORIZED, refusal)
}

/// Vyte's error body (undocumented by Vyte; the spec's any-JSON `Error`).
fn error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({
        "error": status.canonical_reason(),
        "message": message,
        "statusCode": status.as_u16(),
    });
    json(status, &body)
}

/// A request refused: the status and the message of Vyte's error body.
#[derive(Debug)]
struct Reject {
    status: StatusCode,
    message: String,
}

impl Reject {
    fn bad(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// 409: the address or extid belongs to another user.
    fn conflict(message: String) -> Self {
        Self {
            status: StatusCode::CONFLICT,
            message,
        }
    }

    fn not_found() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: "User not found".to_owned(),
        }
    }

    fn team_not_found() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: "Team not found".to_owned(),
        }
    }
}

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        error(self.status, &self.message)
    }
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not found")
}

/// A method the spec does not list on a path it does.
async fn method_not_allowed(method: axum::http::Method) -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("Method not allowed: {method}"),
    )
}
