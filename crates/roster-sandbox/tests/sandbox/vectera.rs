//! The Vectera fake, through the generated client, the facade and raw HTTP: DRF token auth,
//! DRF validation bodies, UUID string ids, users with their email look-up, page-number paging
//! (`perPage`) with absolute links, organizations, the subscription, meeting rooms, access
//! permissions, one-time login links at the site's root, and fault injection.

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

// ---------------------------------------------------------------- authentication

#[tokio::test]
async fn a_missing_or_wrong_token_is_a_drf_401() {
    let sandbox = sandbox().await;
    let url = format!("{}/users/", sandbox.base_url(V));
    let cases: [(Option<String>, &str); 5] = [
        (None, "Authentication credentials were not provided."),
        (
            Some(format!("Bearer {}", sandbox.token(V))),
            "Authentication credentials were not provided.",
        ),
        (
            Some("Token".to_owned()),
            "Invalid token header. No credentials provided.",
        ),
        (
            Some("Token a b".to_owned()),
            "Invalid token header. Token string should not contain spaces.",
        ),
        (Some("token wrong-token".to_owned()), "Invalid token."),
    ];
    for (header, detail) in cases {
        let mut request = http().get(&url);
        if let Some(header) = &header {
            request = request.header("authorization", header);
        }
        let response = request.send().await.expect("sent");
        assert_eq!(response.status(), 401, "{header:?}");
        assert_eq!(
            response
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok()),
            Some("Token")
        );
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body, json!({ "detail": detail }), "{header:?}");
    }
    // The keyword is case-insensitive, as in DRF.
    let ok = http()
        .get(&url)
        .header("authorization", format!("TOKEN {}", sandbox.token(V)))
        .send()
        .await
        .expect("sent");
    assert_eq!(ok.status(), 200);

    // Through the generated client: a typed 401 with DRF's detail, and nothing stored.
    let wrong = Client::new(&sandbox.base_url(V), "not-the-token").expect("client");
    let (status, body) = error_of(wrong.get_user().id("me").send().await);
    assert_eq!(status, 401);
    assert_eq!(detail(&body), Some("Invalid token."));
    let (status, _) = error_of(
        wrong
            .create_user()
            .body(new_user(
                "x@example.com",
                "X",
                &uuid::Uuid::new_v4().to_string(),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 401);
    assert_eq!(sandbox.user_count(V), 1, "only the token's own user");
    assert_eq!(sandbox.calls(V, "GET /users/{id}/"), 1, "401s are counted");
}

// ---------------------------------------------------------------- validation

#[tokio::test]
async fn invalid_fields_are_a_400_with_one_list_of_messages_per_field() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    // Vectera documents the three required fields and their types, no format: a missing
    // field or a wrong type is refused; nothing is coerced.
    let (status, body) = error_of(
        client
            .create_user()
            .body(new_user(
                "steve@example.com",
                "Steve",
                "not-an-organization",
            ))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(detail(&body), None);
    assert_eq!(body["organizationId"], json!(["Must be a valid UUID."]));

    // Several fields at once, as DRF reports them; nothing is created.
    let (status, body) = call(
        &sandbox,
        reqwest::Method::POST,
        "/users/",
        Some(r#"{"firstName": 5, "organizationId": "nope", "isManaged": "true"}"#),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({
            "firstName": ["Not a valid string."],
            "email": ["This field is required."],
            "organizationId": ["Must be a valid UUID."],
            "isManaged": ["Must be a valid boolean."],
        })
    );
    // No body where one is required.
    let (status, body) = call(&sandbox, reqwest::Method::PATCH, "/users/me/", Some("")).await;
    assert_eq!(status, 400);
    assert!(body["detail"].is_string(), "{body}");
    let (status, body) = call(
        &sandbox,
        reqwest::Method::POST,
        "/users/",
        Some(
            &json!({
                "firstName": "Ann", "email": "ann@example.com",
                "organizationId": "0b9f4c1e-8b4d-4c2e-9a7f-1d2e3f4a5b6c",
            })
            .to_string(),
        ),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["organizationId"],
        json!(["Invalid pk \"0b9f4c1e-8b4d-4c2e-9a7f-1d2e3f4a5b6c\" - object does not exist."])
    );
    assert_eq!(sandbox.user_count(V), 1);
}

