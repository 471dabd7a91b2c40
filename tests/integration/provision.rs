//! The facade's `Provisioner` against one httpmock server standing in for all three vendors
//! (their paths do not overlap): look up, then create / update / leave alone; idempotence;
//! one vendor failing without hiding the others; removal.

use std::sync::Arc;

use httpmock::Method::{DELETE, GET, PATCH, POST, PUT};
use httpmock::{Mock, MockServer};
use roster::test_util::RecordingSleeper;
use roster::{
    Config, Member, MemberReport, Outcome, Provisioner, Resilience, RetryBudget, RetryPolicy,
    Vendor,
};
use roster_tests::{TOKEN, request, server};
use serde_json::json;

const ORG: &str = "3f6c2a1e-8b4d-4c2e-9a7f-1d2e3f4a5b6c";
const VECTERA: &str = "Token tok_5ecret_value_0123456789";
const VEO: &str = "Bearer tok_5ecret_value_0123456789";

fn provisioner(server: &MockServer) -> Provisioner {
    let base = server.base_url();
    let config = Config::default()
        .with(Vendor::Vectera, Some(&base), TOKEN)
        .and_then(|c| c.with(Vendor::Vyte, Some(&base), TOKEN))
        .and_then(|c| c.with(Vendor::Veo, Some(&base), TOKEN))
        .expect("config");
    let resilience = Resilience::new(RetryPolicy::default(), Arc::new(RetryBudget::default()))
        .with_sleeper(Arc::new(RecordingSleeper::default()));
    Provisioner::with_resilience(&config, resilience).expect("clients")
}

fn ann() -> Member {
    Member::new("ann@example.com", "Ann", "Smith").expect("valid")
}

fn outcome(report: &MemberReport, vendor: Vendor) -> &Outcome {
    report.outcome(vendor).expect("vendor configured")
}

/// The look-ups every ensure makes before writing (Vectera's `me` and VEO's `/me` once).
async fn lookups(server: &MockServer, present: bool) -> Vec<Mock<'_>> {
    let vectera_users = if present {
        json!([{"id": "42", "firstName": "Ann", "lastName": "Smith", "email": "ANN@example.com", "isManaged": false}])
    } else {
        json!([])
    };
    let vyte_users = if present {
        json!([{"_id": "v42", "first_name": "Ann", "last_name": "Smith", "emails": ["ann@example.com"]}])
    } else {
        json!([])
    };
    let veo_items = if present {
        json!([{"Id": 42, "FirstName": "Ann", "LastName": "Smith", "Email": "ann@example.com",
                "IsActive": true, "Roles": [{"OrganisationId": 1, "Roles": [4]}]}])
    } else {
        json!([])
    };
    vec![
        server
            .mock_async(|when, then| {
                request(
                    when,
                    GET,
                    "/users/",
                    VECTERA,
                    &[("search", "ann@example.com"), ("page", "1"), ("perPage", "100")],
                );
                then.status(200).json_body(
                    json!({"count": 1, "next": null, "previous": null, "results": vectera_users}),
                );
            })
            .await,
        server
            .mock_async(|when, then| {
                request(when, GET, "/users/me/", VECTERA, &[]);
                then.status(200).json_body(
                    json!({"id": "1", "firstName": "Ada", "email": "ada@example.com", "organizationId": ORG}),
                );
            })
            .await,
        server
            .mock_async(|when, then| {
                request(when, GET, "/v2/users", TOKEN, &[]);
                then.status(200).json_body(vyte_users);
            })
            .await,
        server
            .mock_async(|when, then| {
                request(when, GET, "/api/me", VEO, &[]);
                then.status(200).json_body(json!({"Id": 1, "Organisations": [
                    {"Id": 9, "Roles": [4]}, {"Id": 1, "Name": "Acme", "Roles": [4, 2]}]}));
            })
            .await,
        server
            .mock_async(|when, then| {
                request(
                    when,
                    GET,
                    "/api/users/get-all",
                    VEO,
                    &[("searchTerm", "ann@example.com"), ("organisationId", "1"), ("pageSize", "100")],
                );
                then.status(200)
                    .json_body(json!({"Items": veo_items, "Page": 1, "PageSize": 100, "TotalItemCount": 1}));
            })
            .await,
    ]
}

