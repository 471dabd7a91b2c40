//! One-time login links at the Vectera fake's root: they work once and honour `next`.

use super::*;

#[tokio::test]
async fn a_login_link_works_once_and_honours_next() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    let report = provisioner.ensure(&member(1)).await;
    assert!(matches!(report.outcome(V), Some(Outcome::Created)));
    let link = provisioner
        .vectera_login_link("member1@example.com", Some("/room/sandbox-team/meeting-1/"))
        .await
        .expect("a link");
    let url = link.expose().to_owned();
    // At the site's root, as Vectera's, not under the API's `/api/v1`.
    let root = format!("http://{}/login/?token=", sandbox.addr(V));
    assert!(url.starts_with(&root), "{}", url.len());
    assert!(url.ends_with("&next=/room/sandbox-team/meeting-1/"));

    let first = http().get(&url).send().await.expect("sent");
    assert_eq!(first.status(), 302);
    assert_eq!(
        first
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/room/sandbox-team/meeting-1/")
    );
    let body: Value = first.json().await.expect("JSON");
    let found = provisioner.find("member1@example.com").await;
    let account = found[0].1.as_ref().expect("ok").as_ref().expect("found");
    assert_eq!(body["id"], json!(account.id));
    let second = http().get(&url).send().await.expect("sent");
    assert_eq!(second.status(), 400, "a login link works once");

    // Through the generated client: the answer has the URL and the bare token.
    let client = client(&sandbox);
    let token = client
        .create_login_token()
        .id("me")
        .send()
        .await
        .expect("201");
    assert_eq!(token.status(), 201);
    let token = token.into_inner();
    let bare = token.token.as_ref().expect("the token").expose().to_owned();
    assert_eq!(bare.len(), 32);
    let url = token.url.as_ref().expect("the URL").expose().to_owned();
    assert!(url.ends_with(&format!("?token={bare}")));
    // A `next` naming another site is not followed.
    let response = http()
        .get(format!("{url}&next=//evil.example/"))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/")
    );
    let (status, _) = error_of(
        client
            .create_login_token()
            .id("ea970f9b-2b1c-4d7e-8f3a-6c5d4e3f2a1b")
            .send()
            .await,
    );
    assert_eq!(status, 404);
}
