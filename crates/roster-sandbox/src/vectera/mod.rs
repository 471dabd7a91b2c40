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
mod query;
mod store;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, RawQuery, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use roster::Secret;
use roster::vectera::types;
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::App;
use fields::{Fields, type_name};
use query::{ListQuery, Page, QueryError};
use store::{
    Access, Meeting, MeetingRow, Permission, PermissionRow, PublicAccess, Store, User, UserRow,
};

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

struct Shared {
    token: String,
    store: Mutex<Store>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

type S = State<Arc<Shared>>;

/// The API (under `/api/v1`) and the site's login page (at the root).
pub(crate) fn app_and_site(token: String) -> (App, Router) {
    let shared = Arc::new(Shared {
        token,
        store: Mutex::new(Store::new()),
    });
    let api = Router::new()
        .route(
            "/users/",
            get(list_users).post(create_user).options(options(
                "User List",
                "GET, POST, HEAD, OPTIONS",
                USER_FIELDS,
            )),
        )
        .route(
            "/users/{id}/",
            get(get_user)
                .patch(update_user)
                .delete(delete_user)
                .options(options(
                    "User Detail",
                    "GET, PATCH, DELETE, HEAD, OPTIONS",
                    &[],
                )),
        )
        .route(
            "/users/{id}/loginTokens/",
            post(create_login_token).options(options("Login Token List", "POST, OPTIONS", &[])),
        )
        .route(
            "/organizations/",
            post(create_organization).options(options(
                "Organization List",
                "POST, OPTIONS",
                ORGANIZATION_FIELDS,
            )),
        )
        .route(
            "/organizations/{id}/",
            get(get_organization)
                .patch(update_organization)
                .delete(delete_organization)
                .options(options(
                    "Organization Detail",
                    "GET, PATCH, DELETE, HEAD, OPTIONS",
                    &[],
                )),
        )
        .route(
            "/organizations/{id}/members/",
            get(list_members).options(options("Member List", "GET, HEAD, OPTIONS", &[])),
        )
        .route(
            "/organizations/{id}/subscription/",
            get(get_subscription)
                .patch(update_subscription)
                .options(options("Subscription", "GET, PATCH, HEAD, OPTIONS", &[])),
        )
        .route(
            "/meetings/",
            get(list_meetings).post(create_meeting).options(options(
                "Meeting List",
                "GET, POST, HEAD, OPTIONS",
                MEETING_FIELDS,
            )),
        )
        .route(
            "/meetings/{id}/",
            get(get_meeting)
                .patch(update_meeting)
                .delete(delete_meeting)
                .options(options(
                    "Meeting Detail",
                    "GET, PATCH, DELETE, HEAD, OPTIONS",
                    &[],
                )),
        )
        .route(
            "/meetings/{id}/reset/",
            MethodRouter::new().patch(reset_meeting).options(options(
                "Meeting Reset",
                "PATCH, OPTIONS",
                &[],
            )),
        )
        .route(
            "/meetings/{id}/permissions/",
            get(list_permissions)
                .post(create_permission)
                .options(options(
                    "Permission List",
                    "GET, POST, HEAD, OPTIONS",
                    PERMISSION_FIELDS,
                )),
        )
        .route(
            "/meetings/{id}/permissions/{permissionId}/",
            get(get_permission).options(options("Permission Detail", "GET, HEAD, OPTIONS", &[])),
        )
        .route(
            "/meetings/{id}/accessKeys/{permissionId}/",
            MethodRouter::new()
                .patch(update_permission)
                .delete(delete_permission)
                .options(options("Access Key Detail", "PATCH, DELETE, OPTIONS", &[])),
        )
        .route_layer(middleware::from_fn_with_state(shared.clone(), authenticate));
    let router = api
        .fallback(unknown_path)
        .layer(middleware::from_fn(drf_method_not_allowed))
        .with_state(shared.clone());
    // The login page stands for Vectera's site: the login token is its own credential.
    let site = Router::new()
        .route("/login/", get(login))
        .with_state(shared.clone());
    let app = App {
        router,
        base_path: BASE_PATH,
        users: Box::new(move || shared.lock().users.len()),
        error,
    };
    (app, site)
}

/// DRF's error body: `{"detail": message}`.
fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "detail": message }))).into_response()
}

