//! Users through the Vectera fake: the round trip (create, get, update, page, delete); search,
//! filter and order; the token's user and organization cannot be deleted.

use super::*;

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
