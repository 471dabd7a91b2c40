//! Vyte's Teams API examples (`vyte-teams-api.md`, commas restored as the notes give them)
//! through the generated client, over the wire (httpmock): every documented request is sent
//! and checked for its method, path, raw `Authorization: <key>` header and JSON body; every
//! documented answer is decoded — `public` written as the string `"false"`, the guide's answer
//! with `createdAt`/`updatedAt`/`__v` — without losing a field. The endpoints the page lists
//! without an example (events, admin preferences) are sent with the fields its table names.

use httpmock::Method::{DELETE, GET, POST, PUT};
use httpmock::MockServer;
use roster_tests::{TOKEN, request, server};
use roster_vyte::prelude::*;
use roster_vyte::types;
use serde_json::{Value, json};

/// "Create (request)", verbatim.
const CREATE_REQUEST: &str = r#"{"admins": ["5f1077cf21f43b0b99660619"],
 "members": ["5f1077cf21f43b0b99660619", "5f1077e1eaf7c424af51a847"],
 "organization": "5ef0cb128f284274b2361323", "extid": "2", "name": "sales",
 "level_name": "agency", "public": "false"}"#;

/// "Create / get / update (answer)", verbatim.
const TEAM_ANSWER: &str = r#"{"admins": ["5f1077cf21f43b0b99660619"],
 "members": ["5f1077cf21f43b0b99660619", "5f1077e1eaf7c424af51a847"],
 "_id": "5ef9e5489b10b33ad0898ca3", "organization": "5ef0cb128f284274b2361323",
 "extid": "2", "name": "sales", "level_name": "agency", "public": "false"}"#;

/// "The team guide's create answer", verbatim.
const GUIDE_CREATE_ANSWER: &str = r#"{"admins": ["5eecc40bb2181073ac6ff375"],
 "members": ["5eecc40bb2181073ac6ff375", "5f198d23c1ac5d0bcafc00ee"],
 "_id": "5f47af4d2285550793c632c4", "organization": "5f198da1c1ac5d1a30fc00f3",
 "extid": "1", "name": "sales", "level_name": "department",
 "updatedAt": "2020-08-27T13:06:28.430Z", "createdAt": "2020-08-27T13:04:13.588Z", "__v": 2}"#;

/// "The guide's update (adds a third member by sending the whole list)", verbatim.
const GUIDE_UPDATE: &str = r#"{"members": ["5eecc40bb2181073ac6ff375", "5f198d23c1ac5d0bcafc00ee", "5f2809b0f678a7a0227f94ac"]}"#;

/// "Public team (answer)", verbatim.
const PUBLIC_ANSWER: &str = r#"{"_id": "5ef9e5489b10b33ad0898ca3", "name": "test public team",
 "members": [{"_id": "5fda0414a4d645001d148243", "first_name": "John", "last_name": "Dow",
              "picture_url": "https://domain.com/john.jpg"}]}"#;

/// The delete's documented answer.
const DELETE_ANSWER: &str = r#"{"n": 1, "ok": 1}"#;

const TEAM_ID: &str = "5ef9e5489b10b33ad0898ca3";

fn client(server: &MockServer) -> Client {
    Client::new(&server.base_url(), TOKEN).expect("loopback base URL is accepted")
}

fn doc(text: &str) -> Value {
    serde_json::from_str(text).expect("the vendor's example (commas restored) is JSON")
}

/// A mock answering `answer` (a documented example) to `method path` with the raw key, and
/// with `body` as the JSON body when given (none: no body at all).
async fn mock<'a>(
    server: &'a MockServer,
    method: httpmock::Method,
    path: &str,
    query: &[(&str, &str)],
    body: Option<Value>,
    answer: &str,
) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            let when = request(when, method, path, TOKEN, query);
            match body {
                Some(body) => {
                    when.header("content-type", "application/json")
                        .json_body(body);
                }
                None => {
                    when.header_missing("content-type");
                }
            }
            then.status(200)
                .header("content-type", "application/json; charset=utf-8")
                .body(answer);
        })
        .await
}

