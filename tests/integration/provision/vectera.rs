//! The facade's Vectera extras for a member: a login link with a safe `next`, a meeting room
//! with a host key.

use super::*;

fn vectera_only(server: &MockServer) -> Provisioner {
    let config = Config::default()
        .with(Vendor::Vectera, Some(&server.base_url()), TOKEN)
        .expect("config");
    Provisioner::new(&config).expect("client")
}

#[tokio::test]
async fn vectera_login_link_for_a_member_with_a_safe_next() {
    let server = server().await;
    let _present = lookups(&server, true).await;
    // Vectera answers a login URL on the API's own host (www.vectera.com for both).
    let login = format!("{}/login/?token=SECRETLOGIN", server.base_url());
    let token = server
        .mock_async(|when, then| {
            request(when, POST, "/users/42/loginTokens/", VECTERA, &[]).body("");
            then.status(201).json_body(json!({"url": login}));
        })
        .await;
    let provisioner = vectera_only(&server);
    let link = provisioner
        .vectera_login_link("ann@example.com", Some("/scheduling/"))
        .await
        .expect("link");
    assert_eq!(
        link.expose(),
        format!(
            "{}/login/?token=SECRETLOGIN&next=/scheduling/",
            server.base_url()
        )
    );
    assert!(!format!("{link:?}").contains("SECRETLOGIN"));
    token.assert_async().await;

    let err = provisioner
        .vectera_login_link("ann@example.com", Some("//evil.example"))
        .await
        .expect_err("unsafe next");
    assert_eq!(err.kind(), roster::ErrorKind::InvalidRequest);
    assert_eq!(token.calls_async().await, 1, "nothing more was sent");

    server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                "/users/",
                VECTERA,
                &[
                    ("search", "nobody@example.com"),
                    ("page", "1"),
                    ("perPage", "100"),
                ],
            );
            then.status(200)
                .json_body(json!({"count": 0, "next": null, "previous": null, "results": []}));
        })
        .await;
    let err = provisioner
        .vectera_login_link("nobody@example.com", None)
        .await
        .expect_err("unknown member");
    assert!(
        err.to_string()
            .contains("no Vectera user has the email nobody@example.com"),
        "{err}"
    );
}

#[tokio::test]
async fn vectera_meeting_room_with_a_host_key_for_a_member() {
    let server = server().await;
    let _present = lookups(&server, true).await;
    let meeting = server
        .mock_async(|when, then| {
            request(when, POST, "/meetings/", VECTERA, &[])
                .json_body(json!({"key": "ann-coaching", "ownerId": "42"}));
            then.status(201)
                .json_body(json!({"id": "501", "key": "ann-coaching", "ownerId": "42"}));
        })
        .await;
    let permission = server
        .mock_async(|when, then| {
            request(when, POST, "/meetings/501/permissions/", VECTERA, &[])
                .json_body(json!({"accessLevel": "is_host"}));
            then.status(201).json_body(
                json!({"id": "78", "accessLevel": "is_host", "accessKey": "z9x8c7v6b5n4m3l2k1j0h9g8f7d6s5"}),
            );
        })
        .await;
    let room = vectera_only(&server)
        .vectera_meeting_room(
            "ann@example.com",
            Some("ann-coaching"),
            roster::vectera::types::AccessLevel::IsHost,
        )
        .await
        .expect("room");
    meeting.assert_async().await;
    permission.assert_async().await;
    assert_eq!(room.meeting.id.as_deref(), Some("501"));
    assert_eq!(
        room.permission.access_key.as_ref().map(|k| k.expose()),
        Some("z9x8c7v6b5n4m3l2k1j0h9g8f7d6s5")
    );
    assert!(!format!("{room:?}").contains("z9x8c7v6"));
}
