//! `Provisioner::find` and `list`: each vendor's answer or absence, every page to the last
//! (lazily, an error ending the stream), and a vendor that is not configured.

use super::*;

#[tokio::test]
async fn find_reports_each_vendor_and_absence() {
    let server = server().await;
    let mut lookups = lookups(&server, true).await;
    // Vectera does not know Ann.
    lookups.remove(0).delete_async().await;
    server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                "/users/",
                VECTERA,
                &[
                    ("search", "ann@example.com"),
                    ("page", "1"),
                    ("perPage", "100"),
                ],
            );
            then.status(200)
                .json_body(json!({"count": 0, "next": null, "previous": null, "results": []}));
        })
        .await;
    let found = provisioner(&server).find(" ann@example.com").await;
    let by_vendor: Vec<(Vendor, Option<String>)> = found
        .into_iter()
        .map(|(v, r)| (v, r.expect("no error").map(|a| a.id)))
        .collect();
    assert_eq!(
        by_vendor,
        [
            (Vendor::Vectera, None),
            (Vendor::Vyte, Some("v42".to_owned())),
            (Vendor::Veo, Some("42".to_owned())),
        ]
    );
}

#[tokio::test]
async fn list_streams_every_page_to_the_last() {
    use futures::StreamExt;

    let server = server().await;
    // Vectera: three DRF pages, followed through `next`.
    for (page, ids, next) in [
        (1, vec![1, 2], true),
        (2, vec![3, 4], true),
        (3, vec![5], false),
    ] {
        let results: Vec<_> = ids
            .iter()
            .map(|id| json!({"id": id.to_string(), "firstName": "U", "email": format!("u{id}@example.com")}))
            .collect();
        let next = next.then(|| format!("{}/users/?page={}", server.base_url(), page + 1));
        server
            .mock_async(|when, then| {
                request(
                    when,
                    GET,
                    "/users/",
                    VECTERA,
                    &[("page", &page.to_string()), ("perPage", "100")],
                );
                then.status(200).json_body(
                    json!({"count": 5, "next": next, "previous": null, "results": results}),
                );
            })
            .await;
    }
    let provisioner = provisioner(&server);
    let ids: Vec<String> = provisioner
        .list(Vendor::Vectera)
        .map(|a| a.expect("no error").id)
        .collect()
        .await;
    assert_eq!(ids, ["1", "2", "3", "4", "5"]);

    // Lazily: taking two users fetches only the first page.
    let server2 = roster_tests::server().await;
    let first_page = server2
        .mock_async(|when, then| {
            request(when, GET, "/users/", VECTERA, &[("page", "1"), ("perPage", "100")]);
            then.status(200).json_body(
                json!({"count": 4, "next": "https://www.vectera.com/api/v1/users/?page=2", "previous": null, "results": [
                {"id": "1", "firstName": "U", "email": "u1@example.com"},
                {"id": "2", "firstName": "U", "email": "u2@example.com"}]}),
            );
        })
        .await;
    let second_page = server2
        .mock_async(|when, then| {
            request(
                when,
                GET,
                "/users/",
                VECTERA,
                &[("page", "2"), ("perPage", "100")],
            );
            then.status(500);
        })
        .await;
    let lazy = self::provisioner(&server2);
    let first_two: Vec<_> = lazy.list(Vendor::Vectera).take(2).collect().await;
    assert_eq!(first_two.len(), 2);
    first_page.assert_async().await;
    assert_eq!(
        second_page.calls_async().await,
        0,
        "page 2 is never fetched"
    );

    // An error ends the stream after being yielded once.
    let all: Vec<_> = lazy.list(Vendor::Vectera).collect().await;
    assert_eq!(all.len(), 3);
    assert!(
        all[2]
            .as_ref()
            .is_err_and(|e| e.status().map(|s| s.as_u16()) == Some(500))
    );
}

#[tokio::test]
async fn list_walks_veo_pages_and_refuses_an_unconfigured_vendor() {
    use futures::StreamExt;

    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/api/me", VEO, &[]);
            then.status(200)
                .json_body(json!({"Organisations": [{"Id": 1, "Roles": [2]}]}));
        })
        .await;
    for page in 1..=2 {
        let items: Vec<_> = (1..=if page == 1 { 100 } else { 7 })
            .map(|i| json!({"Id": page * 1000 + i, "Email": format!("p{page}u{i}@example.com")}))
            .collect();
        server
            .mock_async(|when, then| {
                request(
                    when,
                    GET,
                    "/api/users/get-all",
                    VEO,
                    &[
                        ("organisationId", "1"),
                        ("pageSize", "100"),
                        ("pageNumber", &page.to_string()),
                    ],
                );
                then.status(200)
                    .json_body(json!({"Items": items, "TotalItemCount": 107}));
            })
            .await;
    }
    let config = Config::default()
        .with(Vendor::Veo, Some(&server.base_url()), TOKEN)
        .expect("config");
    let provisioner = Provisioner::new(&config).expect("client");
    let accounts: Vec<_> = provisioner.list(Vendor::Veo).collect().await;
    assert_eq!(accounts.len(), 107);
    assert!(accounts.iter().all(Result::is_ok));

    let refused: Vec<_> = provisioner.list(Vendor::Vyte).collect().await;
    assert_eq!(refused.len(), 1);
    let err = refused[0].as_ref().expect_err("not configured");
    assert_eq!(
        err.to_string(),
        "vyte list_users: invalid request (vyte is not configured)"
    );
}