/// The documented team answer, typed, as every operation answering a Team reads it.
fn assert_documented_team(team: &types::Team) {
    assert_eq!(team.id.as_deref(), Some(TEAM_ID));
    assert_eq!(team.extid.as_deref(), Some("2"));
    assert_eq!(team.name.as_deref(), Some("sales"));
    assert_eq!(team.level_name.as_deref(), Some("agency"));
    assert_eq!(
        team.organization.as_deref(),
        Some("5ef0cb128f284274b2361323")
    );
    // Typed boolean by Vyte, written as a string in its example: read as it came.
    assert_eq!(team.public, Some(types::TeamPublic::String("false".into())));
    assert_eq!(
        team.members.as_deref(),
        Some(
            &[
                "5f1077cf21f43b0b99660619".to_owned(),
                "5f1077e1eaf7c424af51a847".to_owned()
            ][..]
        )
    );
    assert_eq!(
        team.admins.as_deref(),
        Some(&["5f1077cf21f43b0b99660619".to_owned()][..])
    );
    // Nothing lost.
    assert_eq!(
        serde_json::to_value(team).expect("serializes"),
        doc(TEAM_ANSWER)
    );
}

#[tokio::test]
async fn the_documented_create_is_sent_as_published_and_its_answer_reads() {
    let server = server().await;
    let create = mock(
        &server,
        POST,
        "/v2/teams",
        &[],
        Some(doc(CREATE_REQUEST)),
        TEAM_ANSWER,
    )
    .await;
    let body: types::TeamCreate =
        serde_json::from_str(CREATE_REQUEST).expect("the documented create fits the body type");
    // `public` as the example sends it: the string, not a boolean.
    assert_eq!(body.public, Some(types::TeamPublic::String("false".into())));
    let answer = client(&server)
        .create_team()
        .body(body)
        .send()
        .await
        .expect("a 200 with the documented team")
        .into_inner();
    create.assert_async().await;
    assert_documented_team(answer.0.as_ref().expect("a team, not null"));
}

#[tokio::test]
async fn the_guide_s_create_answer_reads_with_its_dates_and_version() {
    let server = server().await;
    let create = mock(
        &server,
        POST,
        "/v2/teams",
        &[],
        Some(json!({"extid": "1", "name": "sales", "level_name": "department", "public": false})),
        GUIDE_CREATE_ANSWER,
    )
    .await;
    let body = types::TeamCreate {
        extid: "1".into(),
        name: "sales".into(),
        level_name: Some("department".into()),
        // Vyte's type: a boolean.
        public: Some(false.into()),
        admins: None,
        members: None,
        organization: None,
    };
    let team = client(&server)
        .create_team()
        .body(body)
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("a team, not null");
    create.assert_async().await;
    assert_eq!(team.id.as_deref(), Some("5f47af4d2285550793c632c4"));
    assert_eq!(team.v, Some(2));
    assert_eq!(
        team.created_at.map(|t| t.to_rfc3339()),
        Some("2020-08-27T13:04:13.588+00:00".to_owned())
    );
    assert_eq!(
        team.updated_at.map(|t| t.to_rfc3339()),
        Some("2020-08-27T13:06:28.430+00:00".to_owned())
    );
    assert_eq!(team.public, None, "the guide's answer has no `public`");
    assert_eq!(
        serde_json::to_value(&team).expect("serializes"),
        doc(GUIDE_CREATE_ANSWER)
    );
}

#[tokio::test]
async fn the_guide_s_update_sends_the_whole_member_list() {
    let server = server().await;
    let mut answer = doc(GUIDE_CREATE_ANSWER);
    answer["members"] = doc(GUIDE_UPDATE)["members"].clone();
    let update = mock(
        &server,
        PUT,
        "/v2/teams/5f47af4d2285550793c632c4",
        &[],
        Some(doc(GUIDE_UPDATE)),
        &answer.to_string(),
    )
    .await;
    let body: types::TeamUpdate =
        serde_json::from_str(GUIDE_UPDATE).expect("the guide's update fits the body type");
    let team = client(&server)
        .update_team()
        .team_id("5f47af4d2285550793c632c4")
        .body(body)
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("a team, not null");
    update.assert_async().await;
    assert_eq!(team.members.as_ref().map(Vec::len), Some(3));
    assert_eq!(
        team.members
            .as_ref()
            .and_then(|m| m.last())
            .map(String::as_str),
        Some("5f2809b0f678a7a0227f94ac")
    );
}

#[tokio::test]
async fn the_team_answer_reads_from_the_list_and_the_get() {
    let server = server().await;
    let list = mock(
        &server,
        GET,
        "/v2/teams",
        &[],
        None,
        &format!("[{TEAM_ANSWER}]"),
    )
    .await;
    let get = mock(
        &server,
        GET,
        &format!("/v2/teams/{TEAM_ID}"),
        &[],
        None,
        TEAM_ANSWER,
    )
    .await;
    let client = client(&server);
    let teams = client.list_teams().send().await.expect("200").into_inner();
    let team = client
        .get_team()
        .team_id(TEAM_ID)
        .send()
        .await
        .expect("200")
        .into_inner();
    list.assert_async().await;
    get.assert_async().await;
    assert_eq!(teams.len(), 1);
    assert_documented_team(&teams[0]);
    assert_documented_team(&team);
}

