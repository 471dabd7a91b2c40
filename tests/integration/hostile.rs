//! Issue 14, the library (facade) cases: `Provisioner` against vendors that misbehave on
//! purpose — endless pages, look-ups it cannot read, secrets echoed back, 200 MB answers,
//! non-JSON errors, failures that must not be amplified, answers that confirm nothing.
//! Every hostile server is on loopback and bounded (a request count or a time limit), and
//! every wait goes through a recording sleeper (nothing sleeps for real).

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

// 1. Endless paging.

/// A Vectera that ignores the page asked for: always the same user, always a `Link` to the
/// page after the one asked (for [`SERVER_BOUND`] requests), bare-array dialect.
async fn endless_vectera() -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let lists = Arc::new(AtomicUsize::new(0));
    let creates = Arc::new(AtomicUsize::new(0));
    let (l, c) = (lists.clone(), creates.clone());
    let router = axum::Router::new()
        .route(
            "/users/",
            axum::routing::get(
                move |Query(q): Query<std::collections::HashMap<String, String>>| {
                    let l = l.clone();
                    async move {
                        let n = l.fetch_add(1, Ordering::SeqCst);
                        let page: u32 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
                        let mut headers = HeaderMap::new();
                        if n < SERVER_BOUND {
                            let link =
                                format!("</users/?page={}&perPage=100>; rel=\"next\"", page + 1);
                            headers.insert(header::LINK, link.parse().expect("header"));
                        }
                        (
                            headers,
                            axum::Json(json!([vectera_user("7", "bob@example.com", "Bob")])),
                        )
                    }
                },
            )
            .post(move || {
                let c = c.clone();
                async move {
                    c.fetch_add(1, Ordering::SeqCst);
                    StatusCode::from_u16(599).expect("status")
                }
            }),
        )
        .route(
            "/users/me/",
            axum::routing::get(|| async { axum::Json(vectera_me()) }),
        );
    (serve(router).await, lists, creates)
}

#[tokio::test]
async fn vectera_list_ends_on_a_repeated_page() {
    let (base, lists, _) = endless_vectera().await;
    let (p, _) = provisioner_at(&base, &[Vendor::Vectera]);
    let items = list_all(&p, Vendor::Vectera).await;
    let last = items.last().expect("something");
    let err = last.as_ref().expect_err("ends with an error");
    assert_eq!(err.operation(), "list_users", "{err}");
    let calls = lists.load(Ordering::SeqCst);
    assert!(calls <= 3, "{calls} requests for one repeated page");
    assert!(
        items.len() <= 3,
        "the same user yielded over and over: {items:?}"
    );
}

#[tokio::test]
async fn vectera_list_ends_on_a_next_link_that_always_names_the_same_page() {
    let server = server().await;
    let next = format!("{}/users/?page=2&perPage=100", server.base_url());
    let pages = vectera_list(
        &server,
        json!({"count": 1_000_000_000_i64, "next": next, "previous": null,
               "results": [vectera_user("7", "bob@example.com", "Bob")]}),
    )
    .await;
    let (p, sleeper) = provisioner(&server, Vendor::Vectera);
    let items = list_all(&p, Vendor::Vectera).await;
    let err = items
        .last()
        .expect("something")
        .as_ref()
        .expect_err("ends with an error");
    assert_eq!(err.operation(), "list_users", "{err}");
    let calls = pages.calls_async().await;
    assert!(calls <= 3, "{calls} requests for one repeated page");
    assert!(
        sleeper.delays().is_empty(),
        "not retried: {:?}",
        sleeper.delays()
    );
}

#[tokio::test]
async fn vectera_ensure_fails_instead_of_walking_an_endless_search() {
    let (base, lists, creates) = endless_vectera().await;
    let (p, _) = provisioner_at(&base, &[Vendor::Vectera]);
    let report = p.ensure(&ann()).await;
    let err = failed(&report, Vendor::Vectera);
    assert_eq!(err.operation(), "list_users", "{err}");
    assert!(lists.load(Ordering::SeqCst) <= 3);
    assert_eq!(creates.load(Ordering::SeqCst), 0, "no create");
}

