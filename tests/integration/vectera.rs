//! roster-vectera against httpmock: for every operation, the exact request on the wire
//! (method, trailing-slash path, `Authorization: Token`, query, JSON body) and the typed value
//! the caller gets back; then the error paths.

use std::time::{Duration, SystemTime};

use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::MockServer;
use roster_tests::{TOKEN, assert_no_secret, request, server};
use roster_vectera::prelude::*;
use roster_vectera::{ClientLoginExtraExt, Error, LoginLinkError, types};
use serde_json::json;

const AUTH: &str = "Token tok_5ecret_value_0123456789";
const ORG: &str = "3f6c2a1e-8b4d-4c2e-9a7f-1d2e3f4a5b6c";
const ACCESS_KEY: &str = "z9x8c7v6b5n4m3l2k1j0h9g8f7d6s5";
const LOGIN_URL: &str = "https://www.vectera.com/login/?token=v8hzo6m42t32gqxbxwwcg1tmywkfinyp";
/// Ids as Vectera's filter guide writes them (`ownerId = 8d077d9b-...`).
const STEVE: &str = "ea970f9b-2b1c-4d7e-8f3a-6c5d4e3f2a1b";
const ADA: &str = "8d077d9b-528d-4d4c-bfe8-1a9945090b6d";
const ROOM: &str = "5b2f8a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b";
const PERMISSION: &str = "0f4e3d2c-1b0a-4987-8654-3210fedcba98";

fn client(server: &MockServer) -> Client {
    Client::new(&server.base_url(), TOKEN).expect("loopback base URL is accepted")
}

fn org() -> String {
    ORG.to_owned()
}

fn user_json(id: &str, managed: bool) -> serde_json::Value {
    json!({
        "id": id, "firstName": "Steve", "lastName": "Jobs", "email": "steve@example.com",
        "organizationId": ORG, "isManaged": managed
    })
}

fn meeting_json() -> serde_json::Value {
    json!({
        "id": ROOM, "key": "adviser-client-42",
        "url": "https://www.vectera.com/room/acme-advisers/adviser-client-42/",
        "ownerId": ADA, "dateCreated": "2026-01-15T09:30:00Z",
        "locked": true, "trashed": false, "publicAccessLevel": "should_knock",
        "forwardUrl": "https://www.example.com/thank-you"
    })
}

// ---------------------------------------------------------------- users

#[tokio::test]
async fn list_users_sends_search_filter_order_page_and_per_page() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                "/users/",
                AUTH,
                &[
                    ("search", "ann"),
                    ("filter", "isManaged=true AND lastName ~ \"jobs\""),
                    ("orderBy", "-dateCreated,key"),
                    ("page", "2"),
                    ("perPage", "100"),
                ],
            )
            .header("accept", "application/json");
            then.status(200).json_body(json!({
                "count": 3, "next": null, "previous": "https://www.vectera.com/api/v1/users/?page=1",
                "results": [user_json(STEVE, true)]
            }));
        })
        .await;
    let page = client(&server)
        .list_users()
        .search("ann")
        .filter("isManaged=true AND lastName ~ \"jobs\"")
        .order_by("-dateCreated,key")
        .page(std::num::NonZeroU32::new(2).expect("non-zero"))
        .per_page(std::num::NonZeroU32::new(100).expect("non-zero"))
        .send()
        .await
        .expect("200")
        .into_inner();
    mock.assert_async().await;
    let types::UserList::UserPage(page) = page else {
        panic!("a DRF page: {page:?}")
    };
    assert_eq!(page.count, Some(3));
    assert_eq!(page.next, None);
    let results = page.results.expect("results");
    assert_eq!(results.len(), 1);
    let user = &results[0];
    assert_eq!(user.id.as_deref(), Some(STEVE));
    assert_eq!(user.first_name.as_deref(), Some("Steve"));
    assert_eq!(user.last_name.as_deref(), Some("Jobs"));
    assert_eq!(user.organization_id, Some(org()));
    assert_eq!(user.is_managed, Some(true));
}

#[tokio::test]
async fn list_users_without_parameters_sends_no_query() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, GET, "/users/", AUTH, &[]);
            then.status(200)
                .json_body(json!({"count": 0, "next": null, "previous": null, "results": []}));
        })
        .await;
    let page = client(&server).list_users().send().await.expect("200");
    mock.assert_async().await;
    assert_eq!(
        page.into_inner(),
        types::UserList::UserPage(types::UserPage {
            count: Some(0),
            next: None,
            previous: None,
            results: Some(Vec::new()),
            extra: Default::default(),
        })
    );
}

