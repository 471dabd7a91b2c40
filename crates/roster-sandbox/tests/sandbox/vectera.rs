//! The Vectera fake, through the generated client, the facade and raw HTTP: DRF token auth,
//! DRF validation bodies, users with their email look-up, page-number paging with absolute
//! links, organizations, the subscription, meeting rooms, access permissions, one-time login
//! links, and fault injection.

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
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
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

async fn my_organization(client: &Client) -> uuid::Uuid {
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

fn new_user(email: &str, first: &str, organization: uuid::Uuid) -> types::UserCreate {
    types::UserCreate {
        first_name: first.to_owned().try_into().expect("non-empty"),
        last_name: Some("Tester".to_owned()),
        email: email.to_owned(),
        organization_id: organization,
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
    assert_eq!(body.detail.as_deref(), Some("Invalid token."));
    let (status, _) = error_of(
        wrong
            .create_user()
            .body(new_user("x@example.com", "X", uuid::Uuid::new_v4()))
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
    let org = my_organization(&client).await;
    let (status, body) = error_of(
        client
            .create_user()
            .body(new_user("not-an-email", "Steve", org))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(body.detail, None);
    assert_eq!(body.extra["email"], json!(["Enter a valid email address."]));

    // Several fields at once, as DRF reports them; nothing is created.
    let (status, body) = call(
        &sandbox,
        reqwest::Method::POST,
        "/users/",
        Some(r#"{"firstName": "  ", "organizationId": "nope", "isManaged": "perhaps"}"#),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({
            "firstName": ["This field may not be blank."],
            "email": ["This field is required."],
            "organizationId": ["Must be a valid UUID."],
            "isManaged": ["Must be a valid boolean."],
        })
    );
    let (status, body) = call(
        &sandbox,
        reqwest::Method::POST,
        "/users/",
        Some(
            &json!({
                "firstName": "Ann", "email": "ann@example.com",
                "organizationId": "3f6c2a1e-8b4d-4c2e-9a7f-1d2e3f4a5b6c",
            })
            .to_string(),
        ),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["organizationId"],
        json!(["Invalid pk \"3f6c2a1e-8b4d-4c2e-9a7f-1d2e3f4a5b6c\" - object does not exist."])
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
        .body(new_user("steve@example.com", "Steve", org))
        .send()
        .await
        .expect("created");
    assert_eq!(first.status(), 201);
    let (status, body) = error_of(
        client
            .create_user()
            .body(new_user("Steve@EXAMPLE.com", "Steve", org))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(
        body.extra["email"],
        json!(["user with this email already exists."])
    );
    // Taking another user's address in an update is refused the same way.
    let other = client
        .create_user()
        .body(new_user("other@example.com", "Other", org))
        .send()
        .await
        .expect("created");
    let (status, body) = error_of(
        client
            .update_user()
            .id(other.id.to_string())
            .body(types::UserUpdate {
                email: Some("steve@example.com".to_owned()),
                ..Default::default()
            })
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert!(body.extra.contains_key("email"));
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
                org,
            ))
            .send()
            .await
            .expect("created")
            .into_inner();
        assert_eq!(user.email, format!("user{i:03}@example.com"));
        assert_eq!(user.organization_id, Some(org));
        assert_eq!(user.is_managed, Some(false));
        ids.push(user.id);
    }
    assert_eq!(sandbox.user_count(V), 251);

    let id = ids[42].to_string();
    let user = client.get_user().id(&id).send().await.expect("200");
    assert_eq!(user.first_name, "User42");
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
        .into_inner();
    assert_eq!(updated.first_name, "User42");
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
        let page = client
            .list_users()
            .page(std::num::NonZeroU32::new(page_number).expect("non-zero"))
            .send()
            .await
            .expect("200")
            .into_inner();
        assert_eq!(page.count, 251);
        seen.extend(page.results.iter().map(|u| u.id));
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
                assert_eq!(page.results.len(), 51, "the last page holds the rest");
                break;
            }
        }
    }
    assert_eq!(page_number, 3);
    assert_eq!(seen.len(), 251);
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "ordered by id, no repeats"
    );

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
    assert_eq!(body.detail.as_deref(), Some("Not found."));
    let (status, _) = error_of(client.delete_user().id(&id).send().await);
    assert_eq!(status, 404);
    let listed = client
        .list_users()
        .search("user042@example.com")
        .send()
        .await
        .expect("200");
    assert_eq!(listed.count, 0);
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
                ..new_user(email, first, org)
            })
            .send()
            .await
            .expect("created");
    }
    let emails = |page: types::UserList| -> Vec<String> {
        page.results.into_iter().map(|u| u.email).collect()
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
    // A filter that does not parse, or names no field of a user: 400 under `filter`.
    for bad in [
        "email = steve@example.com",
        "nope = 1",
        "isManaged > true",
        "(id = 1",
    ] {
        let (status, body) = error_of(client.list_users().filter(bad).send().await);
        assert_eq!(status, 400, "{bad}");
        assert!(body.extra["filter"][0].is_string(), "{bad}: {body:?}");
    }
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
    assert!(body.detail.is_some());
    let (status, _) = error_of(client.delete_organization().id(org).send().await);
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
            name: "Acme Advisers".to_owned().try_into().expect("non-empty"),
        })
        .send()
        .await
        .expect("201");
    assert_eq!(org.status(), 201);
    let org = org.into_inner();
    assert_eq!(org.name.as_deref(), Some("Acme Advisers"));

    let renamed = client
        .update_organization()
        .id(org.id)
        .body(types::OrganizationUpdate {
            name: Some("Acme Europe".to_owned().try_into().expect("non-empty")),
        })
        .send()
        .await
        .expect("200");
    assert_eq!(renamed.name.as_deref(), Some("Acme Europe"));
    let read = client
        .get_organization()
        .id(org.id)
        .send()
        .await
        .expect("200");
    assert_eq!(read.name.as_deref(), Some("Acme Europe"));

    let member = client
        .create_user()
        .body(new_user("lionel@example.com", "Lionel", org.id))
        .send()
        .await
        .expect("201");
    client
        .create_user()
        .body(new_user("other@example.com", "Other", mine))
        .send()
        .await
        .expect("201");
    let members = client
        .list_organization_members()
        .id(org.id)
        .send()
        .await
        .expect("200");
    assert_eq!(members.count, 1);
    assert_eq!(members.results[0].id, member.id);
    let members = client
        .list_organization_members()
        .id(mine)
        .search("other@example.com")
        .send()
        .await
        .expect("200");
    assert_eq!(
        members.count, 1,
        "the index look-up stays within the organization"
    );
    let by_filter = client
        .list_users()
        .filter(format!("organizationId = \"{}\"", org.id))
        .send()
        .await
        .expect("200");
    assert_eq!(by_filter.count, 1);
    assert_eq!(by_filter.results[0].id, member.id);
    let members = client
        .list_organization_members()
        .id(mine)
        .search("lionel@example.com")
        .send()
        .await
        .expect("200");
    assert_eq!(members.count, 0);

    let subscription = client
        .get_subscription()
        .id(org.id)
        .send()
        .await
        .expect("200");
    assert!(subscription.plan.is_some());
    let changed = client
        .update_subscription()
        .id(org.id)
        .body(types::Subscription {
            plan: None,
            seats: Some(30),
            extra: Default::default(),
        })
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(changed.seats, Some(30));
    assert_eq!(changed.plan, subscription.plan, "left out, left alone");
    let (status, body) = call(
        &sandbox,
        reqwest::Method::PATCH,
        &format!("/organizations/{}/subscription/", org.id),
        Some(r#"{"seats": -1}"#),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({ "seats": ["Ensure this value is greater than or equal to 0."] })
    );

    // Deleting an organization keeps its members, without one.
    let deleted = client
        .delete_organization()
        .id(org.id)
        .send()
        .await
        .expect("204");
    assert_eq!(deleted.status(), 204);
    let user = client
        .get_user()
        .id(member.id.to_string())
        .send()
        .await
        .expect("kept");
    assert_eq!(user.organization_id, None);
    let (status, _) = error_of(client.list_organization_members().id(org.id).send().await);
    assert_eq!(status, 404);
    let (status, _) = error_of(client.get_subscription().id(org.id).send().await);
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
    assert_eq!(meeting.key, "adviser-client-42");
    assert_eq!(meeting.locked, Some(true), "locked by default");
    assert_eq!(
        meeting.public_access_level,
        Some(types::PublicAccessLevel::ShouldKnock)
    );
    assert_eq!(meeting.owner_id, Some(1001), "the token's user by default");
    assert_eq!(meeting.trashed, Some(false));
    assert!(
        meeting
            .url
            .as_deref()
            .is_some_and(|u| u.ends_with("/room/sandbox-team/adviser-client-42/"))
    );

    // Keys are slugs, unique ignoring case; a random one when left out.
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
        body.extra["key"],
        json!(["meeting with this key already exists."])
    );
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
    assert_eq!(open.key.len(), 10);
    assert_eq!(open.locked, Some(false));

    // Removing the forward URL with the empty string; reset answers the room.
    let updated = client
        .update_meeting()
        .id(meeting.id)
        .body(types::MeetingUpdate {
            forward_url: Some(String::new()),
            ..Default::default()
        })
        .send()
        .await
        .expect("200");
    assert_eq!(updated.forward_url.as_deref(), Some(""));
    let reset = client
        .reset_meeting()
        .id(meeting.id)
        .send()
        .await
        .expect("200");
    assert_eq!(reset.key, "adviser-client-42");

    // Filtering as Vectera's examples do.
    let listed = client
        .list_meetings()
        .filter("isTrashed=false AND key ~ \"adviser\"")
        .order_by("-dateCreated,key")
        .send()
        .await
        .expect("200");
    assert_eq!(listed.count, 1);
    let listed = client
        .list_meetings()
        .order_by("-id")
        .send()
        .await
        .expect("200");
    assert_eq!(
        listed.results.iter().map(|m| m.id).collect::<Vec<_>>(),
        [open.id, meeting.id]
    );

    // Permissions: `is_host` and `can_always_join`, each with a 30-character key.
    let host = client
        .create_permission()
        .id(meeting.id)
        .body(types::PermissionCreate {
            access_level: types::AccessLevel::IsHost,
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    assert_eq!(host.access_level, types::AccessLevel::IsHost);
    let key = host.access_key.as_ref().expect("a key").expose().to_owned();
    assert_eq!(key.len(), 30);
    assert!(!format!("{host:?}").contains(&key), "the key never prints");
    let guest = client
        .create_permission()
        .id(meeting.id)
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
        &format!("/meetings/{}/permissions/", meeting.id),
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
        .id(meeting.id)
        .permission_id(host.id)
        .send()
        .await
        .expect("200");
    assert_eq!(read.into_inner(), host);
    let changed = client
        .update_permission()
        .id(meeting.id)
        .permission_id(host.id)
        .body(types::PermissionUpdate {
            access_level: Some(types::AccessLevel::CanAlwaysJoin),
        })
        .send()
        .await
        .expect("200");
    assert_eq!(changed.access_level, types::AccessLevel::CanAlwaysJoin);
    assert_eq!(changed.access_key, host.access_key, "the key stays");
    let list = client
        .list_permissions()
        .id(meeting.id)
        .send()
        .await
        .expect("200");
    assert_eq!(list.count, 2);
    client
        .delete_permission()
        .id(meeting.id)
        .permission_id(host.id)
        .send()
        .await
        .expect("204");
    let (status, _) = error_of(
        client
            .get_permission()
            .id(meeting.id)
            .permission_id(host.id)
            .send()
            .await,
    );
    assert_eq!(status, 404);
    // A permission is reached only through its own room.
    let (status, _) = error_of(
        client
            .get_permission()
            .id(open.id)
            .permission_id(guest.id)
            .send()
            .await,
    );
    assert_eq!(status, 404);

    client
        .delete_meeting()
        .id(meeting.id)
        .send()
        .await
        .expect("204");
    let (status, _) = error_of(client.get_meeting().id(meeting.id).send().await);
    assert_eq!(status, 404);
    let (status, _) = error_of(client.list_permissions().id(meeting.id).send().await);
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
    assert!(url.contains("/login/?token="), "{}", url.len());
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
    assert_eq!(body["id"], json!(1002));
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
    assert!(token.url.expose().ends_with(&format!("?token={bare}")));
    // A `next` naming another site is not followed.
    let response = http()
        .get(format!("{}&next=//evil.example/", token.url.expose()))
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
    let (status, _) = error_of(client.create_login_token().id("999999").send().await);
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
