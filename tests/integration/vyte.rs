//! roster-vyte against httpmock: the raw-key auth header, every operation's request on the
//! wire and typed answer, the documented user object round-tripping without loss, tolerant
//! answers (`null`, missing arrays, any-JSON batch answers and errors), secrets; and the
//! facade's Vyte side: batches confirmed by a listing, look-ups that fail closed.

use std::sync::Arc;

use httpmock::Method::{DELETE, GET, POST, PUT};
use httpmock::MockServer;
use roster::test_util::RecordingSleeper;
use roster::{Config, Member, Outcome, Provisioner, Resilience, RetryBudget, RetryPolicy, Vendor};
use roster_tests::{TOKEN, assert_no_secret, request, server};
use roster_vyte::prelude::*;
use roster_vyte::{Error, types};
use serde_json::{Value, json};

/// The raw key: no scheme word.
const AUTH: &str = TOKEN;

fn client(server: &MockServer) -> Client {
    Client::new(&server.base_url(), TOKEN).expect("loopback base URL is accepted")
}

/// "THE USER OBJECT" from Vyte's users page, verbatim.
fn documented_user_object() -> Value {
    json!({
      "organization": "yourVyteOrganizationId",
      "finish_signup_with": "email",
      "user": {
        "email": "jean.dupont@acme.fr", "first_name": "Jean", "last_name": "Dupont",
        "language": "fr", "timezone": "Europe/Paris",
        "picture_url": "https://www.example.com/picture/jean",
        "account": {"organization": {"extid": "userIdInThirdPartyAppDatabase"}}
      },
      "teams": [{"admin": false, "name": "Management team", "extid": "teamIdInThirdPartyAppDatabase"}],
      "availability": {
        "timezone": "Europe/Paris", "today_as_busy": false, "past_as_busy": true,
        "days_after_as_busy": 60, "buffer_before": 0, "buffer_after": 0, "all_day_busy": true,
        "days": {
          "monday": {"enabled": true, "slots": [
            {"start_time": "2018-01-01T10:00", "end_time": "2018-01-01T12:30"},
            {"start_time": "2018-01-01T14:00", "end_time": "2018-01-01T18:30"}]},
          "tuesday": {"enabled": true, "slots": [
            {"start_time": "2018-01-01T10:00", "end_time": "2018-01-01T12:30"},
            {"start_time": "2018-01-01T14:00", "end_time": "2018-01-01T18:30"}]},
          "wednesday": {"enabled": true, "slots": [
            {"start_time": "2018-01-01T10:00", "end_time": "2018-01-01T17:30"}]},
          "thursday": {"enabled": false},
          "friday": {"enabled": true, "slots": [
            {"start_time": "2018-01-01T10:00", "end_time": "2018-01-01T17:30"}]},
          "saturday": {"enabled": true, "slots": [
            {"start_time": "2018-01-01T10:00", "end_time": "2018-01-01T17:30"}]},
          "sunday": {"enabled": false}
        }
      },
      "vyteme": {
        "nickname": "appName-userIdInThidPartyAppDatabase",
        "message": "Bienvenue sur ma page de RDV",
        "custom": {
          "auto_message": "Merci d'avoir pris RDV avec moi, j'ai hate de vous rencontrer.",
          "auto_title": "RDV invitee / me", "ask_phone": true, "ask_company": false,
          "block_new_invitee": false, "duration": 30, "set_lang": true, "enable_api": true,
          "fixed_lang": "fr", "set_timezone": true, "fixed_timezone": "Europe/Paris",
          "event_hide_decline": false, "hide_places": false, "hide_support": true,
          "hide_title": true, "forbid_add_places": true, "min_dates": 1, "one_slot": true,
          "auto_confirm": true, "invite_title": "Book a short appointment with",
          "redirect_url": "https://www.example.com/thanks-for-booking",
          "fixed_places": [
            {"name": "Office", "address": "Office address", "source": "appName",
             "source_id": "placeIdInThirdPartyAppDatabase"},
            {"name": "Phone", "address": "0102030405"}
          ]
        }
      },
      "calendars": [{"source": "exchange", "credentials": {
        "server": "mail.exchangeserverdomain.com", "username": "calendarUserName",
        "password": "calendarPassword"}}],
      "login": {"credentials": {"username": "jean.dupont@example.com", "password": "youllneverguessit"}}
    })
}

