//! Vyte's own examples through the generated client, over the wire (httpmock): the users
//! page's USER OBJECT as the body of every write, its `GET /v2/users` RESPONSE SAMPLE as the
//! list answer, and its `{}` RESPONSE SAMPLE as the answer of every write and batch. Each
//! mock checks the method, the path, the raw `Authorization: <key>` header and the JSON body;
//! the secrets in those payloads never show in `Debug`.

use httpmock::Method::{GET, POST, PUT};
use httpmock::MockServer;
use roster_tests::{TOKEN, assert_no_secret, request, server};
use roster_vyte::prelude::*;
use roster_vyte::types;
use serde_json::{Value, json};

/// `vyte-users-api.md`, "THE USER OBJECT", verbatim.
const USER_OBJECT: &str = r#"{
  "organization": "yourVyteOrganizationId",
  "finish_signup_with": "email",
  "user": {
    "email": "jean.dupont@acme.fr",
    "first_name": "Jean",
    "last_name": "Dupont",
    "language": "fr",
    "timezone": "Europe/Paris",
    "picture_url": "https://www.example.com/picture/jean",
    "account": {
      "organization": {
        "extid": "userIdInThirdPartyAppDatabase"
      }
    }
  },
  "teams": [
    {
      "admin": false,
      "name": "Management team",
      "extid": "teamIdInThirdPartyAppDatabase"
    }
  ],
  "availability": {
    "timezone": "Europe/Paris",
    "today_as_busy": false,
    "past_as_busy": true,
    "days_after_as_busy": 60,
    "buffer_before": 0,
    "buffer_after": 0,
    "all_day_busy": true,
    "days": {
      "monday": {
        "enabled": true,
        "slots": [
          {
            "start_time": "2018-01-01T10:00",
            "end_time": "2018-01-01T12:30"
          },
          {
            "start_time": "2018-01-01T14:00",
            "end_time": "2018-01-01T18:30"
          }
        ]
      },
      "tuesday": {
        "enabled": true,
        "slots": [
          {
            "start_time": "2018-01-01T10:00",
            "end_time": "2018-01-01T12:30"
          },
          {
            "start_time": "2018-01-01T14:00",
            "end_time": "2018-01-01T18:30"
          }
        ]
      },
      "wednesday": {
        "enabled": true,
        "slots": [
          {
            "start_time": "2018-01-01T10:00",
            "end_time": "2018-01-01T17:30"
          }
        ]
      },
      "thursday": {
        "enabled": false
      },
      "friday": {
        "enabled": true,
        "slots": [
          {
            "start_time": "2018-01-01T10:00",
            "end_time": "2018-01-01T17:30"
          }
        ]
      },
      "saturday": {
        "enabled": true,
        "slots": [
          {
            "start_time": "2018-01-01T10:00",
            "end_time": "2018-01-01T17:30"
          }
        ]
      },
      "sunday": {
        "enabled": false
      }
    }
  },
  "vyteme": {
    "nickname": "appName-userIdInThidPartyAppDatabase",
    "message": "Bienvenue sur ma page de RDV",
    "custom": {
      "auto_message": "Merci d'avoir pris RDV avec moi, j'ai hate de vous rencontrer.",
      "auto_title": "RDV invitee / me",
      "ask_phone": true,
      "ask_company": false,
      "block_new_invitee": false,
      "duration": 30,
      "set_lang": true,
      "enable_api": true,
      "fixed_lang": "fr",
      "set_timezone": true,
      "fixed_timezone": "Europe/Paris",
      "event_hide_decline": false,
      "hide_places": false,
      "hide_support": true,
      "hide_title": true,
      "forbid_add_places": true,
      "min_dates": 1,
      "one_slot": true,
      "auto_confirm": true,
      "invite_title": "Book a short appointment with",
      "redirect_url": "https://www.example.com/thanks-for-booking",
      "fixed_places": [
        {
          "name": "Office",
          "address": "Office address",
          "source": "appName",
          "source_id": "placeIdInThirdPartyAppDatabase"
        },
        {
          "name": "Phone",
          "address": "0102030405"
        }
      ]
    }
  },
  "calendars": [
    {
      "source": "exchange",
      "credentials": {
        "server": "mail.exchangeserverdomain.com",
        "username": "calendarUserName",
        "password": "calendarPassword"
      }
    }
  ],
  "login": {
    "credentials": {
      "username": "jean.dupont@example.com",
      "password": "youllneverguessit"
    }
  }
}"#;

