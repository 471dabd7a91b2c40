//! The veo fake.
//!
//! Driven through the generated client (`roster::veo::Client`), raw HTTP where the client
//! cannot send the mistake, and the facade (`roster::Provisioner`).
//!
//! One module per topic under `veo/`; the helpers they share are here.

mod provisioner;
mod requests;
mod signin;
mod users;

use roster::veo::prelude::*;
use roster::veo::{Client, Role, types};
use roster::{Member, Outcome, Provisioner, Vendor};
use roster_sandbox::Sandbox;

use serde_json::{Value, json};

use crate::support::error_of;

const V: Vendor = Vendor::Veo;
const ORG: i64 = 1;

fn org() -> Option<types::OrganisationId> {
    Some(types::OrganisationId(ORG.to_string()))
}

/// A listed or created user's id as the number the fake gives.
fn num(id: &Option<types::AnyUserId>) -> i64 {
    match id {
        Some(types::AnyUserId::Int64(n)) => *n,
        other => panic!("a numeric id, got {other:?}"),
    }
}

/// A listed user's role ids in the (only) organisation.
fn roles_of(user: &types::UserSummary) -> Vec<types::RoleId> {
    let entry = &user.roles.as_ref().expect("roles")[0];
    assert_eq!(
        entry.organisation_id,
        Some(types::AnyOrganisationId::Int64(ORG))
    );
    entry.roles.clone().expect("role ids")
}

fn items(page: &types::UserPage) -> &[types::UserSummary] {
    page.items.as_deref().expect("Items")
}

async fn sandbox() -> Sandbox {
    Sandbox::start().await.expect("the sandbox starts")
}

fn client(sandbox: &Sandbox) -> Client {
    Client::new(&sandbox.base_url(V), sandbox.token(V)).expect("a loopback URL is accepted")
}

/// A provisioner for the VEO fake alone.
fn provisioner(sandbox: &Sandbox) -> Provisioner {
    crate::support::provisioner(sandbox, V)
}

fn new_user(email: &str, first: &str, last: &str) -> types::UserCreate {
    types::UserCreate {
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        email: Some(email.into()),
        password: Some("password123456789".into()),
        organisation_id: org(),
        roles: Role::for_member(false),
        is_active: Some(true),
        region_id: Some(74),
        accepts_privacy_policy: Some(true),
        accepts_terms_and_conditions: Some(true),
    }
}

fn invitee(email: &str, admin: bool) -> types::Invitee {
    types::Invitee {
        email: Some(email.into()),
        is_org_admin: Some(admin),
        communities: Vec::new(),
    }
}

async fn raw(
    sandbox: &Sandbox,
    method: reqwest::Method,
    path: &str,
    auth: Option<&str>,
    content_type: Option<&str>,
    body: &str,
) -> (u16, Value) {
    crate::support::raw(sandbox, V, method, path, auth, content_type, Some(body)).await
}

fn bearer(sandbox: &Sandbox) -> String {
    format!("Bearer {}", sandbox.token(V))
}

async fn search(client: &Client, term: &str) -> types::UserPage {
    client
        .list_users()
        .search_term(term)
        .organisation_id(ORG.to_string())
        .send()
        .await
        .expect("listed")
        .into_inner()
}