/// The response sample of `GET /v2/users`, verbatim.
fn documented_user_list() -> Value {
    json!([{
        "calendars": {"google": false, "office365": false, "exchange": false, "icloud": false, "caldav": false},
        "modules": {"brand": false, "assistant": false, "vyteme": false, "vyteme_pro": false,
                    "availabilities": true, "billing": false, "group_pro": false, "team": false},
        "account": {"organization": {"name": "yourVyteOrganizationName", "id": "yourVyteOrganizationId"},
                    "plan": "pro", "app_url": "https://yourVyteOrganization.vyte.in"},
        "consent": {"terms": "2020-06-25T13:04:30.548Z"},
        "emails": ["jean.dupont@example.com"],
        "_id": "5ef4a0bd136440c65930a3da",
        "first_name": "Jean", "last_name": "Dupont", "language": "en", "timezone": "Europe/Paris",
        "picture_url": "https://www.example.com/picture/jean", "signedup_with": "api",
        "full_name": "Jean Dupont", "updatedAt": "2020-06-25T14:20:34.652Z",
        "createdAt": "2020-06-25T13:03:57.791Z", "__v": 0
    }])
}

#[test]
fn the_documented_user_object_round_trips_without_losing_a_field() {
    let doc = documented_user_object();
    let typed: types::UserUpsert =
        serde_json::from_value(doc.clone()).expect("documented object fits the type");
    assert_eq!(serde_json::to_value(&typed).expect("serializes"), doc);
    // Typed, not bare strings: slots, enums, languages.
    let monday = typed
        .availability
        .as_ref()
        .and_then(|a| a.days.as_ref())
        .and_then(|d| d.monday.as_ref())
        .expect("monday");
    assert_eq!(
        monday.slots[1].end_time.as_ref().map(|t| t.as_str()),
        Some("2018-01-01T18:30")
    );
    assert_eq!(
        typed.calendars[0].source,
        Some(types::CalendarSource::Exchange)
    );
    assert_eq!(
        typed.finish_signup_with,
        Some(types::FinishSignupWith::Email)
    );
    // Both documented passwords are secrets.
    assert_no_secret(
        &format!("{typed:?}"),
        &["calendarPassword", "youllneverguessit"],
    );
}

#[test]
fn slot_times_and_languages_are_checked() {
    assert!("10:00".parse::<types::SlotTime>().is_err());
    assert!("2018-01-01T10:00:00Z".parse::<types::SlotTime>().is_err());
    assert!("2018-01-01T10:00".parse::<types::SlotTime>().is_ok());
    assert!("french".parse::<types::LanguageCode>().is_err());
    let bad = json!({"start_time": "10h", "end_time": "2018-01-01T12:00"});
    let err = serde_json::from_value::<types::TimeSlot>(bad).expect_err("bad time");
    assert!(
        err.to_string().contains("10h") || err.to_string().contains("pattern"),
        "{err}"
    );
}

#[tokio::test]
async fn test_auth_sends_the_raw_key() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/auth/test", AUTH, &[]);
            then.status(200)
                .json_body(json!({"_id": "org1", "name": "Acme", "plan": "pro"}));
        })
        .await;
    let org = client(&server)
        .test_auth()
        .send()
        .await
        .expect("200")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(org.id.as_deref(), Some("org1"));
    assert_eq!(org.extra["plan"], "pro", "undocumented fields are kept");
}