#[tokio::test]
async fn create_user_posts_the_documented_body() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, POST, "/users/", AUTH, &[])
                .header("content-type", "application/json")
                .json_body(json!({
                    "firstName": "Lionel", "lastName": "Messi", "email": "lionel@example.com",
                    "organizationId": ORG, "password": "TESTpassword1", "isManaged": true
                }));
            then.status(201).json_body(json!({
                "id": STEVE, "firstName": "Lionel", "lastName": "Messi",
                "email": "lionel@example.com", "organizationId": ORG, "isManaged": true
            }));
        })
        .await;
    let body = types::UserCreate::builder()
        .first_name("Lionel")
        .last_name(Some("Messi".to_owned()))
        .email("lionel@example.com")
        .organization_id(org())
        .password(Some(roster_vectera::Secret::from("TESTpassword1")))
        .is_managed(Some(true));
    let debug = format!("{body:?}");
    assert_no_secret(&debug, &["TESTpassword1"]);
    let user = client(&server)
        .create_user()
        .body(body)
        .send()
        .await
        .expect("201")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(user.id.as_deref(), Some(STEVE));
    assert_eq!(user.email.as_deref(), Some("lionel@example.com"));
}

#[tokio::test]
async fn create_user_with_only_the_required_fields_sends_only_those() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, POST, "/users/", AUTH, &[]).json_body(json!({
                "firstName": "Steve", "email": "steve@example.com", "organizationId": ORG
            }));
            // A create answered 200 reads the same as 201 (`2XX`).
            then.status(200).json_body(user_json(STEVE, false));
        })
        .await;
    client(&server)
        .create_user()
        .body_map(|b| {
            b.first_name("Steve")
                .email("steve@example.com")
                .organization_id(org())
        })
        .send()
        .await
        .expect("201");
    mock.assert_async().await;
}

#[tokio::test]
async fn create_user_refuses_a_missing_required_field_before_sending() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(201);
        })
        .await;
    let err = client(&server)
        .create_user()
        .body_map(|b| b.first_name("Steve").email("steve@example.com"))
        .send()
        .await
        .expect_err("organizationId is required");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(err.to_string().contains("organization_id"), "{err}");
    assert_eq!(mock.calls_async().await, 0, "nothing was sent");
}

#[tokio::test]
async fn get_user_me() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, GET, "/users/me/", AUTH, &[]);
            then.status(200).json_body(user_json(ADA, false));
        })
        .await;
    let me = client(&server)
        .get_user()
        .id("me")
        .send()
        .await
        .expect("200")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(me.id.as_deref(), Some(ADA));
    assert_eq!(me.organization_id, Some(org()));
}

#[tokio::test]
async fn update_user_patches_only_given_fields() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, PATCH, &format!("/users/{STEVE}/"), AUTH, &[])
                .json_body(json!({"lastName": "Jobs-Smith", "isManaged": true}));
            then.status(200).json_body(user_json(STEVE, true));
        })
        .await;
    let user = client(&server)
        .update_user()
        .id(STEVE)
        .body_map(|b| {
            b.last_name(Some("Jobs-Smith".to_owned()))
                .is_managed(Some(true))
        })
        .send()
        .await
        .expect("200")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(user.as_ref().and_then(|u| u.is_managed), Some(true));
}

#[tokio::test]
async fn update_user_moves_a_member_and_reads_a_null_answer_as_none() {
    let server = server().await;
    let other = "6c1b2a3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    let mock = server
        .mock_async(|when, then| {
            request(when, PATCH, &format!("/users/{STEVE}/"), AUTH, &[])
                .json_body(json!({"organizationId": other}));
            then.status(200).body("null");
        })
        .await;
    let answer = client(&server)
        .update_user()
        .id(STEVE)
        .body_map(|b| b.organization_id(Some(other.to_owned())))
        .send()
        .await
        .expect("2XX")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(answer.0, None);
}

