//! Organizations: create, get, update, delete, their members, and the subscription that
//! keeps undocumented fields both ways.

use super::*;

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
