//! The veo fake.
//!
//! Driven through the generated client (`roster::veo::Client`), raw HTTP where the client
//! cannot send the mistake, and the facade (`roster::Provisioner`).

use std::num::NonZeroU32;

use roster::veo::prelude::*;
use roster::veo::{Client, Role, types};
use roster::{Member, Outcome, Provisioner, Vendor};
use roster_sandbox::Sandbox;

use serde_json::{Value, json};

use crate::support::error_of;

const V: Vendor = Vendor::Veo;
const ORG: i64 = 1;

async fn sandbox() -> Sandbox {
    Sandbox::start().await.expect("the sandbox starts")
}

fn client(sandbox: &Sandbox) -> Client {
    Client::new(&sandbox.base_url(V), sandbox.token(V)).expect("a loopback URL is accepted")
}

/// A provisioner for the VEO fake alone.
fn provisioner(sandbox: &Sandbox) -> Provisioner {
    crate::support::provisioner(sandbox, V)
}

fn new_user(email: &str, first: &str, last: &str) -> types::UserCreate {
    types::UserCreate {
        first_name: first.into(),
        last_name: last.into(),
        email: email.into(),
        password: "password123456789".into(),
        organisation_id: types::OrganisationId(ORG),
        roles: Role::for_member(false),
        is_active: Some(true),
        region_id: Some(74),
        accepts_privacy_policy: Some(true),
        accepts_terms_and_conditions: Some(true),
    }
}

fn invitee(email: &str, admin: bool) -> types::Invitee {
    types::Invitee {
        email: email.into(),
        is_org_admin: Some(admin),
        communities: Vec::new(),
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

fn bearer(sandbox: &Sandbox) -> String {
    format!("Bearer {}", sandbox.token(V))
}

async fn search(client: &Client, term: &str) -> types::UserPage {
    client
        .list_users()
        .search_term(term)
        .organisation_id(ORG)
        .send()
        .await
        .expect("listed")
        .into_inner()
}

#[tokio::test]
async fn a_wrong_or_missing_token_gets_401_and_the_aspnet_message() {
    let sandbox = sandbox().await;
    let wrong = Client::new(&sandbox.base_url(V), "not-the-token").expect("valid");
    let (status, body) = error_of(wrong.get_me().send().await);
    assert_eq!(status, 401);
    assert_eq!(
        body.message.as_deref(),
        Some("Authorization has been denied for this request.")
    );
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::GET,
        "/api/regions",
        None,
        None,
        "",
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        body["Message"],
        "Authorization has been denied for this request."
    );
    // The raw token without its scheme is refused.
    let token = sandbox.token(V).to_owned();
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::GET,
        "/api/me",
        Some(&token),
        None,
        "",
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::POST,
        "/api/userinvites/multiple",
        Some("Bearer nope"),
        Some("application/json"),
        r#"{"OrganisationId":1,"Users":[{"Email":"x@example.com"}]}"#,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(sandbox.user_count(V), 0);
}

#[tokio::test]
async fn invalid_bodies_get_400_with_model_state() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let (status, body) = error_of(
        client
            .create_user()
            .body(new_user("not-an-email", "Ann", "Lee"))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(body.message.as_deref(), Some("The request is invalid."));
    assert_eq!(
        body.model_state.get("model.Email").map(Vec::as_slice),
        Some(&["The Email field is not a valid e-mail address.".to_owned()][..])
    );

    let auth = bearer(&sandbox);
    // Missing fields: one ModelState entry each.
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::POST,
        "/api/users/create",
        Some(&auth),
        Some("application/json"),
        r#"{"Email": "a@example.com", "OrganisationId": "one"}"#,
    )
    .await;
    assert_eq!(status, 400);
    let state = body["ModelState"].as_object().expect("ModelState");
    for key in [
        "model.FirstName",
        "model.LastName",
        "model.Password",
        "model.Roles",
        "model.OrganisationId",
    ] {
        assert!(state.contains_key(key), "{key} in {body}");
    }
    assert_eq!(
        state["model.FirstName"][0],
        "The FirstName field is required."
    );
    // Malformed JSON, a JSON array, an empty body, another media type.
    for (content_type, payload, key) in [
        (Some("application/json"), "{\"Email\": ", Some("model")),
        (Some("application/json"), "[1]", Some("model")),
        (Some("application/json"), "", Some("model")),
        (Some("text/plain"), "{}", None),
        (None, "{}", None),
    ] {
        let (status, body) = raw(
            &sandbox,
            reqwest::Method::POST,
            "/api/users/create",
            Some(&auth),
            content_type,
            payload,
        )
        .await;
        assert_eq!(status, 400, "{payload:?}");
        assert!(body["Message"].is_string(), "{body}");
        if let Some(key) = key {
            assert!(body["ModelState"][key].is_array(), "{body}");
        }
    }
    // Property names bind ignoring case and a numeric string reads as the number, as Json.NET
    // binds them (VEO's docs type OrganisationId as string).
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::POST,
        "/api/users/create",
        Some(&auth),
        Some("application/json"),
        &json!({"firstname": "Lo", "LASTNAME": "Wercase", "email": "lo@example.com",
                "password": "secret-enough", "organisationId": "1", "roles": [4]})
        .to_string(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.is_i64(), "a bare id: {body}");
    // Roles VEO keeps to itself, an unknown region, a short password.
    let mut bad = new_user("b@example.com", "B", "B");
    bad.roles = vec![types::RoleId(1)];
    bad.region_id = Some(9999);
    bad.password = "short".into();
    let (status, body) = error_of(client.create_user().body(bad).send().await);
    assert_eq!(status, 400);
    for key in ["model.Roles", "model.RegionId", "model.Password"] {
        assert!(body.model_state.contains_key(key), "{key}: {body:?}");
    }
    // Another organisation: 403.
    let mut foreign = new_user("c@example.com", "C", "C");
    foreign.organisation_id = types::OrganisationId(2);
    let (status, _) = error_of(client.create_user().body(foreign).send().await);
    assert_eq!(status, 403);
    assert_eq!(sandbox.user_count(V), 1);
}