#[tokio::test]
async fn list_users_reads_the_documented_sample() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", AUTH, &[]);
            then.status(200).json_body(documented_user_list());
        })
        .await;
    let users = client(&server)
        .list_users()
        .send()
        .await
        .expect("200")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(users.len(), 1);
    let user = &users[0];
    assert_eq!(user.id.as_deref(), Some("5ef4a0bd136440c65930a3da"));
    assert_eq!(user.full_name.as_deref(), Some("Jean Dupont"));
    assert_eq!(user.v, Some(0));
    assert_eq!(
        user.emails.as_deref(),
        Some(&["jean.dupont@example.com".to_owned()][..])
    );
    assert_eq!(
        user.account.as_ref().and_then(|a| a.plan.as_deref()),
        Some("pro")
    );
    assert_eq!(
        user.modules.as_ref().and_then(|m| m.availabilities),
        Some(true)
    );
    assert_eq!(
        user.created_at.map(|t| t.to_rfc3339()),
        Some("2020-06-25T13:03:57.791+00:00".to_owned())
    );
    assert_eq!(
        serde_json::to_value(&users).expect("serializes"),
        documented_user_list()
    );
}

#[tokio::test]
async fn create_user_sends_the_documented_object_and_reads_the_envelope() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/users", AUTH, &[])
                .header("content-type", "application/json")
                .json_body(documented_user_object());
            then.status(200).json_body(json!({
                "user": {"_id": "5ef4a0bd136440c65930a3da", "emails": ["jean.dupont@acme.fr"]},
                "finish_signup_with": "email",
                "link": "https://app.vyte.in/signup/finish?token=SIGNUPSECRET"
            }));
        })
        .await;
    let body: types::UserUpsert = serde_json::from_value(documented_user_object()).expect("typed");
    let envelope = client(&server)
        .create_user()
        .body(body)
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("an envelope");
    mock.assert_async().await;
    assert_eq!(
        envelope.user.as_ref().and_then(|u| u.id.as_deref()),
        Some("5ef4a0bd136440c65930a3da")
    );
    assert_eq!(
        envelope.link.as_ref().map(|l| l.expose()),
        Some("https://app.vyte.in/signup/finish?token=SIGNUPSECRET")
    );
    assert_no_secret(&format!("{envelope:?}"), &["SIGNUPSECRET"]);
}

#[tokio::test]
async fn get_update_and_unlink_a_user() {
    let server = server().await;
    let path = "/v2/users/5ef4a0bd136440c65930a3da";
    let get = server
        .mock_async(|when, then| {
            request(when, GET, path, AUTH, &[]);
            then.status(200)
                .json_body(json!({"_id": "5ef4a0bd136440c65930a3da", "first_name": "Jean"}));
        })
        .await;
    let put = server
        .mock_async(|when, then| {
            request(when, PUT, path, AUTH, &[]).json_body(json!({
                "user": {"last_name": "Dupont-Martin"},
                "teams": [{"admin": true, "name": "Management team"}]
            }));
            then.status(200).json_body(
                json!({"user": {"_id": "5ef4a0bd136440c65930a3da", "last_name": "Dupont-Martin"}}),
            );
        })
        .await;
    let unlink = server
        .mock_async(|when, then| {
            request(when, DELETE, path, AUTH, &[]);
            then.status(200)
                .json_body(json!({"_id": "org1", "name": "Acme"}));
        })
        .await;
    let client = client(&server);
    let user = client
        .get_user()
        .user_id("5ef4a0bd136440c65930a3da")
        .send()
        .await
        .expect("200");
    assert_eq!(user.first_name.as_deref(), Some("Jean"));
    let updated = client
        .update_user()
        .user_id("5ef4a0bd136440c65930a3da")
        .body(types::UserUpsert {
            user: Some(types::UserProfile {
                last_name: Some("Dupont-Martin".into()),
                ..Default::default()
            }),
            teams: vec![types::TeamMembership {
                admin: Some(true),
                name: Some("Management team".into()),
                extid: None,
            }],
            ..Default::default()
        })
        .send()
        .await
        .expect("200");
    assert_eq!(
        updated
            .into_inner()
            .0
            .and_then(|e| e.user)
            .and_then(|u| u.last_name)
            .as_deref(),
        Some("Dupont-Martin")
    );
    let org = client
        .unlink_user()
        .user_id("5ef4a0bd136440c65930a3da")
        .send()
        .await
        .expect("200");
    assert_eq!(
        org.into_inner().0.and_then(|o| o.id).as_deref(),
        Some("org1")
    );
    for mock in [get, put, unlink] {
        mock.assert_async().await;
    }
}