fn answer(status: StatusCode, body: impl Serialize) -> Response {
    (status, axum::Json(body)).into_response()
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

// ------------------------------------------------------------------ plumbing

/// DRF's `TokenAuthentication`: `Token <key>`, the keyword in any case; other schemes are
/// "not provided".
async fn authenticate(State(shared): S, request: Request, next: Next) -> Response {
    let verdict = match request.headers().get(header::AUTHORIZATION) {
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
                    Ok(key) if constant_time_eq(key.as_bytes(), shared.token.as_bytes()) => Ok(()),
                    Ok(_) => Err("Invalid token."),
                },
                _ => Err("Invalid token header. Token string should not contain spaces."),
            }
        }
    };
    match verdict {
        Ok(()) => next.run(request).await,
        Err(message) => {
            let mut response = error(StatusCode::UNAUTHORIZED, message);
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
            response
        }
    }
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

/// DRF's `OPTIONS` answer (`SimpleMetadata`): the view's name, what it renders and parses,
/// and the fields a `POST` accepts.
type FieldInfo = (&'static str, &'static str, bool);

const USER_FIELDS: &[FieldInfo] = &[
    ("firstName", "string", true),
    ("lastName", "string", false),
    ("email", "string", true),
    ("organizationId", "field", true),
    ("password", "string", false),
    ("isManaged", "boolean", false),
];
const ORGANIZATION_FIELDS: &[FieldInfo] = &[("name", "string", true)];
const MEETING_FIELDS: &[FieldInfo] = &[
    ("key", "string", false),
    ("publicAccessLevel", "choice", false),
    ("forwardUrl", "string", false),
    ("ownerId", "field", false),
];
const PERMISSION_FIELDS: &[FieldInfo] = &[("accessLevel", "choice", true)];

fn options(
    name: &'static str,
    allow: &'static str,
    post_fields: &'static [FieldInfo],
) -> MethodRouter<Arc<Shared>> {
    axum::routing::any(move || async move {
        let mut body = json!({
            "name": name,
            "description": "",
            "renders": ["application/json"],
            "parses": ["application/json"],
        });
        if !post_fields.is_empty() {
            let fields: Map<String, Value> = post_fields
                .iter()
                .map(|(field, kind, required)| {
                    (
                        (*field).to_owned(),
                        json!({ "type": kind, "required": required, "read_only": false }),
                    )
                })
                .collect();
            body["actions"] = json!({ "POST": fields });
        }
        let mut response = answer(StatusCode::OK, body);
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(allow));
        response
    })
}

/// Path parameters; one that is not even text is a 404, like a URL Django cannot resolve.
struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The row a public id names (`{id}` of a meeting, `{permissionId}`): a UUID string.
    fn row(&self, name: &str, store: &Store) -> Option<i64> {
        store.row_of(self.get(name))
    }

    /// A hyphenated UUID (Django's `<uuid:...>`).
    fn uuid(&self, name: &str) -> Option<Uuid> {
        let text = self.get(name);
        if text.len() != 36 {
            return None;
        }
        Uuid::try_parse(text).ok()
    }

    /// A user id or `me`.
    fn user(&self, store: &Store) -> Option<i64> {
        match self.get("id") {
            "me" => Some(store.me),
            _ => self.row("id", store),
        }
        .filter(|id| store.users.contains_key(id))
    }
}

impl<St: Send + Sync> FromRequestParts<St> for Params {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Response> {
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| not_found())?;
        Ok(Params(
            raw.iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        ))
    }
}

/// A JSON object body, or DRF's 400: malformed JSON, a body that is not an object, a media
/// type other than JSON (DRF answers 415; any 4XX is what the spec declares). An empty body
/// is refused too: every operation that takes a body declares it required.
struct Body(Map<String, Value>);

