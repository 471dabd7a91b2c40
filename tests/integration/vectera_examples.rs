//! Vectera's own examples, from the vendor documents the specs are written from
//! (`vectera-users-guide.txt`, `vectera-meeting-rooms-guide.txt`, `vectera-reference-notes.md`
//! and the Vectera part of `wider-api-notes.md`): every payload they show decodes into the
//! generated types, every request they describe goes over the wire as they describe it, and
//! every list shape the evidence allows (a bare array paged by `Link`, a DRF page) is read.

use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use roster::{Config, ErrorKind, Provisioner, Vendor};
use roster_tests::{TOKEN, assert_no_secret, request, server};
use roster_vectera::prelude::*;
use roster_vectera::{ClientLoginExtraExt, types};
use serde_json::json;

const AUTH: &str = "Token tok_5ecret_value_0123456789";

/// The id in the vendor's filter guide: `ownerId = 8d077d9b-528d-4d4c-bfe8-1a9945090b6d`.
const GUIDE_ID: &str = "8d077d9b-528d-4d4c-bfe8-1a9945090b6d";
/// The login URL of the users guide.
const GUIDE_LOGIN_URL: &str =
    "https://www.vectera.com/login/?token=v8hzo6m42t32gqxbxwwcg1tmywkfinyp";
const ORG: &str = "3f6c2a1e-8b4d-4c2e-9a7f-1d2e3f4a5b6c";

fn client(server: &MockServer) -> Client {
    Client::new(&server.base_url(), TOKEN).expect("loopback base URL is accepted")
}

fn vectera_only(server: &MockServer) -> Provisioner {
    let config = Config::default()
        .with(Vendor::Vectera, Some(&server.base_url()), TOKEN)
        .expect("config");
    Provisioner::new(&config).expect("client")
}

fn user(id: &str, email: &str) -> serde_json::Value {
    json!({"id": id, "firstName": "Steve", "email": email, "organizationId": ORG})
}

// ---------------------------------------------------------------- payloads

#[test]
fn the_create_user_bodies_of_the_users_guide_decode() {
    // `{"firstName": string, "email": string, "organizationId": uuid string}`: "These 3 fields
    // are required!", `lastName` optional.
    let steve: types::UserCreate = serde_json::from_value(json!({
        "firstName": "Steve", "email": "steve@example.com", "organizationId": ORG
    }))
    .expect("the three required fields");
    assert_eq!(steve.organization_id, ORG);
    assert_eq!(steve.last_name, None);
    // Lionel with a password ("TESTpassword1"); Peter managed (`"isManaged": true`).
    let lionel: types::UserCreate = serde_json::from_value(json!({
        "firstName": "Lionel", "lastName": "Messi", "email": "lionel@example.com",
        "organizationId": ORG, "password": "TESTpassword1"
    }))
    .expect("with a password");
    assert_eq!(
        lionel.password.as_ref().map(|p| p.expose()),
        Some("TESTpassword1")
    );
    assert_no_secret(&format!("{lionel:?}"), &["TESTpassword1"]);
    let peter: types::UserCreate = serde_json::from_value(json!({
        "firstName": "Peter", "email": "peter@example.com", "organizationId": ORG,
        "isManaged": true
    }))
    .expect("managed");
    assert_eq!(peter.is_managed, Some(true));
    // Without one of the three, the body is refused.
    for missing in ["firstName", "email", "organizationId"] {
        let mut body = json!({"firstName": "S", "email": "s@example.com", "organizationId": ORG});
        body.as_object_mut().expect("object").remove(missing);
        assert!(
            serde_json::from_value::<types::UserCreate>(body).is_err(),
            "{missing} is required"
        );
    }
}

#[test]
fn the_login_url_answer_decodes_as_a_secret_and_takes_the_guides_next() {
    let token: types::LoginToken =
        serde_json::from_value(json!({ "url": GUIDE_LOGIN_URL })).expect("the guide's answer");
    let url = token.url.expect("the URL");
    assert_eq!(url.expose(), GUIDE_LOGIN_URL);
    assert_no_secret(&format!("{url:?}"), &["v8hzo6m42t"]);
    // "&next=/room/team-name/meeting-room-1": the guide's forwarding example.
    let link = roster_vectera::login_url_with_next(&url, "/room/team-name/meeting-room-1")
        .expect("a same-site path");
    assert_eq!(
        link.expose(),
        "https://www.vectera.com/login/?token=v8hzo6m42t32gqxbxwwcg1tmywkfinyp&next=/room/team-name/meeting-room-1"
    );
}

