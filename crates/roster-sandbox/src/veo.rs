//! The VEO fake: one organisation (id 1, administered by the token's user) whose members are
//! invited (`/api/userinvites/multiple`), created without invitation, updated, deleted and
//! listed page by page, plus `/api/me` and `/api/regions`, behind `Authorization: Bearer`.
//!
//! What it does where VEO's docs are silent (see `specs/veo.yaml`):
//! - errors are ASP.NET Web API's `{"Message"}`, with `ModelState` (messages per field path,
//!   `model.Email`) for invalid bodies and query values; JSON property names are matched
//!   case-insensitively, as Json.NET binds them;
//! - an invited address new to VEO becomes a user of the organisation at once, listed with its
//!   email, its roles and `IsActive: true` but no names: the invitation carries none, the
//!   person gives them when accepting. Inviting an address already in the organisation puts
//!   it in `AlreadyInOrganisationList` and sets its admin right to the one asked for; an
//!   address VEO refuses (not an email) goes to `ErrorList`. The sandbox's VEO holds no users
//!   outside the organisation, so `ExistingUserAddedMembershipToOrganisation` stays empty;
//! - `list_users` orders by creation (`orderByDirection` `asc`, the default, or `desc`), pages
//!   with `pageNumber` (default 1) and `pageSize` (default 10), and matches `searchTerm`
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
use serde::Deserialize;
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
/// The shortest password accepted (ASP.NET Identity's default).
const MIN_PASSWORD: usize = 6;
/// The largest request body read.
const BODY_LIMIT: usize = 16 << 20;
/// The regions (`/api/regions`).
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
    json(
        status,
        &types::Error {
            message: Some(message.to_owned()),
            model_state: HashMap::new(),
        },
    )
}

