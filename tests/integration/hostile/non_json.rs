//! Case 6, non-JSON errors keep their status: HTML 401/403/400 not retried, an HTML 403 on a
//! batch not redone member by member, a text 429's `Retry-After` waited for.

use super::*;

#[tokio::test]
async fn html_401_403_400_keep_their_status_and_are_not_retried() {
    for status in [401_u16, 403, 400] {
        let server = server().await;
        let list = server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/users");
                then.status(status)
                    .header("content-type", "text/html")
                    .body("<html><body><h1>Denied</h1></body></html>");
            })
            .await;
        let (p, sleeper) = provisioner(&server, Vendor::Vyte);
        let items = list_all(&p, Vendor::Vyte).await;
        let err = items[0].as_ref().expect_err("an error");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{err}");
        assert_eq!(err.kind(), ErrorKind::Status, "{err}");
        list.assert_calls_async(1).await;
        assert!(
            sleeper.delays().is_empty(),
            "{status}: {:?}",
            sleeper.delays()
        );
    }
}

#[tokio::test]
async fn an_html_403_on_a_batch_is_not_redone_member_by_member() {
    let server = server().await;
    let _list = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200).json_body(json!([]));
        })
        .await;
    let batch = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/users/batch", TOKEN, &[]);
            then.status(403)
                .header("content-type", "text/html")
                .body("<html><body>Forbidden</body></html>");
        })
        .await;
    let single = never(&server, POST, "/v2/users").await;
    let (p, sleeper) = provisioner(&server, Vendor::Vyte);
    let reports = p.ensure_all(&members(3)).await;
    for report in &reports {
        let err = failed(report, Vendor::Vyte);
        assert_eq!(err.status().map(|s| s.as_u16()), Some(403), "{err}");
    }
    batch.assert_calls_async(1).await;
    single.assert_calls_async(0).await;
    assert!(sleeper.delays().is_empty(), "{:?}", sleeper.delays());
}

#[tokio::test]
async fn a_text_429_retry_after_is_waited_for() {
    let server = server().await;
    let limited = server
        .mock_async(|when, then| {
            when.is_true(first(1, "/v2/users"));
            then.status(429)
                .header("content-type", "text/plain")
                .header("retry-after", "7")
                .body("Too Many Requests");
        })
        .await;
    let list = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200)
                .json_body(json!([vyte_user("v42", "ann@example.com", "Ann")]));
        })
        .await;
    let (p, sleeper) = provisioner(&server, Vendor::Vyte);
    let items = list_all(&p, Vendor::Vyte).await;
    assert_eq!(items.len(), 1);
    assert!(items[0].is_ok(), "{items:?}");
    limited.assert_calls_async(1).await;
    list.assert_calls_async(1).await;
    let delays = sleeper.delays();
    assert_eq!(delays.len(), 1, "{delays:?}");
    assert!(delays[0] >= Duration::from_secs(7), "{delays:?}");
}