#[tokio::test]
async fn delete_user_answers_204() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, DELETE, &format!("/users/{STEVE}/"), AUTH, &[]);
            then.status(204);
        })
        .await;
    let response = client(&server)
        .delete_user()
        .id(STEVE)
        .send()
        .await
        .expect("204");
    mock.assert_async().await;
    assert_eq!(response.status(), 204);
}

#[tokio::test]
async fn create_login_token_posts_an_empty_body_and_returns_a_secret_url() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(
                when,
                POST,
                &format!("/users/{STEVE}/loginTokens/"),
                AUTH,
                &[],
            )
            .body("");
            then.status(201).json_body(json!({"url": LOGIN_URL}));
        })
        .await;
    let token = client(&server)
        .create_login_token()
        .id(STEVE)
        .send()
        .await
        .expect("201")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(token.url.as_ref().map(|u| u.expose()), Some(LOGIN_URL));
    assert_no_secret(&format!("{token:?}"), &["v8hzo6m42t"]);
}

#[tokio::test]
async fn login_link_appends_a_safe_next() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, POST, "/users/me/loginTokens/", AUTH, &[]);
            then.status(201).json_body(json!({"url": LOGIN_URL}));
        })
        .await;
    let link = client(&server)
        .login_link("me", Some("/room/team-name/meeting-room-1/"))
        .await
        .expect("link");
    mock.assert_async().await;
    assert_eq!(
        link.expose(),
        format!("{LOGIN_URL}&next=/room/team-name/meeting-room-1/")
    );
    assert_no_secret(&format!("{link:?}"), &["v8hzo6m42t"]);
}

#[tokio::test]
async fn login_link_with_an_unsafe_next_sends_nothing() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(201).json_body(json!({"url": LOGIN_URL}));
        })
        .await;
    let client = client(&server);
    for next in [
        "//evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/x\r\nLocation: //evil",
    ] {
        let err = client.login_link("me", Some(next)).await.expect_err(next);
        assert!(
            matches!(err, LoginLinkError::UnsafeNext(_)),
            "{next}: {err}"
        );
    }
    assert_eq!(mock.calls_async().await, 0);
}

#[tokio::test]
async fn login_link_reports_a_login_url_that_does_not_parse() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, POST, "/users/me/loginTokens/", AUTH, &[]);
            then.status(201)
                .json_body(json!({"url": "token=SECRETVALUE"}));
        })
        .await;
    let err = client(&server)
        .login_link("me", None)
        .await
        .expect_err("not a URL");
    assert!(matches!(err, LoginLinkError::InvalidLoginUrl), "{err:?}");
    assert_no_secret(&format!("{err} {err:?}"), &["SECRETVALUE"]);
}

#[tokio::test]
async fn login_link_reports_an_answer_without_a_url() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, POST, "/users/me/loginTokens/", AUTH, &[]);
            then.status(201)
                .json_body(json!({"link": LOGIN_URL, "token": "SECRETVALUE"}));
        })
        .await;
    let err = client(&server)
        .login_link("me", None)
        .await
        .expect_err("no `url`");
    assert!(matches!(err, LoginLinkError::InvalidLoginUrl), "{err:?}");
    assert_no_secret(&format!("{err} {err:?}"), &["SECRETVALUE", "v8hzo6m42t"]);
}

// ---------------------------------------------------------------- organizations

#[tokio::test]
async fn create_organization() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, POST, "/organizations/", AUTH, &[]).json_body(json!({"name": "Acme"}));
            then.status(201)
                .json_body(json!({"id": ORG, "name": "Acme"}));
        })
        .await;
    let created = client(&server)
        .create_organization()
        .body_map(|b| b.name(Some("Acme".to_owned())))
        .send()
        .await
        .expect("201")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(created.id, Some(org()));
    assert_eq!(created.name.as_deref(), Some("Acme"));
}