#[tokio::test]
async fn a_duplicate_create_is_a_400_on_the_email() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let id = client
        .create_user()
        .body(new_user("maia@example.com", "Maia", "Sanford"))
        .send()
        .await
        .expect("created")
        .into_inner();
    assert!(id.0 > 0);
    let (status, body) = error_of(
        client
            .create_user()
            .body(new_user("MAIA@example.com", "Maia", "Again"))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert!(
        body.model_state
            .get("model.Email")
            .is_some_and(|m| m[0].contains("already exists")),
        "{body:?}"
    );
    assert_eq!(sandbox.user_count(V), 1);
}

#[tokio::test]
async fn invitations_sort_emails_into_the_documented_lists() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    client
        .create_user()
        .body(new_user("member@example.com", "Mem", "Ber"))
        .send()
        .await
        .expect("created");
    let result = client
        .invite_users()
        .body(types::InviteRequest {
            organisation_id: types::OrganisationId(ORG),
            users: vec![
                invitee("new.person@example.com", false),
                invitee("not-an-email", false),
                invitee("Member@Example.com", true),
                invitee("boss@example.com", true),
            ],
        })
        .send()
        .await
        .expect("invited")
        .into_inner();
    assert_eq!(result.total_invites, 4);
    assert_eq!(
        result.success_list,
        ["new.person@example.com", "boss@example.com"]
    );
    assert_eq!(result.error_list, ["not-an-email"]);
    assert_eq!(result.already_in_organisation_list, ["Member@Example.com"]);
    assert!(
        result
            .existing_user_added_membership_to_organisation
            .is_empty()
    );
    assert_eq!(sandbox.user_count(V), 3);

    // An invitee is listed at once: email, roles, active — no names until they accept.
    let page = search(&client, "boss@example.com").await;
    assert_eq!(page.total_item_count, Some(1));
    let boss = &page.items[0];
    assert_eq!(boss.first_name, None);
    assert_eq!(boss.is_active, Some(true));
    let roles: Vec<Role> = boss.roles[0].roles.iter().map(Role::from).collect();
    assert_eq!(roles, [Role::User, Role::OrganisationAdmin]);
    // The existing member now has the admin right asked for.
    let member = &search(&client, "member@example.com").await.items[0];
    assert!(member.roles[0].roles.contains(&types::RoleId(2)));
    assert_eq!(member.first_name.as_deref(), Some("Mem"));

    // Invited again without the admin flag: already in, right withdrawn.
    let again = client
        .invite_users()
        .body(types::InviteRequest {
            organisation_id: types::OrganisationId(ORG),
            users: vec![invitee("boss@example.com", false)],
        })
        .send()
        .await
        .expect("invited")
        .into_inner();
    assert_eq!(again.already_in_organisation_list, ["boss@example.com"]);
    let boss = &search(&client, "boss@example.com").await.items[0];
    assert_eq!(boss.roles[0].roles, [types::RoleId(4)]);

    // Another organisation: 403; an invitee without an Email: 400 with ModelState.
    let (status, _) = error_of(
        client
            .invite_users()
            .body(types::InviteRequest {
                organisation_id: types::OrganisationId(7),
                users: vec![invitee("x@example.com", false)],
            })
            .send()
            .await,
    );
    assert_eq!(status, 403);
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::POST,
        "/api/userinvites/multiple",
        Some(&bearer(&sandbox)),
        Some("application/json"),
        r#"{"OrganisationId": 1, "Users": [{"IsOrgAdmin": true}]}"#,
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["ModelState"]["model.Users[0]"].is_array(), "{body}");
    assert_eq!(sandbox.user_count(V), 3);
}

