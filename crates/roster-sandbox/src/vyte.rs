//! The Vyte fake: the users of one organization (`/v2/users`, the single-user upsert
//! `PUT /v2/users`, the two batch calls, one user's read, update and unlink) and the key check
//! (`/v2/auth/test`), behind Vyte's raw-key `Authorization` header.
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
//! - errors are `{"message", "error", "statusCode"}` (Vyte documents statuses, not bodies).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, SubsecRound, Utc};
use roster::vyte::types;
use serde::Serialize;
use serde::ser::SerializeSeq;

use crate::{App, json};

const BASE_PATH: &str = "";

/// The sandbox organization's id (a Mongo ObjectId, as Vyte's are) and name.
const ORG_ID: &str = "5f0c0ffee0000000000000a1";
const ORG_NAME: &str = "Sandbox Organization";
const APP_URL: &str = "https://sandbox.vyte.in";
/// The largest request body read (a batch of a few thousand users).
const BODY_LIMIT: usize = 16 << 20;

/// The calendar kinds of a user's `calendars` flags, as bits of [`StoredUser::calendars`].
const CALENDARS: [types::CalendarSource; 5] = [
    types::CalendarSource::Google,
    types::CalendarSource::Office365,
    types::CalendarSource::Exchange,
    types::CalendarSource::Icloud,
    types::CalendarSource::Caldav,
];

pub(crate) fn app(token: String) -> App {
    let shared = Arc::new(Shared {
        token,
        // Like an ObjectId: 4 bytes of seconds, then a counter.
        id_prefix: format!("{:08x}", Utc::now().timestamp().unsigned_abs() as u32),
        store: Mutex::default(),
    });
    let counted = shared.clone();
    let router = Router::new()
        .route("/v2/auth/test", get(test_auth))
        .route(
            "/v2/users",
            get(list_users).post(create_user).put(upsert_user),
        )
        .route(
            "/v2/users/batch",
            // Only the spec's two methods: a GET or DELETE of `batch` is 405, not a user.
            post(create_users_batch).put(update_users_batch),
        )
        .route(
            "/v2/users/{user_id}",
            get(get_user).put(update_user).delete(unlink_user),
        )
        .route_layer(middleware::from_fn_with_state(shared.clone(), authenticate))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(shared);
    App {
        router,
        base_path: BASE_PATH,
        users: Box::new(move || counted.lock().users.len()),
        error,
    }
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
}

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        error(self.status, &self.message)
    }
}

struct Shared {
    token: String,
    id_prefix: String,
    store: Mutex<Store>,
}

impl Shared {
    /// The store; a panic elsewhere never makes it unusable.
    fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The `_id` of user number `seq`.
    fn id(&self, seq: u64) -> String {
        format!("{}{seq:016x}", self.id_prefix)
    }

    /// The number of the user with `_id` `id`: 404 for any id this organization never gave
    /// (ids are opaque strings in the spec, so no shape is refused as malformed).
    fn seq(&self, id: &str) -> Result<u64, Reject> {
        if id.len() != 24 || !id.is_ascii() {
            return Err(Reject::not_found());
        }
        match id.split_at(8) {
            (prefix, counter) if prefix.eq_ignore_ascii_case(&self.id_prefix) => {
                u64::from_str_radix(counter, 16).map_err(|_| Reject::not_found())
            }
            _ => Err(Reject::not_found()),
        }
    }
}

/// A user as the fake keeps it: only what answers show.
#[derive(Debug, Clone)]
struct StoredUser {
    /// `None`: created without an address (nothing in the body is required).
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    language: Option<String>,
    timezone: Option<String>,
    picture_url: Option<String>,
    extid: Option<String>,
    /// Connected calendar kinds, a bit per [`CALENDARS`] entry.
    calendars: u8,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
}

