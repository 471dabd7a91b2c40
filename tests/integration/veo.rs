//! roster-veo against httpmock: Bearer auth, PascalCase bodies on the wire, the invite answer's
//! four lists, page-by-page listing to the end, typed roles, secrets, errors.

use std::num::NonZeroU32;

use httpmock::Method::{DELETE, GET, POST, PUT};
use httpmock::MockServer;
use roster_tests::{TOKEN, assert_no_secret, request, server};
use roster_veo::prelude::*;
use roster_veo::{Error, Role, types};
use serde_json::json;

const AUTH: &str = "Bearer tok_5ecret_value_0123456789";

fn client(server: &MockServer) -> Client {
    Client::new(&server.base_url(), TOKEN).expect("loopback base URL is accepted")
}

#[tokio::test]
async fn invite_answer_splitting_emails_across_all_four_lists_is_read_back_exactly() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, POST, "/api/userinvites/multiple", AUTH, &[])
                .header("content-type", "application/json")
                .json_body(json!({
                    "OrganisationId": 1,
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
        email: email.into(),
        is_org_admin: admin,
        communities,
    };
    let result = client(&server)
        .invite_users()
        .body(types::InviteRequest {
            organisation_id: types::OrganisationId(1),
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
            total_invites: 4,
            success_list: vec!["new@example.com".into()],
            error_list: vec!["not-an-email".into()],
            already_in_organisation_list: vec!["member@example.com".into()],
            existing_user_added_membership_to_organisation: vec!["elsewhere@example.com".into()],
        }
    );
}

#[tokio::test]
async fn create_user_posts_the_documented_body_and_reads_the_bare_id() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, POST, "/api/users/create", AUTH, &[]).json_body(json!({
                "FirstName": "Maia", "LastName": "Sanford", "Email": "Randall95@hotmail.com",
                "IsActive": true, "Roles": [4, 2], "OrganisationId": 1,
                "Password": "password123456789", "RegionId": 74,
                "AcceptsPrivacyPolicy": true, "AcceptsTermsAndConditions": true
            }));
            then.status(200).body("50469");
        })
        .await;
    let body = types::UserCreate {
        first_name: "Maia".into(),
        last_name: "Sanford".into(),
        email: "Randall95@hotmail.com".into(),
        is_active: Some(true),
        roles: Role::for_member(true),
        organisation_id: types::OrganisationId(1),
        password: "password123456789".into(),
        region_id: Some(74),
        accepts_privacy_policy: Some(true),
        accepts_terms_and_conditions: Some(true),
    };
    assert_no_secret(&format!("{body:?}"), &["password123456789"]);
    let id = client(&server)
        .create_user()
        .body(body)
        .send()
        .await
        .expect("200")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(id, types::UserId(50469));
}

#[tokio::test]
async fn update_user_puts_roles_per_organisation() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, PUT, "/api/v2/users/50469", AUTH, &[]).json_body(json!({
                "FirstName": "Lisette", "LastName": "Reinger", "Email": "Magdalen45@hotmail.com",
                "IsActive": false,
                "Roles": [{"OrganisationId": 1, "Roles": [4]}]
            }));
            then.status(200);
        })
        .await;
    let response = client(&server)
        .update_user()
        .user_id(types::UserId(50469))
        .body(types::UserUpdate {
            first_name: Some("Lisette".into()),
            last_name: Some("Reinger".into()),
            email: Some("Magdalen45@hotmail.com".into()),
            password: None,
            is_active: Some(false),
            roles: vec![types::OrganisationRole {
                organisation_id: types::OrganisationId(1),
                roles: Role::for_member(false),
            }],
        })
        .send()
        .await
        .expect("200");
    mock.assert_async().await;
    assert_eq!(response.status(), 200);
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
    client(&server)
        .delete_user()
        .id(types::UserId(50469))
        .send()
        .await
        .expect("200");
    mock.assert_async().await;
}

fn summary(id: i64) -> serde_json::Value {
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
                            ("orderByDirection", "desc"),
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
    let page_size = NonZeroU32::new(2).expect("non-zero");
    let mut page_number = NonZeroU32::MIN;
    let mut seen = Vec::new();
    let mut roles = Vec::new();
    loop {
        let page = client
            .list_users()
            .search_term("John")
            .organisation_id(1)
            .page_size(page_size)
            .page_number(page_number)
            .order_by_direction(types::OrderDirection::Desc)
            .send()
            .await
            .expect("200")
            .into_inner();
        for user in &page.items {
            seen.push(user.id.0);
            roles.extend(
                user.roles
                    .iter()
                    .flat_map(|r| r.roles.iter().map(Role::from)),
            );
        }
        let total = page.total_item_count.expect("total") as u64;
        if page.items.is_empty() || u64::from(page_number.get() * page_size.get()) >= total {
            break;
        }
        page_number = page_number.checked_add(1).expect("fits");
    }
    assert_eq!(seen, [1, 2, 3, 4, 5]);
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
async fn me_and_regions_are_read_permissively() {
    let server = server().await;
    let me = server
        .mock_async(|when, then| {
            request(when, GET, "/api/me", AUTH, &[]);
            then.status(200).json_body(json!({
                "Id": 1001, "Email": "ada@example.com", "Unknown": {"x": 1},
                "Organisations": [{"Id": 1, "Name": "Acme Academy", "Roles": [4, 2]}]
            }));
        })
        .await;
    let regions = server
        .mock_async(|when, then| {
            request(when, GET, "/api/regions", AUTH, &[]);
            then.status(200)
                .json_body(json!([{"Id": 74, "Name": "United Kingdom"}, {"Id": 75, "Name": null}]));
        })
        .await;
    let client = client(&server);
    let me_value = client.get_me().send().await.expect("200").into_inner();
    assert_eq!(me_value.id, Some(types::UserId(1001)));
    let org = &me_value.organisations[0];
    assert_eq!(org.id, Some(types::OrganisationId(1)));
    assert_eq!(
        org.roles.iter().map(Role::from).collect::<Vec<_>>(),
        [Role::User, Role::OrganisationAdmin]
    );
    let list = client
        .list_regions()
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(list.iter().map(|r| r.id).collect::<Vec<_>>(), [74, 75]);
    assert_eq!(list[1].name, None);
    me.assert_async().await;
    regions.assert_async().await;
}

#[tokio::test]
async fn validation_errors_carry_the_model_state() {
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
            organisation_id: types::OrganisationId(2),
            users: vec![],
        })
        .send()
        .await
        .expect_err("400");
    let Error::ErrorResponse(body) = &err else {
        panic!("typed 400: {err:?}")
    };
    assert_eq!(body.status(), 400);
    assert_eq!(body.message.as_deref(), Some("The request is invalid."));
    assert_eq!(
        body.model_state["model.OrganisationId"],
        ["You are not an administrator of this organisation."]
    );
    assert_no_secret(&format!("{err} {err:?}"), &[]);
}

#[tokio::test]
async fn an_expired_token_is_a_typed_401() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            request(when, GET, "/api/me", AUTH, &[]);
            then.status(401)
                .json_body(json!({"Message": "Authorization has been denied for this request."}));
        })
        .await;
    let err = client(&server).get_me().send().await.expect_err("401");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert!(!err.is_retryable());
}

#[test]
fn default_base_url_and_redacted_client() {
    assert_eq!(roster_veo::DEFAULT_BASE_URL, "https://api.veo.co.uk");
    let client = Client::new(roster_veo::DEFAULT_BASE_URL, TOKEN).expect("valid");
    assert_no_secret(&format!("{client:?}"), &[]);
}