#[tokio::test]
async fn create_update_list_by_pages_and_delete_round_trip() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let mut ids = Vec::new();
    for n in 0..25 {
        let id = client
            .create_user()
            .body(new_user(
                &format!("p{n:02}@example.com"),
                "Page",
                &format!("L{n:02}"),
            ))
            .send()
            .await
            .expect("created")
            .into_inner();
        ids.push(id.0);
    }
    // Page by page to the last: 10, 10, 5, then an empty page.
    let mut seen = Vec::new();
    for number in 1..=4u32 {
        let page = client
            .list_users()
            .organisation_id(ORG)
            .page_size(NonZeroU32::new(10).expect("non-zero"))
            .page_number(NonZeroU32::new(number).expect("non-zero"))
            .send()
            .await
            .expect("listed")
            .into_inner();
        assert_eq!(page.total_item_count, Some(25));
        assert_eq!(page.page, Some(i32::try_from(number).expect("small")));
        assert_eq!(page.page_size, Some(10));
        assert_eq!(page.items.len(), [10, 10, 5, 0][number as usize - 1]);
        seen.extend(page.items.iter().map(|u| u.id.0));
    }
    assert_eq!(seen, ids, "creation order");
    let newest_first = client
        .list_users()
        .order_by_direction(types::OrderDirection::Desc)
        .page_size(NonZeroU32::new(3).expect("non-zero"))
        .send()
        .await
        .expect("listed")
        .into_inner();
    let newest: Vec<i64> = newest_first.items.iter().map(|u| u.id.0).collect();
    assert_eq!(newest, [ids[24], ids[23], ids[22]]);
    // Search: a substring of names or email; an address is matched whole.
    assert_eq!(search(&client, "l1").await.total_item_count, Some(10));
    assert_eq!(
        search(&client, "P07@EXAMPLE.COM").await.items[0].id.0,
        ids[7]
    );
    assert_eq!(
        search(&client, "7@example.com").await.total_item_count,
        Some(0)
    );

    let update = types::UserUpdate {
        first_name: Some("Lisette".into()),
        last_name: Some("Reinger".into()),
        email: Some("lisette@example.com".into()),
        password: None,
        is_active: Some(false),
        roles: vec![types::OrganisationRole {
            organisation_id: types::OrganisationId(ORG),
            roles: Role::for_member(true),
        }],
    };
    let response = client
        .update_user()
        .user_id(types::UserId(ids[3]))
        .body(update.clone())
        .send()
        .await
        .expect("updated");
    assert_eq!(response.status(), 200);
    let user = &search(&client, "lisette@example.com").await.items[0];
    assert_eq!(user.id.0, ids[3]);
    assert_eq!(
        (user.first_name.as_deref(), user.is_active),
        (Some("Lisette"), Some(false))
    );
    assert_eq!(
        search(&client, "p03@example.com").await.total_item_count,
        Some(0)
    );
    // Taking another user's address is refused; roles elsewhere are forbidden.
    let mut taken = update.clone();
    taken.email = Some("p04@example.com".into());
    let (status, body) = error_of(
        client
            .update_user()
            .user_id(types::UserId(ids[3]))
            .body(taken)
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert!(body.model_state.contains_key("model.Email"));
    let mut elsewhere = update.clone();
    elsewhere.roles[0].organisation_id = types::OrganisationId(99);
    let (status, _) = error_of(
        client
            .update_user()
            .user_id(types::UserId(ids[3]))
            .body(elsewhere)
            .send()
            .await,
    );
    assert_eq!(status, 403);

    client
        .delete_user()
        .id(types::UserId(ids[3]))
        .send()
        .await
        .expect("deleted");
    assert_eq!(sandbox.user_count(V), 24);
    let (status, body) = error_of(client.delete_user().id(types::UserId(ids[3])).send().await);
    assert_eq!(
        (status, body.message.as_deref()),
        (404, Some("User not found"))
    );
    let (status, _) = error_of(
        client
            .update_user()
            .user_id(types::UserId(ids[3]))
            .body(update)
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(
        search(&client, "lisette@example.com")
            .await
            .total_item_count,
        Some(0)
    );

    // The facade's listing walks every page.
    use futures::StreamExt;
    let accounts: Vec<_> = provisioner(&sandbox).list(V).collect().await;
    assert_eq!(accounts.len(), 24);
    assert!(accounts.iter().all(Result::is_ok));
}

#[tokio::test]
async fn bad_query_values_get_400_and_another_organisation_403() {
    let sandbox = sandbox().await;
    let auth = bearer(&sandbox);
    for query in [
        "pageSize=0",
        "pageNumber=-1",
        "pageSize=ten",
        "organisationId=x",
        "orderByDirection=sideways",
    ] {
        let (status, body) = raw(
            &sandbox,
            reqwest::Method::GET,
            &format!("/api/users/get-all?{query}"),
            Some(&auth),
            None,
            "",
        )
        .await;
        assert_eq!(status, 400, "{query}");
        assert!(body["ModelState"].is_object(), "{query}: {body}");
    }
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::GET,
        "/api/users/get-all?organisationId=2",
        Some(&auth),
        None,
        "",
    )
    .await;
    assert_eq!(status, 403);
    // Parameter names bind ignoring case; `id` is required to delete.
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::GET,
        "/api/users/get-all?PAGESIZE=5&PageNumber=2",
        Some(&auth),
        None,
        "",
    )
    .await;
    assert_eq!(
        (status, &body["PageSize"], &body["Page"]),
        (200, &json!(5), &json!(2))
    );
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::DELETE,
        "/api/user",
        Some(&auth),
        None,
        "",
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["ModelState"]["id"].is_array());
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::PUT,
        "/api/v2/users/abc",
        Some(&auth),
        Some("application/json"),
        r#"{"Roles": [{"OrganisationId": 1, "Roles": [4]}]}"#,
    )
    .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn me_names_the_organisation_the_facade_uses_and_regions_list() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let me = client.get_me().send().await.expect("me").into_inner();
    let org = &me.organisations[0];
    assert_eq!(org.id, Some(types::OrganisationId(ORG)));
    assert!(
        org.roles
            .iter()
            .any(|r| Role::from(r) == Role::OrganisationAdmin)
    );
    let regions = client
        .list_regions()
        .send()
        .await
        .expect("regions")
        .into_inner();
    assert!(regions.iter().any(|r| r.id == 74));
}