#[test]
fn ids_and_dates_of_the_filter_guide_decode_in_a_user_and_a_meeting() {
    let user: types::User = serde_json::from_value(json!({
        "id": GUIDE_ID, "firstName": "Ada", "email": "ada@example.com",
        "organizationId": ORG, "isManaged": null, "lastName": null
    }))
    .expect("a UUID string id, nulls");
    assert_eq!(user.id.as_deref(), Some(GUIDE_ID));
    assert_eq!(user.is_managed, None);
    // The filter grammar's date-times: the offset (and the seconds) may be missing.
    let meeting: types::Meeting = serde_json::from_value(json!({
        "id": "5b2f8a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b", "key": "vectera",
        "ownerId": GUIDE_ID, "dateCreated": "2021-01-01T10:00:00Z",
        "lastOpened": "2021-01-01T00:00", "trashed": false, "locked": null,
        "publicAccessLevel": "should_knock", "somethingNew": [1, 2]
    }))
    .expect("the guide's values");
    assert_eq!(meeting.owner_id.as_deref(), Some(GUIDE_ID));
    assert_eq!(
        meeting.date_created.as_deref(),
        Some("2021-01-01T10:00:00Z")
    );
    assert_eq!(meeting.last_opened.as_deref(), Some("2021-01-01T00:00"));
    assert_eq!(meeting.locked, None);
    assert_eq!(meeting.extra["somethingNew"], json!([1, 2]));
    // An answer with nothing in it is still an answer (every field is optional).
    let empty: types::Meeting = serde_json::from_value(json!({})).expect("tolerant");
    assert_eq!(empty.id, None);
}

#[test]
fn access_levels_seen_in_the_vendors_material_are_read() {
    // `can_always_join`, `is_host` (the guide), `should_knock` (also named), and the older
    // guide's boolean `isHost`.
    for level in ["can_always_join", "is_host", "should_knock"] {
        let permission: types::Permission =
            serde_json::from_value(json!({"id": GUIDE_ID, "accessLevel": level})).expect("a level");
        assert_eq!(permission.access_level.as_deref(), Some(level));
    }
    let older: types::Permission =
        serde_json::from_value(json!({"id": GUIDE_ID, "isHost": true})).expect("isHost");
    assert_eq!(older.is_host, Some(true));
    // A request sends only what the meeting-rooms guide documents.
    assert_eq!(
        serde_json::to_value(types::PermissionCreate {
            access_level: types::AccessLevel::IsHost
        })
        .expect("serialises"),
        json!({"accessLevel": "is_host"})
    );
    assert!(serde_json::from_value::<types::AccessLevel>(json!("should_knock")).is_err());
}

#[test]
fn both_list_shapes_decode() {
    let bare: types::UserList =
        serde_json::from_value(json!([user(GUIDE_ID, "ada@example.com")])).expect("bare array");
    let types::UserList::Array(users) = bare else {
        panic!("a bare array: {bare:?}")
    };
    assert_eq!(users[0].id.as_deref(), Some(GUIDE_ID));
    let empty: types::UserList = serde_json::from_value(json!([])).expect("an empty array");
    assert_eq!(empty, types::UserList::Array(Vec::new()));
    let page: types::MeetingList = serde_json::from_value(json!({
        "count": 1, "next": null, "previous": null,
        "results": [{"id": "5b2f8a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b", "ownerId": GUIDE_ID}]
    }))
    .expect("a DRF page");
    let types::MeetingList::MeetingPage(page) = page else {
        panic!("a DRF page: {page:?}")
    };
    assert_eq!(page.count, Some(1));
    assert_eq!(
        page.results.expect("results")[0].owner_id.as_deref(),
        Some(GUIDE_ID)
    );
    let permissions: types::PermissionList =
        serde_json::from_value(json!([{"id": GUIDE_ID, "accessLevel": "is_host"}]))
            .expect("bare permissions");
    assert!(matches!(permissions, types::PermissionList::Array(p) if p.len() == 1));
}