/// Every write any vendor could receive.
async fn writes(server: &MockServer) -> Vec<Mock<'_>> {
    let mut mocks = Vec::new();
    for (method, path) in [
        (POST, "/users/"),
        (PATCH, "/users/42/"),
        (DELETE, "/users/42/"),
        (POST, "/v2/users"),
        (PUT, "/v2/users/v42"),
        (DELETE, "/v2/users/v42"),
        (POST, "/api/userinvites/multiple"),
        (PUT, "/api/v2/users/42"),
        (DELETE, "/api/user"),
    ] {
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(method).path(path);
                    then.status(599);
                })
                .await,
        );
    }
    mocks
}

async fn total_calls(mocks: &[Mock<'_>]) -> usize {
    let mut n = 0;
    for m in mocks {
        n += m.calls_async().await;
    }
    n
}

#[tokio::test]
async fn ensure_creates_an_absent_member_everywhere_then_changes_nothing() {
    let server = server().await;
    let absent = lookups(&server, false).await;
    let vectera_create = server
        .mock_async(|when, then| {
            request(when, POST, "/users/", VECTERA, &[]).json_body(json!({
                "firstName": "Ann", "lastName": "Smith", "email": "ann@example.com",
                "organizationId": ORG, "isManaged": false
            }));
            then.status(201)
                .json_body(json!({"id": "42", "firstName": "Ann", "email": "ann@example.com"}));
        })
        .await;
    let vyte_create = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/users", TOKEN, &[]).json_body(json!({
                "user": {"email": "ann@example.com", "first_name": "Ann", "last_name": "Smith"}
            }));
            then.status(200).json_body(json!({"user": {"_id": "v42"}}));
        })
        .await;
    let veo_invite = server
        .mock_async(|when, then| {
            request(when, POST, "/api/userinvites/multiple", VEO, &[]).json_body(json!({
                "OrganisationId": "1", "Users": [{"Email": "ann@example.com", "IsOrgAdmin": false}]
            }));
            then.status(200)
                .json_body(json!({"TotalInvites": 1, "SuccessList": ["ann@example.com"]}));
        })
        .await;
    let provisioner = provisioner(&server);
    let report = provisioner.ensure(&ann()).await;
    assert_eq!(report.email, "ann@example.com");
    for vendor in Vendor::ALL {
        assert!(
            matches!(outcome(&report, vendor), Outcome::Created),
            "{vendor}: {report:?}"
        );
    }
    for mock in [&vectera_create, &vyte_create, &veo_invite] {
        mock.assert_async().await;
    }

    // Second run: the vendors now have Ann as wanted; nothing is written.
    for mock in absent {
        mock.delete_async().await;
    }
    for mock in [vectera_create, vyte_create, veo_invite] {
        mock.delete_async().await;
    }
    let _present = lookups(&server, true).await;
    let writes = writes(&server).await;
    let report = provisioner.ensure(&ann()).await;
    for vendor in Vendor::ALL {
        assert!(
            matches!(outcome(&report, vendor), Outcome::Unchanged),
            "{vendor}: {report:?}"
        );
    }
    assert_eq!(
        total_calls(&writes).await,
        0,
        "the second run sends no write"
    );
}