#[tokio::test]
async fn get_update_and_delete_organization() {
    let server = server().await;
    let path = format!("/organizations/{ORG}/");
    let get = server
        .mock_async(|when, then| {
            request(when, GET, &path, AUTH, &[]);
            then.status(200)
                .json_body(json!({"id": ORG, "name": "Acme"}));
        })
        .await;
    let patch = server
        .mock_async(|when, then| {
            request(when, PATCH, &path, AUTH, &[]).json_body(json!({"name": "Acme Europe"}));
            then.status(200)
                .json_body(json!({"id": ORG, "name": "Acme Europe"}));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            request(when, DELETE, &path, AUTH, &[]);
            then.status(204);
        })
        .await;
    let client = client(&server);
    let got = client
        .get_organization()
        .id(org())
        .send()
        .await
        .expect("200");
    assert_eq!(got.name.as_deref(), Some("Acme"));
    let updated = client
        .update_organization()
        .id(org())
        .body_map(|b| b.name(Some("Acme Europe".to_owned())))
        .send()
        .await
        .expect("200");
    assert_eq!(
        updated.into_inner().0.and_then(|o| o.name).as_deref(),
        Some("Acme Europe")
    );
    client
        .delete_organization()
        .id(org())
        .send()
        .await
        .expect("204");
    get.assert_async().await;
    patch.assert_async().await;
    delete.assert_async().await;
}

#[tokio::test]
async fn list_organization_members() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                &format!("/organizations/{ORG}/members/"),
                AUTH,
                &[("search", "steve")],
            );
            then.status(200).json_body(json!({
                "count": 2, "next": null, "previous": null,
                "results": [user_json(ADA, false), user_json(STEVE, true)]
            }));
        })
        .await;
    let members = client(&server)
        .list_organization_members()
        .id(org())
        .search("steve")
        .send()
        .await
        .expect("200")
        .into_inner();
    mock.assert_async().await;
    let types::MemberList::UserPage(members) = members else {
        panic!("a DRF page: {members:?}")
    };
    assert_eq!(
        members
            .results
            .expect("results")
            .iter()
            .map(|u| u.id.clone())
            .collect::<Vec<_>>(),
        [Some(ADA.to_owned()), Some(STEVE.to_owned())]
    );
}

#[tokio::test]
async fn subscription_keeps_undocumented_fields_both_ways() {
    let server = server().await;
    let path = format!("/organizations/{ORG}/subscription/");
    let get = server
        .mock_async(|when, then| {
            request(when, GET, &path, AUTH, &[]);
            then.status(200)
                .json_body(json!({"plan": "business", "seats": 25, "renewsAt": "2027-01-01"}));
        })
        .await;
    let client = client(&server);
    let mut subscription = client
        .get_subscription()
        .id(org())
        .send()
        .await
        .expect("200")
        .into_inner();
    get.assert_async().await;
    assert_eq!(subscription.plan.as_deref(), Some("business"));
    assert_eq!(subscription.seats, Some(25));
    assert_eq!(subscription.extra["renewsAt"], "2027-01-01");

    subscription.seats = Some(30);
    let patch = server
        .mock_async(|when, then| {
            request(when, PATCH, &path, AUTH, &[])
                .json_body(json!({"plan": "business", "seats": 30, "renewsAt": "2027-01-01"}));
            then.status(200)
                .json_body(json!({"plan": "business", "seats": 30, "renewsAt": "2027-01-01"}));
        })
        .await;
    let updated = client
        .update_subscription()
        .id(org())
        .body(subscription)
        .send()
        .await
        .expect("200");
    patch.assert_async().await;
    assert_eq!(updated.into_inner().0.and_then(|s| s.seats), Some(30));
}

// ---------------------------------------------------------------- meetings

#[tokio::test]
async fn list_meetings_with_filter() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                "/meetings/",
                AUTH,
                &[("filter", "isTrashed=false"), ("orderBy", "key")],
            );
            then.status(200).json_body(json!({
                "count": 1, "next": null, "previous": null, "results": [meeting_json()]
            }));
        })
        .await;
    let page = client(&server)
        .list_meetings()
        .filter("isTrashed=false")
        .order_by("key")
        .send()
        .await
        .expect("200")
        .into_inner();
    mock.assert_async().await;
    let types::MeetingList::MeetingPage(page) = page else {
        panic!("a DRF page: {page:?}")
    };
    let room = &page.results.expect("results")[0];
    assert_eq!(room.key.as_deref(), Some("adviser-client-42"));
    assert_eq!(room.locked, Some(true));
    assert_eq!(room.public_access_level.as_deref(), Some("should_knock"));
    assert_eq!(room.date_created.as_deref(), Some("2026-01-15T09:30:00Z"));
    assert_eq!(room.owner_id.as_deref(), Some(ADA));
}

