//! What the Vectera fake accepts: DRF token auth (a 401), validation (a 400 with one list of
//! messages per field, malformed JSON, non-objects, other media types, a duplicate email
//! ignoring case), and HTTP details (405 for unlisted methods, a missing slash redirected).

use super::*;

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