impl<St: Send + Sync> FromRequest<St> for Body {
    type Rejection = Response;

    async fn from_request(request: Request, state: &St) -> Result<Self, Response> {
        let media_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|e| error(StatusCode::BAD_REQUEST, &e.body_text()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "A request body is required.",
            ));
        }
        if let Some(media_type) = &media_type {
            let essence = media_type
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            if essence != "application/json" {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    &format!("Unsupported media type \"{media_type}\" in request."),
                ));
            }
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Body(map)),
            Ok(other) => Err(bad_request(json!({
                "non_field_errors": [format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    type_name(&other)
                )]
            }))),
            Err(e) => Err(error(
                StatusCode::BAD_REQUEST,
                &format!("JSON parse error - {e}"),
            )),
        }
    }
}

/// `http://<Host>` (DRF's `build_absolute_uri`), `http://localhost` for a missing or odd Host.
fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// `len` random lower-case letters and digits.
fn random_key(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in Uuid::new_v4().into_bytes() {
            if out.len() < len {
                out.push(ALPHABET[usize::from(b) % ALPHABET.len()] as char);
            }
        }
    }
    out
}

/// DRF's page envelope (`next` and `previous` always present, null when there is none).
#[derive(Serialize)]
struct Envelope<T> {
    count: usize,
    next: Option<String>,
    previous: Option<String>,
    results: Vec<T>,
}

fn envelope<R, T>(
    page: Page<R>,
    query: &ListQuery,
    headers: &HeaderMap,
    uri: &Uri,
    item: impl Fn(&R) -> T,
) -> Envelope<T> {
    let origin = origin(headers);
    let path = format!("{BASE_PATH}{}", uri.path());
    let next = page
        .has_next()
        .then(|| query.link(&origin, &path, Some(page.number + 1)));
    let previous = (page.number > 1).then(|| {
        let number = page.number - 1;
        query.link(&origin, &path, (number > 1).then_some(number))
    });
    Envelope {
        count: page.count,
        next,
        previous,
        results: page.results.iter().map(item).collect(),
    }
}

/// A refused list query: `{"filter": [...]}` (400), or DRF's `Invalid page.` (404).
fn query_error(error_: QueryError) -> Response {
    match error_ {
        QueryError::Filter(message) => bad_request(json!({ "filter": [message] })),
        QueryError::PerPage(message) => bad_request(json!({ "perPage": [message] })),
        QueryError::InvalidPage => error(StatusCode::NOT_FOUND, "Invalid page."),
    }
}

// ------------------------------------------------------------------ users

fn user_body(store: &Store, id: i64, user: &User) -> types::User {
    types::User {
        id: Some(store.public_id(id)),
        first_name: Some(user.first_name.to_string()),
        last_name: Some(user.last_name.to_string()),
        email: Some(user.email.to_string()),
        organization_id: user.organization.map(|o| o.to_string()),
        is_managed: Some(user.managed),
        extra: Map::new(),
    }
}

async fn list_users(
    State(shared): S,
    headers: HeaderMap,
    uri: Uri,
    RawQuery(raw): RawQuery,
) -> Response {
    list_of_users(&shared, &headers, &uri, raw.as_deref(), None)
}

async fn list_members(
    State(shared): S,
    params: Params,
    headers: HeaderMap,
    uri: Uri,
    RawQuery(raw): RawQuery,
) -> Response {
    match params.uuid("id") {
        Some(org) => list_of_users(&shared, &headers, &uri, raw.as_deref(), Some(org)),
        None => not_found(),
    }
}