fn batch_body() -> Vec<types::UserUpsert> {
    ["jean.dupont@acme.fr", "marie.curie@acme.fr"]
        .into_iter()
        .map(|email| types::UserUpsert {
            user: Some(types::UserProfile {
                email: Some(email.into()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect()
}

fn batch_json() -> Value {
    json!([{"user": {"email": "jean.dupont@acme.fr"}}, {"user": {"email": "marie.curie@acme.fr"}}])
}

#[tokio::test]
async fn batch_calls_send_arrays_and_read_any_json_answer() {
    let server = server().await;
    let create = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/users/batch", AUTH, &[])
                .header("content-type", "application/json")
                .json_body(batch_json());
            then.status(200).json_body(json!({}));
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            request(when, PUT, "/v2/users/batch", AUTH, &[]).json_body(batch_json());
            // Not the documented `{}`: still read, as opaque JSON.
            then.status(200)
                .json_body(json!([{"ok": 1}, "anything", null]));
        })
        .await;
    let client = client(&server);
    let created = client
        .create_users_batch()
        .body(batch_body())
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(created.0, json!({}));
    let updated = client
        .update_users_batch()
        .body(batch_body())
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(updated.0, json!([{"ok": 1}, "anything", null]));
    for mock in [create, update] {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn put_v2_users_sends_one_user_object_keyed_on_email_and_extid() {
    let server = server().await;
    let guide = json!({
        "organization": "yourVyteOrganizationId",
        "user": {"email": "jean.dupont@acme.fr",
                 "account": {"organization": {"extid": "userIdInThirdPartyAppDatabase"}}},
        "vyteme": {"nickname": "appName-userIdInThidPartyAppDatabase",
                   "message": "Bienvenue sur ma page de RDV"}
    });
    let mock = server
        .mock_async(|when, then| {
            request(when, PUT, "/v2/users", AUTH, &[])
                .header("content-type", "application/json")
                .json_body(guide.clone());
            then.status(201)
                .json_body(json!({"user": {"_id": "u-1", "emails": null, "teams": null}}));
        })
        .await;
    let body: types::UserUpsert = serde_json::from_value(guide.clone()).expect("typed");
    let answer = client(&server)
        .upsert_user()
        .body(body)
        .send()
        .await
        .expect("a 201 is a success too")
        .into_inner();
    mock.assert_async().await;
    let user = answer.0.and_then(|e| e.user).expect("the user");
    assert_eq!(user.id.as_deref(), Some("u-1"));
    assert_eq!(user.emails, None, "`null` arrays read as absent");
    assert_eq!(user.extra["teams"], Value::Null, "unknown fields are kept");
}

#[test]
fn answers_read_nulls_missing_arrays_and_any_id() {
    let user: types::User = serde_json::from_value(json!({
        "_id": "not-an-object-id", "emails": null, "first_name": null, "calendars": null,
        "modules": {"brand": null}, "account": {"organization": null, "plan": null},
        "consent": null, "google": null, "createdAt": null, "__v": null, "teams": null
    }))
    .expect("a tolerant answer");
    assert_eq!(user.id.as_deref(), Some("not-an-object-id"));
    assert!(user.emails.is_none() && user.first_name.is_none());
    let bare: types::User = serde_json::from_value(json!({})).expect("nothing required");
    assert_eq!(serde_json::to_value(&bare).expect("serializes"), json!({}));
    let org: types::Organization =
        serde_json::from_value(json!({"_id": null, "name": null})).expect("tolerant");
    assert!(org.id.is_none());
    for answer in [json!({}), json!({"user": null, "link": null}), Value::Null] {
        serde_json::from_value::<types::UserAnswer>(answer.clone()).expect("a write answer");
    }
    assert!(
        serde_json::from_value::<types::UserAnswer>(Value::Null)
            .expect("null")
            .0
            .is_none()
    );
    for answer in [json!({}), json!([]), json!("text"), Value::Null, json!(3)] {
        serde_json::from_value::<types::BatchAnswer>(answer.clone()).expect("any JSON");
        serde_json::from_value::<types::Error>(answer).expect("any JSON");
    }
}

#[tokio::test]
async fn errors_name_the_status_without_leaking_the_key() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users/missing", AUTH, &[]);
            then.status(404)
                .json_body(json!({"message": "User not found"}));
        })
        .await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", AUTH, &[]);
            then.status(503).body("upstream down");
        })
        .await;
    let client = client(&server);
    let err = client
        .get_user()
        .user_id("missing")
        .send()
        .await
        .expect_err("404");
    let Error::ErrorResponse(body) = &err else {
        panic!("typed 404: {err:?}")
    };
    assert_eq!(body.status(), 404);
    assert_eq!(body["message"], "User not found");
    assert_no_secret(&format!("{err} {err:?}"), &[]);
    // A documented status with a body that is not JSON: an error, never a success. (Once the
    // runtime turns such bodies into JSON strings it is a typed 503 with the text.)
    let err = client.list_users().send().await.expect_err("503");
    match &err {
        Error::ErrorResponse(body) => {
            assert_eq!(body.status(), 503);
            assert_eq!(body.0, json!("upstream down"));
        }
        Error::InvalidResponsePayload(..) => {}
        other => panic!("a 503: {other:?}"),
    }
    assert_no_secret(&format!("{err} {err:?}"), &[]);
}

