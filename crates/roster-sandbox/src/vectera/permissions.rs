//! `/meetings/{id}/permissions/` and `/meetings/{id}/accessKeys/{permissionId}/`: a room's
//! access permissions listed, created, read, changed and deleted.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use roster::vectera::types;

use super::fields::Fields;
use super::pages::{envelope, query_error};
use super::query::ListQuery;
use super::request::{Body, Params, random_key};
use super::store::{Access, Permission, PermissionRow, Store};
use super::{S, answer, bad_request, no_content, not_found};
use roster::Secret;

pub(super) fn permission_body(
    store: &Store,
    id: i64,
    permission: &Permission,
) -> types::Permission {
    types::Permission {
        id: Some(store.public_id(id)),
        access_level: Some(permission.level.as_str().to_owned()),
        is_host: None,
        access_key: Some(Secret::new(permission.key.to_string())),
    }
}

pub(super) async fn list_permissions(
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

pub(super) async fn create_permission(
    State(shared): S,
    params: Params,
    Body(body): Body,
) -> Response {
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
pub(super) fn permission_ids(store: &Store, params: &Params) -> Option<(i64, i64)> {
    let meeting = params.row("id", store)?;
    let permission = params.row("permissionId", store)?;
    store
        .meetings
        .get(&meeting)?
        .permissions
        .contains_key(&permission)
        .then_some((meeting, permission))
}

pub(super) async fn get_permission(State(shared): S, params: Params) -> Response {
    let store = shared.lock();
    match permission_ids(&store, &params) {
        Some((m, p)) => answer(
            StatusCode::OK,
            permission_body(&store, p, &store.meetings[&m].permissions[&p]),
        ),
        None => not_found(),
    }
}

pub(super) async fn update_permission(
    State(shared): S,
    params: Params,
    Body(body): Body,
) -> Response {
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

pub(super) async fn delete_permission(State(shared): S, params: Params) -> Response {
    let mut store = shared.lock();
    let Some((m, p)) = permission_ids(&store, &params) else {
        return not_found();
    };
    if let Some(meeting) = store.meetings.get_mut(&m) {
        meeting.permissions.remove(&p);
    }
    no_content()
}