#[tokio::test]
async fn ensure_updates_what_differs() {
    let server = server().await;
    let _present = lookups(&server, true).await;
    let vectera = server
        .mock_async(|when, then| {
            request(when, PATCH, "/users/42/", VECTERA, &[])
                .json_body(json!({"firstName": "Ann", "lastName": "Smith", "isManaged": true}));
            then.status(200)
                .json_body(json!({"id": "42", "firstName": "Ann", "email": "ann@example.com"}));
        })
        .await;
    let vyte = server
        .mock_async(|when, then| {
            request(when, PUT, "/v2/users/v42", TOKEN, &[]).json_body(json!({"user": {
                "email": "ann@example.com", "first_name": "Ann", "last_name": "Smith",
                "timezone": "Europe/Paris"
            }}));
            then.status(200).json_body(json!({"user": {"_id": "v42"}}));
        })
        .await;
    let veo = server
        .mock_async(|when, then| {
            request(when, PUT, "/api/v2/users/42", VEO, &[]).json_body(json!({
                "FirstName": "Ann", "LastName": "Smith", "Email": "ann@example.com",
                "Roles": [{"OrganisationId": 1, "Roles": [4, 2]}]
            }));
            then.status(200);
        })
        .await;
    let mut member = ann().admin(true);
    member.vectera.managed = true;
    member.vyte.timezone = Some("Europe/Paris".into());
    let report = provisioner(&server).ensure(&member).await;
    for vendor in Vendor::ALL {
        assert!(
            matches!(outcome(&report, vendor), Outcome::Updated),
            "{vendor}: {report:?}"
        );
    }
    for mock in [vectera, vyte, veo] {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn one_vendor_failing_never_hides_the_others() {
    let server = server().await;
    let mut present = lookups(&server, true).await;
    // Vyte is down: its look-up fails on every attempt.
    present.remove(2).delete_async().await;
    let vyte_down = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(500)
                .json_body(json!({"message": "Internal error"}));
        })
        .await;
    let report = provisioner(&server).ensure(&ann()).await;
    assert!(report.has_failures());
    let Outcome::Failed(err) = outcome(&report, Vendor::Vyte) else {
        panic!("{report:?}")
    };
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(
        matches!(outcome(&report, Vendor::Vectera), Outcome::Unchanged),
        "{report:?}"
    );
    assert!(
        matches!(outcome(&report, Vendor::Veo), Outcome::Unchanged),
        "{report:?}"
    );
    assert_eq!(
        vyte_down.calls_async().await,
        3,
        "an idempotent look-up is retried"
    );
}

#[tokio::test]
async fn a_vendor_error_is_reported_with_vendor_operation_and_status() {
    let server = server().await;
    let _vyte_down = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(500)
                .json_body(json!({"message": "Internal error"}));
        })
        .await;
    let config = Config::default()
        .with(Vendor::Vyte, Some(&server.base_url()), TOKEN)
        .expect("config");
    let sleeper = Arc::new(RecordingSleeper::default());
    let resilience = Resilience::default().with_sleeper(sleeper.clone());
    let provisioner = Provisioner::with_resilience(&config, resilience).expect("client");
    let report = provisioner.ensure(&ann()).await;
    assert_eq!(
        report.vendors.len(),
        1,
        "only configured vendors are reported"
    );
    let Outcome::Failed(err) = outcome(&report, Vendor::Vyte) else {
        panic!("{report:?}")
    };
    assert_eq!(
        err.to_string(),
        r#"vyte list_users: HTTP 500 Internal Server Error: {"message":"Internal error"} [after 3 attempts]"#
    );
    assert_eq!(
        sleeper.delays().len(),
        2,
        "a look-up is idempotent: retried"
    );
}