/// The organization's linked users, by creation number, with email and extid indexes.
#[derive(Debug, Default)]
struct Store {
    users: BTreeMap<u64, StoredUser>,
    /// Lower-cased email → user number.
    by_email: HashMap<String, u64>,
    by_extid: HashMap<String, u64>,
    next: u64,
}

impl Store {
    fn insert(&mut self, seq: u64, user: StoredUser) {
        if let Some(email) = &user.email {
            self.by_email.insert(email.to_ascii_lowercase(), seq);
        }
        if let Some(extid) = &user.extid {
            self.by_extid.insert(extid.clone(), seq);
        }
        self.users.insert(seq, user);
    }

    fn remove(&mut self, seq: u64) -> Option<StoredUser> {
        let user = self.users.remove(&seq)?;
        if let Some(email) = &user.email {
            self.by_email.remove(&email.to_ascii_lowercase());
        }
        if let Some(extid) = &user.extid {
            self.by_extid.remove(extid);
        }
        Some(user)
    }

    /// Undoes applied writes, newest first.
    fn rollback(&mut self, undo: Vec<Undo>) {
        for Undo { seq, previous } in undo.into_iter().rev() {
            self.remove(seq);
            if let Some(previous) = previous {
                self.insert(seq, previous);
            }
        }
    }
}

/// How to undo one applied write: the user number and what it held before (`None`: created).
struct Undo {
    seq: u64,
    previous: Option<StoredUser>,
}

/// What one applied item answers.
struct Applied {
    seq: u64,
    /// A new user that asked to finish signing up by email.
    signup_link: bool,
}

fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

fn to_user(shared: &Shared, seq: u64, user: &StoredUser) -> types::User {
    let full_name = match (&user.first_name, &user.last_name) {
        (Some(first), Some(last)) if !last.is_empty() => Some(format!("{first} {last}")),
        (Some(first), _) => Some(first.clone()),
        (None, Some(last)) => Some(last.clone()),
        (None, None) => None,
    };
    let connected = |bit: usize| Some(user.calendars & (1 << bit) != 0);
    types::User {
        id: Some(shared.id(seq)),
        emails: Some(user.email.iter().cloned().collect()),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        full_name,
        language: user.language.clone(),
        timezone: user.timezone.clone(),
        picture_url: user.picture_url.clone(),
        signedup_with: Some("api".to_owned()),
        account: Some(types::UserAccount {
            organization: Some(types::UserAccountOrganization {
                id: Some(ORG_ID.to_owned()),
                name: Some(ORG_NAME.to_owned()),
                extid: user.extid.clone(),
                extra: serde_json::Map::new(),
            }),
            plan: Some("pro".to_owned()),
            app_url: Some(APP_URL.to_owned()),
            extra: serde_json::Map::new(),
        }),
        calendars: Some(types::UserCalendarFlags {
            google: connected(0),
            office365: connected(1),
            exchange: connected(2),
            icloud: connected(3),
            caldav: connected(4),
            extra: serde_json::Map::new(),
        }),
        modules: Some(types::UserModules {
            brand: Some(false),
            assistant: Some(false),
            vyteme: Some(false),
            vyteme_pro: Some(false),
            availabilities: Some(true),
            billing: Some(false),
            group_pro: Some(false),
            team: Some(false),
            extra: serde_json::Map::new(),
        }),
        consent: None,
        google: None,
        created_at: Some(user.created_at),
        updated_at: Some(user.updated_at),
        v: Some(user.version),
        extra: serde_json::Map::new(),
    }
}

fn organization() -> types::Organization {
    types::Organization {
        id: Some(ORG_ID.to_owned()),
        name: Some(ORG_NAME.to_owned()),
        extra: serde_json::Map::new(),
    }
}

