//! The vendor crates' page streams (`ClientPagesExtraExt`) against httpmock: every page of a
//! list walked in order with the right query (Vectera in both list shapes — a DRF page's
//! `next`, a bare array's `Link` header — and VEO's `pageNumber` up to `TotalItemCount`), and
//! a server that repeats a page, passes its own count or never stops stopped with an error.

use futures::StreamExt;
use httpmock::Method::GET;
use httpmock::{Mock, MockServer};
use roster_tests::{TOKEN, request, server};
use serde_json::{Value, json};

/// A stream can move to another task (`tokio::spawn`).
fn assert_send<T: Send>(_: &T) {}

mod vectera {
    use super::*;
    use roster_vectera::prelude::*;
    use roster_vectera::{Error, types};

    const AUTH: &str = "Token tok_5ecret_value_0123456789";

    fn client(server: &MockServer) -> Client {
        Client::new(&server.base_url(), TOKEN).expect("loopback base URL is accepted")
    }

    fn user(n: u32) -> Value {
        json!({"id": format!("user-{n}"), "email": format!("ann{n}@example.com"), "firstName": "Ann"})
    }

    /// `GET /users/?search=ann&page=N&perPage=100` answered with `body` and `link`.
    async fn users_page<'a>(
        server: &'a MockServer,
        page: &str,
        body: Value,
        link: Option<String>,
    ) -> Mock<'a> {
        server
            .mock_async(|when, then| {
                request(
                    when,
                    GET,
                    "/users/",
                    AUTH,
                    &[("search", "ann"), ("page", page), ("perPage", "100")],
                );
                let then = then.status(200).json_body(body);
                if let Some(link) = link {
                    then.header("link", link);
                }
            })
            .await
    }

    fn emails(users: &[types::User]) -> Vec<&str> {
        users.iter().filter_map(|u| u.email.as_deref()).collect()
    }

    #[tokio::test]
    async fn drf_pages_are_walked_by_their_next_links_to_the_last() {
        let server = server().await;
        let base = server.base_url();
        let pages = [
            users_page(
                &server,
                "1",
                json!({"count": 5, "next": format!("{base}/users/?page=2&perPage=100&search=ann"),
                       "previous": null, "results": [user(1), user(2)]}),
                None,
            )
            .await,
            users_page(
                &server,
                "2",
                // A relative `next` is followed too.
                json!({"count": 5, "next": "/users/?page=3&perPage=100&search=ann",
                       "results": [user(3), user(4)]}),
                None,
            )
            .await,
            users_page(
                &server,
                "3",
                json!({"count": 5, "next": null, "results": [user(5)]}),
                None,
            )
            .await,
        ];
        let client = client(&server);
        assert_send(&client.users_stream(None));
        let users = client
            .users_stream(Some("ann"))
            .try_collect()
            .await
            .expect("three pages");
        assert_eq!(
            emails(&users),
            [
                "ann1@example.com",
                "ann2@example.com",
                "ann3@example.com",
                "ann4@example.com",
                "ann5@example.com"
            ]
        );
        for page in &pages {
            page.assert_calls_async(1).await;
        }
    }

    #[tokio::test]
    async fn bare_arrays_are_walked_by_their_link_headers() {
        let server = server().await;
        let base = server.base_url();
        let first = users_page(
            &server,
            "1",
            json!([user(1), user(2)]),
            Some(format!(
                r#"<{base}/users/?page=1&perPage=100>; rel="first", <{base}/users/?search=ann&page=2&perPage=100>; rel="next""#
            )),
        )
        .await;
        let last = users_page(
            &server,
            "2",
            json!([user(3)]),
            Some(format!(r#"<{base}/users/?page=1&perPage=100>; rel="prev""#)),
        )
        .await;
        let client = client(&server);
        // Through `StreamExt` as well as `try_next`.
        let users: Vec<_> = client.users_stream(Some("ann")).collect().await;
        let users = users
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .expect("two pages");
        assert_eq!(
            emails(&users),
            ["ann1@example.com", "ann2@example.com", "ann3@example.com"]
        );
        first.assert_calls_async(1).await;
        last.assert_calls_async(1).await;
    }

    #[tokio::test]
    async fn a_server_repeating_a_page_is_stopped_with_an_error() {
        let server = server().await;
        let base = server.base_url();
        // Page 2 answers page 1's users again, and names a page 3 that is never asked for.
        let same = json!([user(1), user(2)]);
        let first = users_page(
            &server,
            "1",
            same.clone(),
            Some(format!(r#"<{base}/users/?page=2>; rel="next""#)),
        )
        .await;
        let second = users_page(
            &server,
            "2",
            same,
            Some(format!(r#"<{base}/users/?page=3>; rel="next""#)),
        )
        .await;
        let client = client(&server);
        let mut users = client.users_stream(Some("ann"));
        let mut read = Vec::new();
        let err = loop {
            match users.try_next().await {
                Ok(Some(user)) => read.push(user),
                Ok(None) => panic!("a repeated page must not end the list quietly"),
                Err(err) => break err,
            }
        };
        assert_eq!(emails(&read), ["ann1@example.com", "ann2@example.com"]);
        let Error::Custom(why) = &err else {
            panic!("the walker's error: {err:?}")
        };
        assert!(why.contains("page 2: it repeats an earlier page"), "{why}");
        assert_eq!(
            users.try_next().await.expect("over"),
            None,
            "the walk is over"
        );
        first.assert_calls_async(1).await;
        second.assert_calls_async(1).await;
        assert_eq!(users.pages_read(), 2);
    }

    #[tokio::test]
    async fn a_next_link_that_skips_pages_is_refused_and_a_failed_page_keeps_its_status() {
        let server = server().await;
        let first = server
            .mock_async(|when, then| {
                request(
                    when,
                    GET,
                    "/meetings/",
                    AUTH,
                    &[("page", "1"), ("perPage", "100")],
                );
                then.status(200).json_body(
                    json!({"count": 9, "next": "/meetings/?page=7", "results": [{"id": "room-1"}]}),
                );
            })
            .await;
        let client = client(&server);
        let rooms: Vec<_> = client.meetings_stream(None).collect().await;
        assert_eq!(rooms.len(), 1, "{rooms:?}");
        let Err(Error::Custom(why)) = &rooms[0] else {
            panic!("refused: {rooms:?}")
        };
        assert!(why.contains("does not name page 2"), "{why}");
        first.assert_calls_async(1).await;

        let failing = server
            .mock_async(|when, then| {
                request(
                    when,
                    GET,
                    "/meetings/room-1/permissions/",
                    AUTH,
                    &[("page", "1"), ("perPage", "100")],
                );
                then.status(403).json_body(
                    json!({"detail": "You do not have permission to perform this action."}),
                );
            })
            .await;
        let err = client
            .permissions_stream("room-1")
            .try_next()
            .await
            .expect_err("403");
        let Error::ErrorResponse(answer) = &err else {
            panic!("the vendor's answer: {err:?}")
        };
        assert_eq!(answer.status().as_u16(), 403);
        assert_eq!(
            answer.as_ref()["detail"],
            "You do not have permission to perform this action."
        );
        failing.assert_calls_async(1).await;
    }

    #[tokio::test]
    async fn organization_members_are_streamed_with_the_page_limit_applied() {
        let server = server().await;
        // A server that always names the next page, with new users on every page.
        let endless = server
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/organizations/org-1/members/")
                    .header("authorization", AUTH)
                    .query_param("page", "1");
                then.status(200).json_body(
                    json!({"next": "/organizations/org-1/members/?page=2", "results": [user(1)]}),
                );
            })
            .await;
        let second = server
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/organizations/org-1/members/")
                    .query_param("page", "2");
                then.status(200).json_body(
                    json!({"next": "/organizations/org-1/members/?page=3", "results": [user(2)]}),
                );
            })
            .await;
        let client = client(&server);
        let items: Vec<_> = client
            .organization_members_stream("org-1", None)
            .max_pages(2)
            .collect()
            .await;
        assert_eq!(items.len(), 3, "{items:?}");
        assert!(items[..2].iter().all(Result::is_ok));
        let Err(Error::Custom(why)) = &items[2] else {
            panic!("the limit: {items:?}")
        };
        assert!(why.contains("after 2 pages"), "{why}");
        endless.assert_calls_async(1).await;
        second.assert_calls_async(1).await;
    }
}

mod veo {
    use super::*;
    use roster_veo::prelude::*;
    use roster_veo::{Error, types};

    const AUTH: &str = "Bearer tok_5ecret_value_0123456789";

    fn client(server: &MockServer) -> Client {
        Client::new(&server.base_url(), TOKEN).expect("loopback base URL is accepted")
    }

    fn user(n: u32) -> Value {
        json!({"Id": 5000 + n, "Email": format!("u{n}@example.com"), "FirstName": "U"})
    }

    /// `GET /api/users/get-all?organisationId=1&pageSize=100&pageNumber=N[&searchTerm=..]`.
    async fn users_page<'a>(
        server: &'a MockServer,
        number: &str,
        search: Option<&str>,
        body: Value,
    ) -> Mock<'a> {
        let mut query = vec![
            ("organisationId", "1"),
            ("pageSize", "100"),
            ("pageNumber", number),
        ];
        query.extend(search.map(|s| ("searchTerm", s)));
        server
            .mock_async(|when, then| {
                request(when, GET, "/api/users/get-all", AUTH, &query);
                then.status(200).json_body(body);
            })
            .await
    }

    fn emails(users: &[types::UserSummary]) -> Vec<&str> {
        users.iter().filter_map(|u| u.email.as_deref()).collect()
    }

    #[tokio::test]
    async fn pages_are_walked_by_page_number_until_total_item_count() {
        let server = server().await;
        // A server answering 2 per page whatever `pageSize` asks: the total decides the end.
        let pages = [
            users_page(
                &server,
                "1",
                Some("u"),
                json!({"Items": [user(1), user(2)], "Page": 1, "PageSize": 2, "TotalItemCount": 5}),
            )
            .await,
            users_page(
                &server,
                "2",
                Some("u"),
                json!({"Items": [user(3), user(4)], "Page": 2, "PageSize": 2, "TotalItemCount": 5}),
            )
            .await,
            users_page(
                &server,
                "3",
                Some("u"),
                json!({"Items": [user(5)], "Page": 3, "PageSize": 2, "TotalItemCount": 5}),
            )
            .await,
        ];
        let client = client(&server);
        assert_send(&client.users_stream("1", None));
        let users = client
            .users_stream("1", Some("u"))
            .try_collect()
            .await
            .expect("three pages");
        assert_eq!(
            emails(&users),
            [
                "u1@example.com",
                "u2@example.com",
                "u3@example.com",
                "u4@example.com",
                "u5@example.com"
            ]
        );
        for page in &pages {
            page.assert_calls_async(1).await;
        }
    }

    #[tokio::test]
    async fn a_server_ignoring_page_number_is_stopped_with_an_error() {
        let server = server().await;
        // Every page number answers page 1, and the total says there is much more.
        let same = server
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/api/users/get-all")
                    .header("authorization", AUTH);
                then.status(200).json_body(
                    json!({"Items": [user(1), user(2)], "Page": 1, "PageSize": 2, "TotalItemCount": 1000}),
                );
            })
            .await;
        let client = client(&server);
        let items: Vec<_> = client.users_stream("1", None).collect().await;
        assert_eq!(items.len(), 3, "two users, then the error: {items:?}");
        let Err(Error::Custom(why)) = &items[2] else {
            panic!("the walker's error: {items:?}")
        };
        assert!(why.contains("page 2: it repeats an earlier page"), "{why}");
        same.assert_calls_async(2).await;
    }

    #[tokio::test]
    async fn a_page_without_items_while_users_match_is_an_error_not_the_end() {
        let server = server().await;
        let first = users_page(
            &server,
            "1",
            None,
            json!({"Items": [user(1)], "TotalItemCount": 3}),
        )
        .await;
        let unclear = users_page(&server, "2", None, json!({"TotalItemCount": 3})).await;
        let client = client(&server);
        let mut users = client.users_stream("1", None);
        assert!(users.try_next().await.expect("page 1").is_some());
        let err = users
            .try_next()
            .await
            .expect_err("page 2 is not understood");
        let Error::Custom(why) = &err else {
            panic!("{err:?}")
        };
        assert!(why.contains("no Items but a TotalItemCount of 3"), "{why}");
        first.assert_calls_async(1).await;
        unclear.assert_calls_async(1).await;
    }
}