#[tokio::test]
async fn create_meeting_posts_key_access_level_and_forward_url() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, POST, "/meetings/", AUTH, &[]).json_body(json!({
                "key": "adviser-client-42", "publicAccessLevel": "can_always_join",
                "forwardUrl": "https://www.example.com/thank-you", "ownerId": ADA
            }));
            then.status(201).json_body(meeting_json());
        })
        .await;
    let room = client(&server)
        .create_meeting()
        .body_map(|b| {
            b.key(Some("adviser-client-42".to_owned()))
                .public_access_level(Some(types::PublicAccessLevel::CanAlwaysJoin))
                .forward_url(Some("https://www.example.com/thank-you".to_owned()))
                .owner_id(Some(ADA.to_owned()))
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(room.id.as_deref(), Some(ROOM));
}

#[tokio::test]
async fn get_update_reset_and_delete_meeting() {
    let server = server().await;
    let get = server
        .mock_async(|when, then| {
            request(when, GET, &format!("/meetings/{ROOM}/"), AUTH, &[]);
            then.status(200).json_body(meeting_json());
        })
        .await;
    let patch = server
        .mock_async(|when, then| {
            // The empty string removes the forward URL: it must be sent, not omitted.
            request(when, PATCH, &format!("/meetings/{ROOM}/"), AUTH, &[])
                .json_body(json!({"forwardUrl": ""}));
            then.status(200)
                .json_body(json!({"id": ROOM, "key": "adviser-client-42", "forwardUrl": ""}));
        })
        .await;
    let reset = server
        .mock_async(|when, then| {
            request(when, PATCH, &format!("/meetings/{ROOM}/reset/"), AUTH, &[]).body("");
            then.status(200).json_body(meeting_json());
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            request(when, DELETE, &format!("/meetings/{ROOM}/"), AUTH, &[]);
            then.status(204);
        })
        .await;
    let client = client(&server);
    assert_eq!(
        client
            .get_meeting()
            .id(ROOM)
            .send()
            .await
            .expect("200")
            .id
            .as_deref(),
        Some(ROOM)
    );
    let updated = client
        .update_meeting()
        .id(ROOM)
        .body_map(|b| b.forward_url(Some(String::new())))
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(
        updated.as_ref().and_then(|m| m.forward_url.as_deref()),
        Some("")
    );
    let after_reset = client
        .reset_meeting()
        .id(ROOM)
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(after_reset.0.and_then(|m| m.id).as_deref(), Some(ROOM));
    client.delete_meeting().id(ROOM).send().await.expect("204");
    for mock in [get, patch, reset, delete] {
        mock.assert_async().await;
    }
}

// ---------------------------------------------------------------- permissions

#[tokio::test]
async fn create_permission_returns_a_secret_access_key() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(
                when,
                POST,
                &format!("/meetings/{ROOM}/permissions/"),
                AUTH,
                &[],
            )
            .json_body(json!({"accessLevel": "is_host"}));
            then.status(201).json_body(
                json!({"id": PERMISSION, "accessLevel": "is_host", "accessKey": ACCESS_KEY}),
            );
        })
        .await;
    let permission = client(&server)
        .create_permission()
        .id(ROOM)
        .body_map(|b| b.access_level(types::AccessLevel::IsHost))
        .send()
        .await
        .expect("201")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(permission.access_level.as_deref(), Some("is_host"));
    assert_eq!(permission.id.as_deref(), Some(PERMISSION));
    assert_eq!(
        permission.access_key.as_ref().map(|k| k.expose()),
        Some(ACCESS_KEY)
    );
    assert_no_secret(&format!("{permission:?}"), &[ACCESS_KEY]);
}

