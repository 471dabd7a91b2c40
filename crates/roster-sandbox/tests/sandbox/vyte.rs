//! The vyte fake.
//!
//! Driven through the generated client (`roster::vyte::Client`), raw HTTP where the client
//! cannot send the mistake, and the facade (`roster::Provisioner`).

use axum::http::Method;
use roster::vyte::prelude::*;
use roster::vyte::{Client, types};
use roster::{Member, Outcome, Provisioner, Vendor};
use roster_sandbox::{Fault, FaultRule, Sandbox};

use serde_json::{Value, json};

use crate::support::error_of;

const V: Vendor = Vendor::Vyte;

async fn sandbox() -> Sandbox {
    Sandbox::start().await.expect("the sandbox starts")
}

fn client(sandbox: &Sandbox) -> Client {
    Client::new(&sandbox.base_url(V), sandbox.token(V)).expect("a loopback URL is accepted")
}

/// A provisioner for the Vyte fake alone.
fn provisioner(sandbox: &Sandbox) -> Provisioner {
    crate::support::provisioner(sandbox, V)
}

fn profile(email: &str, first: &str, last: &str) -> types::UserProfile {
    types::UserProfile {
        email: Some(email.to_owned()),
        first_name: Some(first.to_owned()),
        last_name: Some(last.to_owned()),
        ..Default::default()
    }
}

fn create_body(email: &str, first: &str, last: &str) -> types::UserUpsert {
    types::UserUpsert {
        user: Some(profile(email, first, last)),
        ..Default::default()
    }
}

async fn raw(
    sandbox: &Sandbox,
    method: reqwest::Method,
    path: &str,
    auth: Option<&str>,
    content_type: Option<&str>,
    body: &str,
) -> (u16, Value) {
    crate::support::raw(sandbox, V, method, path, auth, content_type, Some(body)).await
}

#[tokio::test]
async fn a_wrong_or_missing_key_gets_401_and_vytes_error_body() {
    let sandbox = sandbox().await;
    let wrong = Client::new(&sandbox.base_url(V), "not-the-key").expect("valid");
    let (status, body) = error_of(wrong.test_auth().send().await);
    assert_eq!(status, 401);
    assert_eq!(body["message"], "Unauthorized");
    assert_eq!(body["statusCode"], 401);

    let (status, body) = raw(&sandbox, reqwest::Method::GET, "/v2/users", None, None, "").await;
    assert_eq!(status, 401);
    assert_eq!(body["message"], "Unauthorized");
    // The key is the whole header: a scheme word in front of it is refused.
    let bearer = format!("Bearer {}", sandbox.token(V));
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::GET,
        "/v2/auth/test",
        Some(&bearer),
        None,
        "",
    )
    .await;
    assert_eq!(status, 401);
    // A refused request changes nothing.
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::POST,
        "/v2/users",
        Some("nope"),
        Some("application/json"),
        r#"{"user":{"email":"x@example.com"}}"#,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(sandbox.user_count(V), 0);

    let org = client(&sandbox)
        .test_auth()
        .send()
        .await
        .expect("the right key")
        .into_inner();
    assert!(org.id.is_some_and(|id| id.len() == 24));
}

