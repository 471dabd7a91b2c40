//! roster-veo against httpmock: Bearer auth, PascalCase bodies on the wire, the invite answer's
//! lists (null when empty), page-by-page listing to the end, typed roles, secrets, errors; and
//! the facade's VEO side: invite answers matched to what was sent, unclear pages refused,
//! update bodies that carry only what the member sets.

use std::sync::Arc;

use httpmock::Method::{DELETE, GET, POST, PUT};
use httpmock::MockServer;
use roster::test_util::RecordingSleeper;
use roster::{
    Config, ErrorKind, Member, Outcome, Provisioner, Resilience, RetryBudget, RetryPolicy, Vendor,
};
use roster_tests::{TOKEN, assert_no_secret, first, request, server};
use roster_veo::prelude::*;
use roster_veo::{Error, Role, types};
use serde_json::{Value, json};

const AUTH: &str = "Bearer tok_5ecret_value_0123456789";
const V: Vendor = Vendor::Veo;

fn client(server: &MockServer) -> Client {
    Client::new(&server.base_url(), TOKEN).expect("loopback base URL is accepted")
}

fn org() -> Option<types::OrganisationId> {
    Some(types::OrganisationId("1".into()))
}

fn emails(list: &[&str]) -> Option<Vec<String>> {
    Some(list.iter().map(|e| (*e).to_owned()).collect())
}

#[tokio::test]
async fn invite_answer_splitting_emails_across_all_four_lists_is_read_back_exactly() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, POST, "/api/userinvites/multiple", AUTH, &[])
                .header("content-type", "application/json")
                .json_body(json!({
                    "OrganisationId": "1",
                    "Users": [
                        {"Email": "new@example.com", "IsOrgAdmin": false, "Communities": [12, 15]},
                        {"Email": "not-an-email", "IsOrgAdmin": false},
                        {"Email": "member@example.com", "IsOrgAdmin": true},
                        {"Email": "elsewhere@example.com"}
                    ]
                }));
            then.status(200).json_body(json!({
                "TotalInvites": 4,
                "SuccessList": ["new@example.com"],
                "ErrorList": ["not-an-email"],
                "AlreadyInOrganisationList": ["member@example.com"],
                "ExistingUserAddedMembershipToOrganisation": ["elsewhere@example.com"]
            }));
        })
        .await;
    let invitee = |email: &str, admin: Option<bool>, communities: Vec<i64>| types::Invitee {
        email: Some(email.into()),
        is_org_admin: admin,
        communities,
    };
    let result = client(&server)
        .invite_users()
        .body(types::InviteRequest {
            organisation_id: org(),
            users: vec![
                invitee("new@example.com", Some(false), vec![12, 15]),
                invitee("not-an-email", Some(false), vec![]),
                invitee("member@example.com", Some(true), vec![]),
                invitee("elsewhere@example.com", None, vec![]),
            ],
        })
        .send()
        .await
        .expect("200")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(
        result,
        types::InviteResult {
            total_invites: Some(4),
            success_list: emails(&["new@example.com"]),
            error_list: emails(&["not-an-email"]),
            already_in_organisation_list: emails(&["member@example.com"]),
            existing_user_added_membership_to_organisation: emails(&["elsewhere@example.com"]),
            already_invited_list: None,
            failed_list: None,
        }
    );
}

#[tokio::test]
async fn create_user_posts_the_documented_body_and_reads_the_bare_id_as_number_or_string() {
    let server = server().await;
    let body = || types::UserCreate {
        first_name: Some("Maia".into()),
        last_name: Some("Sanford".into()),
        email: Some("Randall95@hotmail.com".into()),
        is_active: Some(true),
        roles: Role::for_member(true),
        organisation_id: org(),
        password: Some("password123456789".into()),
        region_id: Some(74),
        accepts_privacy_policy: Some(true),
        accepts_terms_and_conditions: Some(true),
    };
    assert_no_secret(&format!("{:?}", body()), &["password123456789"]);
    for (answer, id) in [
        ("50469", types::AnyUserId::Int64(50469)),
        ("\"50469\"", types::AnyUserId::String("50469".into())),
    ] {
        let mock = server
            .mock_async(|when, then| {
                request(when, POST, "/api/users/create", AUTH, &[]).json_body(json!({
                    "FirstName": "Maia", "LastName": "Sanford", "Email": "Randall95@hotmail.com",
                    "IsActive": true, "Roles": [4, 2], "OrganisationId": "1",
                    "Password": "password123456789", "RegionId": 74,
                    "AcceptsPrivacyPolicy": true, "AcceptsTermsAndConditions": true
                }));
                then.status(200)
                    .header("content-type", "application/json")
                    .body(answer);
            })
            .await;
        let got = client(&server)
            .create_user()
            .body(body())
            .send()
            .await
            .expect("200")
            .into_inner();
        mock.assert_async().await;
        assert_eq!(got, id, "{answer}");
        assert_eq!(got.to_string(), "50469");
        mock.delete_async().await;
    }
}