#[tokio::test]
async fn veo_list_ends_on_a_total_of_a_billion_repeating_the_same_users() {
    let server = server().await;
    let _me = veo_me(&server).await;
    let pages = veo_list(
        &server,
        json!({"Items": [veo_user(7, "bob@example.com", "Bob", true)], "Page": 1,
               "PageSize": 100, "TotalItemCount": 1_000_000_000_i64}),
    )
    .await;
    let (p, _) = provisioner(&server, Vendor::Veo);
    let items = list_all(&p, Vendor::Veo).await;
    let err = items
        .last()
        .expect("something")
        .as_ref()
        .expect_err("ends with an error");
    assert_eq!(err.vendor(), Vendor::Veo);
    let calls = pages.calls_async().await;
    assert!(calls <= 3, "{calls} requests for one repeated page");
}

#[tokio::test]
async fn veo_ensure_of_a_member_not_on_an_endless_page_fails_without_inviting() {
    let server = server().await;
    let _me = veo_me(&server).await;
    let pages = veo_list(
        &server,
        json!({"Items": [veo_user(7, "bob@example.com", "Bob", true)], "Page": 1,
               "PageSize": 100, "TotalItemCount": 1_000_000_000_i64}),
    )
    .await;
    let invite = never(&server, POST, "/api/userinvites/multiple").await;
    let (p, _) = provisioner(&server, Vendor::Veo);
    let report = tokio::time::timeout(Duration::from_secs(30), p.ensure(&ann()))
        .await
        .expect("ends");
    failed(&report, Vendor::Veo);
    invite.assert_calls_async(0).await;
    assert!(pages.calls_async().await <= 3);
}

// 2. No duplicate writes after a look-up not understood.

#[tokio::test]
async fn veo_items_in_lower_case_fail_the_member_and_invite_no_one() {
    let server = server().await;
    let _me = veo_me(&server).await;
    let _list = veo_list(
        &server,
        json!({"items": [veo_user(42, "ann@example.com", "Ann", true)], "Page": 1,
               "PageSize": 100, "TotalItemCount": 1}),
    )
    .await;
    let invite = never(&server, POST, "/api/userinvites/multiple").await;
    let (p, _) = provisioner(&server, Vendor::Veo);
    let report = p.ensure(&ann()).await;
    failed(&report, Vendor::Veo);
    let reports = p
        .ensure_all(&[ann(), member("bob@example.com", "Bob")])
        .await;
    for report in &reports {
        failed(report, Vendor::Veo);
    }
    invite.assert_calls_async(0).await;
}

#[tokio::test]
async fn vyte_users_without_emails_are_never_created_again() {
    let server = server().await;
    let _list = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200).json_body(json!([
                {"_id": "v42", "first_name": "Ann", "last_name": "Smith"},
                {"_id": "v43", "first_name": "Bob", "last_name": "Smith"}
            ]));
        })
        .await;
    let create = never(&server, POST, "/v2/users").await;
    let batch = never(&server, POST, "/v2/users/batch").await;
    let (p, _) = provisioner(&server, Vendor::Vyte);
    let report = p.ensure(&ann()).await;
    failed(&report, Vendor::Vyte);
    let reports = p
        .ensure_all(&[
            ann(),
            member("bob@example.com", "Bob"),
            member("cy@example.com", "Cy"),
        ])
        .await;
    for report in &reports {
        failed(report, Vendor::Vyte);
    }
    create.assert_calls_async(0).await;
    batch.assert_calls_async(0).await;
}

#[tokio::test]
async fn vectera_search_match_on_page_two_is_found_and_not_created() {
    let server = server().await;
    let base = server.base_url();
    let page2 = server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                "/users/",
                VECTERA,
                &[
                    ("search", "ann@example.com"),
                    ("page", "2"),
                    ("perPage", "100"),
                ],
            );
            then.status(200).json_body(json!({"count": 2, "next": null,
                "previous": format!("{base}/users/?search=ann%40example.com&page=1&perPage=100"),
                "results": [vectera_user("42", "ann@example.com", "Ann")]}));
        })
        .await;
    let page1 = server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                "/users/",
                VECTERA,
                &[
                    ("search", "ann@example.com"),
                    ("page", "1"),
                    ("perPage", "100"),
                ],
            );
            then.status(200)
                .json_body(json!({"count": 2, "previous": null,
                "next": format!("{base}/users/?search=ann%40example.com&page=2&perPage=100"),
                "results": [vectera_user("7", "joann@example.com", "Jo")]}));
        })
        .await;
    let _me = vectera_me_mock(&server).await;
    let create = never(&server, POST, "/users/").await;
    let (p, _) = provisioner(&server, Vendor::Vectera);
    let report = p.ensure(&ann()).await;
    assert!(
        matches!(outcome(&report, Vendor::Vectera), Outcome::Unchanged),
        "{report:?}"
    );
    page1.assert_calls_async(1).await;
    page2.assert_calls_async(1).await;
    create.assert_calls_async(0).await;
}