#[test]
fn the_client_never_prints_the_key() {
    let client = Client::new(roster_vyte::DEFAULT_BASE_URL, TOKEN).expect("valid");
    assert_eq!(client.base_url(), "https://api.vyte.in");
    assert_no_secret(&format!("{client:?}"), &[]);
}

// ---------------------------------------------------------------------------------------------
// The facade's Vyte side

fn provisioner(server: &MockServer) -> Provisioner {
    let config = Config::default()
        .with(Vendor::Vyte, Some(&server.base_url()), TOKEN)
        .expect("config");
    let resilience = Resilience::new(RetryPolicy::default(), Arc::new(RetryBudget::default()))
        .with_sleeper(Arc::new(RecordingSleeper::default()));
    Provisioner::with_resilience(&config, resilience).expect("clients")
}

fn listed_user(id: &str, email: &str, first: &str) -> Value {
    json!({"_id": id, "first_name": first, "last_name": "Smith", "emails": [email]})
}

fn member(email: &str, first: &str) -> Member {
    Member::new(email, first, "Smith").expect("valid")
}

#[tokio::test]
async fn a_batch_is_confirmed_by_listing_again_and_never_created_by_default() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let server = server().await;
    // Which listing Vyte answers: the one before the batch, or the one after it.
    let batched = Arc::new(AtomicBool::new(false));
    let before = {
        let batched = batched.clone();
        server
            .mock_async(move |when, then| {
                request(when, GET, "/v2/users", AUTH, &[])
                    .is_true(move |_| !batched.load(Ordering::SeqCst));
                then.status(200).json_body(json!([]));
            })
            .await
    };
    let after = {
        let batched = batched.clone();
        server
            .mock_async(move |when, then| {
                request(when, GET, "/v2/users", AUTH, &[])
                    .is_true(move |_| batched.load(Ordering::SeqCst));
                // Ann as sent; Bob with another first name; Cy not there at all.
                then.status(200).json_body(json!([
                    listed_user("va", "ANN@example.com", "Ann"),
                    listed_user("vb", "bob@example.com", "Robert"),
                ]));
            })
            .await
    };
    let batch = {
        let batched = batched.clone();
        server
            .mock_async(move |when, then| {
                request(when, POST, "/v2/users/batch", AUTH, &[])
                    .json_body(json!([
                        {"user": {"email": "ann@example.com", "first_name": "Ann", "last_name": "Smith"}},
                        {"user": {"email": "bob@example.com", "first_name": "Bob", "last_name": "Smith"}},
                        {"user": {"email": "cy@example.com", "first_name": "Cy", "last_name": "Smith"}},
                    ]))
                    .is_true(move |req| {
                        if req.method_str() == "POST" {
                            batched.store(true, Ordering::SeqCst);
                        }
                        true
                    });
                // Vyte's documented answer says nothing about the outcome.
                then.status(200).json_body(json!({}));
            })
            .await
    };
    let members = [
        member("ann@example.com", "Ann"),
        member("bob@example.com", "Bob"),
        member("cy@example.com", "Cy"),
    ];
    let reports = provisioner(&server).ensure_all(&members).await;
    batch.assert_calls_async(1).await;
    before.assert_calls_async(1).await;
    after.assert_calls_async(1).await;
    let outcome = |i: usize| reports[i].outcome(Vendor::Vyte).expect("configured");
    assert!(matches!(outcome(0), Outcome::Created), "{:?}", outcome(0));
    for i in [1, 2] {
        let Outcome::Failed(err) = outcome(i) else {
            panic!("not confirmed, never created by default: {:?}", reports[i]);
        };
        assert_eq!(err.operation(), "create_users_batch");
        assert!(err.to_string().contains("not confirmed"), "{err}");
    }
}

