//! The VEO fake: one organisation (id 1, administered by the token's user) whose members are
//! invited (`/api/userinvites/multiple`), created without invitation, updated, deleted and
//! listed page by page, plus `/api/me` and `/api/regions`, behind `Authorization: Bearer`.
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

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use roster::veo::types;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::{App, json};

const BASE_PATH: &str = "";

/// The organisation the token's user administers.
const ORG_ID: i64 = 1;
const ORG_NAME: &str = "Sandbox Academy";
/// The token's own user (`/api/me`).
const ME_ID: i64 = 1000;
/// The first id given to a user.
const FIRST_USER_ID: i64 = 50001;
/// Role ids: every user, organisation admin, site admin.
const ROLE_USER: i32 = 4;
const ROLE_ORG_ADMIN: i32 = 2;
const ROLE_SITE_ADMIN: i32 = 8;
/// `pageSize` when none is given.
const DEFAULT_PAGE_SIZE: i32 = 10;
/// The largest request body read.
const BODY_LIMIT: usize = 16 << 20;
/// The regions (`/api/regions`); `RegionId` on a create is stored nowhere and not checked.
const REGIONS: [(i32, &str); 4] = [
    (74, "United Kingdom"),
    (75, "Ireland"),
    (76, "United States"),
    (77, "Australia"),
];
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

pub(crate) fn app(token: String) -> App {
    let shared = Arc::new(Shared {
        token,
        store: Mutex::new(Store {
            next_id: FIRST_USER_ID,
            ..Store::default()
        }),
    });
    let counted = shared.clone();
    let router = Router::new()
        .route("/api/userinvites/multiple", post(invite_users))
        .route("/api/users/create", post(create_user))
        .route("/api/v2/users/{userId}", put(update_user))
        .route("/api/user", delete(delete_user))
        .route("/api/users/get-all", get(list_users))
        .route("/api/me", get(get_me))
        .route("/api/regions", get(list_regions))
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

/// A 400 naming one invalid field.
/// A refused request's answer, boxed (a `Response` is large to carry in a `Result`).
type Refused = Box<Response>;

fn refused(status: StatusCode, message: &str) -> Refused {
    Box::new(error(status, message))
}

fn refused_field(key: impl Into<String>, message: impl Into<String>) -> Refused {
    Box::new(invalid_field(key, message))
}

fn invalid_field(key: impl Into<String>, message: impl Into<String>) -> Response {
    invalid(HashMap::from([(key.into(), vec![message.into()])]))
}

struct Shared {
    token: String,
    store: Mutex<Store>,
}

impl Shared {
    /// The store; a panic elsewhere never makes it unusable.
    fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A user of the organisation, as the fake keeps it.
#[derive(Debug, Clone)]
struct VeoUser {
    /// `None` for a user created without one (VEO marks no create field required).
    email: Option<String>,
    /// `None` for an invitee who has not given their names.
    first_name: Option<String>,
    last_name: Option<String>,
    is_active: bool,
    /// Role ids in the organisation.
    roles: Vec<i32>,
}

#[derive(Debug, Default)]
struct Store {
    users: HashMap<i64, VeoUser>,
    /// Every id, ascending: ids grow with creation, so this is creation order, and a page is
    /// a slice of it.
    order: Vec<i64>,
    /// Lower-cased email → id.
    by_email: HashMap<String, i64>,
    next_id: i64,
}

impl Store {
    fn add(&mut self, user: VeoUser) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        if let Some(email) = &user.email {
            self.by_email.insert(email.to_ascii_lowercase(), id);
        }
        self.users.insert(id, user);
        self.order.push(id);
        id
    }

    fn delete(&mut self, id: i64) -> Option<VeoUser> {
        let user = self.users.remove(&id)?;
        if let Some(email) = &user.email {
            self.by_email.remove(&email.to_ascii_lowercase());
        }
        if let Ok(at) = self.order.binary_search(&id) {
            self.order.remove(at);
        }
        Some(user)
    }

    fn summary(id: i64, user: &VeoUser) -> types::UserSummary {
        types::UserSummary {
            id: Some(types::AnyUserId::Int64(id)),
            email: user.email.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            is_active: Some(user.is_active),
            roles: Some(vec![types::UserOrganisationRoles {
                organisation_id: Some(types::AnyOrganisationId::Int64(ORG_ID)),
                roles: Some(user.roles.iter().copied().map(types::RoleId).collect()),
            }]),
        }
    }
}

/// What VEO takes as an email address (an invitation with anything else lands in `ErrorList`):
/// one `@` between a non-empty local part and a dotted domain, no spaces or control characters.
fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && email.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with(['.', '-'])
        && !domain.ends_with(['.', '-'])
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"()<>,;:\\\"[]".contains(c))
}

