//! The Vectera fake, through the generated client, the facade and raw HTTP: DRF token auth,
//! DRF validation bodies, UUID string ids, users with their email look-up, page-number paging
//! (`perPage`) with absolute links, organizations, the subscription, meeting rooms, access
//! permissions, one-time login links at the site's root, and fault injection.
//!
//! One module per topic under `vectera/`; the helpers they share are here.

mod login;
mod meetings;
mod organizations;
mod provisioner;
mod requests;
mod users;

use roster::vectera::prelude::*;
use roster::vectera::types;
use roster::{Member, Outcome, Provisioner, Vendor};
use roster_sandbox::Sandbox;

use serde_json::{Value, json};

use crate::support::error_of;

const V: Vendor = Vendor::Vectera;

async fn sandbox() -> Sandbox {
    Sandbox::start().await.expect("loopback ports bind")
}

fn client(sandbox: &Sandbox) -> Client {
    Client::new(&sandbox.base_url(V), sandbox.token(V)).expect("loopback base URL")
}

fn http() -> reqwest::Client {
    roster_runtime::http_client_with("roster-sandbox-test", None, None).expect("client")
}

fn auth(sandbox: &Sandbox) -> String {
    format!("Token {}", sandbox.token(V))
}

/// Raw JSON call with the right token: (status, body as JSON, or `Null` when empty).
async fn call(
    sandbox: &Sandbox,
    method: reqwest::Method,
    path: &str,
    body: Option<&str>,
) -> (u16, Value) {
    let content_type = body.map(|_| "application/json");
    let auth = auth(sandbox);
    crate::support::raw(sandbox, V, method, path, Some(&auth), content_type, body).await
}

/// The DRF page the fake answers by default (the spec allows a bare array too).
fn users_page(list: types::UserList) -> types::UserPage {
    match list {
        types::UserList::UserPage(page) => page,
        types::UserList::Array(_) => panic!("the fake answers DRF pages"),
    }
}

fn members_page(list: types::MemberList) -> types::UserPage {
    match list {
        types::MemberList::UserPage(page) => page,
        types::MemberList::Array(_) => panic!("the fake answers DRF pages"),
    }
}

fn meetings_page(list: types::MeetingList) -> types::MeetingPage {
    match list {
        types::MeetingList::MeetingPage(page) => page,
        types::MeetingList::Array(_) => panic!("the fake answers DRF pages"),
    }
}

fn permissions_page(list: types::PermissionList) -> types::PermissionPage {
    match list {
        types::PermissionList::PermissionPage(page) => page,
        types::PermissionList::Array(_) => panic!("the fake answers DRF pages"),
    }
}

/// The users of a page (which the fake always fills).
fn results(page: &types::UserPage) -> &[types::User] {
    page.results.as_deref().expect("a DRF page has results")
}

/// DRF's `detail` in an error body.
fn detail(body: &types::Error) -> Option<&str> {
    body.get("detail").and_then(Value::as_str)
}

/// A string field the fake always answers.
fn text(value: &Option<String>) -> &str {
    value.as_deref().expect("the fake answers it")
}

/// An id the fake always answers: a UUID string.
fn uuid_id(value: &Option<String>) -> String {
    let id = text(value);
    assert!(uuid::Uuid::try_parse(id).is_ok(), "a UUID string: {id}");
    id.to_owned()
}

async fn my_organization(client: &Client) -> String {
    client
        .get_user()
        .id("me")
        .send()
        .await
        .expect("me")
        .into_inner()
        .organization_id
        .expect("the token's user has an organization")
}

fn new_user(email: &str, first: &str, organization: &str) -> types::UserCreate {
    types::UserCreate {
        first_name: first.to_owned(),
        last_name: Some("Tester".to_owned()),
        email: email.to_owned(),
        organization_id: organization.to_owned(),
        password: None,
        is_managed: None,
    }
}

/// A provisioner for the Vectera fake alone, whose waits are recorded instead of slept.
fn provisioner(sandbox: &Sandbox) -> Provisioner {
    crate::support::provisioner(sandbox, V)
}

fn member(i: usize) -> Member {
    Member::new(
        &format!("member{i}@example.com"),
        format!("First{i}"),
        "Last",
    )
    .expect("valid")
}
