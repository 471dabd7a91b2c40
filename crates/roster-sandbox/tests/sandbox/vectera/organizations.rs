//! Organizations through the Vectera fake: their members and the subscription.

use super::*;

#[tokio::test]
async fn organizations_members_and_subscription() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let mine = my_organization(&client).await;
    let org = client
        .create_organization()
        .body(types::OrganizationCreate {
            name: Some("Acme Advisers".to_owned()),
        })
        .send()
        .await
        .expect("201");
    assert_eq!(org.status(), 201);
    let org = org.into_inner();
    assert_eq!(org.name.as_deref(), Some("Acme Advisers"));
    let org_id = uuid_id(&org.id);

    let renamed = client
        .update_organization()
        .id(&org_id)
        .body(types::OrganizationUpdate {
            name: Some("Acme Europe".to_owned()),
        })
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("the fake answers the organization");
    assert_eq!(renamed.name.as_deref(), Some("Acme Europe"));
    let read = client
        .get_organization()
        .id(&org_id)
        .send()
        .await
        .expect("200");
    assert_eq!(read.name.as_deref(), Some("Acme Europe"));

    let member = client
        .create_user()
        .body(new_user("lionel@example.com", "Lionel", &org_id))
        .send()
        .await
        .expect("201")
        .into_inner();
    let other = client
        .create_user()
        .body(new_user("other@example.com", "Other", &mine))
        .send()
        .await
        .expect("201")
        .into_inner();
    let members = members_page(
        client
            .list_organization_members()
            .id(&org_id)
            .send()
            .await
            .expect("200")
            .into_inner(),
    );
    assert_eq!(members.count, Some(1));
    assert_eq!(results(&members)[0].id, member.id);
    let members = members_page(
        client
            .list_organization_members()
            .id(&mine)
            .search("other@example.com")
            .send()
            .await
            .expect("200")
            .into_inner(),
    );
    assert_eq!(
        members.count,
        Some(1),
        "the index look-up stays within the organization"
    );
    let by_filter = users_page(
        client
            .list_users()
            .filter(format!("organizationId = \"{org_id}\""))
            .send()
            .await
            .expect("200")
            .into_inner(),
    );
    assert_eq!(by_filter.count, Some(1));
    assert_eq!(results(&by_filter)[0].id, member.id);
    let members = members_page(
        client
            .list_organization_members()
            .id(&mine)
            .search("lionel@example.com")
            .send()
            .await
            .expect("200")
            .into_inner(),
    );
    assert_eq!(members.count, Some(0));

    // "Update a user" moves a member to another organization.
    let moved = client
        .update_user()
        .id(uuid_id(&other.id))
        .body(types::UserUpdate {
            organization_id: Some(org_id.clone()),
            ..Default::default()
        })
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("the fake answers the user");
    assert_eq!(moved.organization_id.as_ref(), Some(&org_id));
    let members = members_page(
        client
            .list_organization_members()
            .id(&org_id)
            .send()
            .await
            .expect("200")
            .into_inner(),
    );
    assert_eq!(members.count, Some(2));

    let subscription = client
        .get_subscription()
        .id(&org_id)
        .send()
        .await
        .expect("200");
    assert!(subscription.plan.is_some());
    let changed = client
        .update_subscription()
        .id(&org_id)
        .body(types::Subscription {
            plan: None,
            seats: Some(30),
            extra: Default::default(),
        })
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("the fake answers the subscription");
    assert_eq!(changed.seats, Some(30));
    assert_eq!(changed.plan, subscription.plan, "left out, left alone");
    let (status, body) = call(
        &sandbox,
        reqwest::Method::PATCH,
        &format!("/organizations/{org_id}/subscription/"),
        Some(r#"{"seats": "30"}"#),
    )
    .await;
    assert_eq!(status, 400, "a number as text is not coerced");
    assert_eq!(body, json!({ "seats": ["A valid integer is required."] }));

    // Deleting an organization keeps its members, without one.
    let deleted = client
        .delete_organization()
        .id(&org_id)
        .send()
        .await
        .expect("204");
    assert_eq!(deleted.status(), 204);
    let user = client
        .get_user()
        .id(uuid_id(&member.id))
        .send()
        .await
        .expect("kept");
    assert_eq!(user.organization_id, None);
    let (status, _) = error_of(client.list_organization_members().id(&org_id).send().await);
    assert_eq!(status, 404);
    let (status, _) = error_of(client.get_subscription().id(&org_id).send().await);
    assert_eq!(status, 404);
}