/// Users (of one organization, for its members list), narrowed through the email index when
/// the query allows.
fn list_of_users(
    shared: &Shared,
    headers: &HeaderMap,
    uri: &Uri,
    raw: Option<&str>,
    organization: Option<Uuid>,
) -> Response {
    let store = shared.lock();
    let members = match organization {
        Some(id) => match store.organizations.get(&id) {
            Some(org) => Some(&org.members),
            None => return not_found(),
        },
        None => None,
    };
    let query = match ListQuery::parse::<UserRow<'_>>(raw) {
        Ok(query) => query,
        Err(e) => return query_error(e),
    };
    let narrowed: Option<Vec<i64>> =
        if let Some(email) = query.filter.as_ref().and_then(|f| f.required_eq("email")) {
            Some(store.emails.get(email).into_iter().collect())
        } else if let Some(term) = query.email_term() {
            let mut ids = store.emails.containing(term);
            ids.extend(store.at_in_name.iter().copied());
            ids.sort_unstable();
            ids.dedup();
            Some(ids)
        } else {
            None
        };
    let in_scope = |user: &User| organization.is_none() || user.organization == organization;
    let row = |id: &i64| {
        store
            .users
            .get(id)
            .filter(|u| in_scope(u))
            .map(|u| UserRow::new(&store, *id, u))
    };
    let page = match (narrowed, members) {
        (Some(ids), _) => query.run(ids.iter().filter_map(row), None),
        (None, Some(members)) => query.run(members.iter().filter_map(row), Some(members.len())),
        (None, None) => query.run(
            store
                .users
                .iter()
                .map(|(id, u)| UserRow::new(&store, *id, u)),
            Some(store.users.len()),
        ),
    };
    match page {
        Ok(page) => answer(
            StatusCode::OK,
            envelope(page, &query, headers, uri, |r| {
                user_body(&store, r.id, r.user)
            }),
        ),
        Err(e) => query_error(e),
    }
}

async fn create_user(State(shared): S, Body(body): Body) -> Response {
    let mut store = shared.lock();
    let mut f = Fields::new(&body);
    let first_name = f.string("firstName", true);
    let last_name = f.string("lastName", false);
    let email = f.email("email", true);
    let organization = f.string("organizationId", true);
    let _password = f.string("password", false);
    let managed = f.boolean("isManaged");
    let organization = organization.and_then(|text| match Uuid::try_parse(&text) {
        Err(_) => {
            f.errors.add("organizationId", "Must be a valid UUID.");
            None
        }
        Ok(id) if store.organizations.contains_key(&id) => Some(id),
        Ok(_) => {
            f.errors.add(
                "organizationId",
                format!("Invalid pk \"{text}\" - object does not exist."),
            );
            None
        }
    });
    if let Some(email) = &email
        && store.emails.get(email).is_some()
    {
        f.errors
            .add("email", "user with this email already exists.");
    }
    let (Some(first_name), Some(email), Some(organization), true) =
        (first_name, email, organization, f.errors.is_empty())
    else {
        return bad_request(f.errors.into_json());
    };
    let user = User {
        first_name: first_name.into(),
        last_name: last_name.unwrap_or_default().into(),
        email: email.into(),
        organization: Some(organization),
        managed: managed.unwrap_or(false),
    };
    let id = store.add_user(user);
    answer(
        StatusCode::CREATED,
        user_body(&store, id, &store.users[&id]),
    )
}

async fn get_user(State(shared): S, params: Params) -> Response {
    let store = shared.lock();
    match params.user(&store) {
        Some(id) => answer(StatusCode::OK, user_body(&store, id, &store.users[&id])),
        None => not_found(),
    }
}