#[tokio::test]
async fn update_user_puts_only_what_is_set_and_any_2xx_without_a_body_is_success() {
    let server = server().await;
    for (status, body) in [(200, ""), (204, ""), (200, "{\"not\": \"read\"}")] {
        let mock = server
            .mock_async(|when, then| {
                request(when, PUT, "/api/v2/users/50469", AUTH, &[]).json_body(json!({
                    "IsActive": false,
                    "Roles": [{"OrganisationId": 1, "Roles": [4]}]
                }));
                then.status(status).body(body);
            })
            .await;
        let response = client(&server)
            .update_user()
            .user_id("50469")
            .body(types::UserUpdate {
                first_name: None,
                last_name: None,
                email: None,
                password: None,
                is_active: Some(false),
                roles: vec![types::OrganisationRole {
                    organisation_id: Some(1),
                    roles: Role::for_member(false),
                }],
            })
            .send()
            .await
            .expect("2xx");
        mock.assert_async().await;
        assert_eq!(response.status(), status);
        mock.delete_async().await;
    }
}

#[tokio::test]
async fn delete_user_passes_the_id_in_the_query_string() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, DELETE, "/api/user", AUTH, &[("id", "50469")]);
            then.status(200);
        })
        .await;
    let response = client(&server)
        .delete_user()
        .id("50469")
        .send()
        .await
        .expect("200");
    mock.assert_async().await;
    assert_eq!(response.status(), 200);
}

fn summary(id: i64) -> Value {
    json!({"Id": id, "FirstName": "John", "LastName": null, "Email": format!("john{id}@example.com"),
           "IsActive": true, "Roles": [{"OrganisationId": 1, "Roles": [4, 64]}]})
}

#[tokio::test]
async fn list_users_can_be_walked_page_by_page_to_the_end() {
    let server = server().await;
    let mut mocks = Vec::new();
    // 5 users, pages of 2: pages 1, 2 and 3 (the last one short).
    for (page, ids) in [(1, vec![1, 2]), (2, vec![3, 4]), (3, vec![5])] {
        let items: Vec<_> = ids.into_iter().map(summary).collect();
        mocks.push(
            server
                .mock_async(|when, then| {
                    request(
                        when,
                        GET,
                        "/api/users/get-all",
                        AUTH,
                        &[
                            ("searchTerm", "John"),
                            ("organisationId", "1"),
                            ("pageSize", "2"),
                            ("pageNumber", &page.to_string()),
                            ("orderByDirection", "true"),
                        ],
                    );
                    then.status(200).json_body(json!({
                        "Items": items, "Page": page, "PageSize": 2, "TotalItemCount": 5
                    }));
                })
                .await,
        );
    }
    let client = client(&server);
    let page_size = 2;
    let mut page_number = 1;
    let mut seen = Vec::new();
    let mut roles = Vec::new();
    loop {
        let page = client
            .list_users()
            .search_term("John")
            .organisation_id("1")
            .page_size(page_size)
            .page_number(page_number)
            .order_by_direction(true)
            .send()
            .await
            .expect("200")
            .into_inner();
        let items = page.items.expect("Items");
        for user in &items {
            seen.push(user.id.clone().expect("an id"));
            assert_eq!(user.last_name, None);
            roles.extend(
                user.roles
                    .iter()
                    .flatten()
                    .flat_map(|r| r.roles.iter().flatten().map(Role::from)),
            );
        }
        let total = page.total_item_count.expect("total");
        if items.is_empty() || i64::from(page_number * page_size) >= total {
            break;
        }
        page_number += 1;
    }
    assert_eq!(
        seen,
        (1..=5).map(types::AnyUserId::Int64).collect::<Vec<_>>()
    );
    assert_eq!(
        roles[..2],
        [Role::User, Role::Other(64)],
        "unknown role ids are kept"
    );
    for mock in mocks {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn answers_with_nulls_and_string_ids_are_read() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/api/users/get-all", AUTH, &[]);
            then.status(200).json_body(json!({
                "Items": [{"Id": "u-7", "FirstName": null, "LastName": null, "Email": null,
                           "IsActive": null, "Roles": [{"OrganisationId": "1", "Roles": null}]},
                          {"Id": null, "Roles": null}],
                "Page": null, "PageSize": null, "TotalItemCount": null
            }));
        })
        .await;
    let page = client(&server)
        .list_users()
        .send()
        .await
        .expect("200")
        .into_inner();
    let items = page.items.expect("Items");
    assert_eq!(items[0].id, Some(types::AnyUserId::String("u-7".into())));
    let roles = items[0].roles.as_ref().expect("roles");
    assert_eq!(
        roles[0].organisation_id,
        Some(types::AnyOrganisationId::String("1".into()))
    );
    assert_eq!(roles[0].roles, None);
    assert_eq!((&items[1].id, &items[1].roles), (&None, &None));
    assert_eq!(page.total_item_count, None);
}

