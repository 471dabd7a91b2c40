//! Users through the Vyte fake: a create is an upsert by email, extid or id; create, get,
//! update, list and unlink; `PUT /v2/users` upserting one user; the answers' documented
//! fields.

use super::*;

#[tokio::test]
async fn a_create_is_an_upsert_by_email_extid_or_id() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let first = client
        .create_user()
        .body(create_body("ann.lee@example.com", "Ann", "Lee"))
        .send()
        .await
        .expect("created")
        .into_inner()
        .0
        .expect("an envelope");
    let user = first.user.expect("the user");
    let id = user.id.clone().expect("an _id");
    assert_eq!(user.emails, Some(vec!["ann.lee@example.com".to_owned()]));
    assert_eq!(user.full_name.as_deref(), Some("Ann Lee"));
    assert!(first.link.is_none(), "no sign-up asked");

    // The same address again (any case): the same user, updated — Vyte's create is idempotent.
    let again = client
        .create_user()
        .body(create_body("Ann.Lee@Example.com", "Annie", "Lee"))
        .send()
        .await
        .expect("upserted")
        .into_inner()
        .0
        .expect("an envelope")
        .user
        .expect("the user");
    assert_eq!(again.id.as_deref(), Some(id.as_str()));
    assert_eq!(again.first_name.as_deref(), Some("Annie"));
    assert_eq!(again.v, Some(1));
    assert_eq!(sandbox.user_count(V), 1);

    // By extid: a second user linked with an extid, then found by it.
    let mut with_extid = create_body("bob@example.com", "Bob", "Ray");
    with_extid.user.as_mut().expect("profile").account = Some(types::ProfileAccount {
        organization: Some(types::ProfileAccountOrganization {
            extid: Some("crm-42".into()),
        }),
    });
    with_extid.finish_signup_with = Some(types::FinishSignupWith::Email);
    let bob = client
        .create_user()
        .body(with_extid)
        .send()
        .await
        .expect("created")
        .into_inner()
        .0
        .expect("an envelope");
    assert_eq!(bob.finish_signup_with.as_deref(), Some("email"));
    assert!(
        bob.link
            .as_ref()
            .is_some_and(|l| l.expose().contains("/signup?token="))
    );
    let bob_id = bob.user.and_then(|u| u.id).expect("an _id");
    let by_extid = types::UserUpsert {
        user: Some(types::UserProfile {
            last_name: Some("Rayner".into()),
            account: Some(types::ProfileAccount {
                organization: Some(types::ProfileAccountOrganization {
                    extid: Some("crm-42".into()),
                }),
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let updated = client
        .create_user()
        .body(by_extid)
        .send()
        .await
        .expect("upserted")
        .into_inner()
        .0
        .expect("an envelope")
        .user
        .expect("the user");
    assert_eq!(updated.id.as_deref(), Some(bob_id.as_str()));
    assert_eq!(updated.last_name.as_deref(), Some("Rayner"));
    assert_eq!(updated.emails, Some(vec!["bob@example.com".to_owned()]));

    // By id: moving Bob to Ann's address is refused (it is hers), to a new one works.
    let mut by_id = create_body("ann.lee@example.com", "Bob", "Rayner");
    by_id.id = Some(bob_id.clone());
    let (status, body) = error_of(client.create_user().body(by_id.clone()).send().await);
    assert_eq!(status, 409, "{body:?}");
    by_id.user.as_mut().expect("profile").email = Some("bob.rayner@example.com".into());
    let moved = client
        .create_user()
        .body(by_id)
        .send()
        .await
        .expect("upserted")
        .into_inner()
        .0
        .expect("an envelope")
        .user
        .expect("the user");
    assert_eq!(
        moved.emails,
        Some(vec!["bob.rayner@example.com".to_owned()])
    );
    assert_eq!(sandbox.user_count(V), 2);

    // An id this organization never had.
    let mut unknown = create_body("carl@example.com", "Carl", "Ho");
    unknown.id = Some("000000000000000000000000".into());
    let (status, _) = error_of(client.create_user().body(unknown).send().await);
    assert_eq!(status, 404);
}

#[tokio::test]
async fn create_get_update_list_and_unlink_round_trip() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let mut ids = Vec::new();
    for n in 0..5 {
        let created = client
            .create_user()
            .body(create_body(
                &format!("user{n}@example.com"),
                "User",
                &n.to_string(),
            ))
            .send()
            .await
            .expect("created")
            .into_inner()
            .0
            .expect("an envelope");
        ids.push(created.user.and_then(|u| u.id).expect("an _id"));
    }
    let got = client
        .get_user()
        .user_id(&ids[2])
        .send()
        .await
        .expect("found")
        .into_inner();
    assert_eq!(got.emails, Some(vec!["user2@example.com".to_owned()]));
    assert_eq!(
        got.account
            .and_then(|a| a.organization)
            .and_then(|o| o.id)
            .as_deref(),
        Some("5f0c0ffee0000000000000a1")
    );
    assert_eq!(got.signedup_with.as_deref(), Some("api"));
    assert!(got.created_at.is_some() && got.updated_at.is_some());

    let update = types::UserUpsert {
        user: Some(types::UserProfile {
            first_name: Some("Uma".into()),
            language: Some("fr".parse().expect("a language code")),
            timezone: Some(types::TimeZone("Europe/Paris".into())),
            ..Default::default()
        }),
        calendars: vec![types::CalendarConnection {
            source: Some(types::CalendarSource::Exchange),
            credentials: None,
        }],
        ..Default::default()
    };
    let updated = client
        .update_user()
        .user_id(&ids[2])
        .body(update)
        .send()
        .await
        .expect("updated")
        .into_inner()
        .0
        .expect("an envelope")
        .user
        .expect("the user");
    assert_eq!(updated.first_name.as_deref(), Some("Uma"));
    assert_eq!(updated.last_name.as_deref(), Some("2"), "left out: kept");
    assert_eq!(updated.language.as_deref(), Some("fr"));
    assert_eq!(
        updated.calendars.and_then(|c| c.exchange),
        Some(true),
        "a connected calendar shows in the flags"
    );

    // One bare array, every user, in creation order (Vyte does not paginate).
    let listed = client
        .list_users()
        .send()
        .await
        .expect("listed")
        .into_inner();
    let listed_ids: Vec<_> = listed.iter().filter_map(|u| u.id.clone()).collect();
    assert_eq!(listed_ids, ids);
    assert_eq!(listed[2].timezone.as_deref(), Some("Europe/Paris"));

    let org = client
        .unlink_user()
        .user_id(&ids[2])
        .send()
        .await
        .expect("unlinked")
        .into_inner()
        .0
        .expect("the organization");
    assert_eq!(org.name.as_deref(), Some("Sandbox Organization"));
    assert_eq!(sandbox.user_count(V), 4);
    let (status, body) = error_of(client.get_user().user_id(&ids[2]).send().await);
    assert_eq!(
        (status, body["message"].as_str()),
        (404, Some("User not found"))
    );
    let (status, _) = error_of(client.unlink_user().user_id(&ids[2]).send().await);
    assert_eq!(status, 404);
    let (status, _) = error_of(
        client
            .update_user()
            .user_id(&ids[2])
            .body(create_body("x@example.com", "X", "Y"))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    // Ids are opaque strings: one of another shape is simply not found.
    let (status, _) = error_of(client.get_user().user_id("not-an-object-id").send().await);
    assert_eq!(status, 404);
    let listed = client
        .list_users()
        .send()
        .await
        .expect("listed")
        .into_inner();
    assert_eq!(listed.len(), 4);
    assert!(
        listed
            .iter()
            .all(|u| u.id.as_deref() != Some(ids[2].as_str()))
    );

    // The facade's listing walks Vyte's single page to the end.
    use futures::StreamExt;
    let provisioner = provisioner(&sandbox);
    let accounts: Vec<_> = provisioner.list(V).collect().await;
    assert_eq!(accounts.len(), 4);
    assert!(accounts.iter().all(Result::is_ok));
}

#[tokio::test]
async fn put_v2_users_upserts_one_user_by_extid_then_email() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let key = sandbox.token(V).to_owned();
    // The booking-page guide's body, sent raw: one user object, not an array.
    let guide = json!({
        "organization": "5f0c0ffee0000000000000a1",
        "user": {"email": "page@example.com", "account": {"organization": {"extid": "crm-9"}}},
        "vyteme": {"nickname": "app-crm-9", "message": "Bienvenue"}
    });
    let (status, created) = raw(
        &sandbox,
        reqwest::Method::PUT,
        "/v2/users",
        Some(&key),
        Some("application/json"),
        &guide.to_string(),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let id = created["user"]["_id"].as_str().expect("an _id").to_owned();
    assert_eq!(created["user"]["emails"], json!(["page@example.com"]));
    assert_eq!(sandbox.user_count(V), 1);
    // An array is not this call's body.
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::PUT,
        "/v2/users",
        Some(&key),
        Some("application/json"),
        &json!([guide]).to_string(),
    )
    .await;
    assert_eq!(status, 400);

    // The same extid with a new address: the same user, moved to it.
    let mut by_extid = create_body("page2@example.com", "Page", "Two");
    by_extid.user.as_mut().expect("profile").account = Some(types::ProfileAccount {
        organization: Some(types::ProfileAccountOrganization {
            extid: Some("crm-9".into()),
        }),
    });
    let user = client
        .upsert_user()
        .body(by_extid)
        .send()
        .await
        .expect("upserted")
        .into_inner()
        .0
        .expect("an envelope")
        .user
        .expect("the user");
    assert_eq!(user.id.as_deref(), Some(id.as_str()));
    assert_eq!(user.emails, Some(vec!["page2@example.com".to_owned()]));
    // By address alone.
    let user = client
        .upsert_user()
        .body(create_body("PAGE2@example.com", "Paige", "Two"))
        .send()
        .await
        .expect("upserted")
        .into_inner()
        .0
        .expect("an envelope")
        .user
        .expect("the user");
    assert_eq!(user.id.as_deref(), Some(id.as_str()));
    assert_eq!(user.first_name.as_deref(), Some("Paige"));
    // A user named by neither is created.
    client
        .upsert_user()
        .body(create_body("other@example.com", "Other", "One"))
        .send()
        .await
        .expect("created");
    assert_eq!(sandbox.user_count(V), 2);
    assert_eq!(sandbox.calls(V, "PUT /v2/users"), 5);
}

#[tokio::test]
async fn the_answers_hold_vytes_documented_fields() {
    let sandbox = sandbox().await;
    let key = sandbox.token(V).to_owned();
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::POST,
        "/v2/users",
        Some(&key),
        Some("application/json"),
        // A `null` in a field the spec does not name is allowed (bodies are open).
        &json!({"user": {"email": "g@example.com", "first_name": "Gil", "last_name": "Ma",
                         "nickname": null},
                "unknown": null})
        .to_string(),
    )
    .await;
    assert_eq!(status, 200);
    let (status, list) = raw(
        &sandbox,
        reqwest::Method::GET,
        "/v2/users",
        Some(&key),
        None,
        "",
    )
    .await;
    assert_eq!(status, 200);
    let user = &list[0];
    for field in [
        "_id",
        "emails",
        "first_name",
        "last_name",
        "full_name",
        "account",
        "calendars",
        "modules",
        "signedup_with",
        "createdAt",
        "updatedAt",
        "__v",
    ] {
        assert!(user.get(field).is_some(), "{field} in {user}");
    }
    assert_eq!(
        user["account"]["organization"]["id"],
        "5f0c0ffee0000000000000a1"
    );
    // Unknown paths: 404 with the same body shape.
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::GET,
        "/v2/nope",
        Some(&key),
        None,
        "",
    )
    .await;
    assert_eq!((status, body["statusCode"].as_i64()), (404, Some(404)));
    // A method the spec does not list on a path it does: 405, same body shape.
    for (method, path) in [
        (reqwest::Method::PATCH, "/v2/users"),
        (reqwest::Method::TRACE, "/v2/auth/test"),
        (reqwest::Method::POST, "/v2/users/5f0c0ffee0000000000000a1"),
    ] {
        let (status, body) = raw(&sandbox, method, path, Some(&key), None, "").await;
        assert_eq!(
            (status, body["statusCode"].as_i64()),
            (405, Some(405)),
            "{path}"
        );
    }
    // `/v2/users/batch` has the spec's two methods only: a GET is not a user read.
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::GET,
        "/v2/users/batch",
        Some(&key),
        None,
        "",
    )
    .await;
    assert_eq!(status, 405);
}