// 3. Secrets.

#[track_caller]
fn assert_error_clean(err: &Error, more: &[&str]) {
    assert_no_secret(&err.to_string(), more);
    assert_no_secret(&format!("{err:?}"), more);
    assert_no_secret(err.body().unwrap_or_default(), more);
}

#[tokio::test]
async fn a_login_token_in_an_answer_that_does_not_decode_is_not_quoted() {
    let server = server().await;
    let _search = vectera_list(
        &server,
        json!({"count": 1, "next": null, "previous": null,
               "results": [vectera_user("42", "ann@example.com", "Ann")]}),
    )
    .await;
    let _token = server
        .mock_async(|when, then| {
            when.method(POST).path("/users/42/loginTokens/");
            then.status(201)
                .header("content-type", "application/json")
                .body(r#"{"url": "https://www.vectera.com/login/?token=LOGIN_SECRET_q1w2e3r4t5""#);
        })
        .await;
    let (p, _) = provisioner(&server, Vendor::Vectera);
    let err = p
        .vectera_login_link("ann@example.com", None)
        .await
        .expect_err("a truncated answer");
    assert_eq!(err.operation(), "create_login_token");
    assert_error_clean(&err, &["LOGIN_SECRET_q1w2e3r4t5"]);
}

#[tokio::test]
async fn a_vyte_sign_up_link_in_an_answer_that_does_not_decode_is_not_quoted() {
    let server = server().await;
    let _list = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200).json_body(json!([]));
        })
        .await;
    let _create = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/users");
            then.status(200).header("content-type", "application/json").body(
                r#"{"user": {"_id": "v42"}, "link": "https://acme.vyte.in/signup?token=SIGNUP_SECRET_z9y8x7""#,
            );
        })
        .await;
    let (p, _) = provisioner(&server, Vendor::Vyte);
    let report = p.ensure(&ann()).await;
    assert_no_secret(&format!("{report:?}"), &["SIGNUP_SECRET_z9y8x7"]);
    if let Outcome::Failed(err) = outcome(&report, Vendor::Vyte) {
        assert_error_clean(err, &["SIGNUP_SECRET_z9y8x7"]);
    }
}

#[tokio::test]
async fn an_error_body_echoing_the_authorization_header_does_not_leak_the_token() {
    let server = server().await;
    for (path, auth) in [("/users/", VECTERA), ("/v2/users", TOKEN), ("/api/me", VEO)] {
        let echo = format!("Authorization: {auth}");
        server
            .mock_async(|when, then| {
                when.method(GET).path(path);
                then.status(400)
                    .json_body(json!({"detail": "bad request", "headers": echo}));
            })
            .await;
    }
    let (p, _) = provisioner_at(&server.base_url(), &Vendor::ALL);
    let report = p.ensure(&ann()).await;
    for vendor in Vendor::ALL {
        let err = failed(&report, vendor);
        assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err}");
        assert_error_clean(err, &[]);
    }
    assert_no_secret(&format!("{report:?}"), &[]);

    let server = roster_tests::server().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/users");
            then.status(403)
                .header("content-type", "text/plain")
                .body(format!(
                    "forbidden for X-Api-Key: {TOKEN} (Authorization: {TOKEN})"
                ));
        })
        .await;
    let (p, _) = provisioner(&server, Vendor::Vyte);
    let items = list_all(&p, Vendor::Vyte).await;
    let err = items[0].as_ref().expect_err("403");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    assert_error_clean(err, &[]);
}

// 5. Memory.

const HUGE: usize = 200 << 20;
const CHUNK: usize = 64 << 10;

/// A body of `HUGE` bytes streamed in chunks of `chunk` repeated (never built whole).
fn huge_body(head: &'static [u8], chunk: Bytes) -> Body {
    let n = HUGE / chunk.len();
    let stream = futures::stream::iter(
        std::iter::once(Bytes::from_static(head))
            .chain(std::iter::repeat_n(chunk, n))
            .map(Ok::<_, std::io::Error>),
    );
    Body::from_stream(stream)
}