async fn update_user(State(shared): S, params: Params, Body(body): Body) -> Response {
    let mut store = shared.lock();
    let Some(id) = params.user(&store) else {
        return not_found();
    };
    let mut f = Fields::new(&body);
    let first_name = f.string("firstName", false);
    let last_name = f.string("lastName", false);
    let email = f.email("email", false);
    let organization_text = f.string("organizationId", false);
    let _password = f.string("password", false);
    let managed = f.boolean("isManaged");
    // Moving a member to another organization (Vectera's reference: "Use the Update a user
    // endpoint for that").
    let organization = organization_text.and_then(|text| match Uuid::try_parse(&text) {
        Ok(id) if store.organizations.contains_key(&id) => Some(id),
        _ => {
            f.errors.add(
                "organizationId",
                format!("Invalid pk \"{text}\" - object does not exist."),
            );
            None
        }
    });
    if let Some(email) = &email
        && store.emails.get(email).is_some_and(|other| other != id)
    {
        f.errors
            .add("email", "user with this email already exists.");
    }
    if !f.errors.is_empty() {
        return bad_request(f.errors.into_json());
    }
    let mut user = store.users[&id].clone();
    if let Some(first_name) = first_name {
        user.first_name = first_name.into();
    }
    if let Some(last_name) = last_name {
        user.last_name = last_name.into();
    }
    if let Some(email) = email {
        user.email = email.into();
    }
    if let Some(managed) = managed {
        user.managed = managed;
    }
    if let Some(organization) = organization {
        user.organization = Some(organization);
    }
    store.replace_user(id, user);
    answer(StatusCode::OK, user_body(&store, id, &store.users[&id]))
}

async fn delete_user(State(shared): S, params: Params) -> Response {
    let mut store = shared.lock();
    match params.user(&store) {
        Some(id) if id == store.me => error(
            StatusCode::FORBIDDEN,
            "You cannot delete the account of the token's own user.",
        ),
        Some(id) => {
            store.remove_user(id);
            no_content()
        }
        None => not_found(),
    }
}