/// Roles as stored: 4 always, the others once each; `Err` (answered 403: the caller may not
/// grant it) for an id VEO keeps to itself ("Some roles are reserved for VEO team members").
fn checked_roles(roles: &[types::RoleId]) -> Result<Vec<i32>, String> {
    let mut out = vec![ROLE_USER];
    for role in roles {
        match role.0 {
            ROLE_USER | ROLE_ORG_ADMIN | ROLE_SITE_ADMIN => {
                if !out.contains(&role.0) {
                    out.push(role.0);
                }
            }
            other => return Err(format!("Role {other} cannot be granted through the API.")),
        }
    }
    Ok(out)
}

fn set_admin(roles: &mut Vec<i32>, admin: bool) {
    roles.retain(|&r| r != ROLE_ORG_ADMIN);
    if admin {
        roles.push(ROLE_ORG_ADMIN);
    }
}

fn forbidden_organisation(id: &str) -> Response {
    error(
        StatusCode::FORBIDDEN,
        &format!("You are not an administrator of organisation '{id}'."),
    )
}

/// An `OrganisationId` as sent: VEO types it string and its examples send a number, so a
/// JSON string or number is read (anything else is a 400). `Ok(None)` when absent.
fn organisation_of(model: &mut Model) -> Option<String> {
    match model.object.get("OrganisationId").cloned() {
        None => None,
        Some(Value::String(text)) => Some(text.trim().to_owned()),
        Some(Value::Number(n)) if n.is_i64() => Some(n.to_string()),
        Some(other) => {
            model.fail(
                "OrganisationId",
                format!("Error converting value {other} for OrganisationId."),
            );
            None
        }
    }
}

/// Whether `id` (as [`organisation_of`] read it) is the sandbox's organisation.
fn is_ours(id: &str) -> bool {
    id.parse::<i64>().is_ok_and(|id| id == ORG_ID)
}

// ---------------------------------------------------------------------------------------------
// Authentication, fallbacks, request reading

async fn authenticate(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let authorized = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .is_some_and(|(scheme, token)| {
            scheme.eq_ignore_ascii_case("bearer") && token.trim() == shared.token
        });
    if authorized {
        next.run(request).await
    } else {
        error(
            StatusCode::UNAUTHORIZED,
            "Authorization has been denied for this request.",
        )
    }
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

/// A JSON body being bound to a model, collecting `ModelState` errors as ASP.NET does.
struct Model {
    object: Map<String, Value>,
    state: HashMap<String, Vec<String>>,
}

/// Renames the keys of every object in `value` that match a [`PROPERTIES`] name ignoring
/// case to that name, as Json.NET binds properties case-insensitively.
fn canonical_keys(value: Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .into_iter()
                .map(|(key, value)| {
                    let key = PROPERTIES
                        .iter()
                        .find(|p| p.eq_ignore_ascii_case(&key))
                        .map_or(key, |p| (*p).to_owned());
                    (key, canonical_keys(value))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(canonical_keys).collect()),
        other => other,
    }
}

/// The first documented property, at any depth, sent as `null`: the spec makes no request
/// field nullable (Json.NET would bind `null` to a list or a string; the spec says no).
fn null_property(value: &Value) -> Option<&'static str> {
    match value {
        Value::Object(object) => object.iter().find_map(|(key, value)| {
            match PROPERTIES.iter().find(|p| **p == key.as_str()) {
                Some(name) if value.is_null() => Some(*name),
                _ => null_property(value),
            }
        }),
        Value::Array(items) => items.iter().find_map(null_property),
        _ => None,
    }
}