#[tokio::test]
async fn malformed_json_non_objects_and_other_media_types_are_a_400() {
    let sandbox = sandbox().await;
    let (status, body) = call(&sandbox, reqwest::Method::POST, "/users/", Some("{bad")).await;
    assert_eq!(status, 400);
    let detail = body["detail"].as_str().expect("detail");
    assert!(detail.starts_with("JSON parse error - "), "{detail}");

    let (status, body) = call(&sandbox, reqwest::Method::POST, "/meetings/", Some("[1]")).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({ "non_field_errors": ["Invalid data. Expected a dictionary, but got list."] })
    );

    let response = http()
        .post(format!("{}/organizations/", sandbox.base_url(V)))
        .header("authorization", auth(&sandbox))
        .header("content-type", "text/plain")
        .body("name=Acme")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        body,
        json!({ "detail": "Unsupported media type \"text/plain\" in request." })
    );

    // Wrong types in a PATCH: DRF's messages, nothing changed.
    let (status, body) = call(
        &sandbox,
        reqwest::Method::PATCH,
        "/users/me/",
        Some(r#"{"firstName": [], "lastName": null}"#),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({
            "firstName": ["Not a valid string."],
            "lastName": ["This field may not be null."],
        })
    );
}

#[tokio::test]
async fn a_duplicate_email_is_refused_ignoring_case() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let org = my_organization(&client).await;
    let first = client
        .create_user()
        .body(new_user("steve@example.com", "Steve", &org))
        .send()
        .await
        .expect("created");
    assert_eq!(first.status(), 201);
    let (status, body) = error_of(
        client
            .create_user()
            .body(new_user("Steve@EXAMPLE.com", "Steve", &org))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(
        body["email"],
        json!(["user with this email already exists."])
    );
    // Taking another user's address in an update is refused the same way.
    let other = client
        .create_user()
        .body(new_user("other@example.com", "Other", &org))
        .send()
        .await
        .expect("created");
    let (status, body) = error_of(
        client
            .update_user()
            .id(uuid_id(&other.id))
            .body(types::UserUpdate {
                email: Some("steve@example.com".to_owned()),
                ..Default::default()
            })
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert!(body.get("email").is_some(), "{body:?}");
    assert_eq!(sandbox.user_count(V), 3);
}

// ---------------------------------------------------------------- users

#[tokio::test]
async fn users_round_trip_create_get_update_page_delete() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let org = my_organization(&client).await;
    let mut ids = Vec::new();
    for i in 0..250 {
        let user = client
            .create_user()
            .body(new_user(
                &format!("user{i:03}@example.com"),
                &format!("User{i}"),
                &org,
            ))
            .send()
            .await
            .expect("created")
            .into_inner();
        assert_eq!(text(&user.email), format!("user{i:03}@example.com"));
        assert_eq!(user.organization_id.as_ref(), Some(&org));
        assert_eq!(user.is_managed, Some(false));
        ids.push(uuid_id(&user.id));
    }
    assert_eq!(sandbox.user_count(V), 251);

    let id = ids[42].clone();
    let user = client.get_user().id(&id).send().await.expect("200");
    assert_eq!(text(&user.first_name), "User42");
    assert_eq!(user.last_name.as_deref(), Some("Tester"));

    // A partial update: what is sent changes, the rest stays.
    let updated = client
        .update_user()
        .id(&id)
        .body(types::UserUpdate {
            last_name: Some("Jobs-Smith".to_owned()),
            is_managed: Some(true),
            ..Default::default()
        })
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("the fake answers the updated user");
    assert_eq!(text(&updated.first_name), "User42");
    assert_eq!(updated.last_name.as_deref(), Some("Jobs-Smith"));
    assert_eq!(updated.is_managed, Some(true));
    let again = client
        .get_user()
        .id(&id)
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(again, updated);

    // Paging: 100 a page, absolute `next`/`previous` links that lead where they say.
    let mut seen = Vec::new();
    let mut page_number = 1;
    loop {
        let page = users_page(
            client
                .list_users()
                .page(std::num::NonZeroU32::new(page_number).expect("non-zero"))
                .send()
                .await
                .expect("200")
                .into_inner(),
        );
        assert_eq!(page.count, Some(251));
        seen.extend(results(&page).iter().map(|u| u.id.clone()));
        let base = format!("{}/users/", sandbox.base_url(V));
        match page_number {
            1 => assert_eq!(page.previous, None),
            2 => assert_eq!(page.previous.as_deref(), Some(base.as_str())),
            n => assert_eq!(page.previous, Some(format!("{base}?page={}", n - 1))),
        }
        match &page.next {
            Some(next) => {
                assert_eq!(next, &format!("{base}?page={}", page_number + 1));
                page_number += 1;
            }
            None => {
                assert_eq!(results(&page).len(), 51, "the last page holds the rest");
                break;
            }
        }
    }
    assert_eq!(page_number, 3);
    assert_eq!(seen.len(), 251);
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "in creation order (the ids' low bits), no repeats"
    );

    // `perPage` (at most 100) sizes the pages; the links keep it.
    let page = users_page(
        client
            .list_users()
            .per_page(std::num::NonZeroU32::new(40).expect("non-zero"))
            .page(std::num::NonZeroU32::new(2).expect("non-zero"))
            .send()
            .await
            .expect("200")
            .into_inner(),
    );
    assert_eq!(results(&page).len(), 40);
    assert_eq!(results(&page)[0].id, seen[40]);
    assert_eq!(
        page.next.as_deref(),
        Some(format!("{}/users/?page=3&perPage=40", sandbox.base_url(V)).as_str())
    );
    for bad in ["0", "101", "ten"] {
        let (status, body) = call(
            &sandbox,
            reqwest::Method::GET,
            &format!("/users/?perPage={bad}"),
            None,
        )
        .await;
        assert_eq!(status, 400, "{bad}");
        assert!(body["perPage"][0].is_string(), "{bad}: {body}");
    }

    // `page=last`, and a page past the end (DRF: `Invalid page.`).
    let (status, body) = call(&sandbox, reqwest::Method::GET, "/users/?page=last", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["results"].as_array().map(Vec::len), Some(51));
    let (status, body) = call(&sandbox, reqwest::Method::GET, "/users/?page=4", None).await;
    assert_eq!((status, body), (404, json!({ "detail": "Invalid page." })));

    // Deleting: gone from reads and lists.
    let deleted = client.delete_user().id(&id).send().await.expect("204");
    assert_eq!(deleted.status(), 204);
    let (status, body) = error_of(client.get_user().id(&id).send().await);
    assert_eq!(status, 404);
    assert_eq!(detail(&body), Some("Not found."));
    let (status, _) = error_of(client.delete_user().id(&id).send().await);
    assert_eq!(status, 404);
    let listed = client
        .list_users()
        .search("user042@example.com")
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(users_page(listed).count, Some(0));
    assert_eq!(sandbox.user_count(V), 250);
}