#[tokio::test]
async fn me_and_regions_are_read_permissively() {
    let server = server().await;
    let me = server
        .mock_async(|when, then| {
            request(when, GET, "/api/me", AUTH, &[]);
            then.status(200).json_body(json!({
                "Id": 1001, "Email": "ada@example.com", "Unknown": {"x": 1},
                "Organisations": [{"Id": 1, "Name": "Acme Academy", "Roles": [4, 2]},
                                  {"Id": "2", "Name": null, "Roles": null}]
            }));
        })
        .await;
    let regions = server
        .mock_async(|when, then| {
            request(when, GET, "/api/regions", AUTH, &[]);
            then.status(200).json_body(
                json!([{"Id": 74, "Name": "United Kingdom"}, {"Id": 75, "Name": null}, {}]),
            );
        })
        .await;
    let client = client(&server);
    let me_value = client.get_me().send().await.expect("200").into_inner();
    assert_eq!(me_value.id, Some(types::AnyUserId::Int64(1001)));
    let orgs = me_value.organisations.expect("organisations");
    assert_eq!(orgs[0].id, Some(types::AnyOrganisationId::Int64(1)));
    assert_eq!(
        orgs[0]
            .roles
            .iter()
            .flatten()
            .map(Role::from)
            .collect::<Vec<_>>(),
        [Role::User, Role::OrganisationAdmin]
    );
    assert_eq!(
        orgs[1].id,
        Some(types::AnyOrganisationId::String("2".into()))
    );
    assert_eq!(orgs[1].roles, None);
    let list = client
        .list_regions()
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(
        list.iter().map(|r| r.id).collect::<Vec<_>>(),
        [Some(74), Some(75), None]
    );
    assert_eq!(list[1].name, None);
    me.assert_async().await;
    regions.assert_async().await;
}

#[tokio::test]
async fn validation_errors_carry_the_model_state_as_any_json() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, POST, "/api/userinvites/multiple", AUTH, &[]);
            then.status(400).json_body(json!({
                "Message": "The request is invalid.",
                "ModelState": {"model.OrganisationId": ["You are not an administrator of this organisation."]}
            }));
        })
        .await;
    let err = client(&server)
        .invite_users()
        .body(types::InviteRequest {
            organisation_id: Some(types::OrganisationId("2".into())),
            users: vec![],
        })
        .send()
        .await
        .expect_err("400");
    let Error::ErrorResponse(body) = &err else {
        panic!("typed 400: {err:?}")
    };
    assert_eq!(body.status(), 400);
    assert_eq!(body.0["Message"], "The request is invalid.");
    assert_eq!(
        body.0["ModelState"]["model.OrganisationId"],
        json!(["You are not an administrator of this organisation."])
    );
    assert_no_secret(&format!("{err} {err:?}"), &[]);
}

#[tokio::test]
async fn an_expired_token_is_a_typed_401_and_a_429_keeps_retry_after() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/api/me", AUTH, &[]);
            then.status(401)
                .json_body(json!({"Message": "Authorization has been denied for this request."}));
        })
        .await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/api/regions", AUTH, &[]);
            then.status(429)
                .header("retry-after", "7")
                .json_body(json!("slow down"));
        })
        .await;
    let client = client(&server);
    let err = client.get_me().send().await.expect_err("401");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert!(!err.is_retryable());
    let err = client.list_regions().send().await.expect_err("429");
    let Error::ErrorResponse(body) = &err else {
        panic!("typed 429: {err:?}")
    };
    assert_eq!(body.status(), 429);
    assert_eq!(body.headers()["retry-after"], "7");
    assert_eq!(body.0, json!("slow down"));
}

