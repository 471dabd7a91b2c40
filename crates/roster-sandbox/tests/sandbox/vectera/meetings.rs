//! Meeting rooms and their access permissions through the Vectera fake.

use super::*;

#[tokio::test]
async fn meetings_and_their_access_permissions() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let meeting = client
        .create_meeting()
        .body(types::MeetingCreate {
            key: Some("adviser-client-42".to_owned()),
            forward_url: Some("https://www.example.com/thank-you".to_owned()),
            ..Default::default()
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    let meeting_id = uuid_id(&meeting.id);
    assert_eq!(text(&meeting.key), "adviser-client-42");
    assert_eq!(meeting.locked, Some(true), "locked by default");
    assert_eq!(text(&meeting.public_access_level), "should_knock");
    let me = client
        .get_user()
        .id("me")
        .send()
        .await
        .expect("me")
        .into_inner();
    assert_eq!(meeting.owner_id, me.id, "the token's user by default");
    let created = text(&meeting.date_created);
    assert!(
        chrono::DateTime::parse_from_rfc3339(created).is_ok(),
        "{created}"
    );
    assert_eq!(meeting.trashed, Some(false));
    assert!(
        meeting
            .url
            .as_deref()
            .is_some_and(|u| u.ends_with("/room/sandbox-team/adviser-client-42/"))
    );

    // Keys are unique ignoring case (any text: Vectera documents no format); a random one
    // when left out.
    let (status, body) = error_of(
        client
            .create_meeting()
            .body(types::MeetingCreate {
                key: Some("Adviser-Client-42".to_owned()),
                ..Default::default()
            })
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(
        body["key"],
        json!(["meeting with this key already exists."])
    );
    let spaced = client
        .create_meeting()
        .body(types::MeetingCreate {
            key: Some("Adviser and client".to_owned()),
            ..Default::default()
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    assert!(
        text(&spaced.url).ends_with("/room/sandbox-team/Adviser%20and%20client/"),
        "{:?}",
        spaced.url
    );
    client
        .delete_meeting()
        .id(uuid_id(&spaced.id))
        .send()
        .await
        .expect("204");
    let open = client
        .create_meeting()
        .body(types::MeetingCreate {
            public_access_level: Some(types::PublicAccessLevel::CanAlwaysJoin),
            ..Default::default()
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    assert_eq!(text(&open.key).len(), 10);
    assert_eq!(open.locked, Some(false));
    let open_id = uuid_id(&open.id);

    // Removing the forward URL with the empty string; reset answers the room.
    let updated = client
        .update_meeting()
        .id(&meeting_id)
        .body(types::MeetingUpdate {
            forward_url: Some(String::new()),
            ..Default::default()
        })
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("the fake answers the room");
    assert_eq!(updated.forward_url.as_deref(), Some(""));
    let reset = client
        .reset_meeting()
        .id(&meeting_id)
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("the fake answers the room");
    assert_eq!(text(&reset.key), "adviser-client-42");

    // Filtering as Vectera's examples do, ids unquoted.
    let listed = meetings_page(
        client
            .list_meetings()
            .filter("isTrashed=false AND key ~ \"adviser\"")
            .order_by("-dateCreated,key")
            .send()
            .await
            .expect("200")
            .into_inner(),
    );
    assert_eq!(listed.count, Some(1));
    let listed = meetings_page(
        client
            .list_meetings()
            .filter(format!("ownerId = {}", text(&me.id)))
            .order_by("-dateCreated")
            .send()
            .await
            .expect("200")
            .into_inner(),
    );
    assert_eq!(
        listed
            .results
            .expect("results")
            .iter()
            .map(|m| m.id.clone())
            .collect::<Vec<_>>(),
        [open.id.clone(), meeting.id.clone()]
    );

    // Permissions: `is_host` and `can_always_join`, each with a 30-character key.
    let host = client
        .create_permission()
        .id(&meeting_id)
        .body(types::PermissionCreate {
            access_level: types::AccessLevel::IsHost,
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    assert_eq!(text(&host.access_level), "is_host");
    let host_id = uuid_id(&host.id);
    let key = host.access_key.as_ref().expect("a key").expose().to_owned();
    assert_eq!(key.len(), 30);
    assert!(!format!("{host:?}").contains(&key), "the key never prints");
    let guest = client
        .create_permission()
        .id(&meeting_id)
        .body(types::PermissionCreate {
            access_level: types::AccessLevel::CanAlwaysJoin,
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    assert_ne!(guest.access_key, host.access_key);
    let (status, body) = call(
        &sandbox,
        reqwest::Method::POST,
        &format!("/meetings/{meeting_id}/permissions/"),
        Some(r#"{"accessLevel": "should_knock"}"#),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({ "accessLevel": ["\"should_knock\" is not a valid choice."] })
    );

    let read = client
        .get_permission()
        .id(&meeting_id)
        .permission_id(&host_id)
        .send()
        .await
        .expect("200");
    assert_eq!(read.into_inner(), host);
    let changed = client
        .update_permission()
        .id(&meeting_id)
        .permission_id(&host_id)
        .body(types::PermissionUpdate {
            access_level: Some(types::AccessLevel::CanAlwaysJoin),
        })
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("the fake answers the permission");
    assert_eq!(text(&changed.access_level), "can_always_join");
    assert_eq!(changed.access_key, host.access_key, "the key stays");
    let list = client
        .list_permissions()
        .id(&meeting_id)
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(permissions_page(list).count, Some(2));
    client
        .delete_permission()
        .id(&meeting_id)
        .permission_id(&host_id)
        .send()
        .await
        .expect("204");
    let (status, _) = error_of(
        client
            .get_permission()
            .id(&meeting_id)
            .permission_id(&host_id)
            .send()
            .await,
    );
    assert_eq!(status, 404);
    // A permission is reached only through its own room.
    let (status, _) = error_of(
        client
            .get_permission()
            .id(&open_id)
            .permission_id(uuid_id(&guest.id))
            .send()
            .await,
    );
    assert_eq!(status, 404);

    client
        .delete_meeting()
        .id(&meeting_id)
        .send()
        .await
        .expect("204");
    let (status, _) = error_of(client.get_meeting().id(&meeting_id).send().await);
    assert_eq!(status, 404);
    let (status, _) = error_of(client.list_permissions().id(&meeting_id).send().await);
    assert_eq!(status, 404);
    assert_eq!(
        sandbox.calls(V, "PATCH /meetings/{id}/accessKeys/{permissionId}/"),
        1
    );
}
