//! `Provisioner::ensure_all` over many members: Vyte batch creates and updates, VEO invitations
//! in batches, splitting at `BATCH_SIZE`, a failed batch redone member by member, addresses
//! given twice, progress reports — asserted on the requests that went over the wire.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use httpmock::Method::{GET, POST, PUT};
use httpmock::{HttpMockRequest, MockServer};
use roster::test_util::RecordingSleeper;
use roster::{
    BATCH_SIZE, Config, ErrorKind, Member, Outcome, Provisioner, Resilience, RetryBudget,
    RetryPolicy, Vendor,
};
use roster_tests::{TOKEN, first, request, server};
use serde_json::{Value, json};

const VEO: &str = "Bearer tok_5ecret_value_0123456789";

fn provisioner(server: &MockServer, vendor: Vendor) -> Provisioner {
    let config = Config::default()
        .with(vendor, Some(&server.base_url()), TOKEN)
        .expect("config");
    let resilience = Resilience::new(RetryPolicy::default(), Arc::new(RetryBudget::default()))
        .with_sleeper(Arc::new(RecordingSleeper::default()));
    Provisioner::with_resilience(&config, resilience).expect("clients")
}

fn member(email: &str, first: &str) -> Member {
    Member::new(email, first, "Smith").expect("valid")
}

fn new_members(n: usize) -> Vec<Member> {
    (0..n)
        .map(|i| member(&format!("n{i:03}@example.com"), "New"))
        .collect()
}

/// The request body as a JSON array, when it is one.
fn array(req: &HttpMockRequest) -> Vec<Value> {
    serde_json::from_slice::<Vec<Value>>(req.body_ref()).unwrap_or_default()
}

/// Matches a JSON-array body of exactly `n` elements.
fn array_of(n: usize) -> impl Fn(&HttpMockRequest) -> bool + Send + Sync + 'static {
    move |req| array(req).len() == n
}

/// Matches a VEO invitation for exactly `n` people.
fn invitation_of(n: usize) -> impl Fn(&HttpMockRequest) -> bool + Send + Sync + 'static {
    move |req| {
        serde_json::from_slice::<Value>(req.body_ref())
            .ok()
            .and_then(|b| b["Users"].as_array().map(Vec::len))
            == Some(n)
    }
}

fn vyte_user(id: &str, email: &str, first: &str) -> Value {
    json!({"_id": id, "first_name": first, "last_name": "Smith", "emails": [email]})
}