// ---------------------------------------------------------------- lists over the wire

#[tokio::test]
async fn a_bare_array_is_walked_to_page_2_through_the_link_header() {
    let server = server().await;
    let base = server.base_url();
    let first = server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                "/users/",
                AUTH,
                &[("page", "1"), ("perPage", "100")],
            );
            then.status(200)
                .header(
                    "link",
                    format!(
                        "<{base}/users/?page=2&perPage=100>; rel=\"next\", \
                         <{base}/users/?page=2&perPage=100>; rel=\"last\""
                    ),
                )
                .json_body(json!([user(GUIDE_ID, "ada@example.com")]));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                "/users/",
                AUTH,
                &[("page", "2"), ("perPage", "100")],
            );
            then.status(200)
                .header(
                    "link",
                    format!("<{base}/users/?page=1&perPage=100>; rel=\"prev\""),
                )
                .json_body(json!([user(
                    "ea970f9b-2b1c-4d7e-8f3a-6c5d4e3f2a1b",
                    "steve@example.com"
                )]));
        })
        .await;
    use futures::StreamExt;
    let accounts: Vec<_> = vectera_only(&server)
        .list(Vendor::Vectera)
        .map(|a| a.expect("read").id)
        .collect()
        .await;
    first.assert_async().await;
    second.assert_async().await;
    assert_eq!(
        accounts,
        [GUIDE_ID, "ea970f9b-2b1c-4d7e-8f3a-6c5d4e3f2a1b"],
        "page 2 came from rel=\"next\"; no rel=\"next\" on it ends the walk"
    );

    // The generated client reads the same answer, headers included.
    let answer = client(&server)
        .list_users()
        .page(std::num::NonZeroU32::new(1).expect("non-zero"))
        .per_page(std::num::NonZeroU32::new(100).expect("non-zero"))
        .send()
        .await
        .expect("200");
    assert!(
        answer
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|l| l.contains("rel=\"next\""))
    );
    assert!(matches!(answer.into_inner(), types::UserList::Array(u) if u.len() == 1));
}

#[tokio::test]
async fn the_facade_finds_a_member_on_the_second_page_of_a_search() {
    let server = server().await;
    let base = server.base_url();
    let query = |page: &'static str| {
        [
            ("search", "steve@example.com"),
            ("page", page),
            ("perPage", "100"),
        ]
    };
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/", AUTH, &query("1"));
            then.status(200)
                .header(
                    "link",
                    format!("<{base}/users/?page=2&perPage=100&search=steve%40example.com>; rel=\"next\""),
                )
                .json_body(json!([user(GUIDE_ID, "xsteve@example.com")]));
        })
        .await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/users/", AUTH, &query("2"));
            then.status(200).json_body(json!([user(
                "ea970f9b-2b1c-4d7e-8f3a-6c5d4e3f2a1b",
                "Steve@Example.com"
            )]));
        })
        .await;
    let found = vectera_only(&server).find("steve@example.com").await;
    let account = found[0].1.as_ref().expect("ok").as_ref().expect("found");
    assert_eq!(account.id, "ea970f9b-2b1c-4d7e-8f3a-6c5d4e3f2a1b");
}

#[tokio::test]
async fn a_drf_page_is_walked_through_next_and_a_page_without_results_fails_closed() {
    let server = server().await;
    let base = server.base_url();
    server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                "/users/",
                AUTH,
                &[("page", "1"), ("perPage", "100")],
            );
            then.status(200).json_body(json!({
                "count": 2, "next": format!("{base}/users/?page=2&perPage=100"),
                "previous": null, "results": [user(GUIDE_ID, "ada@example.com")]
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                "/users/",
                AUTH,
                &[("page", "2"), ("perPage", "100")],
            );
            // A page without `results`: unusable, never "no more users".
            then.status(200)
                .json_body(json!({"count": 2, "next": null, "previous": null}));
        })
        .await;
    use futures::StreamExt;
    let listed: Vec<_> = vectera_only(&server).list(Vendor::Vectera).collect().await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].as_ref().expect("page 1").id, GUIDE_ID);
    let err = listed[1].as_ref().expect_err("page 2 fails closed");
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert!(err.to_string().contains("without `results`"), "{err}");
}

