//! Users through the VEO fake: invitations sorted into the documented lists; create, update,
//! list by pages and delete; updates and deletes answering 200 without a body; `me` and the
//! regions.

use super::*;

#[tokio::test]
async fn invitations_sort_emails_into_the_documented_lists() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    client
        .create_user()
        .body(new_user("member@example.com", "Mem", "Ber"))
        .send()
        .await
        .expect("created");
    let result = client
        .invite_users()
        .body(types::InviteRequest {
            organisation_id: org(),
            users: vec![
                invitee("new.person@example.com", false),
                invitee("not-an-email", false),
                invitee("Member@Example.com", true),
                invitee("boss@example.com", true),
            ],
        })
        .send()
        .await
        .expect("invited")
        .into_inner();
    let list = |emails: &[&str]| Some(emails.iter().map(|e| (*e).to_owned()).collect());
    assert_eq!(result.total_invites, Some(4));
    assert_eq!(
        result.success_list,
        list(&["new.person@example.com", "boss@example.com"])
    );
    assert_eq!(result.error_list, list(&["not-an-email"]));
    assert_eq!(
        result.already_in_organisation_list,
        list(&["Member@Example.com"])
    );
    // An empty .NET list is sent as null.
    assert_eq!(result.existing_user_added_membership_to_organisation, None);
    assert_eq!(sandbox.user_count(V), 3);

    // An invitee is listed at once: email, roles, active — no names until they accept.
    let page = search(&client, "boss@example.com").await;
    assert_eq!(page.total_item_count, Some(1));
    let boss = &items(&page)[0];
    assert_eq!(boss.first_name, None);
    assert_eq!(boss.is_active, Some(true));
    let roles: Vec<Role> = roles_of(boss).iter().map(Role::from).collect();
    assert_eq!(roles, [Role::User, Role::OrganisationAdmin]);
    // The existing member now has the admin right asked for.
    let page = search(&client, "member@example.com").await;
    let member = &items(&page)[0];
    assert!(roles_of(member).contains(&types::RoleId(2)));
    assert_eq!(member.first_name.as_deref(), Some("Mem"));

    // Invited again without the admin flag: already in, right withdrawn.
    let again = client
        .invite_users()
        .body(types::InviteRequest {
            organisation_id: org(),
            users: vec![invitee("boss@example.com", false)],
        })
        .send()
        .await
        .expect("invited")
        .into_inner();
    assert_eq!(
        again.already_in_organisation_list,
        list(&["boss@example.com"])
    );
    assert_eq!((again.success_list, again.error_list), (None, None));
    let page = search(&client, "boss@example.com").await;
    assert_eq!(roles_of(&items(&page)[0]), [types::RoleId(4)]);

    // Another organisation: 403. An invitee without an Email (VEO marks none required) is
    // answered in ErrorList; a null Email is refused.
    let (status, _) = error_of(
        client
            .invite_users()
            .body(types::InviteRequest {
                organisation_id: Some(types::OrganisationId("7".into())),
                users: vec![invitee("x@example.com", false)],
            })
            .send()
            .await,
    );
    assert_eq!(status, 403);
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::POST,
        "/api/userinvites/multiple",
        Some(&bearer(&sandbox)),
        Some("application/json"),
        r#"{"OrganisationId": 1, "Users": [{"IsOrgAdmin": true}]}"#,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"TotalInvites": 1, "SuccessList": null, "ErrorList": [""],
               "AlreadyInOrganisationList": null,
               "ExistingUserAddedMembershipToOrganisation": null})
    );
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::POST,
        "/api/userinvites/multiple",
        Some(&bearer(&sandbox)),
        Some("application/json"),
        r#"{"OrganisationId": 1, "Users": [{"Email": null}]}"#,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["ModelState"]["model.Email"].is_array(), "{body}");
    assert_eq!(sandbox.user_count(V), 3);
}