#[test]
fn default_base_url_and_redacted_client() {
    assert_eq!(roster_veo::DEFAULT_BASE_URL, "https://api.veo.co.uk");
    let client = Client::new(roster_veo::DEFAULT_BASE_URL, TOKEN).expect("valid");
    assert_no_secret(&format!("{client:?}"), &[]);
}

// ---------------------------------------------------------------------------------------------
// The facade's VEO side

fn provisioner(server: &MockServer) -> Provisioner {
    let config = Config::default()
        .with(V, Some(&server.base_url()), TOKEN)
        .expect("config");
    let resilience = Resilience::new(RetryPolicy::default(), Arc::new(RetryBudget::default()))
        .with_sleeper(Arc::new(RecordingSleeper::default()));
    Provisioner::with_resilience(&config, resilience).expect("clients")
}

async fn me(server: &MockServer) {
    server
        .mock_async(|when, then| {
            request(when, GET, "/api/me", AUTH, &[]);
            then.status(200)
                .json_body(json!({"Organisations": [{"Id": "1", "Roles": [4, 2]}]}));
        })
        .await;
}

/// Answers the look-ups of `email`: the first with `answers[0]`, each later one with the
/// next answer, the last one repeated. Returns the mock of the first answer.
async fn lookup<'a>(
    server: &'a MockServer,
    email: &str,
    answers: Vec<Value>,
) -> httpmock::Mock<'a> {
    let count = answers.len();
    let mut mocks = Vec::new();
    for (turn, answer) in answers.into_iter().enumerate() {
        mocks.push(
            server
                .mock_async(|when, then| {
                    let when = request(
                        when,
                        GET,
                        "/api/users/get-all",
                        AUTH,
                        &[
                            ("searchTerm", email),
                            ("organisationId", "1"),
                            ("pageSize", "100"),
                        ],
                    );
                    // httpmock takes the first mock that matches: every answer but the last
                    // matches once.
                    let when = if turn + 1 < count {
                        when.is_true(first(1, "/api/users/get-all"))
                    } else {
                        when
                    };
                    then.status(200).json_body(answer);
                    let _ = when;
                })
                .await,
        );
    }
    mocks.swap_remove(0)
}

fn ann() -> Member {
    Member::new("ann@example.com", "Ann", "Lee").expect("valid")
}

fn listed(roles: Value, active: bool) -> Value {
    json!({"Items": [{"Id": 42, "FirstName": "Ann", "LastName": "Old", "Email": "ANN@example.com",
                      "IsActive": active, "Roles": [{"OrganisationId": 1, "Roles": roles}]}],
           "TotalItemCount": 1})
}

#[tokio::test]
async fn an_invite_answer_with_null_lists_is_confirmed_by_a_second_look_up() {
    let server = server().await;
    me(&server).await;
    let empty = json!({"Items": null, "TotalItemCount": 0});
    let invitee = json!({"Items": [{"Id": 42, "Email": "ann@example.com", "IsActive": true,
                                    "Roles": [{"OrganisationId": 1, "Roles": [4]}]}],
                         "TotalItemCount": 1});
    let first = lookup(&server, "ann@example.com", vec![empty, invitee]).await;
    let invite = server
        .mock_async(|when, then| {
            request(when, POST, "/api/userinvites/multiple", AUTH, &[]).json_body(json!({
                "OrganisationId": "1",
                "Users": [{"Email": "ann@example.com", "IsOrgAdmin": false}]
            }));
            then.status(200).json_body(json!({
                "TotalInvites": 0, "SuccessList": null, "ErrorList": null,
                "AlreadyInOrganisationList": null, "ExistingUserAddedMembershipToOrganisation": null
            }));
        })
        .await;
    let report = provisioner(&server).ensure(&ann()).await;
    invite.assert_calls_async(1).await;
    first.assert_calls_async(1).await;
    assert!(
        matches!(report.outcome(V), Some(Outcome::Created)),
        "{report:?}"
    );
}