#[tokio::test]
async fn vyte_creates_and_updates_go_in_batches_of_batch_size() {
    assert_eq!(BATCH_SIZE, 100);
    let server = server().await;
    let list = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]).is_true(first(1, "/v2/users"));
            then.status(200).json_body(json!([
                vyte_user("va", "a@example.com", "Ann"),
                vyte_user("vb", "b@example.com", "Bob"),
                vyte_user("vc", "C@Example.com", "Cy"),
            ]));
        })
        .await;
    // The batches' answers are never read: a second listing confirms what they did.
    let mut after = vec![
        vyte_user("va", "a@example.com", "Ann"),
        vyte_user("vb", "b@example.com", "Robert"),
        vyte_user("vc", "C@Example.com", "Cyril"),
    ];
    after.extend(
        (0..200).map(|i| vyte_user(&format!("v{i}"), &format!("n{i:03}@example.com"), "New")),
    );
    let confirm = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200).json_body(Value::Array(after));
        })
        .await;
    let full_batches = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/users/batch", TOKEN, &[]).is_true(array_of(100));
            then.status(200).json_body(json!([]));
        })
        .await;
    // 201 new members: two full batches and one of a single member, sent as a plain create.
    let single_create = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/users", TOKEN, &[]).json_body(json!({"user": {
                "email": "n200@example.com", "first_name": "New", "last_name": "Smith"
            }}));
            then.status(200)
                .json_body(json!({"user": vyte_user("vn", "n200@example.com", "New")}));
        })
        .await;
    let batch_update = server
        .mock_async(|when, then| {
            request(when, PUT, "/v2/users/batch", TOKEN, &[]).json_body(json!([
                {"id": "vb", "user": {"email": "b@example.com", "first_name": "Robert", "last_name": "Smith"}},
                {"id": "vc", "user": {"email": "c@example.com", "first_name": "Cyril", "last_name": "Smith"}},
            ]));
            then.status(200).json_body(json!([
                {"user": vyte_user("vb", "b@example.com", "Robert")},
                {"user": vyte_user("vc", "c@example.com", "Cyril")},
            ]));
        })
        .await;
    let mut members = vec![
        member("a@example.com", "Ann"),
        member("b@example.com", "Robert"),
        member("c@example.com", "Cyril"),
    ];
    members.extend(new_members(201));
    let progress = AtomicUsize::new(0);
    let reports = provisioner(&server, Vendor::Vyte)
        .ensure_all_with(&members, |_, vendor, _| {
            assert_eq!(vendor, Vendor::Vyte);
            progress.fetch_add(1, Ordering::SeqCst);
        })
        .await;

    list.assert_calls_async(1).await;
    confirm.assert_calls_async(1).await;
    full_batches.assert_calls_async(2).await;
    single_create.assert_calls_async(1).await;
    batch_update.assert_calls_async(1).await;
    assert_eq!(progress.load(Ordering::SeqCst), members.len());
    assert_eq!(reports.len(), members.len());
    let outcomes: Vec<&Outcome> = reports
        .iter()
        .map(|r| r.outcome(Vendor::Vyte).expect("configured"))
        .collect();
    assert!(
        matches!(outcomes[0], Outcome::Unchanged),
        "{:?}",
        outcomes[0]
    );
    assert!(matches!(outcomes[1], Outcome::Updated), "{:?}", outcomes[1]);
    assert!(matches!(outcomes[2], Outcome::Updated), "{:?}", outcomes[2]);
    for (report, outcome) in reports.iter().zip(&outcomes).skip(3) {
        assert!(matches!(outcome, Outcome::Created), "{report:?}");
    }
    assert_eq!(reports[203].email, "n200@example.com");
}

#[tokio::test]
async fn a_vyte_batch_refused_for_a_member_is_redone_member_by_member_each_looked_up_again() {
    let server = server().await;
    let list = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200).json_body(json!([]));
        })
        .await;
    let batch = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/users/batch", TOKEN, &[]).is_true(array_of(3));
            then.status(400)
                .json_body(json!({"message": "One of the users cannot be created"}));
        })
        .await;
    let refused = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/users", TOKEN, &[]).body_includes("n001@example.com");
            then.status(400)
                .json_body(json!({"message": "Email already used by another organization"}));
        })
        .await;
    let created = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/users", TOKEN, &[]).body_excludes("n001@example.com");
            then.status(200)
                .json_body(json!({"user": vyte_user("vn", "n@example.com", "New")}));
        })
        .await;
    let members = new_members(3);
    let reports = provisioner(&server, Vendor::Vyte)
        .ensure_all(&members)
        .await;

    // A 400 may concern one member: each is looked up again, then created on its own; the one
    // Vyte refuses fails alone. (A 5xx or a 429 is retried as a batch: tests/integration/hostile.rs.)
    batch.assert_calls_async(1).await;
    list.assert_calls_async(1 + 3).await;
    created.assert_calls_async(2).await;
    refused.assert_calls_async(1).await;
    let outcome = |i: usize| reports[i].outcome(Vendor::Vyte).expect("configured");
    assert!(matches!(outcome(0), Outcome::Created), "{:?}", outcome(0));
    assert!(matches!(outcome(2), Outcome::Created), "{:?}", outcome(2));
    let Outcome::Failed(err) = outcome(1) else {
        panic!("{:?}", reports[1]);
    };
    assert_eq!(err.operation(), "create_user");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(err.to_string().contains("Email already used"), "{err}");
}