fn envelope(shared: &Shared, store: &Store, applied: &Applied) -> types::UserEnvelope {
    let user = store
        .users
        .get(&applied.seq)
        .map(|u| to_user(shared, applied.seq, u));
    let (finish_signup_with, link) = if applied.signup_link {
        let token = uuid::Uuid::new_v4().simple();
        (
            Some("email".to_owned()),
            Some(roster::Secret::new(format!(
                "{APP_URL}/signup?token={token}"
            ))),
        )
    } else {
        (None, None)
    };
    types::UserEnvelope {
        user,
        finish_signup_with,
        link,
    }
}

// ---------------------------------------------------------------------------------------------
// Authentication, fallbacks, body reading

async fn authenticate(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let given = request.headers().get(header::AUTHORIZATION);
    if given.is_some_and(|v| v.as_bytes() == shared.token.as_bytes()) {
        next.run(request).await
    } else {
        error(StatusCode::UNAUTHORIZED, "Unauthorized")
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

/// The JSON body of a write: 400 for another content type, an unreadable or malformed body.
async fn read_json<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
) -> Result<T, Reject> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("application/json")
                || (v.len() > 5 && v[v.len() - 5..].eq_ignore_ascii_case("+json"))
        });
    if !is_json {
        return Err(Reject::bad("Content-Type must be application/json"));
    }
    let bytes: Bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| Reject::bad("The request body could not be read"))?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| Reject::bad(format!("Invalid body: {e}")))?;
    let typed = serde_json::from_value(value.clone())
        .map_err(|e| Reject::bad(format!("Invalid body: {e}")))?;
    // No field of the spec's request bodies is `nullable`, but serde reads a `null` as "not
    // given". Read again with every `null` made a value no field of the spec takes: if that
    // fails, a `null` sat where the spec forbids it (one in a field the spec does not name
    // is allowed: request bodies are open to other properties).
    if serde_json::from_value::<T>(nulls_replaced(value)).is_err() {
        return Err(Reject::bad(
            "Invalid body: null where the spec has no `nullable`",
        ));
    }
    Ok(typed)
}

/// `value` with every `null` replaced by `0.5`, which no request field of the spec accepts
/// (no number field is fractional; strings, booleans, objects and arrays refuse numbers).
fn nulls_replaced(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Null => Value::from(0.5),
        Value::Array(items) => Value::Array(items.into_iter().map(nulls_replaced).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k, nulls_replaced(v)))
                .collect(),
        ),
        other => other,
    }
}

fn path_id(path: Result<Path<String>, PathRejection>) -> Result<String, Reject> {
    path.map(|Path(id)| id).map_err(|_| Reject::not_found())
}

// ---------------------------------------------------------------------------------------------
// Validation and writes

/// An address every email format checker accepts: `local@label.label`, ASCII, dot-atom local
/// part, letters-digits-hyphens labels, an alphabetic top-level label.
fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
    local_ok && domain_ok && email.len() <= 254
}

/// An absolute `http(s)` URL of printable ASCII.
fn valid_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:".contains(&b))
            && rest
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&b))
    })
}

fn extid(item: &types::UserUpsert) -> Option<&str> {
    item.user
        .as_ref()?
        .account
        .as_ref()?
        .organization
        .as_ref()?
        .extid
        .as_deref()
}