/// `vyte-users-api.md`, "Get all users linked to you organization", RESPONSE SAMPLE, verbatim.
const LIST_SAMPLE: &str = r#"[
    {
        "calendars": {
            "google": false,
            "office365": false,
            "exchange": false,
            "icloud": false,
            "caldav": false
        },
        "modules": {
            "brand": false,
            "assistant": false,
            "vyteme": false,
            "vyteme_pro": false,
            "availabilities": true,
            "billing": false,
            "group_pro": false,
            "team": false
        },
        "account": {
            "organization": {
                "name": "yourVyteOrganizationName",
                "id": "yourVyteOrganizationId"
            },
            "plan": "pro",
            "app_url": "https://yourVyteOrganization.vyte.in"
        },
        "consent": {
            "terms": "2020-06-25T13:04:30.548Z"
        },
        "emails": [
            "jean.dupont@example.com"
        ],
        "_id": "5ef4a0bd136440c65930a3da",
        "first_name": "Jean",
        "last_name": "Dupont",
        "language": "en",
        "timezone": "Europe/Paris",
        "picture_url": "https://www.example.com/picture/jean",
        "signedup_with": "api",
        "full_name": "Jean Dupont",
        "updatedAt": "2020-06-25T14:20:34.652Z",
        "createdAt": "2020-06-25T13:03:57.791Z",
        "__v": 0
    }
]"#;

/// The RESPONSE SAMPLE of every write and batch on the users page, verbatim.
const WRITE_SAMPLE: &str = "{\n\n}";

/// The passwords of the USER OBJECT (`calendars[].credentials`, `login.credentials`).
const OBJECT_SECRETS: [&str; 2] = ["calendarPassword", "youllneverguessit"];

fn client(server: &MockServer) -> Client {
    Client::new(&server.base_url(), TOKEN).expect("loopback base URL is accepted")
}

fn doc(text: &str) -> Value {
    serde_json::from_str(text).expect("the vendor's example is JSON")
}

fn user_object() -> types::UserUpsert {
    serde_json::from_str(USER_OBJECT).expect("the documented user object fits the body type")
}

#[test]
fn the_user_object_decodes_as_the_body_and_hides_its_passwords() {
    let typed = user_object();
    // Nothing lost: it serializes back to the document.
    assert_eq!(
        serde_json::to_value(&typed).expect("serializes"),
        doc(USER_OBJECT)
    );
    let password = typed.calendars[0]
        .credentials
        .as_ref()
        .and_then(|c| c.password.as_ref())
        .expect("the calendar password");
    assert_eq!(password.expose(), "calendarPassword");
    let debug = format!("{typed:?} {typed:#?}");
    assert_no_secret(&debug, &OBJECT_SECRETS);
    assert!(debug.contains("calendarUserName"), "the rest still prints");
}

/// A write whose body is the USER OBJECT (or an array of it) and whose answer is `{}`.
async fn write_mock<'a>(
    server: &'a MockServer,
    method: httpmock::Method,
    path: &str,
    body: Value,
) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            request(when, method, path, TOKEN, &[])
                .header("content-type", "application/json")
                .json_body(body);
            then.status(200)
                .header("content-type", "application/json")
                .body(WRITE_SAMPLE);
        })
        .await
}

#[tokio::test]
async fn every_single_write_sends_the_user_object_and_reads_the_empty_object_answer() {
    let server = server().await;
    let create = write_mock(&server, POST, "/v2/users", doc(USER_OBJECT)).await;
    let upsert = write_mock(&server, PUT, "/v2/users", doc(USER_OBJECT)).await;
    let update = write_mock(
        &server,
        PUT,
        "/v2/users/5ef4a0bd136440c65930a3da",
        doc(USER_OBJECT),
    )
    .await;
    let client = client(&server);
    let answers = [
        client.create_user().body(user_object()).send().await,
        client.upsert_user().body(user_object()).send().await,
        client
            .update_user()
            .user_id("5ef4a0bd136440c65930a3da")
            .body(user_object())
            .send()
            .await,
    ];
    for mock in [create, upsert, update] {
        mock.assert_async().await;
    }
    for answer in answers {
        let answer = answer.expect("a 200 with `{}`").into_inner();
        // `{}`: an envelope with nothing in it, not an error and not `null`.
        let envelope = answer.0.expect("an object, not null");
        assert!(envelope.user.is_none());
        assert!(envelope.finish_signup_with.is_none());
        assert!(envelope.link.is_none());
    }
}

