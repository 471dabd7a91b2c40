//! The vyte fake.
//!
//! Driven through the generated client (`roster::vyte::Client`), raw HTTP where the client
//! cannot send the mistake, and the facade (`roster::Provisioner`).
//!
//! One module per topic under `vyte/`; the helpers they share are here.

mod batches;
mod provisioner;
mod requests;
mod team_sync;
mod teams;
mod users;

use axum::http::Method;
use roster::vyte::prelude::*;
use roster::vyte::{Client, types};
use roster::{Member, Outcome, Provisioner, Vendor};
use roster_sandbox::{Fault, FaultRule, Sandbox};

use serde_json::{Value, json};

use crate::support::error_of;

const V: Vendor = Vendor::Vyte;

async fn sandbox() -> Sandbox {
    Sandbox::start().await.expect("the sandbox starts")
}

fn client(sandbox: &Sandbox) -> Client {
    Client::new(&sandbox.base_url(V), sandbox.token(V)).expect("a loopback URL is accepted")
}

/// A provisioner for the Vyte fake alone.
fn provisioner(sandbox: &Sandbox) -> Provisioner {
    crate::support::provisioner(sandbox, V)
}

fn profile(email: &str, first: &str, last: &str) -> types::UserProfile {
    types::UserProfile {
        email: Some(email.to_owned()),
        first_name: Some(first.to_owned()),
        last_name: Some(last.to_owned()),
        ..Default::default()
    }
}

fn create_body(email: &str, first: &str, last: &str) -> types::UserUpsert {
    types::UserUpsert {
        user: Some(profile(email, first, last)),
        ..Default::default()
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

/// The listed users' first addresses and ids, in Vyte's order.
async fn listed(client: &Client) -> (Vec<String>, Vec<String>) {
    let users = client
        .list_users()
        .send()
        .await
        .expect("listed")
        .into_inner()
        .0;
    users
        .into_iter()
        .map(|u| {
            (
                u.emails
                    .and_then(|e| e.into_iter().next())
                    .expect("an email"),
                u.id.expect("an _id"),
            )
        })
        .unzip()
}