/// The checks that need no state: addresses, the organization.
fn validate(item: &types::UserUpsert) -> Result<(), Reject> {
    // The spec's `minimum: 0` (the generated types read these as `i64`).
    let availability = item.availability.as_ref();
    let custom = item.vyteme.as_ref().and_then(|v| v.custom.as_ref());
    for (name, value) in [
        ("buffer_before", availability.and_then(|a| a.buffer_before)),
        ("buffer_after", availability.and_then(|a| a.buffer_after)),
        (
            "days_after_as_busy",
            availability.and_then(|a| a.days_after_as_busy),
        ),
        ("duration", custom.and_then(|c| c.duration)),
        ("min_dates", custom.and_then(|c| c.min_dates)),
    ] {
        if value.is_some_and(|v| v < 0) {
            return Err(Reject::bad(format!("{name} must not be negative")));
        }
    }
    if item.organization.as_deref().is_some_and(|o| o != ORG_ID) {
        return Err(Reject {
            status: StatusCode::FORBIDDEN,
            message: "Forbidden: not your organization".to_owned(),
        });
    }
    if let Some(user) = &item.user {
        if let Some(email) = &user.email
            && !valid_email(email)
        {
            return Err(Reject::bad(format!("Invalid email: {email}")));
        }
        if let Some(url) = &user.picture_url
            && !valid_url(url)
        {
            return Err(Reject::bad(format!("Invalid picture_url: {url}")));
        }
    }
    if let Some(url) = item
        .vyteme
        .as_ref()
        .and_then(|v| v.custom.as_ref())
        .and_then(|c| c.redirect_url.as_deref())
        && !valid_url(url)
    {
        return Err(Reject::bad(format!("Invalid redirect_url: {url}")));
    }
    if extid(item).is_some_and(str::is_empty) {
        return Err(Reject::bad("extid must not be empty"));
    }
    Ok(())
}

/// The body's settings that a stored user keeps (everything but email and extid).
fn set_fields(user: &mut StoredUser, item: &types::UserUpsert) {
    if let Some(profile) = &item.user {
        if let Some(first) = &profile.first_name {
            user.first_name = Some(first.clone());
        }
        if let Some(last) = &profile.last_name {
            user.last_name = Some(last.clone());
        }
        if let Some(language) = &profile.language {
            user.language = Some(language.to_string());
        }
        if let Some(timezone) = &profile.timezone {
            user.timezone = Some(timezone.0.clone());
        }
        if let Some(url) = &profile.picture_url {
            user.picture_url = Some(url.clone());
        }
    }
    for calendar in &item.calendars {
        if let Some(bit) = CALENDARS
            .iter()
            .position(|c| calendar.source.as_ref() == Some(c))
        {
            user.calendars |= 1 << bit;
        }
    }
}

/// Updates user `seq` with `item`: 404 if there is none, 400 if its new email or extid is
/// another user's.
fn update_one(store: &mut Store, seq: u64, item: &types::UserUpsert) -> Result<Undo, Reject> {
    let previous = store.remove(seq).ok_or_else(Reject::not_found)?;
    let mut user = previous.clone();
    if let Some(email) = item.user.as_ref().and_then(|p| p.email.as_ref()) {
        if store.by_email.contains_key(&email.to_ascii_lowercase()) {
            store.insert(seq, previous);
            return Err(Reject::conflict(format!(
                "Email already used by another user: {email}"
            )));
        }
        user.email = Some(email.clone());
    }
    if let Some(extid) = extid(item) {
        if store.by_extid.contains_key(extid) {
            store.insert(seq, previous);
            return Err(Reject::conflict(format!(
                "extid already used by another user: {extid}"
            )));
        }
        user.extid = Some(extid.to_owned());
    }
    set_fields(&mut user, item);
    user.updated_at = now();
    user.version += 1;
    store.insert(seq, user);
    Ok(Undo {
        seq,
        previous: Some(previous),
    })
}

/// The create (upsert): the user named by `id`, else by a linked `extid`, else by a linked
/// email is updated; otherwise a user is created (Vyte requires nothing, not even an email).
fn create_one(
    shared: &Shared,
    store: &mut Store,
    item: &types::UserUpsert,
) -> Result<(Applied, Undo), Reject> {
    let email = item.user.as_ref().and_then(|p| p.email.as_deref());
    let target = match &item.id {
        Some(id) => Some(shared.seq(id)?),
        None => extid(item)
            .and_then(|x| store.by_extid.get(x))
            .or_else(|| email.and_then(|e| store.by_email.get(&e.to_ascii_lowercase())))
            .copied(),
    };
    if let Some(seq) = target {
        let undo = update_one(store, seq, item)?;
        return Ok((
            Applied {
                seq,
                signup_link: false,
            },
            undo,
        ));
    }
    let seq = store.next;
    store.next += 1;
    let at = now();
    let mut user = StoredUser {
        email: email.map(str::to_owned),
        first_name: None,
        last_name: None,
        language: None,
        timezone: None,
        picture_url: None,
        extid: extid(item).map(str::to_owned),
        calendars: 0,
        created_at: at,
        updated_at: at,
        version: 0,
    };
    set_fields(&mut user, item);
    store.insert(seq, user);
    Ok((
        Applied {
            seq,
            signup_link: item.finish_signup_with.is_some(),
        },
        Undo {
            seq,
            previous: None,
        },
    ))
}

