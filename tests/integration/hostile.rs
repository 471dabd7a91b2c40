//! Issue 14, the library (facade) cases: `Provisioner` against vendors that misbehave on
//! purpose — endless pages, look-ups it cannot read, secrets echoed back, 200 MB answers,
//! non-JSON errors, failures that must not be amplified, answers that confirm nothing.
//! Every hostile server is on loopback and bounded (a request count or a time limit), and
//! every wait goes through a recording sleeper (nothing sleeps for real).
//!
//! One module per case under `hostile/`; the provisioners, payloads and mocks they share are here.

mod amplification;
mod evidence;
mod lookups;
mod memory;
mod non_json;
mod paging;
mod secrets;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode, header};
use futures::StreamExt;
use httpmock::Method::{GET, POST, PUT};
use httpmock::{HttpMockRequest, MockServer};
use roster::test_util::RecordingSleeper;
use roster::{
    Config, Error, ErrorKind, Member, MemberReport, Outcome, Provisioner, Timeouts, Vendor,
};
use roster_tests::{TOKEN, assert_no_secret, first, layer, request, server};
use serde_json::{Value, json};

const VECTERA: &str = "Token tok_5ecret_value_0123456789";
const VEO: &str = "Bearer tok_5ecret_value_0123456789";
const ORG: &str = "3f6c2a1e-8b4d-4c2e-9a7f-1d2e3f4a5b6c";
/// Requests a hostile server answers with its trick before it gives up (so a facade that does
/// not stop still ends the test).
const SERVER_BOUND: usize = 50;
/// Items read from a `list` stream at most.
const READ_BOUND: usize = 500;

/// A provisioner for `vendors` at `base`, with a recording sleeper.
fn provisioner_at(base: &str, vendors: &[Vendor]) -> (Provisioner, Arc<RecordingSleeper>) {
    provisioner_with(Config::default(), base, vendors)
}

fn provisioner_with(
    config: Config,
    base: &str,
    vendors: &[Vendor],
) -> (Provisioner, Arc<RecordingSleeper>) {
    let config = vendors
        .iter()
        .try_fold(config, |c, v| c.with(*v, Some(base), TOKEN))
        .expect("config");
    let (resilience, sleeper) = layer(1_000);
    let provisioner = Provisioner::with_resilience(&config, resilience).expect("clients");
    (provisioner, sleeper)
}

fn provisioner(server: &MockServer, vendor: Vendor) -> (Provisioner, Arc<RecordingSleeper>) {
    provisioner_at(&server.base_url(), &[vendor])
}

fn member(email: &str, first: &str) -> Member {
    Member::new(email, first, "Smith").expect("valid")
}

fn ann() -> Member {
    member("ann@example.com", "Ann")
}

fn members(n: usize) -> Vec<Member> {
    (0..n)
        .map(|i| member(&format!("m{i:02}@example.com"), "New"))
        .collect()
}

fn outcome(report: &MemberReport, vendor: Vendor) -> &Outcome {
    report.outcome(vendor).expect("vendor configured")
}

#[track_caller]
fn failed(report: &MemberReport, vendor: Vendor) -> &Error {
    match outcome(report, vendor) {
        Outcome::Failed(e) => e,
        other => panic!("{vendor}: expected a failure, got {other:?} in {report:?}"),
    }
}

/// Every item of `vendor`'s list, read at most [`READ_BOUND`] deep and for at most 30 s.
async fn list_all(p: &Provisioner, vendor: Vendor) -> Vec<Result<roster::Account, Error>> {
    tokio::time::timeout(
        Duration::from_secs(30),
        p.list(vendor).take(READ_BOUND).collect::<Vec<_>>(),
    )
    .await
    .expect("the list ends on its own")
}

/// A matcher true for the first `n` `method path` requests (see [`first`]).
fn first_of(
    n: usize,
    method: &'static str,
    path: &'static str,
) -> impl Fn(&HttpMockRequest) -> bool + Send + Sync + 'static {
    let seen = AtomicUsize::new(0);
    move |r| {
        r.method_str() == method
            && r.uri().path() == path
            && seen.fetch_add(1, Ordering::SeqCst) < n
    }
}

fn body_json(r: &HttpMockRequest) -> Value {
    serde_json::from_slice(r.body_ref()).unwrap_or(Value::Null)
}

/// Serves `router` on loopback for the rest of the test; answers its base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

fn vectera_user(id: &str, email: &str, first: &str) -> Value {
    json!({"id": id, "firstName": first, "lastName": "Smith", "email": email, "isManaged": false})
}

fn vectera_me() -> Value {
    json!({"id": "1", "firstName": "Ada", "email": "ada@example.com", "organizationId": ORG})
}

fn vyte_user(id: &str, email: &str, first: &str) -> Value {
    json!({"_id": id, "first_name": first, "last_name": "Smith", "emails": [email]})
}

fn veo_user(id: i64, email: &str, first: &str, active: bool) -> Value {
    json!({"Id": id, "FirstName": first, "LastName": "Smith", "Email": email,
           "IsActive": active, "Roles": [{"OrganisationId": 1, "Roles": [4]}]})
}

async fn veo_me(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            request(when, GET, "/api/me", VEO, &[]);
            then.status(200).json_body(
                json!({"Id": 1, "Organisations": [{"Id": 1, "Name": "Acme", "Roles": [4, 2]}]}),
            );
        })
        .await
}

/// `GET /api/users/get-all` for any query, answering `page`.
async fn veo_list(server: &MockServer, page: Value) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/users/get-all");
            then.status(200).json_body(page);
        })
        .await
}

/// `GET /users/` for any query (a search or a listing), answering `page`.
async fn vectera_list(server: &MockServer, page: Value) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(GET).path("/users/");
            then.status(200).json_body(page);
        })
        .await
}

async fn vectera_me_mock(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/me/", VECTERA, &[]);
            then.status(200).json_body(vectera_me());
        })
        .await
}

/// Every write to `method path`, answered 599 (a test asserts it is never called).
async fn never<'a>(
    server: &'a MockServer,
    method: httpmock::Method,
    path: &str,
) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(method).path(path);
            then.status(599);
        })
        .await
}