#[tokio::test]
async fn the_delete_answers_mongo_s_count() {
    let server = server().await;
    let delete = mock(
        &server,
        DELETE,
        &format!("/v2/teams/{TEAM_ID}"),
        &[],
        None,
        DELETE_ANSWER,
    )
    .await;
    let answer = client(&server)
        .delete_team()
        .team_id(TEAM_ID)
        .send()
        .await
        .expect("200")
        .into_inner();
    delete.assert_async().await;
    let deletion = answer.0.expect("an object, not null");
    assert_eq!((deletion.n, deletion.ok), (Some(1), Some(1)));
}

#[tokio::test]
async fn the_public_view_reads_as_published() {
    let server = server().await;
    // The spec says no key is needed (`security: []`); the runtime still applies the client's
    // key to every request (to the same host), so the header is not asserted either way.
    let public = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v2/teams/{TEAM_ID}/public"))
                .header_missing("api-version")
                .header_missing("content-type");
            then.status(200)
                .header("content-type", "application/json")
                .body(PUBLIC_ANSWER);
        })
        .await;
    let team = client(&server)
        .get_public_team()
        .team_id(TEAM_ID)
        .send()
        .await
        .expect("200")
        .into_inner();
    public.assert_async().await;
    assert_eq!(team.name.as_deref(), Some("test public team"));
    let john = &team.members.as_ref().expect("members")[0];
    assert_eq!(john.id.as_deref(), Some("5fda0414a4d645001d148243"));
    assert_eq!(
        (john.first_name.as_deref(), john.last_name.as_deref()),
        (Some("John"), Some("Dow"))
    );
    assert_eq!(
        john.picture_url.as_deref(),
        Some("https://domain.com/john.jpg")
    );
    assert_eq!(
        serde_json::to_value(&team).expect("serializes"),
        doc(PUBLIC_ANSWER)
    );
}

#[tokio::test]
async fn the_events_are_listed_with_the_three_queries_and_booked_with_the_table_s_fields() {
    let server = server().await;
    let event = json!({
        "_id": "5f5a1c2e9b10b33ad0898cb1", "title": "Demo with ACME", "vyteme": true,
        "timezone": "Europe/Paris", "confirmed": {"flag": true},
        "dates": [{"all_day": false, "date": "2020-09-15T09:00:00.000Z",
                   "end_date": "2020-09-15T09:30:00.000Z"}],
        "user": "5f1077cf21f43b0b99660619"
    });
    let list = mock(
        &server,
        GET,
        &format!("/v2/teams/{TEAM_ID}/events"),
        &[("limit", "10"), ("q", "^Demo"), ("filter", "upcoming")],
        None,
        &json!([event]).to_string(),
    )
    .await;
    // Every field of the table's booking request.
    let booking = json!({
        "title": "Demo with ACME",
        "created_by": {"email": "marie.curie@acme.fr"},
        "dates": [{"all_day": false, "date": "2020-09-15T09:00:00.000Z",
                   "end_date": "2020-09-15T09:30:00.000Z"}],
        "invitees": [{"full_name": "Marie Curie", "email": "marie.curie@acme.fr",
                      "phone": "+33102030405"}],
        "lang": "en", "locale": "en",
        "messages": [{"body": "Looking forward to the demo."}],
        "places": [{"name": "Phone", "address": "+33102030405"}],
        "timezone": "Europe/Paris", "vyteme": true, "confirmed": {"flag": true}
    });
    let book = mock(
        &server,
        POST,
        &format!("/v2/teams/{TEAM_ID}/events"),
        &[],
        Some(booking.clone()),
        &event.to_string(),
    )
    .await;
    let client = client(&server);
    let events = client
        .list_team_events()
        .team_id(TEAM_ID)
        .limit("10")
        .q("^Demo")
        .filter(types::EventFilter::Upcoming)
        .send()
        .await
        .expect("200")
        .into_inner();
    let body: types::EventBooking =
        serde_json::from_value(booking.clone()).expect("the table's fields fit the body type");
    assert_eq!(serde_json::to_value(&body).expect("serializes"), booking);
    let booked = client
        .create_team_event()
        .team_id(TEAM_ID)
        .body(body)
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("an event, not null");
    list.assert_async().await;
    book.assert_async().await;
    assert_eq!(events.len(), 1);
    for read in [&events[0], &booked] {
        assert_eq!(read.title.as_deref(), Some("Demo with ACME"));
        assert_eq!(read.vyteme, Some(true));
        assert_eq!(read.confirmed, Some(json!({"flag": true})));
        // A field the spec does not name is kept.
        assert_eq!(read.extra["user"], json!("5f1077cf21f43b0b99660619"));
        assert_eq!(serde_json::to_value(read).expect("serializes"), event);
    }
}