#[tokio::test]
async fn a_bad_email_or_a_malformed_body_gets_400_with_the_error_body() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let (status, body) = error_of(
        client
            .create_user()
            .body(create_body("not-an-email", "Ann", "Lee"))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(body["statusCode"], 400);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("Invalid email")),
        "{body:?}"
    );

    let key = sandbox.token(V).to_owned();
    for (content_type, payload) in [
        (Some("application/json"), "{\"user\": {"),
        (Some("application/json"), "[1, 2]"),
        (
            Some("application/json"),
            r#"{"user": {"language": "French"}}"#,
        ),
        (
            Some("application/json"),
            r#"{"availability": {"buffer_before": -5}}"#,
        ),
        (
            Some("text/plain"),
            r#"{"user": {"email": "a@example.com"}}"#,
        ),
        (None, r#"{"user": {"email": "a@example.com"}}"#),
        // No body at all, and `null` where the spec has no `nullable` (not "left out").
        (Some("application/json"), ""),
        (Some("application/json"), "null"),
        (Some("application/json"), r#"{"user": null}"#),
        (Some("application/json"), r#"{"user": {"email": null}}"#),
        (Some("application/json"), r#"{"teams": [null]}"#),
        // Wrong types are refused, never coerced.
        (Some("application/json"), r#"{"user": {"first_name": 7}}"#),
        (Some("application/json"), r#"{"teams": [{"admin": "yes"}]}"#),
        (
            Some("application/json"),
            r#"{"availability": {"buffer_before": "5"}}"#,
        ),
    ] {
        let (status, body) = raw(
            &sandbox,
            reqwest::Method::POST,
            "/v2/users",
            Some(&key),
            content_type,
            payload,
        )
        .await;
        assert_eq!(status, 400, "{payload}");
        assert_eq!(body["statusCode"], 400, "{payload}");
        assert!(body["message"].is_string(), "{payload}");
    }
    // Another organization's id is refused.
    let mut foreign = create_body("a@example.com", "A", "B");
    foreign.organization = Some("5f0000000000000000000000".into());
    let (status, _) = error_of(client.create_user().body(foreign).send().await);
    assert_eq!(status, 403);
    assert_eq!(sandbox.user_count(V), 0);
    // Vyte requires nothing: an empty user object creates a user, listed without addresses.
    let created = client
        .create_user()
        .body(types::UserUpsert::default())
        .send()
        .await
        .expect("created")
        .into_inner()
        .0
        .expect("an envelope")
        .user
        .expect("the user");
    assert_eq!(created.emails, Some(Vec::new()));
    assert_eq!(sandbox.user_count(V), 1);
}

#[tokio::test]
async fn a_create_is_an_upsert_by_email_extid_or_id() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let first = client
        .create_user()
        .body(create_body("ann.lee@example.com", "Ann", "Lee"))
        .send()
        .await
        .expect("created")
        .into_inner()
        .0
        .expect("an envelope");
    let user = first.user.expect("the user");
    let id = user.id.clone().expect("an _id");
    assert_eq!(user.emails, Some(vec!["ann.lee@example.com".to_owned()]));
    assert_eq!(user.full_name.as_deref(), Some("Ann Lee"));
    assert!(first.link.is_none(), "no sign-up asked");

    // The same address again (any case): the same user, updated — Vyte's create is idempotent.
    let again = client
        .create_user()
        .body(create_body("Ann.Lee@Example.com", "Annie", "Lee"))
        .send()
        .await
        .expect("upserted")
        .into_inner()
        .0
        .expect("an envelope")
        .user
        .expect("the user");
    assert_eq!(again.id.as_deref(), Some(id.as_str()));
    assert_eq!(again.first_name.as_deref(), Some("Annie"));
    assert_eq!(again.v, Some(1));
    assert_eq!(sandbox.user_count(V), 1);

    // By extid: a second user linked with an extid, then found by it.
    let mut with_extid = create_body("bob@example.com", "Bob", "Ray");
    with_extid.user.as_mut().expect("profile").account = Some(types::ProfileAccount {
        organization: Some(types::ProfileAccountOrganization {
            extid: Some("crm-42".into()),
        }),
    });
    with_extid.finish_signup_with = Some(types::FinishSignupWith::Email);
    let bob = client
        .create_user()
        .body(with_extid)
        .send()
        .await
        .expect("created")
        .into_inner()
        .0
        .expect("an envelope");
    assert_eq!(bob.finish_signup_with.as_deref(), Some("email"));
    assert!(
        bob.link
            .as_ref()
            .is_some_and(|l| l.expose().contains("/signup?token="))
    );
    let bob_id = bob.user.and_then(|u| u.id).expect("an _id");
    let by_extid = types::UserUpsert {
        user: Some(types::UserProfile {
            last_name: Some("Rayner".into()),
            account: Some(types::ProfileAccount {
                organization: Some(types::ProfileAccountOrganization {
                    extid: Some("crm-42".into()),
                }),
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let updated = client
        .create_user()
        .body(by_extid)
        .send()
        .await
        .expect("upserted")
        .into_inner()
        .0
        .expect("an envelope")
        .user
        .expect("the user");
    assert_eq!(updated.id.as_deref(), Some(bob_id.as_str()));
    assert_eq!(updated.last_name.as_deref(), Some("Rayner"));
    assert_eq!(updated.emails, Some(vec!["bob@example.com".to_owned()]));

    // By id: moving Bob to Ann's address is refused (it is hers), to a new one works.
    let mut by_id = create_body("ann.lee@example.com", "Bob", "Rayner");
    by_id.id = Some(bob_id.clone());
    let (status, body) = error_of(client.create_user().body(by_id.clone()).send().await);
    assert_eq!(status, 409, "{body:?}");
    by_id.user.as_mut().expect("profile").email = Some("bob.rayner@example.com".into());
    let moved = client
        .create_user()
        .body(by_id)
        .send()
        .await
        .expect("upserted")
        .into_inner()
        .0
        .expect("an envelope")
        .user
        .expect("the user");
    assert_eq!(
        moved.emails,
        Some(vec!["bob.rayner@example.com".to_owned()])
    );
    assert_eq!(sandbox.user_count(V), 2);

    // An id this organization never had.
    let mut unknown = create_body("carl@example.com", "Carl", "Ho");
    unknown.id = Some("000000000000000000000000".into());
    let (status, _) = error_of(client.create_user().body(unknown).send().await);
    assert_eq!(status, 404);
}

#[tokio::test]
async fn create_get_update_list_and_unlink_round_trip() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let mut ids = Vec::new();
    for n in 0..5 {
        let created = client
            .create_user()
            .body(create_body(
                &format!("user{n}@example.com"),
                "User",
                &n.to_string(),
            ))
            .send()
            .await
            .expect("created")
            .into_inner()
            .0
            .expect("an envelope");
        ids.push(created.user.and_then(|u| u.id).expect("an _id"));
    }
    let got = client
        .get_user()
        .user_id(&ids[2])
        .send()
        .await
        .expect("found")
        .into_inner();
    assert_eq!(got.emails, Some(vec!["user2@example.com".to_owned()]));
    assert_eq!(
        got.account
            .and_then(|a| a.organization)
            .and_then(|o| o.id)
            .as_deref(),
        Some("5f0c0ffee0000000000000a1")
    );
    assert_eq!(got.signedup_with.as_deref(), Some("api"));
    assert!(got.created_at.is_some() && got.updated_at.is_some());

    let update = types::UserUpsert {
        user: Some(types::UserProfile {
            first_name: Some("Uma".into()),
            language: Some("fr".parse().expect("a language code")),
            timezone: Some(types::TimeZone("Europe/Paris".into())),
            ..Default::default()
        }),
        calendars: vec![types::CalendarConnection {
            source: Some(types::CalendarSource::Exchange),
            credentials: None,
        }],
        ..Default::default()
    };
    let updated = client
        .update_user()
        .user_id(&ids[2])
        .body(update)
        .send()
        .await
        .expect("updated")
        .into_inner()
        .0
        .expect("an envelope")
        .user
        .expect("the user");
    assert_eq!(updated.first_name.as_deref(), Some("Uma"));
    assert_eq!(updated.last_name.as_deref(), Some("2"), "left out: kept");
    assert_eq!(updated.language.as_deref(), Some("fr"));
    assert_eq!(
        updated.calendars.and_then(|c| c.exchange),
        Some(true),
        "a connected calendar shows in the flags"
    );

    // One bare array, every user, in creation order (Vyte does not paginate).
    let listed = client
        .list_users()
        .send()
        .await
        .expect("listed")
        .into_inner();
    let listed_ids: Vec<_> = listed.iter().filter_map(|u| u.id.clone()).collect();
    assert_eq!(listed_ids, ids);
    assert_eq!(listed[2].timezone.as_deref(), Some("Europe/Paris"));

    let org = client
        .unlink_user()
        .user_id(&ids[2])
        .send()
        .await
        .expect("unlinked")
        .into_inner()
        .0
        .expect("the organization");
    assert_eq!(org.name.as_deref(), Some("Sandbox Organization"));
    assert_eq!(sandbox.user_count(V), 4);
    let (status, body) = error_of(client.get_user().user_id(&ids[2]).send().await);
    assert_eq!(
        (status, body["message"].as_str()),
        (404, Some("User not found"))
    );
    let (status, _) = error_of(client.unlink_user().user_id(&ids[2]).send().await);
    assert_eq!(status, 404);
    let (status, _) = error_of(
        client
            .update_user()
            .user_id(&ids[2])
            .body(create_body("x@example.com", "X", "Y"))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    // Ids are opaque strings: one of another shape is simply not found.
    let (status, _) = error_of(client.get_user().user_id("not-an-object-id").send().await);
    assert_eq!(status, 404);
    let listed = client
        .list_users()
        .send()
        .await
        .expect("listed")
        .into_inner();
    assert_eq!(listed.len(), 4);
    assert!(
        listed
            .iter()
            .all(|u| u.id.as_deref() != Some(ids[2].as_str()))
    );

    // The facade's listing walks Vyte's single page to the end.
    use futures::StreamExt;
    let provisioner = provisioner(&sandbox);
    let accounts: Vec<_> = provisioner.list(V).collect().await;
    assert_eq!(accounts.len(), 4);
    assert!(accounts.iter().all(Result::is_ok));
}

#[tokio::test]
async fn a_batch_with_one_bad_item_is_refused_whole_and_changes_nothing() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let batch = |emails: &[&str]| {
        types::UserBatch(
            emails
                .iter()
                .map(|e| create_body(e, "Batch", "User"))
                .collect(),
        )
    };
    let (status, body) = error_of(
        client
            .create_users_batch()
            .body(batch(&["a@example.com", "not-an-email", "c@example.com"]))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("users[1]:")),
        "{body:?}"
    );
    assert_eq!(sandbox.user_count(V), 0);

    let created = client
        .create_users_batch()
        .body(batch(&["a@example.com", "b@example.com", "c@example.com"]))
        .send()
        .await
        .expect("created")
        .into_inner();
    // Vyte documents the batch answer as `{}` and nothing more: so does the fake.
    assert_eq!(created.0, json!({}));
    let (emails, ids) = listed(&client).await;
    assert_eq!(emails, ["a@example.com", "b@example.com", "c@example.com"]);

    // A batch update naming an unknown user is refused whole: the first item is not applied.
    let mut items = vec![
        types::UserUpsert {
            id: Some(ids[0].clone()),
            user: Some(types::UserProfile {
                first_name: Some("Changed".into()),
                ..Default::default()
            }),
            ..Default::default()
        },
        types::UserUpsert {
            id: Some("000000000000000000000000".into()),
            ..Default::default()
        },
    ];
    let (status, _) = error_of(
        client
            .update_users_batch()
            .body(types::UserBatch(items.clone()))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    // …and so is one that would take another user's address, after an item that changed one.
    items[1] = types::UserUpsert {
        id: Some(ids[1].clone()),
        user: Some(profile("c@example.com", "B", "B")),
        ..Default::default()
    };
    let (status, _) = error_of(
        client
            .update_users_batch()
            .body(types::UserBatch(items.clone()))
            .send()
            .await,
    );
    assert_eq!(status, 409);
    let a = client
        .get_user()
        .user_id(&ids[0])
        .send()
        .await
        .expect("found")
        .into_inner();
    assert_eq!(a.first_name.as_deref(), Some("Batch"), "rolled back");
    assert_eq!(a.v, Some(0));
    // An item naming no user at all (no id, no extid, an address nobody has).
    let (status, _) = error_of(
        client
            .update_users_batch()
            .body(types::UserBatch(vec![create_body(
                "z@example.com",
                "Z",
                "Z",
            )]))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(sandbox.user_count(V), 3);
}

/// The listed users' first addresses and ids, in Vyte's order.
async fn listed(client: &Client) -> (Vec<String>, Vec<String>) {
    let users = client
        .list_users()
        .send()
        .await
        .expect("listed")
        .into_inner()
        .0;
    users
        .into_iter()
        .map(|u| {
            (
                u.emails
                    .and_then(|e| e.into_iter().next())
                    .expect("an email"),
                u.id.expect("an _id"),
            )
        })
        .unzip()
}

#[tokio::test]
async fn the_batch_update_goes_by_id_extid_or_email_and_answers_an_empty_object() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let mut with_extid = create_body("ext@example.com", "Ext", "User");
    with_extid.user.as_mut().expect("profile").account = Some(types::ProfileAccount {
        organization: Some(types::ProfileAccountOrganization {
            extid: Some("crm-7".into()),
        }),
    });
    client
        .create_users_batch()
        .body(types::UserBatch(vec![
            create_body("plain@example.com", "Plain", "User"),
            with_extid,
            create_body("mail@example.com", "Mail", "User"),
        ]))
        .send()
        .await
        .expect("created");
    let (_, ids) = listed(&client).await;
    let items = types::UserBatch(vec![
        types::UserUpsert {
            id: Some(ids[0].clone()),
            user: Some(types::UserProfile {
                timezone: Some(types::TimeZone("Europe/London".into())),
                ..Default::default()
            }),
            ..Default::default()
        },
        types::UserUpsert {
            user: Some(types::UserProfile {
                language: Some("en".parse().expect("a language code")),
                account: Some(types::ProfileAccount {
                    organization: Some(types::ProfileAccountOrganization {
                        extid: Some("crm-7".into()),
                    }),
                }),
                ..Default::default()
            }),
            ..Default::default()
        },
        types::UserUpsert {
            user: Some(profile("mail@example.com", "Mailed", "User")),
            ..Default::default()
        },
    ]);
    let answer = client
        .update_users_batch()
        .body(items)
        .send()
        .await
        .expect("updated")
        .into_inner();
    assert_eq!(answer.0, json!({}));
    let get = |id: &str| client.get_user().user_id(id.to_owned()).send();
    let plain = get(&ids[0]).await.expect("found").into_inner();
    assert_eq!(plain.timezone.as_deref(), Some("Europe/London"));
    assert_eq!(plain.v, Some(1));
    let ext = get(&ids[1]).await.expect("found").into_inner();
    assert_eq!(ext.language.as_deref(), Some("en"));
    let mail = get(&ids[2]).await.expect("found").into_inner();
    assert_eq!(mail.first_name.as_deref(), Some("Mailed"));
    assert_eq!(sandbox.calls(V, "PUT /v2/users/batch"), 1);
    assert_eq!(sandbox.calls(V, "PUT /v2/users"), 0);
    assert_eq!(sandbox.user_count(V), 3);
}

#[tokio::test]
async fn put_v2_users_upserts_one_user_by_extid_then_email() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let key = sandbox.token(V).to_owned();
    // The booking-page guide's body, sent raw: one user object, not an array.
    let guide = json!({
        "organization": "5f0c0ffee0000000000000a1",
        "user": {"email": "page@example.com", "account": {"organization": {"extid": "crm-9"}}},
        "vyteme": {"nickname": "app-crm-9", "message": "Bienvenue"}
    });
    let (status, created) = raw(
        &sandbox,
        reqwest::Method::PUT,
        "/v2/users",
        Some(&key),
        Some("application/json"),
        &guide.to_string(),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let id = created["user"]["_id"].as_str().expect("an _id").to_owned();
    assert_eq!(created["user"]["emails"], json!(["page@example.com"]));
    assert_eq!(sandbox.user_count(V), 1);
    // An array is not this call's body.
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::PUT,
        "/v2/users",
        Some(&key),
        Some("application/json"),
        &json!([guide]).to_string(),
    )
    .await;
    assert_eq!(status, 400);

    // The same extid with a new address: the same user, moved to it.
    let mut by_extid = create_body("page2@example.com", "Page", "Two");
    by_extid.user.as_mut().expect("profile").account = Some(types::ProfileAccount {
        organization: Some(types::ProfileAccountOrganization {
            extid: Some("crm-9".into()),
        }),
    });
    let user = client
        .upsert_user()
        .body(by_extid)
        .send()
        .await
        .expect("upserted")
        .into_inner()
        .0
        .expect("an envelope")
        .user
        .expect("the user");
    assert_eq!(user.id.as_deref(), Some(id.as_str()));
    assert_eq!(user.emails, Some(vec!["page2@example.com".to_owned()]));
    // By address alone.
    let user = client
        .upsert_user()
        .body(create_body("PAGE2@example.com", "Paige", "Two"))
        .send()
        .await
        .expect("upserted")
        .into_inner()
        .0
        .expect("an envelope")
        .user
        .expect("the user");
    assert_eq!(user.id.as_deref(), Some(id.as_str()));
    assert_eq!(user.first_name.as_deref(), Some("Paige"));
    // A user named by neither is created.
    client
        .upsert_user()
        .body(create_body("other@example.com", "Other", "One"))
        .send()
        .await
        .expect("created");
    assert_eq!(sandbox.user_count(V), 2);
    assert_eq!(sandbox.calls(V, "PUT /v2/users"), 5);
}

#[tokio::test]
async fn ensure_twice_writes_once() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    let mut member = Member::new("dana@example.com", "Dana", "Wu").expect("a member");
    member.vyte.timezone = Some("Europe/Berlin".into());
    member.vyte.language = Some("de".into());
    let first = provisioner.ensure(&member).await;
    assert!(
        matches!(first.outcome(V), Some(Outcome::Created)),
        "{first:?}"
    );
    let writes = |s: &Sandbox| {
        s.calls(V, "POST /v2/users")
            + s.calls(V, "PUT /v2/users/{user_id}")
            + s.calls(V, "POST /v2/users/batch")
            + s.calls(V, "PUT /v2/users/batch")
    };
    assert_eq!(writes(&sandbox), 1);
    let second = provisioner.ensure(&member).await;
    assert!(
        matches!(second.outcome(V), Some(Outcome::Unchanged)),
        "{second:?}"
    );
    assert_eq!(writes(&sandbox), 1, "the second ensure writes nothing");
    assert_eq!(sandbox.calls(V, "GET /v2/users"), 2);

    member.last_name = "Wu-Lang".into();
    let third = provisioner.ensure(&member).await;
    assert!(
        matches!(third.outcome(V), Some(Outcome::Updated)),
        "{third:?}"
    );
    assert_eq!(sandbox.calls(V, "PUT /v2/users/{user_id}"), 1);

    let found = provisioner.find("DANA@example.com").await;
    let account = found[0].1.as_ref().expect("found").as_ref().expect("some");
    assert_eq!(account.last_name.as_deref(), Some("Wu-Lang"));

    let removed = provisioner.remove("dana@example.com").await;
    assert!(matches!(removed.outcome(V), Some(Outcome::Removed)));
    assert_eq!(sandbox.user_count(V), 0);
    let again = provisioner.remove("dana@example.com").await;
    assert!(matches!(again.outcome(V), Some(Outcome::Absent)));
}

#[tokio::test]
async fn ensure_all_creates_in_batches_then_changes_nothing() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    let members: Vec<Member> = (0..250)
        .map(|n| Member::new(&format!("m{n}@example.com"), "Member", format!("N{n}")).expect("ok"))
        .collect();
    let reports = provisioner.ensure_all(&members).await;
    assert!(
        reports
            .iter()
            .all(|r| matches!(r.outcome(V), Some(Outcome::Created))),
        "{:?}",
        reports
            .iter()
            .find(|r| !matches!(r.outcome(V), Some(Outcome::Created)))
    );
    assert_eq!(sandbox.user_count(V), 250);
    assert_eq!(
        sandbox.calls(V, "GET /v2/users"),
        2,
        "one listing for everyone, one to confirm what the batches did"
    );
    assert_eq!(sandbox.calls(V, "POST /v2/users/batch"), 3, "100 a call");

    let reports = provisioner.ensure_all(&members).await;
    assert!(
        reports
            .iter()
            .all(|r| matches!(r.outcome(V), Some(Outcome::Unchanged)))
    );
    assert_eq!(sandbox.calls(V, "GET /v2/users"), 3, "nothing to confirm");
    assert_eq!(sandbox.calls(V, "POST /v2/users/batch"), 3, "no write");
    assert_eq!(sandbox.calls(V, "PUT /v2/users/batch"), 0, "no write");

    // A changed name in a third run: one batch update, the rest unchanged.
    let mut changed = members.clone();
    changed[7].first_name = "Renamed".into();
    changed[8].first_name = "Renamed".into();
    let reports = provisioner.ensure_all(&changed).await;
    let updated = reports
        .iter()
        .filter(|r| matches!(r.outcome(V), Some(Outcome::Updated)))
        .count();
    assert_eq!(updated, 2);
    assert_eq!(sandbox.calls(V, "PUT /v2/users/batch"), 1);
    assert_eq!(sandbox.calls(V, "GET /v2/users"), 5);
}

#[tokio::test]
async fn a_batch_member_the_listing_does_not_show_afterwards_is_not_confirmed() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    // The batch call answers 200 but creates nothing: an answer that is not read says
    // nothing either way.
    sandbox.faults(V).inject(
        FaultRule::new("/v2/users/batch", Fault::status(200))
            .method(Method::POST)
            .times(1),
    );
    let members: Vec<Member> = (0..3)
        .map(|n| Member::new(&format!("lost{n}@example.com"), "Lost", "Me").expect("ok"))
        .collect();
    let reports = provisioner.ensure_all(&members).await;
    for report in &reports {
        let Some(Outcome::Failed(e)) = report.outcome(V) else {
            panic!("never created by default: {report:?}");
        };
        assert!(e.to_string().contains("not confirmed"), "{e}");
    }
    assert_eq!(sandbox.user_count(V), 0);
    assert_eq!(sandbox.calls(V, "GET /v2/users"), 2);
}

#[tokio::test]
async fn a_batch_failing_transiently_is_sent_again_as_a_batch_without_duplicates() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    sandbox.faults(V).inject(
        FaultRule::new("/v2/users/batch", Fault::status(500))
            .method(Method::POST)
            .times(1),
    );
    let members: Vec<Member> = (0..5)
        .map(|n| Member::new(&format!("r{n}@example.com"), "Redo", "Me").expect("ok"))
        .collect();
    let reports = provisioner.ensure_all(&members).await;
    assert!(
        reports
            .iter()
            .all(|r| matches!(r.outcome(V), Some(Outcome::Created)))
    );
    assert_eq!(sandbox.user_count(V), 5);
    // A 500 is transient: the users are listed (did the batch write anything?), then the
    // batch is sent again — never member by member.
    assert_eq!(
        sandbox.calls(V, "POST /v2/users/batch"),
        2,
        "the batch, again"
    );
    assert_eq!(sandbox.calls(V, "POST /v2/users"), 0, "nothing one by one");
}

#[tokio::test]
async fn the_answers_hold_vytes_documented_fields() {
    let sandbox = sandbox().await;
    let key = sandbox.token(V).to_owned();
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::POST,
        "/v2/users",
        Some(&key),
        Some("application/json"),
        // A `null` in a field the spec does not name is allowed (bodies are open).
        &json!({"user": {"email": "g@example.com", "first_name": "Gil", "last_name": "Ma",
                         "nickname": null},
                "unknown": null})
        .to_string(),
    )
    .await;
    assert_eq!(status, 200);
    let (status, list) = raw(
        &sandbox,
        reqwest::Method::GET,
        "/v2/users",
        Some(&key),
        None,
        "",
    )
    .await;
    assert_eq!(status, 200);
    let user = &list[0];
    for field in [
        "_id",
        "emails",
        "first_name",
        "last_name",
        "full_name",
        "account",
        "calendars",
        "modules",
        "signedup_with",
        "createdAt",
        "updatedAt",
        "__v",
    ] {
        assert!(user.get(field).is_some(), "{field} in {user}");
    }
    assert_eq!(
        user["account"]["organization"]["id"],
        "5f0c0ffee0000000000000a1"
    );
    // Unknown paths: 404 with the same body shape.
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::GET,
        "/v2/nope",
        Some(&key),
        None,
        "",
    )
    .await;
    assert_eq!((status, body["statusCode"].as_i64()), (404, Some(404)));
    // A method the spec does not list on a path it does: 405, same body shape.
    for (method, path) in [
        (reqwest::Method::PATCH, "/v2/users"),
        (reqwest::Method::TRACE, "/v2/auth/test"),
        (reqwest::Method::POST, "/v2/users/5f0c0ffee0000000000000a1"),
    ] {
        let (status, body) = raw(&sandbox, method, path, Some(&key), None, "").await;
        assert_eq!(
            (status, body["statusCode"].as_i64()),
            (405, Some(405)),
            "{path}"
        );
    }
    // `/v2/users/batch` has the spec's two methods only: a GET is not a user read.
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::GET,
        "/v2/users/batch",
        Some(&key),
        None,
        "",
    )
    .await;
    assert_eq!(status, 405);
}

#[tokio::test]
async fn a_member_whose_body_cannot_be_made_fails_alone_in_its_batch() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    let mut members: Vec<Member> = (0..3)
        .map(|i| Member::new(&format!("b{i}@example.com"), "B", format!("N{i}")).expect("ok"))
        .collect();
    members[1].vyte.language = Some("french".to_owned());
    let reports = provisioner.ensure_all(&members).await;
    match reports[1].outcome(V) {
        Some(Outcome::Failed(e)) => assert!(e.to_string().contains("language"), "{e}"),
        other => panic!("the bad language fails its member: {other:?}"),
    }
    for report in [&reports[0], &reports[2]] {
        assert!(
            matches!(report.outcome(V), Some(Outcome::Created)),
            "{report:?}"
        );
    }
    assert_eq!(
        sandbox.calls(V, "POST /v2/users/batch"),
        1,
        "the other two in one call"
    );
    assert_eq!(sandbox.calls(V, "POST /v2/users"), 0);
    assert_eq!(sandbox.user_count(V), 2);
}
