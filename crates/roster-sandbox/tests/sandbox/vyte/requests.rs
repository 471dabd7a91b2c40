//! What the Vyte fake accepts: the key (401 with Vyte's error body), a bad email or a
//! malformed body refused with 400 and the error body.

use super::*;

#[tokio::test]
async fn a_wrong_or_missing_key_gets_401_and_vytes_error_body() {
    let sandbox = sandbox().await;
    let wrong = Client::new(&sandbox.base_url(V), "not-the-key").expect("valid");
    let (status, body) = error_of(wrong.test_auth().send().await);
    assert_eq!(status, 401);
    assert_eq!(body["message"], "Unauthorized");
    assert_eq!(body["statusCode"], 401);

    let (status, body) = raw(&sandbox, reqwest::Method::GET, "/v2/users", None, None, "").await;
    assert_eq!(status, 401);
    assert_eq!(body["message"], "Unauthorized");
    // The key is the whole header: a scheme word in front of it is refused.
    let bearer = format!("Bearer {}", sandbox.token(V));
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::GET,
        "/v2/auth/test",
        Some(&bearer),
        None,
        "",
    )
    .await;
    assert_eq!(status, 401);
    // A refused request changes nothing.
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::POST,
        "/v2/users",
        Some("nope"),
        Some("application/json"),
        r#"{"user":{"email":"x@example.com"}}"#,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(sandbox.user_count(V), 0);

    let org = client(&sandbox)
        .test_auth()
        .send()
        .await
        .expect("the right key")
        .into_inner();
    assert!(org.id.is_some_and(|id| id.len() == 24));
}

#[tokio::test]
async fn a_bad_email_or_a_malformed_body_gets_400_with_the_error_body() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let (status, body) = error_of(
        client
            .create_user()
            .body(create_body("not-an-email", "Ann", "Lee"))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(body["statusCode"], 400);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("Invalid email")),
        "{body:?}"
    );

    let key = sandbox.token(V).to_owned();
    for (content_type, payload) in [
        (Some("application/json"), "{\"user\": {"),
        (Some("application/json"), "[1, 2]"),
        (
            Some("application/json"),
            r#"{"user": {"language": "French"}}"#,
        ),
        (
            Some("application/json"),
            r#"{"availability": {"buffer_before": -5}}"#,
        ),
        (
            Some("text/plain"),
            r#"{"user": {"email": "a@example.com"}}"#,
        ),
        (None, r#"{"user": {"email": "a@example.com"}}"#),
        // No body at all, and `null` where the spec has no `nullable` (not "left out").
        (Some("application/json"), ""),
        (Some("application/json"), "null"),
        (Some("application/json"), r#"{"user": null}"#),
        (Some("application/json"), r#"{"user": {"email": null}}"#),
        (Some("application/json"), r#"{"teams": [null]}"#),
        // Wrong types are refused, never coerced.
        (Some("application/json"), r#"{"user": {"first_name": 7}}"#),
        (Some("application/json"), r#"{"teams": [{"admin": "yes"}]}"#),
        (
            Some("application/json"),
            r#"{"availability": {"buffer_before": "5"}}"#,
        ),
    ] {
        let (status, body) = raw(
            &sandbox,
            reqwest::Method::POST,
            "/v2/users",
            Some(&key),
            content_type,
            payload,
        )
        .await;
        assert_eq!(status, 400, "{payload}");
        assert_eq!(body["statusCode"], 400, "{payload}");
        assert!(body["message"].is_string(), "{payload}");
    }
    // Another organization's id is refused.
    let mut foreign = create_body("a@example.com", "A", "B");
    foreign.organization = Some("5f0000000000000000000000".into());
    let (status, _) = error_of(client.create_user().body(foreign).send().await);
    assert_eq!(status, 403);
    assert_eq!(sandbox.user_count(V), 0);
    // Vyte requires nothing: an empty user object creates a user, listed without addresses.
    let created = client
        .create_user()
        .body(types::UserUpsert::default())
        .send()
        .await
        .expect("created")
        .into_inner()
        .0
        .expect("an envelope")
        .user
        .expect("the user");
    assert_eq!(created.emails, Some(Vec::new()));
    assert_eq!(sandbox.user_count(V), 1);
}