/// A one-time login link at the site's root, as Vectera's
/// (`https://www.vectera.com/login/?token=...`): `http://<host>/login/?token=<32 characters>`.
async fn create_login_token(State(shared): S, params: Params, headers: HeaderMap) -> Response {
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
async fn login(State(shared): S, RawQuery(raw): RawQuery) -> Response {
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

// ------------------------------------------------------------------ organizations

fn organization_body(id: Uuid, name: &str) -> types::Organization {
    types::Organization {
        id: Some(id.to_string()),
        name: Some(name.to_owned()),
        extra: Map::new(),
    }
}

async fn create_organization(State(shared): S, Body(body): Body) -> Response {
    // Vectera documents no field of this body: the name is optional (a default is given).
    let mut f = Fields::new(&body);
    let name = f.string("name", false);
    if !f.errors.is_empty() {
        return bad_request(f.errors.into_json());
    }
    let name = name.unwrap_or_else(|| "New Team".to_owned());
    let id = Uuid::new_v4();
    let body = organization_body(id, &name);
    shared.lock().organizations.insert(
        id,
        store::Organization {
            name,
            members: Default::default(),
            plan: "trial".to_owned(),
            seats: 1,
        },
    );
    answer(StatusCode::CREATED, body)
}

async fn get_organization(State(shared): S, params: Params) -> Response {
    let store = shared.lock();
    match params
        .uuid("id")
        .and_then(|id| Some((id, store.organizations.get(&id)?)))
    {
        Some((id, org)) => answer(StatusCode::OK, organization_body(id, &org.name)),
        None => not_found(),
    }
}

async fn update_organization(State(shared): S, params: Params, Body(body): Body) -> Response {
    let mut store = shared.lock();
    let Some((id, org)) = params
        .uuid("id")
        .and_then(|id| Some((id, store.organizations.get_mut(&id)?)))
    else {
        return not_found();
    };
    let mut f = Fields::new(&body);
    let name = f.string("name", false);
    if !f.errors.is_empty() {
        return bad_request(f.errors.into_json());
    }
    if let Some(name) = name {
        org.name = name;
    }
    answer(StatusCode::OK, organization_body(id, &org.name))
}

async fn delete_organization(State(shared): S, params: Params) -> Response {
    let mut store = shared.lock();
    match params.uuid("id") {
        Some(id) if id == store.my_organization => error(
            StatusCode::FORBIDDEN,
            "You cannot delete the organization of the token's own user.",
        ),
        Some(id) if store.remove_organization(id) => no_content(),
        _ => not_found(),
    }
}

fn subscription_body(org: &store::Organization) -> types::Subscription {
    types::Subscription {
        plan: Some(org.plan.clone()),
        seats: Some(org.seats),
        extra: Map::new(),
    }
}

async fn get_subscription(State(shared): S, params: Params) -> Response {
    let store = shared.lock();
    match params
        .uuid("id")
        .and_then(|id| store.organizations.get(&id))
    {
        Some(org) => answer(StatusCode::OK, subscription_body(org)),
        None => not_found(),
    }
}

/// Changes `plan` and `seats` (`null` leaves one as it is: the spec lets the body carry the
/// GET's nullable fields back); other fields are read-only and ignored, as DRF ignores them.
async fn update_subscription(State(shared): S, params: Params, Body(body): Body) -> Response {
    let mut store = shared.lock();
    let Some(org) = params
        .uuid("id")
        .and_then(|id| store.organizations.get_mut(&id))
    else {
        return not_found();
    };
    let mut f = Fields::new(&body);
    let plan = f.nullable_string("plan");
    let seats = f.nullable_integer("seats");
    if !f.errors.is_empty() {
        return bad_request(f.errors.into_json());
    }
    if let Some(plan) = plan {
        org.plan = plan;
    }
    if let Some(seats) = seats {
        org.seats = seats;
    }
    answer(StatusCode::OK, subscription_body(org))
}

// ------------------------------------------------------------------ meetings

fn meeting_body(store: &Store, origin: &str, id: i64, meeting: &Meeting) -> types::Meeting {
    let owner = meeting.owner.filter(|o| store.users.contains_key(o));
    let team = owner
        .and_then(|o| store.users.get(&o)?.organization)
        .or(Some(store.my_organization))
        .and_then(|o| store.organizations.get(&o))
        .map_or_else(
            || "team".to_owned(),
            |org| org.name.trim().to_lowercase().replace(' ', "-"),
        );
    let url = format!(
        "{origin}{}",
        query::encode_path(&format!("/room/{team}/{}/", meeting.key))
    );
    types::Meeting {
        id: Some(store.public_id(id)),
        key: Some(meeting.key.clone()),
        url: Some(url),
        owner_id: owner.map(|o| store.public_id(o)),
        date_created: Some(date_time(meeting.created)),
        locked: Some(meeting.public == PublicAccess::ShouldKnock),
        trashed: Some(false),
        public_access_level: Some(meeting.public.as_str().to_owned()),
        forward_url: Some(meeting.forward_url.clone()),
        name: None,
        last_opened: meeting.last_opened.map(date_time),
        extra: Map::new(),
    }
}

/// DRF's date-time: ISO 8601 with microseconds and `Z`.
fn date_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// A meeting key from the body: any text Vectera's documents allow ("the meeting room name
/// and the associated link"), unique (ignoring case); the room's link escapes it.
fn meeting_key(f: &mut Fields<'_>, store: &Store, this: Option<i64>) -> Option<String> {
    let key = f.string("key", false)?;
    if store
        .meeting_keys
        .get(&key.to_lowercase())
        .is_some_and(|other| Some(*other) != this)
    {
        f.errors.add("key", "meeting with this key already exists.");
        return None;
    }
    Some(key)
}

async fn list_meetings(
    State(shared): S,
    headers: HeaderMap,
    uri: Uri,
    RawQuery(raw): RawQuery,
) -> Response {
    let store = shared.lock();
    let query = match ListQuery::parse::<MeetingRow<'_>>(raw.as_deref()) {
        Ok(query) => query,
        Err(e) => return query_error(e),
    };
    let rows = store.meetings.iter().map(|(id, meeting)| {
        let owner = meeting.owner.filter(|o| store.users.contains_key(o));
        MeetingRow {
            id: *id,
            meeting,
            public: store.public_id(*id),
            owner_public: owner.map(|o| store.public_id(o)),
        }
    });
    let origin = origin(&headers);
    match query.run(rows, Some(store.meetings.len())) {
        Ok(page) => answer(
            StatusCode::OK,
            envelope(page, &query, &headers, &uri, |r| {
                meeting_body(&store, &origin, r.id, r.meeting)
            }),
        ),
        Err(e) => query_error(e),
    }
}

async fn create_meeting(State(shared): S, headers: HeaderMap, Body(body): Body) -> Response {
    let mut store = shared.lock();
    let mut f = Fields::new(&body);
    let key = meeting_key(&mut f, &store, None);
    let public = f.choice("publicAccessLevel", false, &PublicAccess::CHOICES);
    let forward_url = f.string("forwardUrl", false);
    let owner = f.string("ownerId", false).and_then(|text| {
        let row = store.row_of(&text).filter(|o| store.users.contains_key(o));
        if row.is_none() {
            f.errors.add(
                "ownerId",
                format!("Invalid pk \"{text}\" - object does not exist."),
            );
        }
        row
    });
    if !f.errors.is_empty() {
        return bad_request(f.errors.into_json());
    }
    let key = key.unwrap_or_else(|| {
        loop {
            let key = random_key(10);
            if !store.meeting_keys.contains_key(&key) {
                break key;
            }
        }
    });
    let meeting = Meeting {
        key,
        owner: Some(owner.unwrap_or(store.me)),
        // Microseconds, as Django stores and DRF answers them.
        created: chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6),
        public: public.unwrap_or(PublicAccess::ShouldKnock),
        forward_url: forward_url.unwrap_or_default(),
        last_opened: None,
        permissions: Default::default(),
    };
    let id = store.add_meeting(meeting);
    let body = meeting_body(&store, &origin(&headers), id, &store.meetings[&id]);
    answer(StatusCode::CREATED, body)
}