impl Model {
    /// Reads the body: 400 for another content type, an empty, malformed or non-object body.
    async fn read(headers: &HeaderMap, body: Body) -> Result<Self, Refused> {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let media = content_type.split(';').next().unwrap_or_default().trim();
        let is_json = media.eq_ignore_ascii_case("application/json")
            || media.eq_ignore_ascii_case("text/json")
            || (media.len() > 5 && media[media.len() - 5..].eq_ignore_ascii_case("+json"));
        if !is_json {
            return Err(refused(
                StatusCode::BAD_REQUEST,
                &format!(
                    "The request entity's media type '{media}' is not supported for this resource."
                ),
            ));
        }
        let bytes: Bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
            error(
                StatusCode::BAD_REQUEST,
                "The request body could not be read.",
            )
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(refused_field(
                "model",
                "A non-empty request body is required.",
            ));
        }
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| refused_field("model", format!("The body is not valid JSON: {e}")))?;
        let value = canonical_keys(value);
        if let Some(name) = null_property(&value) {
            return Err(refused_field(
                format!("model.{name}"),
                format!("The {name} field cannot be null."),
            ));
        }
        match value {
            Value::Object(object) => Ok(Self {
                object,
                state: HashMap::new(),
            }),
            _ => Err(refused_field(
                "model",
                "The request body must be a JSON object.",
            )),
        }
    }

    fn fail(&mut self, key: &str, message: String) {
        self.state
            .entry(format!("model.{key}"))
            .or_default()
            .push(message);
    }

    /// Property `name` read as a `T`. A missing required property, an explicit `null` (the
    /// spec makes no request field nullable) or a value of the wrong JSON type (no coercion)
    /// is recorded in `ModelState`.
    fn field<T: DeserializeOwned>(&mut self, name: &str, required: bool) -> Option<T> {
        match self.object.get(name) {
            None => {
                if required {
                    self.fail(name, format!("The {name} field is required."));
                }
                None
            }
            Some(Value::Null) => {
                self.fail(name, format!("The {name} field cannot be null."));
                None
            }
            Some(value) => match T::deserialize(value) {
                Ok(v) => Some(v),
                Err(e) => {
                    let mut shown = value.to_string();
                    if shown.len() > 60 {
                        let mut end = 60;
                        while !shown.is_char_boundary(end) {
                            end -= 1;
                        }
                        shown.truncate(end);
                        shown.push('…');
                    }
                    self.fail(
                        name,
                        format!("Error converting value {shown} for {name}: {e}"),
                    );
                    None
                }
            },
        }
    }

    /// `Ok` when every property bound; else the 400 with `ModelState`.
    fn finish(self) -> Result<(), Refused> {
        if self.state.is_empty() {
            Ok(())
        } else {
            Err(Box::new(invalid(self.state)))
        }
    }
}

/// The query string's pairs; a name is matched ignoring case and its first value is taken.
struct QueryPairs(Vec<(String, String)>);

