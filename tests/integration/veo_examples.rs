//! Every request VEO's users document (`veo-users-api.txt`) shows, sent through the generated
//! client against httpmock: method, path, query, `Authorization: Bearer ..` and the JSON body
//! on the wire; and the answers VEO documents or ASP.NET sends (`null` lists, an update
//! answered 204 or 200 with no body, a create answered with a bare id).
//!
//! Where the wire differs from the document's example it is deliberate and asserted:
//! `OrganisationId` is sent as the documented type (string) where the tables type it string
//! (invite, create, list), and as a number inside an update's `OrganisationRole` (typed long);
//! an empty `Communities` list is left out (the generated client omits empty optional lists).

use httpmock::Method::{DELETE, GET, POST, PUT};
use httpmock::MockServer;
use roster_tests::{TOKEN, request, server};
use roster_veo::prelude::*;
use roster_veo::{Role, types};
use serde_json::json;

const AUTH: &str = "Bearer tok_5ecret_value_0123456789";

fn client(server: &MockServer) -> Client {
    Client::new(&server.base_url(), TOKEN).expect("loopback base URL is accepted")
}

fn org() -> Option<types::OrganisationId> {
    Some(types::OrganisationId("1".into()))
}

fn invite() -> types::InviteRequest {
    types::InviteRequest {
        organisation_id: org(),
        users: vec![types::Invitee {
            email: Some("jane.doe@example.com".into()),
            is_org_admin: Some(true),
            communities: vec![],
        }],
    }
}

/// `POST /api/userinvites/multiple` with `{"OrganisationId", "Users": [{"Email",
/// "IsOrgAdmin": true, "Communities": []}]}`, answered with every list `null` (ASP.NET's
/// empty lists), then with lists left out, then with the member listed.
#[tokio::test]
async fn invite_users_as_documented_and_answers_with_null_lists() {
    let server = server().await;
    for (answer, success) in [
        (
            json!({"TotalInvites": 1, "SuccessList": null, "ErrorList": null,
                   "AlreadyInOrganisationList": null,
                   "ExistingUserAddedMembershipToOrganisation": null}),
            None,
        ),
        (json!({"TotalInvites": 0}), None),
        (
            json!({"TotalInvites": 1, "SuccessList": ["jane.doe@example.com"], "ErrorList": null}),
            Some(vec!["jane.doe@example.com".to_owned()]),
        ),
    ] {
        let mock = server
            .mock_async(|when, then| {
                request(when, POST, "/api/userinvites/multiple", AUTH, &[])
                    .header("content-type", "application/json")
                    .json_body(json!({
                        "OrganisationId": "1",
                        "Users": [{"Email": "jane.doe@example.com", "IsOrgAdmin": true}]
                    }));
                then.status(200).json_body(answer.clone());
            })
            .await;
        let result = client(&server)
            .invite_users()
            .body(invite())
            .send()
            .await
            .expect("200")
            .into_inner();
        mock.assert_async().await;
        assert_eq!(result.success_list, success, "{answer}");
        assert_eq!(result.error_list, None, "{answer}");
        assert_eq!(result.already_in_organisation_list, None, "{answer}");
        assert_eq!(
            result.existing_user_added_membership_to_organisation, None,
            "{answer}"
        );
        mock.delete_async().await;
    }
}

