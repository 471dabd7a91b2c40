//! roster-vyte against httpmock: the raw-key auth header, every operation's request on the
//! wire and typed answer, the documented user object round-tripping without loss, secrets.

use httpmock::Method::{DELETE, GET, POST, PUT};
use httpmock::MockServer;
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
    assert_eq!(monday.slots[1].end_time.as_str(), "2018-01-01T18:30");
    assert_eq!(typed.calendars[0].source, types::CalendarSource::Exchange);
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
    assert_eq!(user.emails, ["jean.dupont@example.com"]);
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
        .into_inner();
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
        updated.user.as_ref().and_then(|u| u.last_name.as_deref()),
        Some("Dupont-Martin")
    );
    let org = client
        .unlink_user()
        .user_id("5ef4a0bd136440c65930a3da")
        .send()
        .await
        .expect("200");
    assert_eq!(org.id.as_deref(), Some("org1"));
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

fn batch_answer() -> Value {
    json!([{"user": {"_id": "a1"}}, {"user": {"_id": "b2"}}])
}

#[tokio::test]
async fn batch_create_and_both_batch_update_paths() {
    let server = server().await;
    let create = server
        .mock_async(|when, then| {
            request(when, POST, "/v2/users/batch", AUTH, &[]).json_body(batch_json());
            then.status(200).json_body(batch_answer());
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            request(when, PUT, "/v2/users/batch", AUTH, &[]).json_body(batch_json());
            then.status(200).json_body(batch_answer());
        })
        .await;
    let legacy = server
        .mock_async(|when, then| {
            request(when, PUT, "/v2/users", AUTH, &[]).json_body(batch_json());
            then.status(200).json_body(batch_answer());
        })
        .await;
    let client = client(&server);
    let ids = |answer: types::UserBatchResult| {
        answer
            .0
            .into_iter()
            .map(|e| e.user.and_then(|u| u.id).unwrap_or_default())
            .collect::<Vec<_>>()
    };
    let created = client
        .create_users_batch()
        .body(batch_body())
        .send()
        .await
        .expect("200");
    assert_eq!(ids(created.into_inner()), ["a1", "b2"]);
    let updated = client
        .update_users_batch()
        .body(batch_body())
        .send()
        .await
        .expect("200");
    assert_eq!(ids(updated.into_inner()), ["a1", "b2"]);
    let legacy_updated = client
        .update_users_batch_legacy()
        .body(batch_body())
        .send()
        .await
        .expect("200");
    assert_eq!(ids(legacy_updated.into_inner()), ["a1", "b2"]);
    for mock in [create, update, legacy] {
        mock.assert_async().await;
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
    assert_eq!(body.message.as_deref(), Some("User not found"));
    assert_no_secret(&format!("{err} {err:?}"), &[]);
    // A documented status with a body that is not JSON: an error naming the problem.
    let err = client.list_users().send().await.expect_err("503");
    assert!(matches!(err, Error::InvalidResponsePayload(..)), "{err:?}");
    assert_no_secret(&format!("{err} {err:?}"), &[]);
}

#[test]
fn the_client_never_prints_the_key() {
    let client = Client::new(roster_vyte::DEFAULT_BASE_URL, TOKEN).expect("valid");
    assert_eq!(client.base_url(), "https://api.vyte.in");
    assert_no_secret(&format!("{client:?}"), &[]);
}
