//! `Provisioner::ensure` and `ensure_all`: create what is absent, update what differs, leave
//! the rest alone (a second run writes nothing); one vendor failing without hiding the others,
//! and how its error reads.

use super::*;

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