#[tokio::test]
async fn list_get_update_and_delete_permissions_use_the_documented_paths() {
    let server = server().await;
    let list = server
        .mock_async(|when, then| {
            request(when, GET, &format!("/meetings/{ROOM}/permissions/"), AUTH, &[]);
            then.status(200).json_body(json!({
                "count": 1, "next": null, "previous": null,
                "results": [{"id": PERMISSION, "accessLevel": "can_always_join", "accessKey": ACCESS_KEY}]
            }));
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                &format!("/meetings/{ROOM}/permissions/{PERMISSION}/"),
                AUTH,
                &[],
            );
            then.status(200)
                .json_body(json!({"id": PERMISSION, "accessLevel": "can_always_join"}));
        })
        .await;
    // Changed and deleted under `accessKeys`, as Vectera's reference spells it.
    let patch = server
        .mock_async(|when, then| {
            request(
                when,
                PATCH,
                &format!("/meetings/{ROOM}/accessKeys/{PERMISSION}/"),
                AUTH,
                &[],
            )
            .json_body(json!({"accessLevel": "is_host"}));
            // The older guide's boolean `isHost` is read too.
            then.status(200)
                .json_body(json!({"id": PERMISSION, "accessLevel": "is_host", "isHost": true}));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            request(
                when,
                DELETE,
                &format!("/meetings/{ROOM}/accessKeys/{PERMISSION}/"),
                AUTH,
                &[],
            );
            then.status(204);
        })
        .await;
    let client = client(&server);
    let page = client
        .list_permissions()
        .id(ROOM)
        .send()
        .await
        .expect("200")
        .into_inner();
    let types::PermissionList::PermissionPage(page) = page else {
        panic!("a DRF page: {page:?}")
    };
    assert_eq!(
        page.results.expect("results")[0].access_level.as_deref(),
        Some("can_always_join")
    );
    let one = client
        .get_permission()
        .id(ROOM)
        .permission_id(PERMISSION)
        .send()
        .await
        .expect("200");
    assert_eq!(one.access_key, None);
    let updated = client
        .update_permission()
        .id(ROOM)
        .permission_id(PERMISSION)
        .body_map(|b| b.access_level(Some(types::AccessLevel::IsHost)))
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("answered");
    assert_eq!(updated.access_level.as_deref(), Some("is_host"));
    assert_eq!(updated.is_host, Some(true));
    client
        .delete_permission()
        .id(ROOM)
        .permission_id(PERMISSION)
        .send()
        .await
        .expect("204");
    for mock in [list, get, patch, delete] {
        mock.assert_async().await;
    }
}

// ---------------------------------------------------------------- errors

#[tokio::test]
async fn unauthorized_names_the_status_and_carries_the_detail() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/me/", AUTH, &[]);
            then.status(401)
                .json_body(json!({"detail": "Invalid token."}));
        })
        .await;
    let err = client(&server)
        .get_user()
        .id("me")
        .send()
        .await
        .expect_err("401");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    let Error::ErrorResponse(body) = &err else {
        panic!("a 4XX gives the body as JSON: {err:?}")
    };
    assert_eq!(body["detail"], "Invalid token.");
    assert!(err.to_string().contains("401"), "{err}");
    assert_no_secret(&format!("{err} {err:?}"), &[]);
}

#[tokio::test]
async fn not_found_and_field_errors_are_typed() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, &format!("/meetings/{ROOM}/"), AUTH, &[]);
            then.status(404).json_body(json!({"detail": "Not found."}));
        })
        .await;
    server
        .mock_async(|when, then| {
            request(when, POST, "/users/", AUTH, &[]);
            then.status(400)
                .json_body(json!({"email": ["Enter a valid email address."], "code": 7}));
        })
        .await;
    let client = client(&server);
    let err = client.get_meeting().id(ROOM).send().await.expect_err("404");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    let err = client
        .create_user()
        .body_map(|b| {
            b.first_name("A")
                .email("not-an-email")
                .organization_id(org())
        })
        .send()
        .await
        .expect_err("400");
    let Error::ErrorResponse(body) = err else {
        panic!("typed 400")
    };
    assert_eq!(body.status(), 400);
    assert_eq!(body["email"], json!(["Enter a valid email address."]));
    assert_eq!(body["code"], json!(7));
}

#[tokio::test]
async fn too_many_requests_exposes_retry_after() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/", AUTH, &[]);
            then.status(429).header("retry-after", "30").json_body(
                json!({"detail": "Request was throttled. Expected available in 30 seconds."}),
            );
        })
        .await;
    let err = client(&server).list_users().send().await.expect_err("429");
    assert!(err.is_retryable());
    let Error::ErrorResponse(response) = &err else {
        panic!("typed 429: {err:?}")
    };
    assert_eq!(response.status(), 429);
    assert_eq!(
        roster_runtime::retry_after(response.headers(), SystemTime::now()),
        Some(Duration::from_secs(30))
    );
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_is_an_error_not_a_panic() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/me/", AUTH, &[]);
            // An integer id: Vectera's ids are UUID strings, and a number is not read as one.
            then.status(200)
                .json_body(json!({"id": 1042, "email": "steve@example.com"}));
        })
        .await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/", AUTH, &[]);
            then.status(200).body("{\"count\": 1, \"results\": [");
        })
        .await;
    let client = client(&server);
    let err = client
        .get_user()
        .id("me")
        .send()
        .await
        .expect_err("wrong shape");
    assert!(matches!(err, Error::InvalidResponsePayload(..)), "{err:?}");
    assert!(err.to_string().contains("invalid type"), "{err}");
    let err = client.list_users().send().await.expect_err("truncated");
    assert!(matches!(err, Error::InvalidResponsePayload(..)), "{err:?}");
    assert!(err.to_string().contains("EOF"), "{err}");
}

