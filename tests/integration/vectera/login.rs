//! Login tokens and links: an empty POST answering a secret URL; `login_link`'s safe `next`,
//! and the answers it reports (a URL that does not parse, none at all).

use super::*;

#[tokio::test]
async fn create_login_token_posts_an_empty_body_and_returns_a_secret_url() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(
                when,
                POST,
                &format!("/users/{STEVE}/loginTokens/"),
                AUTH,
                &[],
            )
            .body("");
            then.status(201).json_body(json!({"url": LOGIN_URL}));
        })
        .await;
    let token = client(&server)
        .create_login_token()
        .id(STEVE)
        .send()
        .await
        .expect("201")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(token.url.as_ref().map(|u| u.expose()), Some(LOGIN_URL));
    assert_no_secret(&format!("{token:?}"), &["v8hzo6m42t"]);
}

#[tokio::test]
async fn login_link_appends_a_safe_next() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, POST, "/users/me/loginTokens/", AUTH, &[]);
            then.status(201).json_body(json!({"url": LOGIN_URL}));
        })
        .await;
    let link = client(&server)
        .login_link("me", Some("/room/team-name/meeting-room-1/"))
        .await
        .expect("link");
    mock.assert_async().await;
    assert_eq!(
        link.expose(),
        format!("{LOGIN_URL}&next=/room/team-name/meeting-room-1/")
    );
    assert_no_secret(&format!("{link:?}"), &["v8hzo6m42t"]);
}

#[tokio::test]
async fn login_link_with_an_unsafe_next_sends_nothing() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(201).json_body(json!({"url": LOGIN_URL}));
        })
        .await;
    let client = client(&server);
    for next in [
        "//evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/x\r\nLocation: //evil",
    ] {
        let err = client.login_link("me", Some(next)).await.expect_err(next);
        assert!(
            matches!(err, LoginLinkError::UnsafeNext(_)),
            "{next}: {err}"
        );
    }
    assert_eq!(mock.calls_async().await, 0);
}

#[tokio::test]
async fn login_link_reports_a_login_url_that_does_not_parse() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, POST, "/users/me/loginTokens/", AUTH, &[]);
            then.status(201)
                .json_body(json!({"url": "token=SECRETVALUE"}));
        })
        .await;
    let err = client(&server)
        .login_link("me", None)
        .await
        .expect_err("not a URL");
    assert!(matches!(err, LoginLinkError::InvalidLoginUrl), "{err:?}");
    assert_no_secret(&format!("{err} {err:?}"), &["SECRETVALUE"]);
}

#[tokio::test]
async fn login_link_reports_an_answer_without_a_url() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, POST, "/users/me/loginTokens/", AUTH, &[]);
            then.status(201)
                .json_body(json!({"link": LOGIN_URL, "token": "SECRETVALUE"}));
        })
        .await;
    let err = client(&server)
        .login_link("me", None)
        .await
        .expect_err("no `url`");
    assert!(matches!(err, LoginLinkError::InvalidLoginUrl), "{err:?}");
    assert_no_secret(&format!("{err} {err:?}"), &["SECRETVALUE", "v8hzo6m42t"]);
}
