//! What the VEO fake accepts: the Bearer token (401 with ASP.NET's message), bodies and query
//! values held to the spec and nothing stricter, a duplicate create a 409 on the email.

use super::*;

#[tokio::test]
async fn a_wrong_or_missing_token_gets_401_and_the_aspnet_message() {
    let sandbox = sandbox().await;
    let wrong = Client::new(&sandbox.base_url(V), "not-the-token").expect("valid");
    let (status, body) = error_of(wrong.get_me().send().await);
    assert_eq!(status, 401);
    assert_eq!(
        body.0,
        json!({"Message": "Authorization has been denied for this request."})
    );
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::GET,
        "/api/regions",
        None,
        None,
        "",
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        body["Message"],
        "Authorization has been denied for this request."
    );
    // The raw token without its scheme is refused.
    let token = sandbox.token(V).to_owned();
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::GET,
        "/api/me",
        Some(&token),
        None,
        "",
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::POST,
        "/api/userinvites/multiple",
        Some("Bearer nope"),
        Some("application/json"),
        r#"{"OrganisationId":1,"Users":[{"Email":"x@example.com"}]}"#,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(sandbox.user_count(V), 0);
}

#[tokio::test]
async fn bodies_are_held_to_the_spec_and_nothing_stricter() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let auth = bearer(&sandbox);
    let post = |body: String| {
        let sandbox = &sandbox;
        let auth = auth.clone();
        async move {
            raw(
                sandbox,
                reqwest::Method::POST,
                "/api/users/create",
                Some(&auth),
                Some("application/json"),
                &body,
            )
            .await
        }
    };
    // A value of the wrong JSON type is not coerced; an explicit null is refused (no request
    // field is nullable): one ModelState entry each.
    let (status, body) = post(
        json!({"OrganisationId": "1", "IsActive": "true", "RegionId": "74", "FirstName": null})
            .to_string(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["Message"], "The request is invalid.");
    let state = body["ModelState"].as_object().expect("ModelState");
    assert_eq!(
        state.keys().map(String::as_str).collect::<Vec<_>>(),
        ["model.FirstName"],
        "a null is refused before binding: {body}"
    );
    let (status, body) =
        post(json!({"OrganisationId": "1", "IsActive": "true", "RegionId": "74"}).to_string())
            .await;
    assert_eq!(status, 400, "{body}");
    for key in ["model.IsActive", "model.RegionId"] {
        assert!(body["ModelState"][key].is_array(), "{key} in {body}");
    }
    // Malformed JSON, a JSON array, an empty body, another media type.
    for (content_type, payload, key) in [
        (Some("application/json"), "{\"Email\": ", Some("model")),
        (Some("application/json"), "[1]", Some("model")),
        (Some("application/json"), "", Some("model")),
        (Some("text/plain"), "{}", None),
        (None, "{}", None),
    ] {
        let (status, body) = raw(
            &sandbox,
            reqwest::Method::POST,
            "/api/users/create",
            Some(&auth),
            content_type,
            payload,
        )
        .await;
        assert_eq!(status, 400, "{payload:?}");
        assert!(body["Message"].is_string(), "{body}");
        if let Some(key) = key {
            assert!(body["ModelState"][key].is_array(), "{body}");
        }
    }
    // VEO marks no create field required: an organisation alone creates a user, answered
    // with a bare id. OrganisationId is read as a string (the documented type) or a number
    // (VEO's example), and property names bind ignoring case, as Json.NET binds them.
    let (status, body) = post(json!({"OrganisationId": "1"}).to_string()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.is_i64(), "a bare id: {body}");
    let (status, body) = post(
        json!({"firstname": "Lo", "LASTNAME": "Wercase", "email": "lo@example.com",
               "password": "x", "organisationId": 1, "roles": [4], "RegionId": 9999})
        .to_string(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.is_i64(), "a bare id: {body}");
    // Roles VEO keeps to itself ("reserved for VEO team members"): the caller may not grant
    // them.
    let mut bad = new_user("b@example.com", "B", "B");
    bad.roles = vec![types::RoleId(1)];
    let (status, body) = error_of(client.create_user().body(bad).send().await);
    assert_eq!(status, 403);
    assert_eq!(
        body.0,
        json!({"Message": "Role 1 cannot be granted through the API."})
    );
    // Another organisation, or none: 403.
    let mut foreign = new_user("c@example.com", "C", "C");
    foreign.organisation_id = Some(types::OrganisationId("2".into()));
    let (status, _) = error_of(client.create_user().body(foreign).send().await);
    assert_eq!(status, 403);
    let (status, _) = post(json!({"Email": "d@example.com"}).to_string()).await;
    assert_eq!(status, 403);
    assert_eq!(sandbox.user_count(V), 2);
}

#[tokio::test]
async fn a_duplicate_create_is_a_409_conflict_on_the_email() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let id = client
        .create_user()
        .body(new_user("maia@example.com", "Maia", "Sanford"))
        .send()
        .await
        .expect("created")
        .into_inner();
    assert!(matches!(id, types::AnyUserId::Int64(n) if n > 0), "{id:?}");
    let (status, body) = error_of(
        client
            .create_user()
            .body(new_user("MAIA@example.com", "Maia", "Again"))
            .send()
            .await,
    );
    assert_eq!(status, 409);
    assert_eq!(
        body.0,
        json!({"Message": "A user with the email address MAIA@example.com already exists."})
    );
    assert_eq!(sandbox.user_count(V), 1);
}