fn user_chunk() -> Bytes {
    let item =
        br#"{"_id":"v1","first_name":"Bob","last_name":"Smith","emails":["bob@example.com"]},"#;
    Bytes::from(item.repeat(CHUNK / item.len()))
}

#[tokio::test]
async fn a_200_mb_answer_is_refused_at_the_size_cap_quickly() {
    let router = axum::Router::new().route(
        "/v2/users",
        axum::routing::get(|| async {
            (
                [(header::CONTENT_TYPE, "application/json")],
                huge_body(b"[", user_chunk()),
            )
        }),
    );
    let base = serve(router).await;
    let (p, sleeper) = provisioner_at(&base, &[Vendor::Vyte]);
    let started = Instant::now();
    let items = list_all(&p, Vendor::Vyte).await;
    let elapsed = started.elapsed();
    let err = items[0].as_ref().expect_err("too large");
    let cap = roster::Limits::DEFAULT.max_answer_bytes.to_string();
    assert!(
        err.to_string().contains(&cap),
        "names the {cap}-byte cap: {err}"
    );
    assert!(elapsed < Duration::from_secs(15), "took {elapsed:?}");
    assert!(
        sleeper.delays().is_empty(),
        "not retried: {:?}",
        sleeper.delays()
    );
}

#[tokio::test]
async fn a_200_mb_error_body_keeps_its_status_and_is_cut() {
    let router = axum::Router::new().route(
        "/users/",
        axum::routing::get(|| async {
            (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "application/json")],
                huge_body(br#"{"detail": ""#, Bytes::from(vec![b'x'; CHUNK])),
            )
        }),
    );
    let base = serve(router).await;
    let (p, _) = provisioner_at(&base, &[Vendor::Vectera]);
    let started = Instant::now();
    let items = list_all(&p, Vendor::Vectera).await;
    let elapsed = started.elapsed();
    let err = items[0].as_ref().expect_err("400");
    assert_eq!(
        err.status(),
        Some(reqwest::StatusCode::BAD_REQUEST),
        "{err}"
    );
    let body = err.body().expect("a body");
    assert!(
        body.len() <= roster::MAX_BODY + 64,
        "{} bytes kept",
        body.len()
    );
    assert!(err.to_string().len() < 4 * roster::MAX_BODY);
    assert!(elapsed < Duration::from_secs(15), "took {elapsed:?}");
}

// 6. Non-JSON errors keep their status.

#[tokio::test]
async fn html_401_403_400_keep_their_status_and_are_not_retried() {
    for status in [401_u16, 403, 400] {
        let server = server().await;
        let list = server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/users");
                then.status(status)
                    .header("content-type", "text/html")
                    .body("<html><body><h1>Denied</h1></body></html>");
            })
            .await;
        let (p, sleeper) = provisioner(&server, Vendor::Vyte);
        let items = list_all(&p, Vendor::Vyte).await;
        let err = items[0].as_ref().expect_err("an error");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{err}");
        assert_eq!(err.kind(), ErrorKind::Status, "{err}");
        list.assert_calls_async(1).await;
        assert!(
            sleeper.delays().is_empty(),
            "{status}: {:?}",
            sleeper.delays()
        );
    }
}

#[tokio::test]
async fn an_html_403_on_a_batch_is_not_redone_member_by_member() {
    let server = server().await;
    let _list = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200).json_body(json!([]));
        })
        .await;
    let batch = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/users/batch", TOKEN, &[]);
            then.status(403)
                .header("content-type", "text/html")
                .body("<html><body>Forbidden</body></html>");
        })
        .await;
    let single = never(&server, POST, "/v2/users").await;
    let (p, sleeper) = provisioner(&server, Vendor::Vyte);
    let reports = p.ensure_all(&members(3)).await;
    for report in &reports {
        let err = failed(report, Vendor::Vyte);
        assert_eq!(err.status().map(|s| s.as_u16()), Some(403), "{err}");
    }
    batch.assert_calls_async(1).await;
    single.assert_calls_async(0).await;
    assert!(sleeper.delays().is_empty(), "{:?}", sleeper.delays());
}

