//! Meetings and their access permissions: filters, the documented bodies and paths, the
//! secret access key.

use super::*;

#[tokio::test]
async fn list_meetings_with_filter() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                "/meetings/",
                AUTH,
                &[("filter", "isTrashed=false"), ("orderBy", "key")],
            );
            then.status(200).json_body(json!({
                "count": 1, "next": null, "previous": null, "results": [meeting_json()]
            }));
        })
        .await;
    let page = client(&server)
        .list_meetings()
        .filter("isTrashed=false")
        .order_by("key")
        .send()
        .await
        .expect("200")
        .into_inner();
    mock.assert_async().await;
    let types::MeetingList::MeetingPage(page) = page else {
        panic!("a DRF page: {page:?}")
    };
    let room = &page.results.expect("results")[0];
    assert_eq!(room.key.as_deref(), Some("adviser-client-42"));
    assert_eq!(room.locked, Some(true));
    assert_eq!(room.public_access_level.as_deref(), Some("should_knock"));
    assert_eq!(room.date_created.as_deref(), Some("2026-01-15T09:30:00Z"));
    assert_eq!(room.owner_id.as_deref(), Some(ADA));
}

#[tokio::test]
async fn create_meeting_posts_key_access_level_and_forward_url() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, POST, "/meetings/", AUTH, &[]).json_body(json!({
                "key": "adviser-client-42", "publicAccessLevel": "can_always_join",
                "forwardUrl": "https://www.example.com/thank-you", "ownerId": ADA
            }));
            then.status(201).json_body(meeting_json());
        })
        .await;
    let room = client(&server)
        .create_meeting()
        .body_map(|b| {
            b.key(Some("adviser-client-42".to_owned()))
                .public_access_level(Some(types::PublicAccessLevel::CanAlwaysJoin))
                .forward_url(Some("https://www.example.com/thank-you".to_owned()))
                .owner_id(Some(ADA.to_owned()))
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(room.id.as_deref(), Some(ROOM));
}

#[tokio::test]
async fn get_update_reset_and_delete_meeting() {
    let server = server().await;
    let get = server
        .mock_async(|when, then| {
            request(when, GET, &format!("/meetings/{ROOM}/"), AUTH, &[]);
            then.status(200).json_body(meeting_json());
        })
        .await;
    let patch = server
        .mock_async(|when, then| {
            // The empty string removes the forward URL: it must be sent, not omitted.
            request(when, PATCH, &format!("/meetings/{ROOM}/"), AUTH, &[])
                .json_body(json!({"forwardUrl": ""}));
            then.status(200)
                .json_body(json!({"id": ROOM, "key": "adviser-client-42", "forwardUrl": ""}));
        })
        .await;
    let reset = server
        .mock_async(|when, then| {
            request(when, PATCH, &format!("/meetings/{ROOM}/reset/"), AUTH, &[]).body("");
            then.status(200).json_body(meeting_json());
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            request(when, DELETE, &format!("/meetings/{ROOM}/"), AUTH, &[]);
            then.status(204);
        })
        .await;
    let client = client(&server);
    assert_eq!(
        client
            .get_meeting()
            .id(ROOM)
            .send()
            .await
            .expect("200")
            .id
            .as_deref(),
        Some(ROOM)
    );
    let updated = client
        .update_meeting()
        .id(ROOM)
        .body_map(|b| b.forward_url(Some(String::new())))
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(
        updated.as_ref().and_then(|m| m.forward_url.as_deref()),
        Some("")
    );
    let after_reset = client
        .reset_meeting()
        .id(ROOM)
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(after_reset.0.and_then(|m| m.id).as_deref(), Some(ROOM));
    client.delete_meeting().id(ROOM).send().await.expect("204");
    for mock in [get, patch, reset, delete] {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn create_permission_returns_a_secret_access_key() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(
                when,
                POST,
                &format!("/meetings/{ROOM}/permissions/"),
                AUTH,
                &[],
            )
            .json_body(json!({"accessLevel": "is_host"}));
            then.status(201).json_body(
                json!({"id": PERMISSION, "accessLevel": "is_host", "accessKey": ACCESS_KEY}),
            );
        })
        .await;
    let permission = client(&server)
        .create_permission()
        .id(ROOM)
        .body_map(|b| b.access_level(types::AccessLevel::IsHost))
        .send()
        .await
        .expect("201")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(permission.access_level.as_deref(), Some("is_host"));
    assert_eq!(permission.id.as_deref(), Some(PERMISSION));
    assert_eq!(
        permission.access_key.as_ref().map(|k| k.expose()),
        Some(ACCESS_KEY)
    );
    assert_no_secret(&format!("{permission:?}"), &[ACCESS_KEY]);
}

#[tokio::test]
async fn list_get_update_and_delete_permissions_use_the_documented_paths() {
    let server = server().await;
    let list = server
        .mock_async(|when, then| {
            request(when, GET, &format!("/meetings/{ROOM}/permissions/"), AUTH, &[]);
            then.status(200).json_body(json!({
                "count": 1, "next": null, "previous": null,
                "results": [{"id": PERMISSION, "accessLevel": "can_always_join", "accessKey": ACCESS_KEY}]
            }));
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                &format!("/meetings/{ROOM}/permissions/{PERMISSION}/"),
                AUTH,
                &[],
            );
            then.status(200)
                .json_body(json!({"id": PERMISSION, "accessLevel": "can_always_join"}));
        })
        .await;
    // Changed and deleted under `accessKeys`, as Vectera's reference spells it.
    let patch = server
        .mock_async(|when, then| {
            request(
                when,
                PATCH,
                &format!("/meetings/{ROOM}/accessKeys/{PERMISSION}/"),
                AUTH,
                &[],
            )
            .json_body(json!({"accessLevel": "is_host"}));
            // The older guide's boolean `isHost` is read too.
            then.status(200)
                .json_body(json!({"id": PERMISSION, "accessLevel": "is_host", "isHost": true}));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            request(
                when,
                DELETE,
                &format!("/meetings/{ROOM}/accessKeys/{PERMISSION}/"),
                AUTH,
                &[],
            );
            then.status(204);
        })
        .await;
    let client = client(&server);
    let page = client
        .list_permissions()
        .id(ROOM)
        .send()
        .await
        .expect("200")
        .into_inner();
    let types::PermissionList::PermissionPage(page) = page else {
        panic!("a DRF page: {page:?}")
    };
    assert_eq!(
        page.results.expect("results")[0].access_level.as_deref(),
        Some("can_always_join")
    );
    let one = client
        .get_permission()
        .id(ROOM)
        .permission_id(PERMISSION)
        .send()
        .await
        .expect("200");
    assert_eq!(one.access_key, None);
    let updated = client
        .update_permission()
        .id(ROOM)
        .permission_id(PERMISSION)
        .body_map(|b| b.access_level(Some(types::AccessLevel::IsHost)))
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("answered");
    assert_eq!(updated.access_level.as_deref(), Some("is_host"));
    assert_eq!(updated.is_host, Some(true));
    client
        .delete_permission()
        .id(ROOM)
        .permission_id(PERMISSION)
        .send()
        .await
        .expect("204");
    for mock in [list, get, patch, delete] {
        mock.assert_async().await;
    }
}