#[tokio::test]
async fn ensure_invites_then_changes_nothing_until_the_member_changes() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    let member = Member::new("dana@example.com", "Dana", "Wu")
        .expect("a member")
        .admin(true);
    let writes = |s: &Sandbox| {
        s.calls(V, "POST /api/userinvites/multiple")
            + s.calls(V, "PUT /api/v2/users/{userId}")
            + s.calls(V, "POST /api/users/create")
            + s.calls(V, "DELETE /api/user")
    };
    let first = provisioner.ensure(&member).await;
    assert!(
        matches!(first.outcome(V), Some(Outcome::Created)),
        "{first:?}"
    );
    assert_eq!(sandbox.calls(V, "POST /api/userinvites/multiple"), 1);
    // The invitation carries no names (VEO's invite has only Email, IsOrgAdmin, Communities;
    // the invitee fills in their own profile): with the roles right there is nothing to write.
    let before = writes(&sandbox);
    let second = provisioner.ensure(&member).await;
    assert!(
        matches!(second.outcome(V), Some(Outcome::Unchanged)),
        "{second:?}"
    );
    assert_eq!(writes(&sandbox), before, "no write");
    // A change of role is written, and then nothing more.
    let member = member.admin(false);
    let third = provisioner.ensure(&member).await;
    assert!(
        matches!(third.outcome(V), Some(Outcome::Updated)),
        "{third:?}"
    );
    assert_eq!(sandbox.calls(V, "PUT /api/v2/users/{userId}"), 1);
    let before = writes(&sandbox);
    let fourth = provisioner.ensure(&member).await;
    assert!(
        matches!(fourth.outcome(V), Some(Outcome::Unchanged)),
        "{fourth:?}"
    );
    assert_eq!(writes(&sandbox), before, "no write");
    assert_eq!(
        sandbox.calls(V, "GET /api/me"),
        1,
        "the organisation is asked once"
    );

    let deactivated = provisioner.deactivate("dana@example.com").await;
    assert!(matches!(deactivated.outcome(V), Some(Outcome::Deactivated)));
    let account = provisioner.find("dana@example.com").await[0]
        .1
        .clone()
        .expect("found")
        .expect("some");
    assert_eq!(account.active, Some(false));
    let again = provisioner.deactivate("dana@example.com").await;
    assert!(matches!(again.outcome(V), Some(Outcome::Unchanged)));
    // ensure reactivates.
    let back = provisioner.ensure(&member).await;
    assert!(matches!(back.outcome(V), Some(Outcome::Updated)));
    let removed = provisioner.remove("dana@example.com").await;
    assert!(matches!(removed.outcome(V), Some(Outcome::Removed)));
    assert_eq!(sandbox.user_count(V), 0);
    let absent = provisioner.remove("dana@example.com").await;
    assert!(matches!(absent.outcome(V), Some(Outcome::Absent)));
}

