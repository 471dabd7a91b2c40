//! Case 8, failures are not amplified: a failing look-up asked a few times for many members,
//! a 401 failing the rest without calls, a 429 or hanging batch retried as a batch.

use super::*;

#[tokio::test]
async fn a_failing_vectera_me_is_asked_a_few_times_for_ten_members() {
    let server = server().await;
    let _search = vectera_list(
        &server,
        json!({"count": 0, "next": null, "previous": null, "results": []}),
    )
    .await;
    let me = server
        .mock_async(|when, then| {
            when.method(GET).path("/users/me/");
            then.status(500).json_body(json!({"detail": "down"}));
        })
        .await;
    let create = never(&server, POST, "/users/").await;
    let (p, _) = provisioner(&server, Vendor::Vectera);
    let reports = p.ensure_all(&members(10)).await;
    for report in &reports {
        let err = failed(report, Vendor::Vectera);
        assert_eq!(err.operation(), "get_user", "{err}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err}");
    }
    let calls = me.calls_async().await;
    assert!(calls <= 3, "{calls} calls to /users/me/ for 10 members");
    create.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_401_on_the_first_call_fails_the_other_members_without_calls() {
    let server = server().await;
    let all = server
        .mock_async(|when, then| {
            when.path_matches(".*");
            then.status(401)
                .json_body(json!({"detail": "Invalid token."}));
        })
        .await;
    let (p, sleeper) = provisioner(&server, Vendor::Vectera);
    let p = p.with_concurrency(1);
    let reports = p.ensure_all(&members(10)).await;
    for report in &reports {
        let err = failed(report, Vendor::Vectera);
        assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err}");
    }
    // The first member's look-up (and at most one call made alongside it); nothing after.
    let calls = all.calls_async().await;
    assert!(calls <= 2, "{calls} calls after a 401");
    assert!(sleeper.delays().is_empty());
}

#[tokio::test]
async fn a_vyte_batch_answering_429_is_retried_as_a_batch_after_the_wait() {
    let server = server().await;
    let team = members(3);
    let _empty = server
        .mock_async(|when, then| {
            when.is_true(first(1, "/v2/users"));
            then.status(200).json_body(json!([]));
        })
        .await;
    let listed: Vec<Value> = team
        .iter()
        .enumerate()
        .map(|(i, m)| vyte_user(&format!("v{i}"), m.email(), "New"))
        .collect();
    let _full = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200).json_body(Value::Array(listed.clone()));
        })
        .await;
    let limited = server
        .mock_async(|when, then| {
            when.is_true(first_of(1, "POST", "/v2/users/batch"));
            then.status(429)
                .header("retry-after", "3")
                .json_body(json!({"message": "slow down"}));
        })
        .await;
    let batch = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/users/batch", TOKEN, &[]);
            let created: Vec<Value> = listed.iter().map(|u| json!({"user": u})).collect();
            then.status(200).json_body(Value::Array(created));
        })
        .await;
    let single = never(&server, POST, "/v2/users").await;
    let (p, sleeper) = provisioner(&server, Vendor::Vyte);
    let reports = p.ensure_all(&team).await;
    limited.assert_calls_async(1).await;
    batch.assert_calls_async(1).await;
    single.assert_calls_async(0).await;
    assert!(
        sleeper
            .delays()
            .iter()
            .any(|d| *d >= Duration::from_secs(3)),
        "{:?}",
        sleeper.delays()
    );
    for report in &reports {
        assert!(
            matches!(outcome(report, Vendor::Vyte), Outcome::Created),
            "{report:?}"
        );
    }
}

#[tokio::test]
async fn a_veo_invitation_answering_429_is_retried_as_a_batch_after_the_wait() {
    let server = server().await;
    let team = members(3);
    let _me = veo_me(&server).await;
    let _list = veo_list(
        &server,
        json!({"Items": [], "Page": 1, "PageSize": 100, "TotalItemCount": 0}),
    )
    .await;
    let limited = server
        .mock_async(|when, then| {
            when.is_true(first_of(1, "POST", "/api/userinvites/multiple"));
            then.status(429)
                .header("retry-after", "3")
                .json_body(json!({"Message": "slow down"}));
        })
        .await;
    let emails: Vec<&str> = team.iter().map(Member::email).collect();
    let invite = server
        .mock_async(|when, then| {
            request(when, POST, "/api/userinvites/multiple", VEO, &[]);
            then.status(200)
                .json_body(json!({"TotalInvites": 3, "SuccessList": emails}));
        })
        .await;
    let (p, sleeper) = provisioner(&server, Vendor::Veo);
    let reports = p.ensure_all(&team).await;
    limited.assert_calls_async(1).await;
    invite.assert_calls_async(1).await;
    assert!(
        sleeper
            .delays()
            .iter()
            .any(|d| *d >= Duration::from_secs(3)),
        "{:?}",
        sleeper.delays()
    );
    for report in &reports {
        assert!(
            matches!(outcome(report, Vendor::Veo), Outcome::Created),
            "{report:?}"
        );
    }
}

#[tokio::test]
async fn a_hanging_vyte_batch_is_not_redone_member_by_member_one_after_another() {
    let server = server().await;
    let _list = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]);
            then.status(200).json_body(json!([]));
        })
        .await;
    let hang = |when: httpmock::When, then: httpmock::Then| {
        when.method(POST);
        then.delay(Duration::from_secs(8))
            .status(200)
            .json_body(json!({}));
    };
    let writes = server.mock_async(hang).await;
    let timeouts = Timeouts {
        connect: Some(Duration::from_secs(1)),
        attempt: Some(Duration::from_secs(1)),
    };
    let (p, _) = provisioner_with(
        Config::default().with_timeouts(timeouts),
        &server.base_url(),
        &[Vendor::Vyte],
    );
    let started = Instant::now();
    let reports = p.ensure_all(&members(5)).await;
    let elapsed = started.elapsed();
    // One batch (1 s) and, at most, one concurrent round of single creates (1 s).
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    assert!(writes.calls_async().await <= 6);
    for report in &reports {
        assert!(
            !matches!(outcome(report, Vendor::Vyte), Outcome::Created),
            "{report:?}"
        );
    }
}