#[tokio::test]
async fn create_update_list_by_pages_and_delete_round_trip() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let mut ids = Vec::new();
    for n in 0..25 {
        let id = client
            .create_user()
            .body(new_user(
                &format!("p{n:02}@example.com"),
                "Page",
                &format!("L{n:02}"),
            ))
            .send()
            .await
            .expect("created")
            .into_inner();
        ids.push(num(&Some(id)));
    }
    // Page by page to the last: 10, 10, 5, then an empty page.
    let mut seen = Vec::new();
    for number in 1..=4i32 {
        let page = client
            .list_users()
            .organisation_id(ORG.to_string())
            .page_size(10)
            .page_number(number)
            .send()
            .await
            .expect("listed")
            .into_inner();
        assert_eq!(page.total_item_count, Some(25));
        assert_eq!(page.page, Some(number));
        assert_eq!(page.page_size, Some(10));
        assert_eq!(items(&page).len(), [10, 10, 5, 0][number as usize - 1]);
        seen.extend(items(&page).iter().map(|u| num(&u.id)));
    }
    assert_eq!(seen, ids, "creation order");
    let newest_first = client
        .list_users()
        .order_by_direction(true)
        .page_size(3)
        .send()
        .await
        .expect("listed")
        .into_inner();
    let newest: Vec<i64> = items(&newest_first).iter().map(|u| num(&u.id)).collect();
    assert_eq!(newest, [ids[24], ids[23], ids[22]]);
    // Search: a substring of names or email; an address is matched whole.
    assert_eq!(search(&client, "l1").await.total_item_count, Some(10));
    assert_eq!(
        num(&items(&search(&client, "P07@EXAMPLE.COM").await)[0].id),
        ids[7]
    );
    assert_eq!(
        search(&client, "7@example.com").await.total_item_count,
        Some(0)
    );

    let update = types::UserUpdate {
        first_name: Some("Lisette".into()),
        last_name: Some("Reinger".into()),
        email: Some("lisette@example.com".into()),
        password: None,
        is_active: Some(false),
        roles: vec![types::OrganisationRole {
            organisation_id: Some(ORG),
            roles: Role::for_member(true),
        }],
    };
    let response = client
        .update_user()
        .user_id(ids[3].to_string())
        .body(update.clone())
        .send()
        .await
        .expect("updated");
    assert_eq!(response.status(), 200);
    let page = search(&client, "lisette@example.com").await;
    let user = &items(&page)[0];
    assert_eq!(num(&user.id), ids[3]);
    assert_eq!(
        (user.first_name.as_deref(), user.is_active),
        (Some("Lisette"), Some(false))
    );
    assert_eq!(
        search(&client, "p03@example.com").await.total_item_count,
        Some(0)
    );
    // Taking another user's address is refused; roles elsewhere are forbidden.
    let mut taken = update.clone();
    taken.email = Some("p04@example.com".into());
    let (status, body) = error_of(
        client
            .update_user()
            .user_id(ids[3].to_string())
            .body(taken)
            .send()
            .await,
    );
    assert_eq!(status, 409);
    assert!(body.0["Message"].is_string());
    let mut elsewhere = update.clone();
    elsewhere.roles[0].organisation_id = Some(99);
    let (status, _) = error_of(
        client
            .update_user()
            .user_id(ids[3].to_string())
            .body(elsewhere)
            .send()
            .await,
    );
    assert_eq!(status, 403);

    client
        .delete_user()
        .id(ids[3].to_string())
        .send()
        .await
        .expect("deleted");
    assert_eq!(sandbox.user_count(V), 24);
    let (status, body) = error_of(client.delete_user().id(ids[3].to_string()).send().await);
    assert_eq!(
        (status, body.0),
        (404, json!({"Message": "User not found"}))
    );
    let (status, _) = error_of(
        client
            .update_user()
            .user_id(ids[3].to_string())
            .body(update)
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(
        search(&client, "lisette@example.com")
            .await
            .total_item_count,
        Some(0)
    );

    // The facade's listing walks every page.
    use futures::StreamExt;
    let accounts: Vec<_> = provisioner(&sandbox).list(V).collect().await;
    assert_eq!(accounts.len(), 24);
    assert!(accounts.iter().all(Result::is_ok));
}

#[tokio::test]
async fn updates_and_deletes_answer_200_without_a_body() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let auth = bearer(&sandbox);
    let id = num(&Some(
        client
            .create_user()
            .body(new_user("u@example.com", "U", "Ser"))
            .send()
            .await
            .expect("created")
            .into_inner(),
    ));
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::PUT,
        &format!("/api/v2/users/{id}"),
        Some(&auth),
        Some("application/json"),
        r#"{"Roles": [{"OrganisationId": 1, "Roles": [4]}]}"#,
    )
    .await;
    assert_eq!((status, body), (200, Value::Null), "no body");
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::DELETE,
        &format!("/api/user?id={id}"),
        Some(&auth),
        None,
        "",
    )
    .await;
    assert_eq!((status, body), (200, Value::Null), "no body");
    assert_eq!(sandbox.user_count(V), 0);
}

#[tokio::test]
async fn me_names_the_organisation_the_facade_uses_and_regions_list() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let me = client.get_me().send().await.expect("me").into_inner();
    let org = &me.organisations.expect("organisations")[0];
    assert_eq!(org.id, Some(types::AnyOrganisationId::Int64(ORG)));
    assert!(
        org.roles
            .iter()
            .flatten()
            .any(|r| Role::from(r) == Role::OrganisationAdmin)
    );
    let regions = client
        .list_regions()
        .send()
        .await
        .expect("regions")
        .into_inner();
    assert!(regions.iter().any(|r| r.id == Some(74)));
}