#[tokio::test]
async fn ensure_all_invites_in_batches_and_settles_to_unchanged() {
    let sandbox = sandbox().await;
    let provisioner = provisioner(&sandbox);
    let members: Vec<Member> = (0..250)
        .map(|n| Member::new(&format!("m{n}@example.com"), "Member", format!("N{n}")).expect("ok"))
        .collect();
    let outcomes = |reports: &[roster::MemberReport], want: fn(&Outcome) -> bool| {
        reports.iter().all(|r| r.outcome(V).is_some_and(want))
    };
    let reports = provisioner.ensure_all(&members).await;
    assert!(outcomes(&reports, |o| matches!(o, Outcome::Created)));
    assert_eq!(sandbox.user_count(V), 250);
    assert_eq!(
        sandbox.calls(V, "POST /api/userinvites/multiple"),
        3,
        "100 a call"
    );
    assert_eq!(
        sandbox.calls(V, "GET /api/users/get-all"),
        250,
        "a look-up each"
    );

    // Invitees fill in their own names: the second run changes nothing and writes nothing.
    let reports = provisioner.ensure_all(&members).await;
    assert!(outcomes(&reports, |o| matches!(o, Outcome::Unchanged)));
    assert_eq!(
        sandbox.calls(V, "PUT /api/v2/users/{userId}"),
        0,
        "no write"
    );
    assert_eq!(
        sandbox.calls(V, "POST /api/userinvites/multiple"),
        3,
        "no write"
    );
    assert_eq!(sandbox.user_count(V), 250);
}