#[tokio::test]
async fn ensure_all_keeps_input_order_and_reports_a_refused_invite() {
    let server = server().await;
    let config = Config::default()
        .with(Vendor::Veo, Some(&server.base_url()), TOKEN)
        .expect("config");
    server
        .mock_async(|when, then| {
            request(when, GET, "/api/me", VEO, &[]);
            then.status(200)
                .json_body(json!({"Organisations": [{"Id": 1, "Roles": [4, 2]}]}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/users/get-all");
            then.status(200)
                .json_body(json!({"Items": [], "TotalItemCount": 0}));
        })
        .await;
    // One invitation for all four; VEO lists the address it refuses.
    let invite = server
        .mock_async(|when, then| {
            request(when, POST, "/api/userinvites/multiple", VEO, &[])
                .body_includes("a@example.com")
                .body_includes("bad@example.com");
            then.status(200)
                .json_body(json!({"TotalInvites": 4, "ErrorList": ["bad@example.com"],
                "SuccessList": ["a@example.com", "b@example.com", "c@example.com"]}));
        })
        .await;
    let members: Vec<Member> = ["a@example.com", "b@example.com", "c@example.com"]
        .into_iter()
        .map(|e| Member::new(e, "X", "Y").expect("valid"))
        .chain([Member::new("bad@example.com", "Bad", "Address").expect("plausible")])
        .collect();
    let provisioner = Provisioner::new(&config)
        .expect("client")
        .with_concurrency(2);
    let reports = provisioner.ensure_all(&members).await;
    assert_eq!(
        reports.iter().map(|r| r.email.as_str()).collect::<Vec<_>>(),
        [
            "a@example.com",
            "b@example.com",
            "c@example.com",
            "bad@example.com"
        ]
    );
    for report in &reports[..3] {
        assert!(
            matches!(outcome(report, Vendor::Veo), Outcome::Created),
            "{report:?}"
        );
    }
    let Outcome::Failed(err) = outcome(&reports[3], Vendor::Veo) else {
        panic!("{:?}", reports[3])
    };
    assert!(
        err.to_string()
            .contains("refused the invitation of bad@example.com"),
        "{err}"
    );
    invite.assert_async().await;
}

#[tokio::test]
async fn remove_deletes_unlinks_and_reports_absence() {
    let server = server().await;
    let _present = lookups(&server, true).await;
    let deletes = [
        server
            .mock_async(|when, then| {
                request(when, DELETE, "/users/42/", VECTERA, &[]);
                then.status(204);
            })
            .await,
        server
            .mock_async(|when, then| {
                request(when, DELETE, "/v2/users/v42", TOKEN, &[]);
                then.status(200).json_body(json!({"_id": "org"}));
            })
            .await,
        server
            .mock_async(|when, then| {
                request(when, DELETE, "/api/user", VEO, &[("id", "42")]);
                then.status(200);
            })
            .await,
    ];
    let provisioner = provisioner(&server);
    let report = provisioner.remove(" ann@example.com ").await;
    assert_eq!(report.email, "ann@example.com");
    for vendor in Vendor::ALL {
        assert!(
            matches!(outcome(&report, vendor), Outcome::Removed),
            "{vendor}: {report:?}"
        );
    }
    for mock in deletes {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn deactivate_maps_to_what_each_vendor_offers() {
    let server = server().await;
    let _present = lookups(&server, true).await;
    let mocks = [
        // Vectera has no deactivation: delete.
        server
            .mock_async(|when, then| {
                request(when, DELETE, "/users/42/", VECTERA, &[]);
                then.status(204);
            })
            .await,
        // Vyte: unlink.
        server
            .mock_async(|when, then| {
                request(when, DELETE, "/v2/users/v42", TOKEN, &[]);
                then.status(200).json_body(json!({"_id": "org"}));
            })
            .await,
        // VEO: IsActive false, names and roles kept.
        server
            .mock_async(|when, then| {
                request(when, PUT, "/api/v2/users/42", VEO, &[]).json_body(json!({
                    "FirstName": "Ann", "LastName": "Smith", "Email": "ann@example.com",
                    "IsActive": false, "Roles": [{"OrganisationId": 1, "Roles": [4]}]
                }));
                then.status(200);
            })
            .await,
    ];
    let report = provisioner(&server).deactivate("ann@example.com").await;
    assert!(
        matches!(outcome(&report, Vendor::Vectera), Outcome::Removed),
        "{report:?}"
    );
    assert!(
        matches!(outcome(&report, Vendor::Vyte), Outcome::Deactivated),
        "{report:?}"
    );
    assert!(
        matches!(outcome(&report, Vendor::Veo), Outcome::Deactivated),
        "{report:?}"
    );
    for mock in mocks {
        mock.assert_async().await;
    }
}

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