#[tokio::test]
async fn query_values_are_held_to_their_types_and_nothing_stricter() {
    let sandbox = sandbox().await;
    let auth = bearer(&sandbox);
    let get = |path: String| {
        let sandbox = &sandbox;
        let auth = auth.clone();
        async move { raw(sandbox, reqwest::Method::GET, &path, Some(&auth), None, "").await }
    };
    // Not an integer, not a boolean (VEO types orderByDirection bool; ASC/DESC is a
    // third-party client's guess): 400.
    for query in [
        "pageSize=ten",
        "pageNumber=1.5",
        "pageSize=",
        "pageSize=2147483648",
        "orderByDirection=sideways",
        "orderByDirection=DESC",
    ] {
        let (status, body) = get(format!("/api/users/get-all?{query}")).await;
        assert_eq!(status, 400, "{query}");
        assert!(body["ModelState"].is_object(), "{query}: {body}");
    }
    // Any int32 is a page size or number to the spec: below 1, the page holds no users.
    for query in [
        "pageSize=0",
        "pageNumber=-1",
        "pageNumber=-2147483648&pageSize=2147483647",
    ] {
        let (status, body) = get(format!("/api/users/get-all?{query}")).await;
        assert_eq!((status, &body["Items"]), (200, &json!([])), "{query}");
    }
    // Any text is an organisation id to the spec: one not ours is 403.
    for query in ["organisationId=2", "organisationId=x"] {
        let (status, _) = get(format!("/api/users/get-all?{query}")).await;
        assert_eq!(status, 403, "{query}");
    }
    // Parameter names bind ignoring case.
    let (status, body) =
        get("/api/users/get-all?PAGESIZE=5&PageNumber=2&orderbydirection=True".into()).await;
    assert_eq!(
        (status, &body["PageSize"], &body["Page"]),
        (200, &json!(5), &json!(2))
    );
    // `id` is required to delete; an id that is no user's, number or not, is 404.
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::DELETE,
        "/api/user",
        Some(&auth),
        None,
        "",
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["ModelState"]["id"].is_array());
    for path in ["/api/user?id=abc", "/api/user?id=424242"] {
        let (status, _) = raw(
            &sandbox,
            reqwest::Method::DELETE,
            path,
            Some(&auth),
            None,
            "",
        )
        .await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::PUT,
        "/api/v2/users/abc",
        Some(&auth),
        Some("application/json"),
        r#"{"Roles": [{"OrganisationId": 1, "Roles": [4]}]}"#,
    )
    .await;
    assert_eq!(status, 404, "{body}");
    // Roles are the one update field VEO calls required.
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::PUT,
        "/api/v2/users/424242",
        Some(&auth),
        Some("application/json"),
        r#"{"FirstName": "X"}"#,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["ModelState"]["model.Roles"].is_array(), "{body}");
}