#[tokio::test]
async fn the_admin_preferences_are_read_set_and_changed() {
    let server = server().await;
    let path = format!("/v2/teams/{TEAM_ID}/admin-preferences");
    let answer = |on: bool| {
        json!({"prefs": {"email": {"new_event": on}}, "_id": "5f5a1d0e9b10b33ad0898cc2",
               "belongs_to": TEAM_ID, "createdAt": "2020-09-10T12:00:00.000Z",
               "updatedAt": "2020-09-10T12:05:00.000Z", "__v": 1})
    };
    let body = |on: bool| json!({"prefs": {"email": {"new_event": on}}});
    let get = mock(&server, GET, &path, &[], None, &answer(true).to_string()).await;
    let post = mock(
        &server,
        POST,
        &path,
        &[],
        Some(body(true)),
        &answer(true).to_string(),
    )
    .await;
    let put = mock(
        &server,
        PUT,
        &path,
        &[],
        Some(body(false)),
        &answer(false).to_string(),
    )
    .await;
    let client = client(&server);
    let typed = |on: bool| -> types::TeamAdminPreferencesBody {
        serde_json::from_value(body(on)).expect("fits the body type")
    };
    let read = client
        .get_team_admin_preferences()
        .team_id(TEAM_ID)
        .send()
        .await
        .expect("200")
        .into_inner();
    let set = client
        .create_team_admin_preferences()
        .team_id(TEAM_ID)
        .body(typed(true))
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("not null");
    let changed = client
        .update_team_admin_preferences()
        .team_id(TEAM_ID)
        .body(typed(false))
        .send()
        .await
        .expect("200")
        .into_inner()
        .0
        .expect("not null");
    get.assert_async().await;
    post.assert_async().await;
    put.assert_async().await;
    let flag = |p: &types::TeamAdminPreferences| {
        p.prefs
            .as_ref()
            .and_then(|prefs| prefs.email.as_ref())
            .and_then(|email| email.get("new_event").copied().flatten())
    };
    assert_eq!(
        (flag(&read), flag(&set), flag(&changed)),
        (Some(true), Some(true), Some(false))
    );
    assert_eq!(read.belongs_to.as_deref(), Some(TEAM_ID));
    assert_eq!(changed.v, Some(1));
}

#[tokio::test]
async fn a_boolean_public_and_null_lists_read_too() {
    let server = server().await;
    let _list = mock(
        &server,
        GET,
        "/v2/teams",
        &[],
        None,
        r#"[{"_id": "t1", "name": "a", "public": true, "members": null, "admins": null},
            {"_id": "t2", "name": "b", "public": "true"}, {"_id": "t3"}]"#,
    )
    .await;
    let teams = client(&server)
        .list_teams()
        .send()
        .await
        .expect("tolerated")
        .into_inner();
    assert_eq!(teams[0].public, Some(types::TeamPublic::Boolean(true)));
    assert_eq!(
        teams[1].public,
        Some(types::TeamPublic::String("true".into()))
    );
    assert_eq!(teams[0].members, None);
    assert_eq!(teams[2].name, None);
}

#[tokio::test]
async fn an_empty_member_list_is_sent_as_an_empty_array_not_left_out() {
    let server = server().await;
    // `members` replaces the list: `[]` empties the team, a left-out `members` changes nothing.
    let update = mock(
        &server,
        PUT,
        &format!("/v2/teams/{TEAM_ID}"),
        &[],
        Some(json!({"members": []})),
        TEAM_ANSWER,
    )
    .await;
    let body = types::TeamUpdate {
        members: Some(Vec::new().into()),
        ..Default::default()
    };
    client(&server)
        .update_team()
        .team_id(TEAM_ID)
        .body(body)
        .send()
        .await
        .expect("200");
    update.assert_async().await;
    assert_eq!(
        serde_json::to_value(types::TeamUpdate::default()).expect("serializes"),
        json!({})
    );
}