impl QueryPairs {
    fn of(uri: &Uri) -> Self {
        Self(
            Query::<Vec<(String, String)>>::try_from_uri(uri)
                .map(|Query(pairs)| pairs)
                .unwrap_or_default(),
        )
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `name` parsed as a `T`, `None` when absent; a 400 naming it when it does not parse
    /// (an empty value included: the spec types it).
    fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, Refused> {
        match self.get(name).map(str::trim) {
            None => Ok(None),
            Some(raw) => raw.parse::<T>().map(Some).map_err(|_| {
                refused_field(name, format!("The value '{raw}' is not valid for {name}."))
            }),
        }
    }
}

/// 409: another user has the address (VEO documents no status for it).
fn taken(email: &str) -> Response {
    error(
        StatusCode::CONFLICT,
        &format!("A user with the email address {email} already exists."),
    )
}

/// A user id from a path or query string: any text is one to the spec, so one that is not a
/// number names no user (404), as an unknown number does.
fn user_id(raw: &str) -> Option<i64> {
    raw.trim().parse().ok()
}

fn user_not_found() -> Response {
    error(StatusCode::NOT_FOUND, "User not found")
}

/// A .NET list as Json.NET sends it here: `null` when empty.
fn dotnet_list(list: Vec<String>) -> Option<Vec<String>> {
    (!list.is_empty()).then_some(list)
}

// ---------------------------------------------------------------------------------------------
// Handlers

async fn invite_users(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let mut model = match Model::read(&headers, body).await {
        Ok(model) => model,
        Err(response) => return *response,
    };
    let organisation = organisation_of(&mut model);
    let invitees = model
        .field::<Vec<types::Invitee>>("Users", false)
        .unwrap_or_default();
    if let Err(response) = model.finish() {
        return *response;
    }
    let organisation = organisation.unwrap_or_default();
    if !is_ours(&organisation) {
        return forbidden_organisation(&organisation);
    }
    let mut success = Vec::new();
    let mut failed = Vec::new();
    let mut already = Vec::new();
    let mut store = shared.lock();
    for invitee in &invitees {
        let sent = invitee.email.clone().unwrap_or_default();
        let email = sent.trim();
        if !valid_email(email) {
            failed.push(sent);
            continue;
        }
        match store.by_email.get(&email.to_ascii_lowercase()).copied() {
            Some(id) => {
                if let (Some(user), Some(admin)) = (store.users.get_mut(&id), invitee.is_org_admin)
                {
                    set_admin(&mut user.roles, admin);
                }
                already.push(sent);
            }
            None => {
                let mut roles = vec![ROLE_USER];
                set_admin(&mut roles, invitee.is_org_admin.unwrap_or(false));
                store.add(VeoUser {
                    email: Some(email.to_owned()),
                    first_name: None,
                    last_name: None,
                    is_active: true,
                    roles,
                });
                success.push(sent);
            }
        }
    }
    drop(store);
    // Every documented property, an empty list as `null` (the generated type would leave it
    // out). The sandbox's VEO holds no users outside the organisation, so the last is null.
    json(
        StatusCode::OK,
        &serde_json::json!({
            "TotalInvites": i32::try_from(invitees.len()).unwrap_or(i32::MAX),
            "SuccessList": dotnet_list(success),
            "ErrorList": dotnet_list(failed),
            "AlreadyInOrganisationList": dotnet_list(already),
            "ExistingUserAddedMembershipToOrganisation": Value::Null,
        }),
    )
}

async fn create_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let mut model = match Model::read(&headers, body).await {
        Ok(model) => model,
        Err(response) => return *response,
    };
    let organisation = organisation_of(&mut model);
    let first_name = model.field::<String>("FirstName", false);
    let last_name = model.field::<String>("LastName", false);
    let email = model.field::<String>("Email", false);
    model.field::<String>("Password", false);
    let roles = model.field::<Vec<types::RoleId>>("Roles", false);
    let is_active = model.field::<bool>("IsActive", false);
    model.field::<i32>("RegionId", false);
    model.field::<bool>("AcceptsPrivacyPolicy", false);
    model.field::<bool>("AcceptsTermsAndConditions", false);
    if let Err(response) = model.finish() {
        return *response;
    }
    let roles = match checked_roles(roles.as_deref().unwrap_or_default()) {
        Ok(roles) => roles,
        Err(message) => return error(StatusCode::FORBIDDEN, &message),
    };
    let organisation = organisation.unwrap_or_default();
    if !is_ours(&organisation) {
        return forbidden_organisation(&organisation);
    }
    let email = email.map(|e| e.trim().to_owned());
    let mut store = shared.lock();
    if let Some(email) = &email
        && store.by_email.contains_key(&email.to_ascii_lowercase())
    {
        drop(store);
        return taken(email);
    }
    let id = store.add(VeoUser {
        email,
        first_name,
        last_name,
        is_active: is_active.unwrap_or(true),
        roles,
    });
    drop(store);
    json(StatusCode::OK, &id)
}

