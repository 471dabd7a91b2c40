//! `/users/` and `/organizations/{id}/members/`: users listed (through the email index when the
//! query allows), created, read, updated and deleted.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use roster::vectera::types;
use serde_json::Map;
use uuid::Uuid;

use super::fields::Fields;
use super::pages::{envelope, query_error};
use super::query::ListQuery;
use super::request::{Body, Params};
use super::store::{Store, User, UserRow};
use super::{S, answer, bad_request, error, no_content, not_found};
use crate::plumbing::Shared;

pub(super) fn user_body(store: &Store, id: i64, user: &User) -> types::User {
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

pub(super) async fn list_users(
    State(shared): S,
    headers: HeaderMap,
    uri: Uri,
    RawQuery(raw): RawQuery,
) -> Response {
    list_of_users(&shared, &headers, &uri, raw.as_deref(), None)
}

pub(super) async fn list_members(
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
pub(super) fn list_of_users(
    shared: &Shared<Store>,
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

pub(super) async fn create_user(State(shared): S, Body(body): Body) -> Response {
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

pub(super) async fn get_user(State(shared): S, params: Params) -> Response {
    let store = shared.lock();
    match params.user(&store) {
        Some(id) => answer(StatusCode::OK, user_body(&store, id, &store.users[&id])),
        None => not_found(),
    }
}

pub(super) async fn update_user(State(shared): S, params: Params, Body(body): Body) -> Response {
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

pub(super) async fn delete_user(State(shared): S, params: Params) -> Response {
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