#[tokio::test]
async fn search_filter_and_order_narrow_the_user_list() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let org = my_organization(&client).await;
    for (email, first, last, managed) in [
        ("steve@example.com", "Steve", "Jobs", true),
        ("xsteve@example.com", "Xavier", "Steverson", false),
        ("steve@example.com.au", "Steven", "Smith", false),
        ("ann@other.org", "Ann", "Jobs", true),
    ] {
        client
            .create_user()
            .body(types::UserCreate {
                last_name: Some(last.to_owned()),
                is_managed: Some(managed),
                ..new_user(email, first, &org)
            })
            .send()
            .await
            .expect("created");
    }
    let emails = |list: types::UserList| -> Vec<String> {
        results(&users_page(list))
            .iter()
            .map(|u| text(&u.email).to_owned())
            .collect()
    };
    // The facade's look-up: `search=<email>` finds every address containing it (DRF's
    // `icontains`), the exact one among them.
    let page = client
        .list_users()
        .search("STEVE@example.com")
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(
        emails(page),
        [
            "steve@example.com",
            "xsteve@example.com",
            "steve@example.com.au"
        ]
    );
    // Exactly one address.
    let page = client
        .list_users()
        .filter("email = \"Steve@Example.com\"")
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(emails(page), ["steve@example.com"]);
    // Free text over names and email; several terms must all match.
    let page = client
        .list_users()
        .search("jobs")
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(emails(page), ["steve@example.com", "ann@other.org"]);
    let page = client
        .list_users()
        .search("jobs ann")
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(emails(page), ["ann@other.org"]);
    // The spec's own example expression, and sorting.
    let page = client
        .list_users()
        .filter("isManaged=true AND (lastName ~ \"jobs\" OR email ~ \"@example.com\")")
        .order_by("-email")
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(emails(page), ["steve@example.com", "ann@other.org"]);
    let page = client
        .list_users()
        .filter("email !~ \"example\" OR firstName = \"steven\"")
        .order_by("lastName,-id")
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(emails(page), ["ann@other.org", "steve@example.com.au"]);
    // A filter outside the documented grammar: 400 under `filter`.
    for bad in [
        "email = steve@example.com",
        "isManaged > true",
        "(firstName = \"x\"",
    ] {
        let (status, body) = error_of(client.list_users().filter(bad).send().await);
        assert_eq!(status, 400, "{bad}");
        assert!(body["filter"][0].is_string(), "{bad}: {body:?}");
    }
    // A field the fake does not model is not refused (nothing documents that): it matches
    // nothing but `= null`.
    let page = client
        .list_users()
        .filter("nope = 1")
        .send()
        .await
        .expect("200")
        .into_inner();
    assert!(emails(page).is_empty());
    // Ids are compared as Vectera's guide writes them: unquoted UUIDs.
    let me = client
        .get_user()
        .id("me")
        .send()
        .await
        .expect("me")
        .into_inner();
    let page = client
        .list_users()
        .filter(format!("id = {}", uuid_id(&me.id)))
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(emails(page), ["admin@sandbox.example.com"]);
    // Links keep the query (sorted, as DRF writes them).
    let (status, body) = call(
        &sandbox,
        reqwest::Method::GET,
        "/users/?search=example&orderBy=id",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["next"], Value::Null);
    assert_eq!(body["previous"], Value::Null);
}