async fn get_meeting(State(shared): S, params: Params, headers: HeaderMap) -> Response {
    let store = shared.lock();
    match params
        .row("id", &store)
        .and_then(|id| Some((id, store.meetings.get(&id)?)))
    {
        Some((id, meeting)) => answer(
            StatusCode::OK,
            meeting_body(&store, &origin(&headers), id, meeting),
        ),
        None => not_found(),
    }
}

async fn update_meeting(
    State(shared): S,
    params: Params,
    headers: HeaderMap,
    Body(body): Body,
) -> Response {
    let mut store = shared.lock();
    let Some(id) = params
        .row("id", &store)
        .filter(|id| store.meetings.contains_key(id))
    else {
        return not_found();
    };
    let mut f = Fields::new(&body);
    let key = meeting_key(&mut f, &store, Some(id));
    let public = f.choice("publicAccessLevel", false, &PublicAccess::CHOICES);
    let forward_url = f.string("forwardUrl", false);
    if !f.errors.is_empty() {
        return bad_request(f.errors.into_json());
    }
    if let Some(key) = key {
        store.rekey_meeting(id, key);
    }
    if let Some(meeting) = store.meetings.get_mut(&id) {
        if let Some(public) = public {
            meeting.public = public;
        }
        if let Some(forward_url) = forward_url {
            meeting.forward_url = forward_url;
        }
    }
    let body = meeting_body(&store, &origin(&headers), id, &store.meetings[&id]);
    answer(StatusCode::OK, body)
}

async fn delete_meeting(State(shared): S, params: Params) -> Response {
    let mut store = shared.lock();
    match params.row("id", &store) {
        Some(id) if store.remove_meeting(id) => no_content(),
        _ => not_found(),
    }
}

/// Resets the room's session: it reads as never opened. Its key, settings and access
/// permissions stay.
async fn reset_meeting(State(shared): S, params: Params, headers: HeaderMap) -> Response {
    let mut store = shared.lock();
    let Some(id) = params
        .row("id", &store)
        .filter(|id| store.meetings.contains_key(id))
    else {
        return not_found();
    };
    if let Some(meeting) = store.meetings.get_mut(&id) {
        meeting.last_opened = None;
    }
    let body = meeting_body(&store, &origin(&headers), id, &store.meetings[&id]);
    answer(StatusCode::OK, body)
}

// ------------------------------------------------------------------ permissions