/// The item of a batch update: its user is named by `id`, else by `extid`, else by a linked
/// email; 404 when none names a user.
fn update_batch_item(
    shared: &Shared,
    store: &mut Store,
    item: &types::UserUpsert,
) -> Result<(Applied, Undo), Reject> {
    let email = item.user.as_ref().and_then(|p| p.email.as_deref());
    let seq = match (&item.id, extid(item)) {
        (Some(id), _) => shared.seq(id)?,
        (None, Some(extid)) => *store.by_extid.get(extid).ok_or_else(Reject::not_found)?,
        (None, None) => *email
            .and_then(|e| store.by_email.get(&e.to_ascii_lowercase()))
            .ok_or_else(Reject::not_found)?,
    };
    let undo = update_one(store, seq, item)?;
    Ok((
        Applied {
            seq,
            signup_link: false,
        },
        undo,
    ))
}

type ApplyFn = fn(&Shared, &mut Store, &types::UserUpsert) -> Result<(Applied, Undo), Reject>;

/// A batch, all or nothing: every item is validated, then applied in order; the first item
/// that fails undoes the ones before it and answers for the whole batch.
async fn batch(shared: &Shared, headers: &HeaderMap, body: Body, apply: ApplyFn) -> Response {
    let items: Vec<types::UserUpsert> = match read_json::<types::UserBatch>(headers, body).await {
        Ok(batch) => batch.0,
        Err(reject) => return reject.into_response(),
    };
    for (at, item) in items.iter().enumerate() {
        if let Err(Reject { status, message }) = validate(item) {
            return error(status, &format!("users[{at}]: {message}"));
        }
    }
    let mut store = shared.lock();
    let mut undo = Vec::with_capacity(items.len());
    for (at, item) in items.iter().enumerate() {
        match apply(shared, &mut store, item) {
            Ok((_, how)) => undo.push(how),
            Err(Reject { status, message }) => {
                store.rollback(undo);
                return error(status, &format!("users[{at}]: {message}"));
            }
        }
    }
    drop(store);
    // Vyte documents the batch answers as `{}`, nothing more.
    json(StatusCode::OK, &serde_json::json!({}))
}

// ---------------------------------------------------------------------------------------------
// Handlers

async fn test_auth() -> Response {
    json(StatusCode::OK, &organization())
}

/// Every linked user, serialised straight from the store (no copy of the whole list).
struct UserList<'a> {
    shared: &'a Shared,
    store: &'a Store,
}

impl Serialize for UserList<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.store.users.len()))?;
        for (n, user) in &self.store.users {
            seq.serialize_element(&to_user(self.shared, *n, user))?;
        }
        seq.end()
    }
}

async fn list_users(State(shared): State<Arc<Shared>>) -> Response {
    let store = shared.lock();
    json(
        StatusCode::OK,
        &UserList {
            shared: &shared,
            store: &store,
        },
    )
}

async fn create_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    single(&shared, &headers, body, create_one).await
}