#[tokio::test]
async fn a_text_429_retry_after_is_waited_for() {
    let server = server().await;
    let limited = server
        .mock_async(|when, then| {
            when.is_true(first(1, "/v2/users"));
            then.status(429)
                .header("content-type", "text/plain")
                .header("retry-after", "7")
                .body("Too Many Requests");
        })
        .await;
    let list = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200)
                .json_body(json!([vyte_user("v42", "ann@example.com", "Ann")]));
        })
        .await;
    let (p, sleeper) = provisioner(&server, Vendor::Vyte);
    let items = list_all(&p, Vendor::Vyte).await;
    assert_eq!(items.len(), 1);
    assert!(items[0].is_ok(), "{items:?}");
    limited.assert_calls_async(1).await;
    list.assert_calls_async(1).await;
    let delays = sleeper.delays();
    assert_eq!(delays.len(), 1, "{delays:?}");
    assert!(delays[0] >= Duration::from_secs(7), "{delays:?}");
}

// 8. Failures are not amplified.

#[tokio::test]
async fn a_failing_vectera_me_is_asked_a_few_times_for_ten_members() {
    let server = server().await;
    let _search = vectera_list(
        &server,
        json!({"count": 0, "next": null, "previous": null, "results": []}),
    )
    .await;
    let me = server
        .mock_async(|when, then| {
            when.method(GET).path("/users/me/");
            then.status(500).json_body(json!({"detail": "down"}));
        })
        .await;
    let create = never(&server, POST, "/users/").await;
    let (p, _) = provisioner(&server, Vendor::Vectera);
    let reports = p.ensure_all(&members(10)).await;
    for report in &reports {
        let err = failed(report, Vendor::Vectera);
        assert_eq!(err.operation(), "get_user", "{err}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err}");
    }
    let calls = me.calls_async().await;
    assert!(calls <= 3, "{calls} calls to /users/me/ for 10 members");
    create.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_401_on_the_first_call_fails_the_other_members_without_calls() {
    let server = server().await;
    let all = server
        .mock_async(|when, then| {
            when.path_matches(".*");
            then.status(401)
                .json_body(json!({"detail": "Invalid token."}));
        })
        .await;
    let (p, sleeper) = provisioner(&server, Vendor::Vectera);
    let p = p.with_concurrency(1);
    let reports = p.ensure_all(&members(10)).await;
    for report in &reports {
        let err = failed(report, Vendor::Vectera);
        assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err}");
    }
    // The first member's look-up (and at most one call made alongside it); nothing after.
    let calls = all.calls_async().await;
    assert!(calls <= 2, "{calls} calls after a 401");
    assert!(sleeper.delays().is_empty());
}

#[tokio::test]
async fn a_vyte_batch_answering_429_is_retried_as_a_batch_after_the_wait() {
    let server = server().await;
    let team = members(3);
    let _empty = server
        .mock_async(|when, then| {
            when.is_true(first(1, "/v2/users"));
            then.status(200).json_body(json!([]));
        })
        .await;
    let listed: Vec<Value> = team
        .iter()
        .enumerate()
        .map(|(i, m)| vyte_user(&format!("v{i}"), m.email(), "New"))
        .collect();
    let _full = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200).json_body(Value::Array(listed.clone()));
        })
        .await;
    let limited = server
        .mock_async(|when, then| {
            when.is_true(first_of(1, "POST", "/v2/users/batch"));
            then.status(429)
                .header("retry-after", "3")
                .json_body(json!({"message": "slow down"}));
        })
        .await;
    let batch = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/users/batch", TOKEN, &[]);
            let created: Vec<Value> = listed.iter().map(|u| json!({"user": u})).collect();
            then.status(200).json_body(Value::Array(created));
        })
        .await;
    let single = never(&server, POST, "/v2/users").await;
    let (p, sleeper) = provisioner(&server, Vendor::Vyte);
    let reports = p.ensure_all(&team).await;
    limited.assert_calls_async(1).await;
    batch.assert_calls_async(1).await;
    single.assert_calls_async(0).await;
    assert!(
        sleeper
            .delays()
            .iter()
            .any(|d| *d >= Duration::from_secs(3)),
        "{:?}",
        sleeper.delays()
    );
    for report in &reports {
        assert!(
            matches!(outcome(report, Vendor::Vyte), Outcome::Created),
            "{report:?}"
        );
    }
}