#[tokio::test]
async fn both_batches_send_the_user_object_in_an_array_and_read_the_empty_object_answer() {
    let server = server().await;
    let batch = json!([doc(USER_OBJECT)]);
    let create = write_mock(&server, POST, "/v2/users/batch", batch.clone()).await;
    let update = write_mock(&server, PUT, "/v2/users/batch", batch).await;
    let client = client(&server);
    let body = types::UserBatch(vec![user_object()]);
    assert_no_secret(&format!("{body:?}"), &OBJECT_SECRETS);
    let created = client
        .create_users_batch()
        .body(body.clone())
        .send()
        .await
        .expect("200")
        .into_inner();
    let updated = client
        .update_users_batch()
        .body(body)
        .send()
        .await
        .expect("200")
        .into_inner();
    create.assert_async().await;
    update.assert_async().await;
    assert_eq!(created.0, json!({}));
    assert_eq!(updated.0, json!({}));
}

#[tokio::test]
async fn the_list_response_sample_is_the_list_answer() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users", TOKEN, &[]).header_missing("content-type");
            then.status(200)
                .header("content-type", "application/json")
                .body(LIST_SAMPLE);
        })
        .await;
    let users = client(&server)
        .list_users()
        .send()
        .await
        .expect("the sample decodes")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(users.len(), 1);
    let user = &users[0];
    assert_eq!(user.id.as_deref(), Some("5ef4a0bd136440c65930a3da"));
    assert_eq!(
        user.emails.as_deref(),
        Some(&["jean.dupont@example.com".to_owned()][..])
    );
    assert_eq!(user.signedup_with.as_deref(), Some("api"));
    assert_eq!(user.v, Some(0));
    assert_eq!(
        user.account
            .as_ref()
            .and_then(|a| a.organization.as_ref())
            .and_then(|o| o.id.as_deref()),
        Some("yourVyteOrganizationId")
    );
    assert_eq!(
        user.consent
            .as_ref()
            .and_then(|c| c.terms)
            .map(|t| t.to_rfc3339()),
        Some("2020-06-25T13:04:30.548+00:00".to_owned())
    );
    // Nothing lost.
    assert_eq!(
        serde_json::to_value(&users).expect("serializes"),
        doc(LIST_SAMPLE)
    );
}

#[tokio::test]
async fn a_google_token_in_an_answer_never_prints() {
    let server = server().await;
    // The list sample's user, with the `google` object the notes describe.
    let mut answer = doc(LIST_SAMPLE)[0].clone();
    answer["google"] = json!({
        "id": "104857600000000000000",
        "email": "jean.dupont@example.com",
        "picture": "https://www.example.com/picture/jean",
        "token": "ya29.GOOGLE-SECRET-TOKEN",
        "refresh_token": "1//UNKNOWN-GOOGLE-CREDENTIAL"
    });
    let mock = server
        .mock_async(|when, then| {
            request(when, GET, "/v2/users/5ef4a0bd136440c65930a3da", TOKEN, &[]);
            then.status(200).json_body(answer.clone());
        })
        .await;
    let user = client(&server)
        .get_user()
        .user_id("5ef4a0bd136440c65930a3da")
        .send()
        .await
        .expect("200")
        .into_inner();
    mock.assert_async().await;
    let google = user.google.as_ref().expect("the google account");
    assert_eq!(
        google.token.as_ref().map(|t| t.expose()),
        Some("ya29.GOOGLE-SECRET-TOKEN")
    );
    assert_eq!(google.email.as_deref(), Some("jean.dupont@example.com"));
    // Neither the token nor an unknown field of the credential-holding object prints.
    assert_no_secret(
        &format!("{user:?} {user:#?}"),
        &["GOOGLE-SECRET-TOKEN", "UNKNOWN-GOOGLE-CREDENTIAL"],
    );
}