/// `POST /api/users/create` with the Maia Sanford body, answered `200 OK` "with the body being
/// the new users ID": a bare number, or a bare string.
#[tokio::test]
async fn create_user_with_the_documented_body_and_a_bare_id_answer() {
    let server = server().await;
    for (answer, id) in [
        ("50469", types::AnyUserId::Int64(50469)),
        (" \"50469\" ", types::AnyUserId::String("50469".into())),
    ] {
        let mock = server
            .mock_async(|when, then| {
                request(when, POST, "/api/users/create", AUTH, &[])
                    .header("content-type", "application/json")
                    .json_body(json!({
                        "FirstName": "Maia",
                        "LastName": "Sanford",
                        "Email": "Randall95@hotmail.com",
                        "IsActive": true,
                        "Roles": [4],
                        "OrganisationId": "1",
                        "Password": "password123456789",
                        "RegionId": 74,
                        "AcceptsPrivacyPolicy": true,
                        "AcceptsTermsAndConditions": true
                    }));
                then.status(200)
                    .header("content-type", "application/json; charset=utf-8")
                    .body(answer);
            })
            .await;
        let got = client(&server)
            .create_user()
            .body(types::UserCreate {
                first_name: Some("Maia".into()),
                last_name: Some("Sanford".into()),
                email: Some("Randall95@hotmail.com".into()),
                is_active: Some(true),
                roles: Role::for_member(false),
                organisation_id: org(),
                password: Some("password123456789".into()),
                region_id: Some(74),
                accepts_privacy_policy: Some(true),
                accepts_terms_and_conditions: Some(true),
            })
            .send()
            .await
            .expect("200")
            .into_inner();
        mock.assert_async().await;
        assert_eq!(got, id, "{answer}");
        mock.delete_async().await;
    }
}

/// `PUT /api/v2/users/{userId}` with the Lisette Reinger body, answered 200 with no body, 204,
/// and 200 with a body that is not read.
#[tokio::test]
async fn update_user_with_the_documented_body_and_bodiless_answers() {
    let server = server().await;
    for (status, body) in [(200, ""), (204, ""), (200, "true")] {
        let mock = server
            .mock_async(|when, then| {
                request(when, PUT, "/api/v2/users/50469", AUTH, &[])
                    .header("content-type", "application/json")
                    .json_body(json!({
                        "FirstName": "Lisette",
                        "LastName": "Reinger",
                        "Email": "Magdalen45@hotmail.com",
                        "IsActive": true,
                        "Roles": [{"OrganisationId": 1, "Roles": [4]}]
                    }));
                then.status(status).body(body);
            })
            .await;
        let response = client(&server)
            .update_user()
            .user_id("50469")
            .body(types::UserUpdate {
                first_name: Some("Lisette".into()),
                last_name: Some("Reinger".into()),
                email: Some("Magdalen45@hotmail.com".into()),
                password: None,
                is_active: Some(true),
                roles: vec![types::OrganisationRole {
                    organisation_id: Some(1),
                    roles: Role::for_member(false),
                }],
            })
            .send()
            .await
            .unwrap_or_else(|e| panic!("{status} {body:?}: {e}"));
        mock.assert_async().await;
        assert_eq!(response.status(), status);
        mock.delete_async().await;
    }
}

/// `DELETE /api/user?id=50469`, answered `200 OK` with no body.
#[tokio::test]
async fn delete_user_as_documented() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(when, DELETE, "/api/user", AUTH, &[("id", "50469")]).body("");
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

/// `GET /api/users/get-all?searchTerm=John&pageNumber=1&organisationId=1&pageSize=10`.
#[tokio::test]
async fn list_users_with_the_documented_query() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            request(
                when,
                GET,
                "/api/users/get-all",
                AUTH,
                &[
                    ("searchTerm", "John"),
                    ("pageNumber", "1"),
                    ("organisationId", "1"),
                    ("pageSize", "10"),
                ],
            );
            then.status(200).json_body(json!({
                "Items": [{"Id": 50469, "FirstName": "John", "Email": "john@example.com"}],
                "Page": 1, "PageSize": 10, "TotalItemCount": 1
            }));
        })
        .await;
    let page = client(&server)
        .list_users()
        .search_term("John")
        .page_number(1)
        .organisation_id("1")
        .page_size(10)
        .send()
        .await
        .expect("200")
        .into_inner();
    mock.assert_async().await;
    let items = page.items.expect("Items");
    assert_eq!(items[0].id, Some(types::AnyUserId::Int64(50469)));
    assert_eq!(items[0].first_name.as_deref(), Some("John"));
    assert_eq!(page.total_item_count, Some(1));
}