fn permission_body(store: &Store, id: i64, permission: &Permission) -> types::Permission {
    types::Permission {
        id: Some(store.public_id(id)),
        access_level: Some(permission.level.as_str().to_owned()),
        is_host: None,
        access_key: Some(Secret::new(permission.key.to_string())),
    }
}

async fn list_permissions(
    State(shared): S,
    params: Params,
    headers: HeaderMap,
    uri: Uri,
    RawQuery(raw): RawQuery,
) -> Response {
    let store = shared.lock();
    let Some(meeting) = params
        .row("id", &store)
        .and_then(|id| store.meetings.get(&id))
    else {
        return not_found();
    };
    let query = match ListQuery::parse::<PermissionRow<'_>>(raw.as_deref()) {
        Ok(query) => query,
        Err(e) => return query_error(e),
    };
    let rows = meeting
        .permissions
        .iter()
        .map(|(id, permission)| PermissionRow {
            id: *id,
            permission,
            public: store.public_id(*id),
        });
    match query.run(rows, Some(meeting.permissions.len())) {
        Ok(page) => answer(
            StatusCode::OK,
            envelope(page, &query, &headers, &uri, |r| {
                permission_body(&store, r.id, r.permission)
            }),
        ),
        Err(e) => query_error(e),
    }
}

async fn create_permission(State(shared): S, params: Params, Body(body): Body) -> Response {
    let mut store = shared.lock();
    let Some(meeting_id) = params
        .row("id", &store)
        .filter(|id| store.meetings.contains_key(id))
    else {
        return not_found();
    };
    let mut f = Fields::new(&body);
    let Some(level) = f.choice("accessLevel", true, &Access::CHOICES) else {
        return bad_request(f.errors.into_json());
    };
    let id = store.next_permission_id();
    let permission = Permission {
        level,
        key: random_key(30).into(),
    };
    let body = permission_body(&store, id, &permission);
    if let Some(meeting) = store.meetings.get_mut(&meeting_id) {
        meeting.permissions.insert(id, permission);
    }
    answer(StatusCode::CREATED, body)
}

/// The meeting and permission ids of a permission path, when both exist.
fn permission_ids(store: &Store, params: &Params) -> Option<(i64, i64)> {
    let meeting = params.row("id", store)?;
    let permission = params.row("permissionId", store)?;
    store
        .meetings
        .get(&meeting)?
        .permissions
        .contains_key(&permission)
        .then_some((meeting, permission))
}

async fn get_permission(State(shared): S, params: Params) -> Response {
    let store = shared.lock();
    match permission_ids(&store, &params) {
        Some((m, p)) => answer(
            StatusCode::OK,
            permission_body(&store, p, &store.meetings[&m].permissions[&p]),
        ),
        None => not_found(),
    }
}

async fn update_permission(State(shared): S, params: Params, Body(body): Body) -> Response {
    let mut store = shared.lock();
    let Some((m, p)) = permission_ids(&store, &params) else {
        return not_found();
    };
    let mut f = Fields::new(&body);
    let level = f.choice("accessLevel", false, &Access::CHOICES);
    if !f.errors.is_empty() {
        return bad_request(f.errors.into_json());
    }
    let Some(permission) = store
        .meetings
        .get_mut(&m)
        .and_then(|meeting| meeting.permissions.get_mut(&p))
    else {
        return not_found();
    };
    if let Some(level) = level {
        permission.level = level;
    }
    let permission = permission.clone();
    answer(StatusCode::OK, permission_body(&store, p, &permission))
}

async fn delete_permission(State(shared): S, params: Params) -> Response {
    let mut store = shared.lock();
    let Some((m, p)) = permission_ids(&store, &params) else {
        return not_found();
    };
    if let Some(meeting) = store.meetings.get_mut(&m) {
        meeting.permissions.remove(&p);
    }
    no_content()
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

    #[test]
    fn keys_are_random_and_sized() {
        let a = random_key(30);
        assert_eq!(a.len(), 30);
        assert_ne!(a, random_key(30));
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
    }
}