/// A 400 with `ModelState`: messages per invalid field.
fn invalid(model_state: HashMap<String, Vec<String>>) -> Response {
    json(
        StatusCode::BAD_REQUEST,
        &types::Error {
            message: Some("The request is invalid.".to_owned()),
            model_state,
        },
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
    email: String,
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
        self.by_email.insert(user.email.to_ascii_lowercase(), id);
        self.users.insert(id, user);
        self.order.push(id);
        id
    }

    fn delete(&mut self, id: i64) -> Option<VeoUser> {
        let user = self.users.remove(&id)?;
        self.by_email.remove(&user.email.to_ascii_lowercase());
        if let Ok(at) = self.order.binary_search(&id) {
            self.order.remove(at);
        }
        Some(user)
    }

    fn summary(id: i64, user: &VeoUser) -> types::UserSummary {
        types::UserSummary {
            id: types::UserId(id),
            email: Some(user.email.clone()),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            is_active: Some(user.is_active),
            roles: vec![types::OrganisationRole {
                organisation_id: types::OrganisationId(ORG_ID),
                roles: user.roles.iter().copied().map(types::RoleId).collect(),
            }],
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

/// Roles as stored: 4 always, the others once each; 400 for an id VEO keeps to itself.
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

fn forbidden_organisation(id: i64) -> Response {
    error(
        StatusCode::FORBIDDEN,
        &format!("You are not an administrator of organisation {id}."),
    )
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

impl Model {
    /// VEO's checks of an address and a password, shared by create and update.
    fn check_email_and_password(&mut self, email: Option<&str>, password: Option<&str>) {
        if email.is_some_and(|e| !valid_email(e.trim())) {
            self.fail(
                "Email",
                "The Email field is not a valid e-mail address.".into(),
            );
        }
        if password.is_some_and(|p| p.chars().count() < MIN_PASSWORD) {
            self.fail(
                "Password",
                format!("The Password must be at least {MIN_PASSWORD} characters long."),
            );
        }
    }

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
        match canonical_keys(value) {
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

    /// Property `name` read as a `T`; `null` counts as absent. A missing required property or
    /// one of the wrong type is recorded in `ModelState`.
    fn field<T: DeserializeOwned>(&mut self, name: &str, required: bool) -> Option<T> {
        match self.object.get(name) {
            None | Some(Value::Null) => {
                if required {
                    self.fail(name, format!("The {name} field is required."));
                }
                None
            }
            Some(value) => match T::deserialize(value).or_else(|e| lenient(value).ok_or(e)) {
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

/// A string holding a number or a boolean, read as that value — Json.NET converts
/// `"OrganisationId": "1"` to the number (VEO's docs even type the organisation id as string).
fn lenient<T: DeserializeOwned>(value: &Value) -> Option<T> {
    let Value::String(text) = value else {
        return None;
    };
    match serde_json::from_str::<Value>(text.trim()) {
        Ok(inner @ (Value::Number(_) | Value::Bool(_))) => T::deserialize(&inner).ok(),
        _ => None,
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

    /// `name` parsed as a `T`, `None` when absent or empty; a 400 naming it when it does not
    /// parse or is below `min`.
    fn number<T>(&self, name: &str, min: T) -> Result<Option<T>, Refused>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display,
    {
        match self.get(name).map(str::trim) {
            None | Some("") => Ok(None),
            Some(raw) => match raw.parse::<T>() {
                Ok(v) if v >= min => Ok(Some(v)),
                Ok(_) => Err(refused_field(
                    name,
                    format!("The field {name} must be at least {min}."),
                )),
                Err(_) => Err(refused_field(
                    name,
                    format!("The value '{raw}' is not valid for {name}."),
                )),
            },
        }
    }
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
    let organisation = model.field::<types::OrganisationId>("OrganisationId", true);
    let raw_users = model.field::<Vec<Value>>("Users", true);
    let mut invitees = Vec::new();
    for (at, raw) in raw_users.iter().flatten().enumerate() {
        match types::Invitee::deserialize(raw) {
            Ok(invitee) => invitees.push(invitee),
            Err(e) => model.fail(&format!("Users[{at}]"), format!("Invalid user: {e}")),
        }
    }
    if let Err(response) = model.finish() {
        return *response;
    }
    if let Some(org) = organisation
        && org.0 != ORG_ID
    {
        return forbidden_organisation(org.0);
    }
    let mut result = types::InviteResult {
        total_invites: i32::try_from(invitees.len()).unwrap_or(i32::MAX),
        success_list: Vec::new(),
        error_list: Vec::new(),
        already_in_organisation_list: Vec::new(),
        existing_user_added_membership_to_organisation: Vec::new(),
    };
    let mut store = shared.lock();
    for invitee in invitees {
        let email = invitee.email.trim();
        if !valid_email(email) {
            result.error_list.push(invitee.email);
            continue;
        }
        match store.by_email.get(&email.to_ascii_lowercase()).copied() {
            Some(id) => {
                if let (Some(user), Some(admin)) = (store.users.get_mut(&id), invitee.is_org_admin)
                {
                    set_admin(&mut user.roles, admin);
                }
                result.already_in_organisation_list.push(invitee.email);
            }
            None => {
                let mut roles = vec![ROLE_USER];
                set_admin(&mut roles, invitee.is_org_admin.unwrap_or(false));
                store.add(VeoUser {
                    email: email.to_owned(),
                    first_name: None,
                    last_name: None,
                    is_active: true,
                    roles,
                });
                result.success_list.push(invitee.email);
            }
        }
    }
    drop(store);
    json(StatusCode::OK, &result)
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
    let first_name = model.field::<String>("FirstName", true);
    let last_name = model.field::<String>("LastName", true);
    let email = model.field::<String>("Email", true);
    let password = model.field::<String>("Password", true);
    let organisation = model.field::<types::OrganisationId>("OrganisationId", true);
    let roles = model.field::<Vec<types::RoleId>>("Roles", true);
    let is_active = model.field::<bool>("IsActive", false);
    let region = model.field::<i32>("RegionId", false);
    model.field::<bool>("AcceptsPrivacyPolicy", false);
    model.field::<bool>("AcceptsTermsAndConditions", false);
    model.check_email_and_password(email.as_deref(), password.as_deref());
    if let Some(region) = region
        && !REGIONS.iter().any(|(id, _)| *id == region)
    {
        model.fail("RegionId", format!("There is no region {region}."));
    }
    let roles = match roles.as_deref().map(checked_roles) {
        Some(Err(message)) => {
            model.fail("Roles", message);
            None
        }
        Some(Ok(roles)) => Some(roles),
        None => None,
    };
    if let Err(response) = model.finish() {
        return *response;
    }
    let (Some(first_name), Some(last_name), Some(email), Some(organisation), Some(roles)) =
        (first_name, last_name, email, organisation, roles)
    else {
        return invalid_field("model", "The request is invalid.");
    };
    if organisation.0 != ORG_ID {
        return forbidden_organisation(organisation.0);
    }
    let email = email.trim();
    let mut store = shared.lock();
    if store.by_email.contains_key(&email.to_ascii_lowercase()) {
        drop(store);
        return invalid_field(
            "model.Email",
            format!("A user with the email address {email} already exists."),
        );
    }
    let id = store.add(VeoUser {
        email: email.to_owned(),
        first_name: Some(first_name),
        last_name: Some(last_name),
        is_active: is_active.unwrap_or(true),
        roles,
    });
    drop(store);
    json(StatusCode::OK, &types::UserId(id))
}

async fn update_user(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let id = match path.map(|Path(raw)| raw.trim().parse::<i64>().map_err(|_| raw)) {
        Ok(Ok(id)) => id,
        Ok(Err(raw)) => {
            return invalid_field(
                "userId",
                format!("The value '{raw}' is not valid for userId."),
            );
        }
        Err(_) => return invalid_field("userId", "The userId is not valid."),
    };
    let mut model = match Model::read(&headers, body).await {
        Ok(model) => model,
        Err(response) => return *response,
    };
    let first_name = model.field::<String>("FirstName", false);
    let last_name = model.field::<String>("LastName", false);
    let email = model.field::<String>("Email", false);
    let password = model.field::<String>("Password", false);
    let is_active = model.field::<bool>("IsActive", false);
    let roles = model.field::<Vec<types::OrganisationRole>>("Roles", true);
    model.check_email_and_password(email.as_deref(), password.as_deref());
    let mut ours = None;
    for entry in roles.iter().flatten() {
        if entry.organisation_id.0 != ORG_ID {
            if model.state.is_empty() {
                return forbidden_organisation(entry.organisation_id.0);
            }
            continue;
        }
        match checked_roles(&entry.roles) {
            Ok(checked) => ours = Some(checked),
            Err(message) => model.fail("Roles", message),
        }
    }
    if roles.is_some() && ours.is_none() && model.state.is_empty() {
        model.fail(
            "Roles",
            format!("The roles in organisation {ORG_ID} are required."),
        );
    }
    if let Err(response) = model.finish() {
        return *response;
    }
    let mut store = shared.lock();
    let Some(current) = store.users.get(&id) else {
        drop(store);
        return error(StatusCode::NOT_FOUND, "User not found");
    };
    let old_key = current.email.to_ascii_lowercase();
    if let Some(email) = &email {
        let key = email.trim().to_ascii_lowercase();
        if key != old_key && store.by_email.contains_key(&key) {
            drop(store);
            return invalid_field(
                "model.Email",
                format!(
                    "A user with the email address {} already exists.",
                    email.trim()
                ),
            );
        }
        store.by_email.remove(&old_key);
        store.by_email.insert(key, id);
    }
    if let Some(user) = store.users.get_mut(&id) {
        if let Some(email) = email {
            user.email = email.trim().to_owned();
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
    let id = match query.number::<i64>("id", i64::MIN) {
        Ok(Some(id)) => id,
        Ok(None) => return invalid_field("id", "The id field is required."),
        Err(response) => return *response,
    };
    let mut store = shared.lock();
    match store.delete(id) {
        Some(_) => {
            drop(store);
            StatusCode::OK.into_response()
        }
        None => {
            drop(store);
            error(StatusCode::NOT_FOUND, "User not found")
        }
    }
}

async fn list_users(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let query = QueryPairs::of(&uri);
    let parsed = (|| {
        let organisation = query.number::<i64>("organisationId", i64::MIN)?;
        let size = query.number::<i32>("pageSize", 1)?;
        let page = query.number::<i32>("pageNumber", 1)?;
        let descending = match query.get("orderByDirection").map(str::trim) {
            None | Some("") => false,
            Some(d) if d.eq_ignore_ascii_case("asc") => false,
            Some(d) if d.eq_ignore_ascii_case("desc") => true,
            Some(d) => {
                return Err(refused_field(
                    "orderByDirection",
                    format!("The value '{d}' is not valid for orderByDirection."),
                ));
            }
        };
        Ok((organisation, size, page, descending))
    })();
    let (organisation, size, page, descending) = match parsed {
        Ok(parsed) => parsed,
        Err(response) => return *response,
    };
    if let Some(org) = organisation
        && org != ORG_ID
    {
        return error(
            StatusCode::FORBIDDEN,
            &format!("You do not belong to organisation {org}."),
        );
    }
    let size = size.unwrap_or(DEFAULT_PAGE_SIZE);
    let page = page.unwrap_or(1);
    let skip = usize::try_from((i64::from(page) - 1) * i64::from(size)).unwrap_or(usize::MAX);
    let take = usize::try_from(size).unwrap_or(usize::MAX);
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
                        || matches(Some(&u.email))
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
            items,
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
            id: Some(types::UserId(ME_ID)),
            first_name: Some("Sandra".to_owned()),
            last_name: Some("Admin".to_owned()),
            email: Some("sandra.admin@sandbox.veo.example".to_owned()),
            organisations: vec![types::Membership {
                id: Some(types::OrganisationId(ORG_ID)),
                name: Some(ORG_NAME.to_owned()),
                roles: vec![types::RoleId(ROLE_USER), types::RoleId(ROLE_ORG_ADMIN)],
            }],
        },
    )
}

async fn list_regions() -> Response {
    let regions: Vec<types::Region> = REGIONS
        .iter()
        .map(|(id, name)| types::Region {
            id: *id,
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
