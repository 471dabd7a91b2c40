//! `/organizations/`: teams created, read, renamed and deleted, and their subscription.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use roster::vectera::types;
use serde_json::Map;
use uuid::Uuid;

use super::fields::Fields;
use super::request::{Body, Params};
use super::store;
use super::{S, answer, bad_request, error, no_content, not_found};

pub(super) fn organization_body(id: Uuid, name: &str) -> types::Organization {
    types::Organization {
        id: Some(id.to_string()),
        name: Some(name.to_owned()),
        extra: Map::new(),
    }
}

pub(super) async fn create_organization(State(shared): S, Body(body): Body) -> Response {
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

pub(super) async fn get_organization(State(shared): S, params: Params) -> Response {
    let store = shared.lock();
    match params
        .uuid("id")
        .and_then(|id| Some((id, store.organizations.get(&id)?)))
    {
        Some((id, org)) => answer(StatusCode::OK, organization_body(id, &org.name)),
        None => not_found(),
    }
}

pub(super) async fn update_organization(
    State(shared): S,
    params: Params,
    Body(body): Body,
) -> Response {
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

pub(super) async fn delete_organization(State(shared): S, params: Params) -> Response {
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

pub(super) fn subscription_body(org: &store::Organization) -> types::Subscription {
    types::Subscription {
        plan: Some(org.plan.clone()),
        seats: Some(org.seats),
        extra: Map::new(),
    }
}

pub(super) async fn get_subscription(State(shared): S, params: Params) -> Response {
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
pub(super) async fn update_subscription(
    State(shared): S,
    params: Params,
    Body(body): Body,
) -> Response {
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