#[tokio::test]
async fn the_token_user_and_organization_cannot_be_deleted() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let org = my_organization(&client).await;
    let (status, body) = error_of(client.delete_user().id("me").send().await);
    assert_eq!(status, 403);
    assert!(detail(&body).is_some());
    let (status, _) = error_of(client.delete_organization().id(&org).send().await);
    assert_eq!(status, 403);
    assert!(client.get_user().id("me").send().await.is_ok());
}

// ---------------------------------------------------------------- organizations

#[tokio::test]
async fn organizations_members_and_subscription() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let mine = my_organization(&client).await;
    let org = client
        .create_organization()
        .body(types::OrganizationCreate {
            name: Some("Acme Advisers".to_owned()),
        })
        .send()
        .await
        .expect("201");
    assert_eq!(org.status(), 201);
    let org = org.into_inner();
    assert_eq!(org.name.as_deref(), Some("Acme Advisers"));
    let org_id = uuid_id(&org.id);

    let renamed = client
        .update_organization()
        .id(&org_id)
        .body(types::OrganizationUpdate {
            name: Some("Acme Europe".to_owned()),
        })
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("the fake answers the organization");
    assert_eq!(renamed.name.as_deref(), Some("Acme Europe"));
    let read = client
        .get_organization()
        .id(&org_id)
        .send()
        .await
        .expect("200");
    assert_eq!(read.name.as_deref(), Some("Acme Europe"));

    let member = client
        .create_user()
        .body(new_user("lionel@example.com", "Lionel", &org_id))
        .send()
        .await
        .expect("201")
        .into_inner();
    let other = client
        .create_user()
        .body(new_user("other@example.com", "Other", &mine))
        .send()
        .await
        .expect("201")
        .into_inner();
    let members = members_page(
        client
            .list_organization_members()
            .id(&org_id)
            .send()
            .await
            .expect("200")
            .into_inner(),
    );
    assert_eq!(members.count, Some(1));
    assert_eq!(results(&members)[0].id, member.id);
    let members = members_page(
        client
            .list_organization_members()
            .id(&mine)
            .search("other@example.com")
            .send()
            .await
            .expect("200")
            .into_inner(),
    );
    assert_eq!(
        members.count,
        Some(1),
        "the index look-up stays within the organization"
    );
    let by_filter = users_page(
        client
            .list_users()
            .filter(format!("organizationId = \"{org_id}\""))
            .send()
            .await
            .expect("200")
            .into_inner(),
    );
    assert_eq!(by_filter.count, Some(1));
    assert_eq!(results(&by_filter)[0].id, member.id);
    let members = members_page(
        client
            .list_organization_members()
            .id(&mine)
            .search("lionel@example.com")
            .send()
            .await
            .expect("200")
            .into_inner(),
    );
    assert_eq!(members.count, Some(0));

    // "Update a user" moves a member to another organization.
    let moved = client
        .update_user()
        .id(uuid_id(&other.id))
        .body(types::UserUpdate {
            organization_id: Some(org_id.clone()),
            ..Default::default()
        })
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("the fake answers the user");
    assert_eq!(moved.organization_id.as_ref(), Some(&org_id));
    let members = members_page(
        client
            .list_organization_members()
            .id(&org_id)
            .send()
            .await
            .expect("200")
            .into_inner(),
    );
    assert_eq!(members.count, Some(2));

    let subscription = client
        .get_subscription()
        .id(&org_id)
        .send()
        .await
        .expect("200");
    assert!(subscription.plan.is_some());
    let changed = client
        .update_subscription()
        .id(&org_id)
        .body(types::Subscription {
            plan: None,
            seats: Some(30),
            extra: Default::default(),
        })
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("the fake answers the subscription");
    assert_eq!(changed.seats, Some(30));
    assert_eq!(changed.plan, subscription.plan, "left out, left alone");
    let (status, body) = call(
        &sandbox,
        reqwest::Method::PATCH,
        &format!("/organizations/{org_id}/subscription/"),
        Some(r#"{"seats": "30"}"#),
    )
    .await;
    assert_eq!(status, 400, "a number as text is not coerced");
    assert_eq!(body, json!({ "seats": ["A valid integer is required."] }));

    // Deleting an organization keeps its members, without one.
    let deleted = client
        .delete_organization()
        .id(&org_id)
        .send()
        .await
        .expect("204");
    assert_eq!(deleted.status(), 204);
    let user = client
        .get_user()
        .id(uuid_id(&member.id))
        .send()
        .await
        .expect("kept");
    assert_eq!(user.organization_id, None);
    let (status, _) = error_of(client.list_organization_members().id(&org_id).send().await);
    assert_eq!(status, 404);
    let (status, _) = error_of(client.get_subscription().id(&org_id).send().await);
    assert_eq!(status, 404);
}