#[tokio::test]
async fn a_veo_invitation_answering_429_is_retried_as_a_batch_after_the_wait() {
    let server = server().await;
    let team = members(3);
    let _me = veo_me(&server).await;
    let _list = veo_list(
        &server,
        json!({"Items": [], "Page": 1, "PageSize": 100, "TotalItemCount": 0}),
    )
    .await;
    let limited = server
        .mock_async(|when, then| {
            when.is_true(first_of(1, "POST", "/api/userinvites/multiple"));
            then.status(429)
                .header("retry-after", "3")
                .json_body(json!({"Message": "slow down"}));
        })
        .await;
    let emails: Vec<&str> = team.iter().map(Member::email).collect();
    let invite = server
        .mock_async(|when, then| {
            request(when, POST, "/api/userinvites/multiple", VEO, &[]);
            then.status(200)
                .json_body(json!({"TotalInvites": 3, "SuccessList": emails}));
        })
        .await;
    let (p, sleeper) = provisioner(&server, Vendor::Veo);
    let reports = p.ensure_all(&team).await;
    limited.assert_calls_async(1).await;
    invite.assert_calls_async(1).await;
    assert!(
        sleeper
            .delays()
            .iter()
            .any(|d| *d >= Duration::from_secs(3)),
        "{:?}",
        sleeper.delays()
    );
    for report in &reports {
        assert!(
            matches!(outcome(report, Vendor::Veo), Outcome::Created),
            "{report:?}"
        );
    }
}

#[tokio::test]
async fn a_hanging_vyte_batch_is_not_redone_member_by_member_one_after_another() {
    let server = server().await;
    let _list = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200).json_body(json!([]));
        })
        .await;
    let hang = |when: httpmock::When, then: httpmock::Then| {
        when.method(POST);
        then.delay(Duration::from_secs(8))
            .status(200)
            .json_body(json!({}));
    };
    let writes = server.mock_async(hang).await;
    let timeouts = Timeouts {
        connect: Some(Duration::from_secs(1)),
        attempt: Some(Duration::from_secs(1)),
    };
    let (p, _) = provisioner_with(
        Config::default().with_timeouts(timeouts),
        &server.base_url(),
        &[Vendor::Vyte],
    );
    let started = Instant::now();
    let reports = p.ensure_all(&members(5)).await;
    let elapsed = started.elapsed();
    // One batch (1 s) and, at most, one concurrent round of single creates (1 s).
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    assert!(writes.calls_async().await <= 6);
    for report in &reports {
        assert!(
            !matches!(outcome(report, Vendor::Vyte), Outcome::Created),
            "{report:?}"
        );
    }
}

// 9. Outcomes from evidence.

async fn veo_invite_answering(answer: Value) -> Vec<MemberReport> {
    let server = server().await;
    let _me = veo_me(&server).await;
    let _list = veo_list(
        &server,
        json!({"Items": [], "Page": 1, "PageSize": 100, "TotalItemCount": 0}),
    )
    .await;
    let invite = server
        .mock_async(|when, then| {
            request(when, POST, "/api/userinvites/multiple", VEO, &[]);
            then.status(200).json_body(answer);
        })
        .await;
    let (p, _) = provisioner(&server, Vendor::Veo);
    let mut reports = vec![p.ensure(&ann()).await];
    reports.extend(p.ensure_all(&members(3)).await);
    assert!(invite.calls_async().await >= 2);
    reports
}

#[tokio::test]
async fn a_veo_invitation_confirming_no_one_creates_no_one() {
    for answer in [
        json!({"TotalInvites": 0, "SuccessList": [], "AlreadyInOrganisationList": [],
               "AddedToOrganisationList": [], "FailedList": []}),
        json!({"TotalInvites": 1, "SuccessList": ["zed@example.com"]}),
    ] {
        for report in veo_invite_answering(answer.clone()).await {
            assert!(
                !matches!(outcome(&report, Vendor::Veo), Outcome::Created),
                "{answer}: {report:?}"
            );
        }
    }
}

async fn vyte_batch_answering(answer: Value) {
    let server = server().await;
    let team = members(3);
    let _empty = server
        .mock_async(|when, then| {
            when.is_true(first(1, "/v2/users"));
            then.status(200).json_body(json!([]));
        })
        .await;
    // After the batch, only the first member is listed.
    let relist = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200)
                .json_body(json!([vyte_user("v0", team[0].email(), "New")]));
        })
        .await;
    let batch = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/users/batch", TOKEN, &[]);
            then.status(200).json_body(answer.clone());
        })
        .await;
    let (p, _) = provisioner(&server, Vendor::Vyte);
    let reports = p.ensure_all(&team).await;
    batch.assert_calls_async(1).await;
    assert!(relist.calls_async().await >= 1, "confirmed by a re-list");
    assert!(
        matches!(outcome(&reports[0], Vendor::Vyte), Outcome::Created),
        "{answer}: {:?}",
        reports[0]
    );
    for report in &reports[1..] {
        assert!(
            !matches!(outcome(report, Vendor::Vyte), Outcome::Created),
            "{answer}: {report:?}"
        );
    }
}

