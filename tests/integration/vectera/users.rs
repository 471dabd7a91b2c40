//! Users: list (search, filter, order, paging), create (the documented body, only the required
//! fields, a missing one refused before sending), me, update, delete.

use super::*;

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