#[tokio::test]
async fn a_5xx_is_an_error_response_with_its_status_and_retry_after() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/", AUTH, &[]);
            then.status(503)
                .header("retry-after", "7")
                .json_body(json!({"detail": "Service unavailable."}));
        })
        .await;
    let err = client(&server).list_users().send().await.expect_err("503");
    let Error::ErrorResponse(response) = &err else {
        panic!("a 5XX gives the body as JSON: {err:?}")
    };
    assert_eq!(response.status(), 503);
    assert_eq!(response["detail"], "Service unavailable.");
    assert_eq!(
        roster_runtime::retry_after(response.headers(), SystemTime::now()),
        Some(Duration::from_secs(7))
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_status_outside_the_ranges_is_unexpected() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/", AUTH, &[]);
            then.status(304);
        })
        .await;
    let err = client(&server).list_users().send().await.expect_err("304");
    assert!(matches!(err, Error::UnexpectedResponse(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(304));
}

#[tokio::test]
async fn a_slow_server_times_out_with_a_clear_error() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/me/", AUTH, &[]);
            then.status(200)
                .delay(Duration::from_secs(5))
                .json_body(user_json(ADA, false));
        })
        .await;
    // A caller's own client: built through the runtime so that TLS uses the ring provider
    // (reqwest is compiled with `rustls-no-provider`).
    let http =
        roster_runtime::http_client_with("roster-tests", None, Some(Duration::from_millis(200)))
            .expect("client");
    let client = Client::with_http_client(&server.base_url(), TOKEN, http).expect("client");
    let err = client
        .get_user()
        .id("me")
        .send()
        .await
        .expect_err("timeout");
    let Error::CommunicationError(inner) = &err else {
        panic!("a timeout is a communication error: {err:?}")
    };
    assert!(inner.is_timeout(), "{inner:?}");
    assert!(err.is_retryable());
    assert_no_secret(&format!("{err} {err:?}"), &[]);
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = server().await;
    let elsewhere = roster_tests::server().await;
    let target = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(user_json(ADA, false));
        })
        .await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/me/", AUTH, &[]);
            then.status(302)
                .header("location", elsewhere.url("/users/me/"));
        })
        .await;
    let err = client(&server)
        .get_user()
        .id("me")
        .send()
        .await
        .expect_err("a redirect is not a success");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302));
    assert_eq!(
        target.calls_async().await,
        0,
        "the secret never went elsewhere"
    );
}

// ---------------------------------------------------------------- configuration

#[test]
fn client_configuration_is_checked_and_secret_free() {
    let client = Client::new("http://127.0.0.1:9/", TOKEN).expect("loopback http is fine");
    assert_eq!(client.base_url(), "http://127.0.0.1:9");
    assert_no_secret(&format!("{client:?}"), &[]);
    assert_eq!(
        roster_vectera::DEFAULT_BASE_URL,
        "https://www.vectera.com/api/v1"
    );
    assert!(Client::new(roster_vectera::DEFAULT_BASE_URL, TOKEN).is_ok());

    let err = Client::new("http://vectera.example/api/v1", TOKEN).expect_err("cleartext");
    assert!(err.to_string().contains("use https"), "{err}");
    let err = Client::new(roster_vectera::DEFAULT_BASE_URL, "").expect_err("empty token");
    assert!(err.to_string().contains("empty"), "{err}");
    let err = Client::new(roster_vectera::DEFAULT_BASE_URL, "tok\nX-Injected: 1")
        .expect_err("header injection");
    assert_no_secret(&format!("{err} {err:?}"), &["X-Injected"]);
}