// ---------------------------------------------------------------- meetings and permissions

#[tokio::test]
async fn meetings_and_their_access_permissions() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let meeting = client
        .create_meeting()
        .body(types::MeetingCreate {
            key: Some("adviser-client-42".to_owned()),
            forward_url: Some("https://www.example.com/thank-you".to_owned()),
            ..Default::default()
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    let meeting_id = uuid_id(&meeting.id);
    assert_eq!(text(&meeting.key), "adviser-client-42");
    assert_eq!(meeting.locked, Some(true), "locked by default");
    assert_eq!(text(&meeting.public_access_level), "should_knock");
    let me = client
        .get_user()
        .id("me")
        .send()
        .await
        .expect("me")
        .into_inner();
    assert_eq!(meeting.owner_id, me.id, "the token's user by default");
    let created = text(&meeting.date_created);
    assert!(
        chrono::DateTime::parse_from_rfc3339(created).is_ok(),
        "{created}"
    );
    assert_eq!(meeting.trashed, Some(false));
    assert!(
        meeting
            .url
            .as_deref()
            .is_some_and(|u| u.ends_with("/room/sandbox-team/adviser-client-42/"))
    );

    // Keys are unique ignoring case (any text: Vectera documents no format); a random one
    // when left out.
    let (status, body) = error_of(
        client
            .create_meeting()
            .body(types::MeetingCreate {
                key: Some("Adviser-Client-42".to_owned()),
                ..Default::default()
            })
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(
        body["key"],
        json!(["meeting with this key already exists."])
    );
    let spaced = client
        .create_meeting()
        .body(types::MeetingCreate {
            key: Some("Adviser and client".to_owned()),
            ..Default::default()
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    assert!(
        text(&spaced.url).ends_with("/room/sandbox-team/Adviser%20and%20client/"),
        "{:?}",
        spaced.url
    );
    client
        .delete_meeting()
        .id(uuid_id(&spaced.id))
        .send()
        .await
        .expect("204");
    let open = client
        .create_meeting()
        .body(types::MeetingCreate {
            public_access_level: Some(types::PublicAccessLevel::CanAlwaysJoin),
            ..Default::default()
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    assert_eq!(text(&open.key).len(), 10);
    assert_eq!(open.locked, Some(false));
    let open_id = uuid_id(&open.id);

    // Removing the forward URL with the empty string; reset answers the room.
    let updated = client
        .update_meeting()
        .id(&meeting_id)
        .body(types::MeetingUpdate {
            forward_url: Some(String::new()),
            ..Default::default()
        })
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("the fake answers the room");
    assert_eq!(updated.forward_url.as_deref(), Some(""));
    let reset = client
        .reset_meeting()
        .id(&meeting_id)
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("the fake answers the room");
    assert_eq!(text(&reset.key), "adviser-client-42");

    // Filtering as Vectera's examples do, ids unquoted.
    let listed = meetings_page(
        client
            .list_meetings()
            .filter("isTrashed=false AND key ~ \"adviser\"")
            .order_by("-dateCreated,key")
            .send()
            .await
            .expect("200")
            .into_inner(),
    );
    assert_eq!(listed.count, Some(1));
    let listed = meetings_page(
        client
            .list_meetings()
            .filter(format!("ownerId = {}", text(&me.id)))
            .order_by("-dateCreated")
            .send()
            .await
            .expect("200")
            .into_inner(),
    );
    assert_eq!(
        listed
            .results
            .expect("results")
            .iter()
            .map(|m| m.id.clone())
            .collect::<Vec<_>>(),
        [open.id.clone(), meeting.id.clone()]
    );

    // Permissions: `is_host` and `can_always_join`, each with a 30-character key.
    let host = client
        .create_permission()
        .id(&meeting_id)
        .body(types::PermissionCreate {
            access_level: types::AccessLevel::IsHost,
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    assert_eq!(text(&host.access_level), "is_host");
    let host_id = uuid_id(&host.id);
    let key = host.access_key.as_ref().expect("a key").expose().to_owned();
    assert_eq!(key.len(), 30);
    assert!(!format!("{host:?}").contains(&key), "the key never prints");
    let guest = client
        .create_permission()
        .id(&meeting_id)
        .body(types::PermissionCreate {
            access_level: types::AccessLevel::CanAlwaysJoin,
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    assert_ne!(guest.access_key, host.access_key);
    let (status, body) = call(
        &sandbox,
        reqwest::Method::POST,
        &format!("/meetings/{meeting_id}/permissions/"),
        Some(r#"{"accessLevel": "should_knock"}"#),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({ "accessLevel": ["\"should_knock\" is not a valid choice."] })
    );

    let read = client
        .get_permission()
        .id(&meeting_id)
        .permission_id(&host_id)
        .send()
        .await
        .expect("200");
    assert_eq!(read.into_inner(), host);
    let changed = client
        .update_permission()
        .id(&meeting_id)
        .permission_id(&host_id)
        .body(types::PermissionUpdate {
            access_level: Some(types::AccessLevel::CanAlwaysJoin),
        })
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("the fake answers the permission");
    assert_eq!(text(&changed.access_level), "can_always_join");
    assert_eq!(changed.access_key, host.access_key, "the key stays");
    let list = client
        .list_permissions()
        .id(&meeting_id)
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(permissions_page(list).count, Some(2));
    client
        .delete_permission()
        .id(&meeting_id)
        .permission_id(&host_id)
        .send()
        .await
        .expect("204");
    let (status, _) = error_of(
        client
            .get_permission()
            .id(&meeting_id)
            .permission_id(&host_id)
            .send()
            .await,
    );
    assert_eq!(status, 404);
    // A permission is reached only through its own room.
    let (status, _) = error_of(
        client
            .get_permission()
            .id(&open_id)
            .permission_id(uuid_id(&guest.id))
            .send()
            .await,
    );
    assert_eq!(status, 404);

    client
        .delete_meeting()
        .id(&meeting_id)
        .send()
        .await
        .expect("204");
    let (status, _) = error_of(client.get_meeting().id(&meeting_id).send().await);
    assert_eq!(status, 404);
    let (status, _) = error_of(client.list_permissions().id(&meeting_id).send().await);
    assert_eq!(status, 404);
    assert_eq!(
        sandbox.calls(V, "PATCH /meetings/{id}/accessKeys/{permissionId}/"),
        1
    );
}

// ---------------------------------------------------------------- login links

#[tokio::test]
async fn a_login_link_works_once_and_honours_next() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    let report = provisioner.ensure(&member(1)).await;
    assert!(matches!(report.outcome(V), Some(Outcome::Created)));
    let link = provisioner
        .vectera_login_link("member1@example.com", Some("/room/sandbox-team/meeting-1/"))
        .await
        .expect("a link");
    let url = link.expose().to_owned();
    // At the site's root, as Vectera's, not under the API's `/api/v1`.
    let root = format!("http://{}/login/?token=", sandbox.addr(V));
    assert!(url.starts_with(&root), "{}", url.len());
    assert!(url.ends_with("&next=/room/sandbox-team/meeting-1/"));

    let first = http().get(&url).send().await.expect("sent");
    assert_eq!(first.status(), 302);
    assert_eq!(
        first
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/room/sandbox-team/meeting-1/")
    );
    let body: Value = first.json().await.expect("JSON");
    let found = provisioner.find("member1@example.com").await;
    let account = found[0].1.as_ref().expect("ok").as_ref().expect("found");
    assert_eq!(body["id"], json!(account.id));
    let second = http().get(&url).send().await.expect("sent");
    assert_eq!(second.status(), 400, "a login link works once");

    // Through the generated client: the answer has the URL and the bare token.
    let client = client(&sandbox);
    let token = client
        .create_login_token()
        .id("me")
        .send()
        .await
        .expect("201");
    assert_eq!(token.status(), 201);
    let token = token.into_inner();
    let bare = token.token.as_ref().expect("the token").expose().to_owned();
    assert_eq!(bare.len(), 32);
    let url = token.url.as_ref().expect("the URL").expose().to_owned();
    assert!(url.ends_with(&format!("?token={bare}")));
    // A `next` naming another site is not followed.
    let response = http()
        .get(format!("{url}&next=//evil.example/"))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/")
    );
    let (status, _) = error_of(
        client
            .create_login_token()
            .id("ea970f9b-2b1c-4d7e-8f3a-6c5d4e3f2a1b")
            .send()
            .await,
    );
    assert_eq!(status, 404);
}

// ---------------------------------------------------------------- the facade

#[tokio::test]
async fn ensure_twice_writes_once() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    let first = provisioner.ensure(&member(7)).await;
    assert!(
        matches!(first.outcome(V), Some(Outcome::Created)),
        "{first:?}"
    );
    let second = provisioner.ensure(&member(7)).await;
    assert!(
        matches!(second.outcome(V), Some(Outcome::Unchanged)),
        "{second:?}"
    );
    assert_eq!(sandbox.calls(V, "POST /users/"), 1);
    assert_eq!(sandbox.calls(V, "PATCH /users/{id}/"), 0);
    assert_eq!(sandbox.calls(V, "GET /users/"), 2, "one look-up each");

    // A changed name is an update, not a second user.
    let mut renamed = member(7);
    renamed.last_name = "Other".to_owned();
    let third = provisioner.ensure(&renamed).await;
    assert!(
        matches!(third.outcome(V), Some(Outcome::Updated)),
        "{third:?}"
    );
    assert_eq!(sandbox.calls(V, "PATCH /users/{id}/"), 1);
    assert_eq!(sandbox.user_count(V), 2);

    let found = provisioner.find("MEMBER7@example.com").await;
    let account = found[0].1.as_ref().expect("ok").as_ref().expect("found");
    assert_eq!(account.last_name.as_deref(), Some("Other"));
    let removed = provisioner.remove("member7@example.com").await;
    assert!(matches!(removed.outcome(V), Some(Outcome::Removed)));
    assert_eq!(sandbox.user_count(V), 1);
}

#[tokio::test]
async fn ensure_all_creates_then_leaves_250_members_alone() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    let members: Vec<Member> = (0..250).map(member).collect();
    let reports = provisioner.ensure_all(&members).await;
    assert_eq!(reports.len(), 250);
    assert!(
        reports
            .iter()
            .all(|r| matches!(r.outcome(V), Some(Outcome::Created))),
        "{:?}",
        reports
            .iter()
            .find(|r| !matches!(r.outcome(V), Some(Outcome::Created)))
    );
    assert_eq!(sandbox.user_count(V), 251);
    let reports = provisioner.ensure_all(&members).await;
    assert!(
        reports
            .iter()
            .all(|r| matches!(r.outcome(V), Some(Outcome::Unchanged)))
    );
    assert_eq!(sandbox.calls(V, "POST /users/"), 250);
    assert_eq!(sandbox.calls(V, "PATCH /users/{id}/"), 0);

    // The facade's listing walks every page.
    use futures::StreamExt;
    let listed: Vec<_> = provisioner.list(V).collect().await;
    assert_eq!(listed.len(), 251);
    assert!(listed.iter().all(Result::is_ok));
}

// ---------------------------------------------------------------- HTTP details

#[tokio::test]
async fn unlisted_methods_are_405_and_a_missing_slash_redirects() {
    let sandbox = sandbox().await;
    let response = http()
        .put(format!("{}/users/", sandbox.base_url(V)))
        .header("authorization", auth(&sandbox))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 405);
    assert!(response.headers().contains_key("allow"));
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body, json!({ "detail": "Method \"PUT\" not allowed." }));

    let response = http()
        .get(format!("{}/users?search=x", sandbox.base_url(V)))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 301);
    assert_eq!(
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/api/v1/users/?search=x")
    );
    let (status, body) = call(&sandbox, reqwest::Method::GET, "/nothing/", None).await;
    assert_eq!((status, body), (404, json!({ "detail": "Not found." })));

    // OPTIONS answers the fields a POST accepts (DRF's metadata).
    let (status, body) = call(&sandbox, reqwest::Method::OPTIONS, "/users/", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["actions"]["POST"]["email"]["required"], json!(true));
}