#[tokio::test]
async fn a_next_link_that_skips_pages_is_refused() {
    let server = server().await;
    let base = server.base_url();
    server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                "/users/",
                AUTH,
                &[("page", "1"), ("perPage", "100")],
            );
            then.status(200)
                .header("link", format!("<{base}/users/?page=7>; rel=\"next\""))
                .json_body(json!([user(GUIDE_ID, "ada@example.com")]));
        })
        .await;
    use futures::StreamExt;
    let listed: Vec<_> = vectera_only(&server).list(Vendor::Vectera).collect().await;
    let err = listed
        .last()
        .expect("something")
        .as_ref()
        .expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert!(err.to_string().contains("page 2"), "{err}");
}

// ---------------------------------------------------------------- requests over the wire

#[tokio::test]
async fn create_user_sends_the_three_required_fields() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, POST, "/users/", AUTH, &[])
                .header("content-type", "application/json")
                .json_body(json!({
                    "firstName": "Steve", "email": "steve@example.com", "organizationId": ORG
                }));
            then.status(201)
                .json_body(user(GUIDE_ID, "steve@example.com"));
        })
        .await;
    let created = client(&server)
        .create_user()
        .body_map(|b| {
            b.first_name("Steve")
                .email("steve@example.com")
                .organization_id(ORG)
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(created.id.as_deref(), Some(GUIDE_ID));
}

#[tokio::test]
async fn login_tokens_are_asked_for_with_an_empty_body() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(
                when,
                POST,
                &format!("/users/{GUIDE_ID}/loginTokens/"),
                AUTH,
                &[],
            )
            .body("");
            then.status(201)
                .json_body(json!({ "url": GUIDE_LOGIN_URL }));
        })
        .await;
    let link = client(&server)
        .login_link(GUIDE_ID, Some("/scheduling/"))
        .await
        .expect("a link");
    mock.assert_async().await;
    assert_eq!(
        link.expose(),
        format!("{GUIDE_LOGIN_URL}&next=/scheduling/")
    );
}

#[tokio::test]
async fn a_host_permission_is_created_with_access_level_is_host() {
    let server = server().await;
    let room = "5b2f8a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b";
    let mock = server
        .mock_async(|when, then| {
            request(
                when,
                POST,
                &format!("/meetings/{room}/permissions/"),
                AUTH,
                &[],
            )
            .header("content-type", "application/json")
            .json_body(json!({"accessLevel": "is_host"}));
            // A create answered 200 reads the same as 201.
            then.status(200).json_body(json!({
                "id": GUIDE_ID, "accessLevel": "is_host",
                "accessKey": "z9x8c7v6b5n4m3l2k1j0h9g8f7d6s5"
            }));
        })
        .await;
    let permission = client(&server)
        .create_permission()
        .id(room)
        .body_map(|b| b.access_level(types::AccessLevel::IsHost))
        .send()
        .await
        .expect("2XX")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(
        permission.access_key.as_ref().map(|k| k.expose().len()),
        Some(30),
        "the guide's 30-character access key"
    );
    assert_no_secret(&format!("{permission:?}"), &["z9x8c7v6b5"]);
}

#[tokio::test]
async fn a_meeting_is_created_with_public_access_level_and_forward_url() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, POST, "/meetings/", AUTH, &[])
                .header("content-type", "application/json")
                .json_body(json!({
                    "key": "adviser-client-42", "publicAccessLevel": "can_always_join",
                    "forwardUrl": "https://www.example.com/thank-you"
                }));
            then.status(201).json_body(json!({
                "id": "5b2f8a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b", "key": "adviser-client-42",
                "ownerId": GUIDE_ID, "publicAccessLevel": "can_always_join",
                "forwardUrl": "https://www.example.com/thank-you"
            }));
        })
        .await;
    let meeting = client(&server)
        .create_meeting()
        .body_map(|b| {
            b.key(Some("adviser-client-42".to_owned()))
                .public_access_level(Some(types::PublicAccessLevel::CanAlwaysJoin))
                .forward_url(Some("https://www.example.com/thank-you".to_owned()))
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(
        meeting.public_access_level.as_deref(),
        Some("can_always_join")
    );
    assert_eq!(meeting.owner_id.as_deref(), Some(GUIDE_ID));
}