#[tokio::test]
async fn an_invite_answer_that_does_not_account_for_the_member_is_not_created() {
    let server = server().await;
    me(&server).await;
    let empty = json!({"Items": [], "TotalItemCount": 0});
    lookup(&server, "ann@example.com", vec![empty]).await;
    let invite = server
        .mock_async(|when, then| {
            request(when, POST, "/api/userinvites/multiple", AUTH, &[]);
            then.status(200)
                .json_body(json!({"TotalInvites": 1, "SuccessList": ["someone.else@example.com"]}));
        })
        .await;
    let report = provisioner(&server).ensure(&ann()).await;
    invite.assert_calls_async(1).await;
    let Some(Outcome::Failed(err)) = report.outcome(V) else {
        panic!("not Created: {report:?}");
    };
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert!(err.to_string().contains("unconfirmed"), "{err}");
}

#[tokio::test]
async fn a_page_without_items_but_with_users_fails_closed_and_invites_no_one() {
    let server = server().await;
    me(&server).await;
    for page in [
        json!({"Items": null, "TotalItemCount": 3}),
        json!({"Page": 1, "PageSize": 100}),
    ] {
        let look = lookup(&server, "ann@example.com", vec![page.clone()]).await;
        let invite = server
            .mock_async(|when, then| {
                when.method(POST).path("/api/userinvites/multiple");
                then.status(200)
                    .json_body(json!({"SuccessList": ["ann@example.com"]}));
            })
            .await;
        let provisioner = provisioner(&server);
        let report = provisioner.ensure(&ann()).await;
        let Some(Outcome::Failed(err)) = report.outcome(V) else {
            panic!("{page}: {report:?}");
        };
        assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{page}");
        let removed = provisioner.remove("ann@example.com").await;
        assert!(
            matches!(removed.outcome(V), Some(Outcome::Failed(_))),
            "never Absent: {removed:?}"
        );
        invite.assert_calls_async(0).await;
        look.delete_async().await;
    }
}

#[tokio::test]
async fn ensure_updates_only_what_the_member_sets_and_keeps_other_roles_and_inactivity() {
    let server = server().await;
    me(&server).await;
    // A deactivated site admin whose last name changed.
    lookup(
        &server,
        "ann@example.com",
        vec![listed(json!([4, 8]), false)],
    )
    .await;
    let update = server
        .mock_async(|when, then| {
            request(when, PUT, "/api/v2/users/42", AUTH, &[]).json_body(json!({
                "FirstName": "Ann", "LastName": "Lee", "Email": "ann@example.com",
                "Roles": [{"OrganisationId": 1, "Roles": [4, 8]}]
            }));
            then.status(204);
        })
        .await;
    let report = provisioner(&server).ensure(&ann()).await;
    update.assert_calls_async(1).await;
    assert!(
        matches!(report.outcome(V), Some(Outcome::Updated)),
        "{report:?}"
    );
}

#[tokio::test]
async fn deactivate_sends_is_active_false_with_the_listed_roles() {
    let server = server().await;
    me(&server).await;
    lookup(
        &server,
        "ann@example.com",
        vec![listed(json!([4, 2]), true)],
    )
    .await;
    let update = server
        .mock_async(|when, then| {
            request(when, PUT, "/api/v2/users/42", AUTH, &[]).json_body(json!({
                "FirstName": "Ann", "LastName": "Old", "Email": "ANN@example.com",
                "IsActive": false,
                "Roles": [{"OrganisationId": 1, "Roles": [4, 2]}]
            }));
            then.status(200);
        })
        .await;
    let report = provisioner(&server).deactivate("ann@example.com").await;
    update.assert_calls_async(1).await;
    assert!(
        matches!(report.outcome(V), Some(Outcome::Deactivated)),
        "{report:?}"
    );
}

#[tokio::test]
async fn deactivate_without_the_listed_roles_fails_rather_than_reset_them() {
    let server = server().await;
    me(&server).await;
    lookup(
        &server,
        "ann@example.com",
        vec![
            json!({"Items": [{"Id": 42, "Email": "ann@example.com", "IsActive": true,
                               "Roles": null}], "TotalItemCount": 1}),
        ],
    )
    .await;
    let update = server
        .mock_async(|when, then| {
            when.method(PUT);
            then.status(200);
        })
        .await;
    let report = provisioner(&server).deactivate("ann@example.com").await;
    update.assert_calls_async(0).await;
    let Some(Outcome::Failed(err)) = report.outcome(V) else {
        panic!("{report:?}");
    };
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert!(err.to_string().contains("no roles"), "{err}");
}