async fn update_user(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let mut model = match Model::read(&headers, body).await {
        Ok(model) => model,
        Err(response) => return *response,
    };
    let first_name = model.field::<String>("FirstName", false);
    let last_name = model.field::<String>("LastName", false);
    let email = model.field::<String>("Email", false);
    model.field::<String>("Password", false);
    let is_active = model.field::<bool>("IsActive", false);
    // The one field VEO calls required: "the user roles are separated by organisation and
    // are required".
    let roles = model.field::<Vec<types::OrganisationRole>>("Roles", true);
    if let Err(response) = model.finish() {
        return *response;
    }
    let mut ours = None;
    for entry in roles.iter().flatten() {
        match entry.organisation_id {
            Some(ORG_ID) => match checked_roles(&entry.roles) {
                Ok(checked) => ours = Some(checked),
                Err(message) => return error(StatusCode::FORBIDDEN, &message),
            },
            Some(other) => return forbidden_organisation(&other.to_string()),
            None => {}
        }
    }
    let Some(id) = path.ok().and_then(|Path(raw)| user_id(&raw)) else {
        return user_not_found();
    };
    let mut store = shared.lock();
    let Some(current) = store.users.get(&id) else {
        drop(store);
        return user_not_found();
    };
    let old_key = current.email.as_deref().map(str::to_ascii_lowercase);
    if let Some(email) = &email {
        let key = email.trim().to_ascii_lowercase();
        if Some(&key) != old_key.as_ref() && store.by_email.contains_key(&key) {
            drop(store);
            return taken(email.trim());
        }
        if let Some(old) = &old_key {
            store.by_email.remove(old);
        }
        store.by_email.insert(key, id);
    }
    if let Some(user) = store.users.get_mut(&id) {
        if let Some(email) = email {
            user.email = Some(email.trim().to_owned());
        }
        if let Some(first) = first_name {
            user.first_name = Some(first);
        }
        if let Some(last) = last_name {
            user.last_name = Some(last);
        }
        if let Some(active) = is_active {
            user.is_active = active;
        }
        if let Some(roles) = ours {
            user.roles = roles;
        }
    }
    drop(store);
    StatusCode::OK.into_response()
}

async fn delete_user(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let query = QueryPairs::of(&uri);
    let Some(raw) = query.get("id") else {
        return invalid_field("id", "The id field is required.");
    };
    let Some(id) = user_id(raw) else {
        return user_not_found();
    };
    let mut store = shared.lock();
    let deleted = store.delete(id).is_some();
    drop(store);
    if deleted {
        StatusCode::OK.into_response()
    } else {
        user_not_found()
    }
}