#[tokio::test]
async fn a_listing_without_emails_fails_the_member_closed_and_writes_nothing() {
    let server = server().await;
    let list = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", AUTH, &[]);
            then.status(200).json_body(json!([
                listed_user("va", "ann@example.com", "Ann"),
                {"_id": "vx", "first_name": "Who"},
                {"_id": "vy", "emails": null},
            ]));
        })
        .await;
    let writes = server
        .mock_async(|when, then| {
            when.is_true(|req| req.method_str() != "GET");
            then.status(599);
        })
        .await;
    let provisioner = provisioner(&server);
    // Not found, and two listed users cannot be ruled out: not "absent", not "create".
    let report = provisioner.ensure(&member("new@example.com", "New")).await;
    let Some(Outcome::Failed(err)) = report.outcome(Vendor::Vyte) else {
        panic!("fail closed: {report:?}");
    };
    assert_eq!(err.operation(), "list_users");
    assert!(
        err.to_string()
            .contains("2 listed user(s) have no `emails`"),
        "{err}"
    );
    let report = provisioner.remove("new@example.com").await;
    assert!(
        matches!(report.outcome(Vendor::Vyte), Some(Outcome::Failed(_))),
        "{report:?}"
    );
    let reports = provisioner
        .ensure_all(&[
            member("new@example.com", "New"),
            member("ann@example.com", "Ann"),
        ])
        .await;
    assert!(
        matches!(reports[0].outcome(Vendor::Vyte), Some(Outcome::Failed(_))),
        "{:?}",
        reports[0]
    );
    // A member the listing does show is matched as usual.
    assert!(
        matches!(reports[1].outcome(Vendor::Vyte), Some(Outcome::Unchanged)),
        "{:?}",
        reports[1]
    );
    writes.assert_calls_async(0).await;
    list.assert_calls_async(3).await;
}

#[tokio::test]
async fn an_update_sends_exactly_the_member_s_profile_and_never_teams() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", AUTH, &[]);
            then.status(200)
                .json_body(json!([listed_user("v-1", "ann@example.com", "Annie")]));
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            // The whole body: no `teams` (membership goes through the Teams API alone, see
            // `Provisioner::sync_vyte_teams`), and no admin flag.
            request(when, PUT, "/v2/users/v-1", AUTH, &[]).json_body(json!({
                "user": {"email": "ann@example.com", "first_name": "Ann", "last_name": "Smith",
                         "timezone": "Europe/Paris"}
            }));
            // The users page's answer: `{}`.
            then.status(200).json_body(json!({}));
        })
        .await;
    let mut ann = member("ann@example.com", "Ann");
    ann.admin = true;
    ann.vyte.timezone = Some("Europe/Paris".into());
    ann.vyte.teams = vec!["Sales".into(), "Support".into()];
    let report = provisioner(&server).ensure(&ann).await;
    update.assert_async().await;
    assert!(
        matches!(report.outcome(Vendor::Vyte), Some(Outcome::Updated)),
        "{report:?}"
    );
}