#[tokio::test]
async fn a_batch_refused_for_its_credentials_fails_every_member_without_more_calls() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200).json_body(json!([]));
        })
        .await;
    let batch = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/users/batch", TOKEN, &[]);
            then.status(403).json_body(json!({"message": "Forbidden"}));
        })
        .await;
    let single = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/users");
            then.status(599);
        })
        .await;
    let reports = provisioner(&server, Vendor::Vyte)
        .ensure_all(&new_members(2))
        .await;
    batch.assert_calls_async(1).await;
    single.assert_calls_async(0).await;
    for report in &reports {
        let Some(Outcome::Failed(err)) = report.outcome(Vendor::Vyte) else {
            panic!("{report:?}");
        };
        assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
        assert_eq!(err.operation(), "create_users_batch");
    }
}

async fn veo_me(server: &MockServer) {
    server
        .mock_async(|when, then| {
            request(when, GET, "/api/me", VEO, &[]);
            then.status(200)
                .json_body(json!({"Organisations": [{"Id": 1, "Roles": [4, 2]}]}));
        })
        .await;
}

#[tokio::test]
async fn veo_invites_every_new_member_in_one_call_and_reads_each_list() {
    let server = server().await;
    veo_me(&server).await;
    let search = |email: &'static str, items: Value| {
        let server = &server;
        async move {
            server
                .mock_async(|when, then| {
                    request(
                        when,
                        GET,
                        "/api/users/get-all",
                        VEO,
                        &[
                            ("searchTerm", email),
                            ("organisationId", "1"),
                            ("pageSize", "100"),
                        ],
                    );
                    then.status(200)
                        .json_body(json!({"Items": items, "TotalItemCount": 1}));
                })
                .await
        }
    };
    let found = |id: i64, email: &str, first: &str| {
        json!([{"Id": id, "FirstName": first, "LastName": "Smith", "Email": email,
                "IsActive": true, "Roles": [{"OrganisationId": 1, "Roles": [4]}]}])
    };
    search("same@example.com", found(1, "same@example.com", "Sam")).await;
    search(
        "renamed@example.com",
        found(2, "renamed@example.com", "Old"),
    )
    .await;
    for email in ["new@example.com", "bad@example.com", "member@example.com"] {
        search(email, json!([])).await;
    }
    let update = server
        .mock_async(|when, then| {
            request(when, PUT, "/api/v2/users/2", VEO, &[]).json_body(json!({
                "FirstName": "Renée", "LastName": "Smith", "Email": "renamed@example.com",
                "Roles": [{"OrganisationId": 1, "Roles": [4]}]
            }));
            then.status(200);
        })
        .await;
    let invite = server
        .mock_async(|when, then| {
            request(when, POST, "/api/userinvites/multiple", VEO, &[]).json_body(json!({
                "OrganisationId": "1",
                "Users": [
                    {"Email": "new@example.com", "IsOrgAdmin": true, "Communities": [7]},
                    {"Email": "bad@example.com", "IsOrgAdmin": false},
                    {"Email": "member@example.com", "IsOrgAdmin": false},
                ]
            }));
            then.status(200).json_body(json!({
                "TotalInvites": 3,
                "SuccessList": ["new@example.com"],
                "ErrorList": ["bad@example.com"],
                "AlreadyInOrganisationList": ["MEMBER@example.com"],
            }));
        })
        .await;
    let mut new = member("new@example.com", "New");
    new.admin = true;
    new.veo.communities = vec![7];
    let members = [
        member("same@example.com", "Sam"),
        new,
        member("renamed@example.com", "Renée"),
        member("bad@example.com", "Bad"),
        member("member@example.com", "Mem"),
    ];
    let reports = provisioner(&server, Vendor::Veo).ensure_all(&members).await;

    invite.assert_calls_async(1).await;
    update.assert_calls_async(1).await;
    let outcome = |i: usize| reports[i].outcome(Vendor::Veo).expect("configured");
    assert!(matches!(outcome(0), Outcome::Unchanged), "{:?}", outcome(0));
    assert!(matches!(outcome(1), Outcome::Created), "{:?}", outcome(1));
    assert!(matches!(outcome(2), Outcome::Updated), "{:?}", outcome(2));
    assert!(matches!(outcome(4), Outcome::Updated), "{:?}", outcome(4));
    let Outcome::Failed(err) = outcome(3) else {
        panic!("{:?}", reports[3]);
    };
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert!(
        err.to_string()
            .contains("refused the invitation of bad@example.com"),
        "{err}"
    );
}