#[tokio::test]
async fn a_vyte_batch_answering_nothing_is_confirmed_by_a_re_list() {
    vyte_batch_answering(json!([])).await;
}

#[tokio::test]
async fn a_vyte_batch_answering_other_users_is_confirmed_by_a_re_list() {
    vyte_batch_answering(json!([{"user": vyte_user("vz", "zed@example.com", "Zed")}])).await;
}

#[tokio::test]
async fn a_vyte_update_sends_the_member_s_teams() {
    let server = server().await;
    let _list = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200)
                .json_body(json!([vyte_user("v42", "ann@example.com", "Anne")]));
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            request(when, PUT, "/v2/users/v42", TOKEN, &[]).is_true(|r: &HttpMockRequest| {
                let body = body_json(r);
                body["user"]["first_name"] == "Ann"
                    && body["teams"]
                        .as_array()
                        .is_some_and(|t| t.len() == 1 && t[0]["name"] == "Sales")
            });
            then.status(200)
                .json_body(json!({"user": vyte_user("v42", "ann@example.com", "Ann")}));
        })
        .await;
    let mut ann = ann();
    ann.vyte.teams = vec!["Sales".into()];
    let (p, _) = provisioner(&server, Vendor::Vyte);
    let report = p.ensure(&ann).await;
    assert!(
        matches!(outcome(&report, Vendor::Vyte), Outcome::Updated),
        "{report:?}"
    );
    update.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_veo_ensure_never_reactivates_a_deactivated_user() {
    let server = server().await;
    let _me = veo_me(&server).await;
    let _list = veo_list(
        &server,
        json!({"Items": [veo_user(42, "ann@example.com", "Anne", false)], "Page": 1,
               "PageSize": 100, "TotalItemCount": 1}),
    )
    .await;
    let reactivating = server
        .mock_async(|when, then| {
            when.method(PUT)
                .is_true(|r: &HttpMockRequest| body_json(r)["IsActive"] == json!(true));
            then.status(599);
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            request(when, PUT, "/api/v2/users/42", VEO, &[]).is_true(|r: &HttpMockRequest| {
                let body = body_json(r);
                body["FirstName"] == "Ann" && body["IsActive"] != json!(true)
            });
            then.status(200);
        })
        .await;
    let (p, _) = provisioner(&server, Vendor::Veo);
    let report = p.ensure(&ann()).await;
    reactivating.assert_calls_async(0).await;
    update.assert_calls_async(1).await;
    assert!(
        matches!(outcome(&report, Vendor::Veo), Outcome::Updated),
        "{report:?}"
    );
}

#[tokio::test]
async fn a_vectera_login_url_that_is_not_absolute_is_an_error_with_or_without_next() {
    let server = server().await;
    let _search = vectera_list(
        &server,
        json!({"count": 1, "next": null, "previous": null,
               "results": [vectera_user("42", "ann@example.com", "Ann")]}),
    )
    .await;
    let token = server
        .mock_async(|when, then| {
            request(when, POST, "/users/42/loginTokens/", VECTERA, &[]);
            then.status(201).json_body(json!({"url": "nulla"}));
        })
        .await;
    let (p, _) = provisioner(&server, Vendor::Vectera);
    for next in [None, Some("/scheduling/")] {
        let err = p
            .vectera_login_link("ann@example.com", next)
            .await
            .expect_err("not a URL");
        assert_eq!(err.operation(), "create_login_token", "{next:?}: {err}");
        assert!(err.to_string().contains("create_login_token"), "{err}");
    }
    token.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_login_link_for_a_missing_member_names_the_look_up() {
    let server = server().await;
    let _search = vectera_list(
        &server,
        json!({"count": 0, "next": null, "previous": null, "results": []}),
    )
    .await;
    let token = never(&server, POST, "/users/42/loginTokens/").await;
    let (p, _) = provisioner(&server, Vendor::Vectera);
    let err = p
        .vectera_login_link("nobody@example.com", None)
        .await
        .expect_err("no such member");
    assert_eq!(err.operation(), "list_users", "{err}");
    assert!(!err.to_string().contains("create_login_token"), "{err}");
    token.assert_calls_async(0).await;
}
