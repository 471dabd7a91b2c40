//! Case 1, endless paging: a repeated page, a `next` link that always names the same page, a
//! total of a billion; `list` ends and `ensure` fails instead of walking forever.

use super::*;

/// A Vectera that ignores the page asked for: always the same user, always a `Link` to the
/// page after the one asked (for [`SERVER_BOUND`] requests), bare-array dialect.
async fn endless_vectera() -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let lists = Arc::new(AtomicUsize::new(0));
    let creates = Arc::new(AtomicUsize::new(0));
    let (l, c) = (lists.clone(), creates.clone());
    let router = axum::Router::new()
        .route(
            "/users/",
            axum::routing::get(
                move |Query(q): Query<std::collections::HashMap<String, String>>| {
                    let l = l.clone();
                    async move {
                        let n = l.fetch_add(1, Ordering::SeqCst);
                        let page: u32 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
                        let mut headers = HeaderMap::new();
                        if n < SERVER_BOUND {
                            let link =
                                format!("</users/?page={}&perPage=100>; rel=\"next\"", page + 1);
                            headers.insert(header::LINK, link.parse().expect("header"));
                        }
                        (
                            headers,
                            axum::Json(json!([vectera_user("7", "bob@example.com", "Bob")])),
                        )
                    }
                },
            )
            .post(move || {
                let c = c.clone();
                async move {
                    c.fetch_add(1, Ordering::SeqCst);
                    StatusCode::from_u16(599).expect("status")
                }
            }),
        )
        .route(
            "/users/me/",
            axum::routing::get(|| async { axum::Json(vectera_me()) }),
        );
    (serve(router).await, lists, creates)
}

#[tokio::test]
async fn vectera_list_ends_on_a_repeated_page() {
    let (base, lists, _) = endless_vectera().await;
    let (p, _) = provisioner_at(&base, &[Vendor::Vectera]);
    let items = list_all(&p, Vendor::Vectera).await;
    let last = items.last().expect("something");
    let err = last.as_ref().expect_err("ends with an error");
    assert_eq!(err.operation(), "list_users", "{err}");
    let calls = lists.load(Ordering::SeqCst);
    assert!(calls <= 3, "{calls} requests for one repeated page");
    assert!(
        items.len() <= 3,
        "the same user yielded over and over: {items:?}"
    );
}

#[tokio::test]
async fn vectera_list_ends_on_a_next_link_that_always_names_the_same_page() {
    let server = server().await;
    let next = format!("{}/users/?page=2&perPage=100", server.base_url());
    let pages = vectera_list(
        &server,
        json!({"count": 1_000_000_000_i64, "next": next, "previous": null,
               "results": [vectera_user("7", "bob@example.com", "Bob")]}),
    )
    .await;
    let (p, sleeper) = provisioner(&server, Vendor::Vectera);
    let items = list_all(&p, Vendor::Vectera).await;
    let err = items
        .last()
        .expect("something")
        .as_ref()
        .expect_err("ends with an error");
    assert_eq!(err.operation(), "list_users", "{err}");
    let calls = pages.calls_async().await;
    assert!(calls <= 3, "{calls} requests for one repeated page");
    assert!(
        sleeper.delays().is_empty(),
        "not retried: {:?}",
        sleeper.delays()
    );
}

#[tokio::test]
async fn vectera_ensure_fails_instead_of_walking_an_endless_search() {
    let (base, lists, creates) = endless_vectera().await;
    let (p, _) = provisioner_at(&base, &[Vendor::Vectera]);
    let report = p.ensure(&ann()).await;
    let err = failed(&report, Vendor::Vectera);
    assert_eq!(err.operation(), "list_users", "{err}");
    assert!(lists.load(Ordering::SeqCst) <= 3);
    assert_eq!(creates.load(Ordering::SeqCst), 0, "no create");
}

#[tokio::test]
async fn veo_list_ends_on_a_total_of_a_billion_repeating_the_same_users() {
    let server = server().await;
    let _me = veo_me(&server).await;
    let pages = veo_list(
        &server,
        json!({"Items": [veo_user(7, "bob@example.com", "Bob", true)], "Page": 1,
               "PageSize": 100, "TotalItemCount": 1_000_000_000_i64}),
    )
    .await;
    let (p, _) = provisioner(&server, Vendor::Veo);
    let items = list_all(&p, Vendor::Veo).await;
    let err = items
        .last()
        .expect("something")
        .as_ref()
        .expect_err("ends with an error");
    assert_eq!(err.vendor(), Vendor::Veo);
    let calls = pages.calls_async().await;
    assert!(calls <= 3, "{calls} requests for one repeated page");
}

#[tokio::test]
async fn veo_ensure_of_a_member_not_on_an_endless_page_fails_without_inviting() {
    let server = server().await;
    let _me = veo_me(&server).await;
    let pages = veo_list(
        &server,
        json!({"Items": [veo_user(7, "bob@example.com", "Bob", true)], "Page": 1,
               "PageSize": 100, "TotalItemCount": 1_000_000_000_i64}),
    )
    .await;
    let invite = never(&server, POST, "/api/userinvites/multiple").await;
    let (p, _) = provisioner(&server, Vendor::Veo);
    let report = tokio::time::timeout(Duration::from_secs(30), p.ensure(&ann()))
        .await
        .expect("ends");
    failed(&report, Vendor::Veo);
    invite.assert_calls_async(0).await;
    assert!(pages.calls_async().await <= 3);
}