async fn list_users(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let query = QueryPairs::of(&uri);
    let parsed = (|| {
        let size = query.number::<i32>("pageSize")?;
        let page = query.number::<i32>("pageNumber")?;
        let descending = match query.get("orderByDirection").map(str::trim) {
            None => None,
            // ASP.NET binds a bool ignoring case.
            Some(b) if b.eq_ignore_ascii_case("true") => Some(true),
            Some(b) if b.eq_ignore_ascii_case("false") => Some(false),
            Some(b) => {
                return Err(refused_field(
                    "orderByDirection",
                    format!("The value '{b}' is not valid for orderByDirection."),
                ));
            }
        };
        Ok::<_, Refused>((size, page, descending.unwrap_or(false)))
    })();
    let (size, page, descending) = match parsed {
        Ok(parsed) => parsed,
        Err(response) => return *response,
    };
    if let Some(org) = query.get("organisationId").map(str::trim)
        && !is_ours(org)
    {
        return error(
            StatusCode::FORBIDDEN,
            &format!("You do not belong to organisation '{org}'."),
        );
    }
    let size = size.unwrap_or(DEFAULT_PAGE_SIZE);
    let page = page.unwrap_or(1);
    // Pages below 1, or of no users, hold nothing.
    let (skip, take) = if page < 1 || size < 1 {
        (usize::MAX, 0)
    } else {
        let skip = (i64::from(page) - 1).saturating_mul(i64::from(size));
        (
            usize::try_from(skip).unwrap_or(usize::MAX),
            usize::try_from(size).unwrap_or(usize::MAX),
        )
    };
    let term = query.get("searchTerm").map(str::trim).unwrap_or_default();

    let store = shared.lock();
    let matched: Vec<i64>;
    let ids: &[i64] = if term.is_empty() {
        &store.order
    } else if term.contains('@') {
        matched = store
            .by_email
            .get(&term.to_ascii_lowercase())
            .copied()
            .into_iter()
            .collect();
        &matched
    } else {
        let needle = term.to_lowercase();
        let matches = |s: Option<&String>| s.is_some_and(|s| s.to_lowercase().contains(&needle));
        matched = store
            .order
            .iter()
            .copied()
            .filter(|id| {
                store.users.get(id).is_some_and(|u| {
                    matches(u.first_name.as_ref())
                        || matches(u.last_name.as_ref())
                        || matches(u.email.as_ref())
                })
            })
            .collect();
        &matched
    };
    let total = ids.len();
    // The page's slice of `ids` (counted from the end when descending).
    let end = total.saturating_sub(skip);
    let (from, to) = if descending {
        (end.saturating_sub(take), end)
    } else {
        (skip.min(total), skip.saturating_add(take).min(total))
    };
    let page_ids = &ids[from..to];
    let summary = |id: &i64| store.users.get(id).map(|u| Store::summary(*id, u));
    let items: Vec<types::UserSummary> = if descending {
        page_ids.iter().rev().filter_map(summary).collect()
    } else {
        page_ids.iter().filter_map(summary).collect()
    };
    drop(store);
    json(
        StatusCode::OK,
        &types::UserPage {
            items: Some(items),
            page: Some(page),
            page_size: Some(size),
            total_item_count: Some(i64::try_from(total).unwrap_or(i64::MAX)),
        },
    )
}

async fn get_me() -> Response {
    json(
        StatusCode::OK,
        &types::Me {
            id: Some(types::AnyUserId::Int64(ME_ID)),
            first_name: Some("Sandra".to_owned()),
            last_name: Some("Admin".to_owned()),
            email: Some("sandra.admin@sandbox.veo.example".to_owned()),
            organisations: Some(vec![types::Membership {
                id: Some(types::AnyOrganisationId::Int64(ORG_ID)),
                name: Some(ORG_NAME.to_owned()),
                roles: Some(vec![
                    types::RoleId(ROLE_USER),
                    types::RoleId(ROLE_ORG_ADMIN),
                ]),
            }]),
        },
    )
}

async fn list_regions() -> Response {
    let regions: Vec<types::Region> = REGIONS
        .iter()
        .map(|(id, name)| types::Region {
            id: Some(*id),
            name: Some((*name).to_owned()),
        })
        .collect();
    json(StatusCode::OK, &regions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_veo_accepts() {
        for good in ["a@b.co", "jean.dupont+x@acme.fr", "zoë@exämple.de"] {
            assert!(valid_email(good), "{good}");
        }
        for bad in [
            "",
            "not-an-email",
            "a@b",
            "@b.co",
            "a@b@c.co",
            "a b@c.co",
            "a@.b.co",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn keys_bind_ignoring_case() {
        let value =
            canonical_keys(serde_json::json!({"email": "x", "users": [{"isorgadmin": true}]}));
        assert_eq!(
            value,
            serde_json::json!({"Email": "x", "Users": [{"IsOrgAdmin": true}]})
        );
    }
}
