//! Vyte's batch routes: a batch with one bad item refused whole, the batch update by id, extid
//! or email.

use super::*;

#[tokio::test]
async fn a_batch_with_one_bad_item_is_refused_whole_and_changes_nothing() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let batch = |emails: &[&str]| {
        types::UserBatch(
            emails
                .iter()
                .map(|e| create_body(e, "Batch", "User"))
                .collect(),
        )
    };
    let (status, body) = error_of(
        client
            .create_users_batch()
            .body(batch(&["a@example.com", "not-an-email", "c@example.com"]))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("users[1]:")),
        "{body:?}"
    );
    assert_eq!(sandbox.user_count(V), 0);

    let created = client
        .create_users_batch()
        .body(batch(&["a@example.com", "b@example.com", "c@example.com"]))
        .send()
        .await
        .expect("created")
        .into_inner();
    // Vyte documents the batch answer as `{}` and nothing more: so does the fake.
    assert_eq!(created.0, json!({}));
    let (emails, ids) = listed(&client).await;
    assert_eq!(emails, ["a@example.com", "b@example.com", "c@example.com"]);

    // A batch update naming an unknown user is refused whole: the first item is not applied.
    let mut items = vec![
        types::UserUpsert {
            id: Some(ids[0].clone()),
            user: Some(types::UserProfile {
                first_name: Some("Changed".into()),
                ..Default::default()
            }),
            ..Default::default()
        },
        types::UserUpsert {
            id: Some("000000000000000000000000".into()),
            ..Default::default()
        },
    ];
    let (status, _) = error_of(
        client
            .update_users_batch()
            .body(types::UserBatch(items.clone()))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    // …and so is one that would take another user's address, after an item that changed one.
    items[1] = types::UserUpsert {
        id: Some(ids[1].clone()),
        user: Some(profile("c@example.com", "B", "B")),
        ..Default::default()
    };
    let (status, _) = error_of(
        client
            .update_users_batch()
            .body(types::UserBatch(items.clone()))
            .send()
            .await,
    );
    assert_eq!(status, 409);
    let a = client
        .get_user()
        .user_id(&ids[0])
        .send()
        .await
        .expect("found")
        .into_inner();
    assert_eq!(a.first_name.as_deref(), Some("Batch"), "rolled back");
    assert_eq!(a.v, Some(0));
    // An item naming no user at all (no id, no extid, an address nobody has).
    let (status, _) = error_of(
        client
            .update_users_batch()
            .body(types::UserBatch(vec![create_body(
                "z@example.com",
                "Z",
                "Z",
            )]))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(sandbox.user_count(V), 3);
}

#[tokio::test]
async fn the_batch_update_goes_by_id_extid_or_email_and_answers_an_empty_object() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let mut with_extid = create_body("ext@example.com", "Ext", "User");
    with_extid.user.as_mut().expect("profile").account = Some(types::ProfileAccount {
        organization: Some(types::ProfileAccountOrganization {
            extid: Some("crm-7".into()),
        }),
    });
    client
        .create_users_batch()
        .body(types::UserBatch(vec![
            create_body("plain@example.com", "Plain", "User"),
            with_extid,
            create_body("mail@example.com", "Mail", "User"),
        ]))
        .send()
        .await
        .expect("created");
    let (_, ids) = listed(&client).await;
    let items = types::UserBatch(vec![
        types::UserUpsert {
            id: Some(ids[0].clone()),
            user: Some(types::UserProfile {
                timezone: Some(types::TimeZone("Europe/London".into())),
                ..Default::default()
            }),
            ..Default::default()
        },
        types::UserUpsert {
            user: Some(types::UserProfile {
                language: Some("en".parse().expect("a language code")),
                account: Some(types::ProfileAccount {
                    organization: Some(types::ProfileAccountOrganization {
                        extid: Some("crm-7".into()),
                    }),
                }),
                ..Default::default()
            }),
            ..Default::default()
        },
        types::UserUpsert {
            user: Some(profile("mail@example.com", "Mailed", "User")),
            ..Default::default()
        },
    ]);
    let answer = client
        .update_users_batch()
        .body(items)
        .send()
        .await
        .expect("updated")
        .into_inner();
    assert_eq!(answer.0, json!({}));
    let get = |id: &str| client.get_user().user_id(id.to_owned()).send();
    let plain = get(&ids[0]).await.expect("found").into_inner();
    assert_eq!(plain.timezone.as_deref(), Some("Europe/London"));
    assert_eq!(plain.v, Some(1));
    let ext = get(&ids[1]).await.expect("found").into_inner();
    assert_eq!(ext.language.as_deref(), Some("en"));
    let mail = get(&ids[2]).await.expect("found").into_inner();
    assert_eq!(mail.first_name.as_deref(), Some("Mailed"));
    assert_eq!(sandbox.calls(V, "PUT /v2/users/batch"), 1);
    assert_eq!(sandbox.calls(V, "PUT /v2/users"), 0);
    assert_eq!(sandbox.user_count(V), 3);
}
