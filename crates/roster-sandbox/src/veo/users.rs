//! The organisation's users: created without invitation, updated, deleted and listed page by
//! page.

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use roster::veo::types;

use super::model::{Model, QueryPairs, is_ours, organisation_of};
use super::store::{Store, VeoUser, checked_roles};
use super::{
    DEFAULT_PAGE_SIZE, ORG_ID, Refused, S, error, forbidden_organisation, invalid_field,
    refused_field,
};
use crate::plumbing::json;

/// 409: another user has the address (VEO documents no status for it).
pub(super) fn taken(email: &str) -> Response {
    error(
        StatusCode::CONFLICT,
        &format!("A user with the email address {email} already exists."),
    )
}

/// A user id from a path or query string: any text is one to the spec, so one that is not a
/// number names no user (404), as an unknown number does.
pub(super) fn user_id(raw: &str) -> Option<i64> {
    raw.trim().parse().ok()
}

pub(super) fn user_not_found() -> Response {
    error(StatusCode::NOT_FOUND, "User not found")
}

pub(super) async fn create_user(State(shared): S, headers: HeaderMap, body: Body) -> Response {
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

pub(super) async fn update_user(
    State(shared): S,
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

pub(super) async fn delete_user(State(shared): S, uri: Uri) -> Response {
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

pub(super) async fn list_users(State(shared): S, uri: Uri) -> Response {
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