#[tokio::test]
async fn veo_invitations_are_split_at_batch_size() {
    let server = server().await;
    veo_me(&server).await;
    let lookups = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/users/get-all");
            then.status(200)
                .json_body(json!({"Items": [], "TotalItemCount": 0}));
        })
        .await;
    // Each invitation answer lists its people (here every new address: the facade reads its
    // own); one the answer does not account for would be looked up again.
    let invited: Vec<String> = (0..250).map(|i| format!("n{i:03}@example.com")).collect();
    let full = server
        .mock_async(|when, then| {
            request(when, POST, "/api/userinvites/multiple", VEO, &[]).is_true(invitation_of(100));
            then.status(200)
                .json_body(json!({"TotalInvites": 100, "SuccessList": invited}));
        })
        .await;
    let rest = server
        .mock_async(|when, then| {
            request(when, POST, "/api/userinvites/multiple", VEO, &[]).is_true(invitation_of(50));
            then.status(200)
                .json_body(json!({"TotalInvites": 50, "SuccessList": invited}));
        })
        .await;
    let members = new_members(250);
    let reports = provisioner(&server, Vendor::Veo)
        .with_concurrency(16)
        .ensure_all(&members)
        .await;
    lookups.assert_calls_async(250).await;
    full.assert_calls_async(2).await;
    rest.assert_calls_async(1).await;
    assert!(
        reports
            .iter()
            .all(|r| matches!(r.outcome(Vendor::Veo), Some(Outcome::Created))),
        "{:?}",
        reports.iter().find(|r| r.has_failures())
    );
}

#[tokio::test]
async fn an_address_given_twice_is_done_once_and_the_copy_reported() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]).is_true(first(1, "/v2/users"));
            then.status(200).json_body(json!([]));
        })
        .await;
    // The listing after the batch confirms both.
    server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200).json_body(json!([
                vyte_user("va", "a@example.com", "Ann"),
                vyte_user("vb", "b@example.com", "Bob"),
            ]));
        })
        .await;
    let batch = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/users/batch", TOKEN, &[]).json_body(json!([
                {"user": {"email": "a@example.com", "first_name": "Ann", "last_name": "Smith"}},
                {"user": {"email": "b@example.com", "first_name": "Bob", "last_name": "Smith"}},
            ]));
            then.status(200).json_body(json!([]));
        })
        .await;
    let members = [
        member("a@example.com", "Ann"),
        member("A@EXAMPLE.COM", "Annie"),
        member("b@example.com", "Bob"),
    ];
    let reports = provisioner(&server, Vendor::Vyte)
        .ensure_all(&members)
        .await;
    batch.assert_calls_async(1).await;
    assert!(matches!(
        reports[0].outcome(Vendor::Vyte),
        Some(Outcome::Created)
    ));
    assert!(matches!(
        reports[2].outcome(Vendor::Vyte),
        Some(Outcome::Created)
    ));
    let Some(Outcome::Failed(err)) = reports[1].outcome(Vendor::Vyte) else {
        panic!("{:?}", reports[1]);
    };
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(
        err.to_string(),
        "vyte ensure_all: invalid request (A@EXAMPLE.COM is given twice; done once, for member #1)"
    );
}