/// `PUT /v2/users`: the booking-page guide's single-user upsert, keyed on `extid`, then on
/// `user.email`; a user named by neither is created.
fn upsert_one(
    shared: &Shared,
    store: &mut Store,
    item: &types::UserUpsert,
) -> Result<(Applied, Undo), Reject> {
    let email = item.user.as_ref().and_then(|p| p.email.as_deref());
    let target = extid(item)
        .and_then(|x| store.by_extid.get(x))
        .or_else(|| email.and_then(|e| store.by_email.get(&e.to_ascii_lowercase())))
        .copied();
    match target {
        Some(seq) => {
            let undo = update_one(store, seq, item)?;
            Ok((
                Applied {
                    seq,
                    signup_link: false,
                },
                undo,
            ))
        }
        None => create_one(
            shared,
            store,
            &types::UserUpsert {
                id: None,
                ..item.clone()
            },
        ),
    }
}

/// One single-user write (create or upsert): the body, its checks, the envelope.
async fn single(shared: &Shared, headers: &HeaderMap, body: Body, apply: ApplyFn) -> Response {
    let item: types::UserUpsert = match read_json(headers, body).await {
        Ok(item) => item,
        Err(reject) => return reject.into_response(),
    };
    if let Err(reject) = validate(&item) {
        return reject.into_response();
    }
    let mut store = shared.lock();
    match apply(shared, &mut store, &item) {
        Ok((applied, _)) => {
            let answer = types::UserAnswer(Some(envelope(shared, &store, &applied)));
            drop(store);
            json(StatusCode::OK, &answer)
        }
        Err(reject) => reject.into_response(),
    }
}

async fn upsert_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    single(&shared, &headers, body, upsert_one).await
}

async fn create_users_batch(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    batch(&shared, &headers, body, create_one).await
}

async fn update_users_batch(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    batch(&shared, &headers, body, update_batch_item).await
}

async fn get_user(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let seq = match path_id(path).and_then(|id| shared.seq(&id)) {
        Ok(seq) => seq,
        Err(reject) => return reject.into_response(),
    };
    let store = shared.lock();
    match store.users.get(&seq) {
        Some(user) => {
            let user = to_user(&shared, seq, user);
            drop(store);
            json(StatusCode::OK, &user)
        }
        None => Reject::not_found().into_response(),
    }
}

async fn update_user(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let seq = match path_id(path).and_then(|id| shared.seq(&id)) {
        Ok(seq) => seq,
        Err(reject) => return reject.into_response(),
    };
    let item: types::UserUpsert = match read_json(&headers, body).await {
        Ok(item) => item,
        Err(reject) => return reject.into_response(),
    };
    if let Err(reject) = validate(&item) {
        return reject.into_response();
    }
    let mut store = shared.lock();
    match update_one(&mut store, seq, &item) {
        Ok(_) => {
            let answer = envelope(
                &shared,
                &store,
                &Applied {
                    seq,
                    signup_link: false,
                },
            );
            drop(store);
            json(StatusCode::OK, &answer)
        }
        Err(reject) => reject.into_response(),
    }
}

async fn unlink_user(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let seq = match path_id(path).and_then(|id| shared.seq(&id)) {
        Ok(seq) => seq,
        Err(reject) => return reject.into_response(),
    };
    let removed = shared.lock().remove(seq);
    match removed {
        Some(_) => json(StatusCode::OK, &organization()),
        None => Reject::not_found().into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_strictly_enough_for_any_format_checker() {
        for good in ["a@b.co", "jean.dupont+x@acme.fr", "o'neil@sub.example.org"] {
            assert!(valid_email(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@b.co",
            "a@.co",
            "a@b.c0",
            "a..b@c.co",
            "a b@c.co",
            "é@c.co",
            "a@b@c.co",
            "a@-b.co",
            ".a@b.co",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn urls_must_be_absolute_http() {
        assert!(valid_url("https://www.example.com/picture/jean"));
        assert!(!valid_url("www.example.com"));
        assert!(!valid_url("https://"));
        assert!(!valid_url("https://a b.com"));
    }
}
