//! The veo fake.
//!
//! Driven through the generated client (`roster::veo::Client`), raw HTTP where the client
//! cannot send the mistake, and the facade (`roster::Provisioner`).

use roster::veo::prelude::*;
use roster::veo::{Client, Role, types};
use roster::{Member, Outcome, Provisioner, Vendor};
use roster_sandbox::Sandbox;

use serde_json::{Value, json};

use crate::support::error_of;

const V: Vendor = Vendor::Veo;
const ORG: i64 = 1;

fn org() -> Option<types::OrganisationId> {
    Some(types::OrganisationId(ORG.to_string()))
}

/// A listed or created user's id as the number the fake gives.
fn num(id: &Option<types::AnyUserId>) -> i64 {
    match id {
        Some(types::AnyUserId::Int64(n)) => *n,
        other => panic!("a numeric id, got {other:?}"),
    }
}

/// A listed user's role ids in the (only) organisation.
fn roles_of(user: &types::UserSummary) -> Vec<types::RoleId> {
    let entry = &user.roles.as_ref().expect("roles")[0];
    assert_eq!(
        entry.organisation_id,
        Some(types::AnyOrganisationId::Int64(ORG))
    );
    entry.roles.clone().expect("role ids")
}

fn items(page: &types::UserPage) -> &[types::UserSummary] {
    page.items.as_deref().expect("Items")
}

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
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        email: Some(email.into()),
        password: Some("password123456789".into()),
        organisation_id: org(),
        roles: Role::for_member(false),
        is_active: Some(true),
        region_id: Some(74),
        accepts_privacy_policy: Some(true),
        accepts_terms_and_conditions: Some(true),
    }
}

fn invitee(email: &str, admin: bool) -> types::Invitee {
    types::Invitee {
        email: Some(email.into()),
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
        .organisation_id(ORG.to_string())
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
        body.0,
        json!({"Message": "Authorization has been denied for this request."})
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
async fn bodies_are_held_to_the_spec_and_nothing_stricter() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let auth = bearer(&sandbox);
    let post = |body: String| {
        let sandbox = &sandbox;
        let auth = auth.clone();
        async move {
            raw(
                sandbox,
                reqwest::Method::POST,
                "/api/users/create",
                Some(&auth),
                Some("application/json"),
                &body,
            )
            .await
        }
    };
    // A value of the wrong JSON type is not coerced; an explicit null is refused (no request
    // field is nullable): one ModelState entry each.
    let (status, body) = post(
        json!({"OrganisationId": "1", "IsActive": "true", "RegionId": "74", "FirstName": null})
            .to_string(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["Message"], "The request is invalid.");
    let state = body["ModelState"].as_object().expect("ModelState");
    assert_eq!(
        state.keys().map(String::as_str).collect::<Vec<_>>(),
        ["model.FirstName"],
        "a null is refused before binding: {body}"
    );
    let (status, body) =
        post(json!({"OrganisationId": "1", "IsActive": "true", "RegionId": "74"}).to_string())
            .await;
    assert_eq!(status, 400, "{body}");
    for key in ["model.IsActive", "model.RegionId"] {
        assert!(body["ModelState"][key].is_array(), "{key} in {body}");
    }
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
    // VEO marks no create field required: an organisation alone creates a user, answered
    // with a bare id. OrganisationId is read as a string (the documented type) or a number
    // (VEO's example), and property names bind ignoring case, as Json.NET binds them.
    let (status, body) = post(json!({"OrganisationId": "1"}).to_string()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.is_i64(), "a bare id: {body}");
    let (status, body) = post(
        json!({"firstname": "Lo", "LASTNAME": "Wercase", "email": "lo@example.com",
               "password": "x", "organisationId": 1, "roles": [4], "RegionId": 9999})
        .to_string(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.is_i64(), "a bare id: {body}");
    // Roles VEO keeps to itself ("reserved for VEO team members"): the caller may not grant
    // them.
    let mut bad = new_user("b@example.com", "B", "B");
    bad.roles = vec![types::RoleId(1)];
    let (status, body) = error_of(client.create_user().body(bad).send().await);
    assert_eq!(status, 403);
    assert_eq!(
        body.0,
        json!({"Message": "Role 1 cannot be granted through the API."})
    );
    // Another organisation, or none: 403.
    let mut foreign = new_user("c@example.com", "C", "C");
    foreign.organisation_id = Some(types::OrganisationId("2".into()));
    let (status, _) = error_of(client.create_user().body(foreign).send().await);
    assert_eq!(status, 403);
    let (status, _) = post(json!({"Email": "d@example.com"}).to_string()).await;
    assert_eq!(status, 403);
    assert_eq!(sandbox.user_count(V), 2);
}

#[tokio::test]
async fn a_duplicate_create_is_a_409_conflict_on_the_email() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let id = client
        .create_user()
        .body(new_user("maia@example.com", "Maia", "Sanford"))
        .send()
        .await
        .expect("created")
        .into_inner();
    assert!(matches!(id, types::AnyUserId::Int64(n) if n > 0), "{id:?}");
    let (status, body) = error_of(
        client
            .create_user()
            .body(new_user("MAIA@example.com", "Maia", "Again"))
            .send()
            .await,
    );
    assert_eq!(status, 409);
    assert_eq!(
        body.0,
        json!({"Message": "A user with the email address MAIA@example.com already exists."})
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
            organisation_id: org(),
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
    let list = |emails: &[&str]| Some(emails.iter().map(|e| (*e).to_owned()).collect());
    assert_eq!(result.total_invites, Some(4));
    assert_eq!(
        result.success_list,
        list(&["new.person@example.com", "boss@example.com"])
    );
    assert_eq!(result.error_list, list(&["not-an-email"]));
    assert_eq!(
        result.already_in_organisation_list,
        list(&["Member@Example.com"])
    );
    // An empty .NET list is sent as null.
    assert_eq!(result.existing_user_added_membership_to_organisation, None);
    assert_eq!(sandbox.user_count(V), 3);

    // An invitee is listed at once: email, roles, active — no names until they accept.
    let page = search(&client, "boss@example.com").await;
    assert_eq!(page.total_item_count, Some(1));
    let boss = &items(&page)[0];
    assert_eq!(boss.first_name, None);
    assert_eq!(boss.is_active, Some(true));
    let roles: Vec<Role> = roles_of(boss).iter().map(Role::from).collect();
    assert_eq!(roles, [Role::User, Role::OrganisationAdmin]);
    // The existing member now has the admin right asked for.
    let page = search(&client, "member@example.com").await;
    let member = &items(&page)[0];
    assert!(roles_of(member).contains(&types::RoleId(2)));
    assert_eq!(member.first_name.as_deref(), Some("Mem"));

    // Invited again without the admin flag: already in, right withdrawn.
    let again = client
        .invite_users()
        .body(types::InviteRequest {
            organisation_id: org(),
            users: vec![invitee("boss@example.com", false)],
        })
        .send()
        .await
        .expect("invited")
        .into_inner();
    assert_eq!(
        again.already_in_organisation_list,
        list(&["boss@example.com"])
    );
    assert_eq!((again.success_list, again.error_list), (None, None));
    let page = search(&client, "boss@example.com").await;
    assert_eq!(roles_of(&items(&page)[0]), [types::RoleId(4)]);

    // Another organisation: 403. An invitee without an Email (VEO marks none required) is
    // answered in ErrorList; a null Email is refused.
    let (status, _) = error_of(
        client
            .invite_users()
            .body(types::InviteRequest {
                organisation_id: Some(types::OrganisationId("7".into())),
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
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"TotalInvites": 1, "SuccessList": null, "ErrorList": [""],
               "AlreadyInOrganisationList": null,
               "ExistingUserAddedMembershipToOrganisation": null})
    );
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::POST,
        "/api/userinvites/multiple",
        Some(&bearer(&sandbox)),
        Some("application/json"),
        r#"{"OrganisationId": 1, "Users": [{"Email": null}]}"#,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["ModelState"]["model.Email"].is_array(), "{body}");
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
        ids.push(num(&Some(id)));
    }
    // Page by page to the last: 10, 10, 5, then an empty page.
    let mut seen = Vec::new();
    for number in 1..=4i32 {
        let page = client
            .list_users()
            .organisation_id(ORG.to_string())
            .page_size(10)
            .page_number(number)
            .send()
            .await
            .expect("listed")
            .into_inner();
        assert_eq!(page.total_item_count, Some(25));
        assert_eq!(page.page, Some(number));
        assert_eq!(page.page_size, Some(10));
        assert_eq!(items(&page).len(), [10, 10, 5, 0][number as usize - 1]);
        seen.extend(items(&page).iter().map(|u| num(&u.id)));
    }
    assert_eq!(seen, ids, "creation order");
    let newest_first = client
        .list_users()
        .order_by_direction(true)
        .page_size(3)
        .send()
        .await
        .expect("listed")
        .into_inner();
    let newest: Vec<i64> = items(&newest_first).iter().map(|u| num(&u.id)).collect();
    assert_eq!(newest, [ids[24], ids[23], ids[22]]);
    // Search: a substring of names or email; an address is matched whole.
    assert_eq!(search(&client, "l1").await.total_item_count, Some(10));
    assert_eq!(
        num(&items(&search(&client, "P07@EXAMPLE.COM").await)[0].id),
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
            organisation_id: Some(ORG),
            roles: Role::for_member(true),
        }],
    };
    let response = client
        .update_user()
        .user_id(ids[3].to_string())
        .body(update.clone())
        .send()
        .await
        .expect("updated");
    assert_eq!(response.status(), 200);
    let page = search(&client, "lisette@example.com").await;
    let user = &items(&page)[0];
    assert_eq!(num(&user.id), ids[3]);
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
            .user_id(ids[3].to_string())
            .body(taken)
            .send()
            .await,
    );
    assert_eq!(status, 409);
    assert!(body.0["Message"].is_string());
    let mut elsewhere = update.clone();
    elsewhere.roles[0].organisation_id = Some(99);
    let (status, _) = error_of(
        client
            .update_user()
            .user_id(ids[3].to_string())
            .body(elsewhere)
            .send()
            .await,
    );
    assert_eq!(status, 403);

    client
        .delete_user()
        .id(ids[3].to_string())
        .send()
        .await
        .expect("deleted");
    assert_eq!(sandbox.user_count(V), 24);
    let (status, body) = error_of(client.delete_user().id(ids[3].to_string()).send().await);
    assert_eq!(
        (status, body.0),
        (404, json!({"Message": "User not found"}))
    );
    let (status, _) = error_of(
        client
            .update_user()
            .user_id(ids[3].to_string())
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
async fn query_values_are_held_to_their_types_and_nothing_stricter() {
    let sandbox = sandbox().await;
    let auth = bearer(&sandbox);
    let get = |path: String| {
        let sandbox = &sandbox;
        let auth = auth.clone();
        async move { raw(sandbox, reqwest::Method::GET, &path, Some(&auth), None, "").await }
    };
    // Not an integer, not a boolean (VEO types orderByDirection bool; ASC/DESC is a
    // third-party client's guess): 400.
    for query in [
        "pageSize=ten",
        "pageNumber=1.5",
        "pageSize=",
        "pageSize=2147483648",
        "orderByDirection=sideways",
        "orderByDirection=DESC",
    ] {
        let (status, body) = get(format!("/api/users/get-all?{query}")).await;
        assert_eq!(status, 400, "{query}");
        assert!(body["ModelState"].is_object(), "{query}: {body}");
    }
    // Any int32 is a page size or number to the spec: below 1, the page holds no users.
    for query in [
        "pageSize=0",
        "pageNumber=-1",
        "pageNumber=-2147483648&pageSize=2147483647",
    ] {
        let (status, body) = get(format!("/api/users/get-all?{query}")).await;
        assert_eq!((status, &body["Items"]), (200, &json!([])), "{query}");
    }
    // Any text is an organisation id to the spec: one not ours is 403.
    for query in ["organisationId=2", "organisationId=x"] {
        let (status, _) = get(format!("/api/users/get-all?{query}")).await;
        assert_eq!(status, 403, "{query}");
    }
    // Parameter names bind ignoring case.
    let (status, body) =
        get("/api/users/get-all?PAGESIZE=5&PageNumber=2&orderbydirection=True".into()).await;
    assert_eq!(
        (status, &body["PageSize"], &body["Page"]),
        (200, &json!(5), &json!(2))
    );
    // `id` is required to delete; an id that is no user's, number or not, is 404.
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
    for path in ["/api/user?id=abc", "/api/user?id=424242"] {
        let (status, _) = raw(
            &sandbox,
            reqwest::Method::DELETE,
            path,
            Some(&auth),
            None,
            "",
        )
        .await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::PUT,
        "/api/v2/users/abc",
        Some(&auth),
        Some("application/json"),
        r#"{"Roles": [{"OrganisationId": 1, "Roles": [4]}]}"#,
    )
    .await;
    assert_eq!(status, 404, "{body}");
    // Roles are the one update field VEO calls required.
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::PUT,
        "/api/v2/users/424242",
        Some(&auth),
        Some("application/json"),
        r#"{"FirstName": "X"}"#,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["ModelState"]["model.Roles"].is_array(), "{body}");
}

#[tokio::test]
async fn updates_and_deletes_answer_200_without_a_body() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let auth = bearer(&sandbox);
    let id = num(&Some(
        client
            .create_user()
            .body(new_user("u@example.com", "U", "Ser"))
            .send()
            .await
            .expect("created")
            .into_inner(),
    ));
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::PUT,
        &format!("/api/v2/users/{id}"),
        Some(&auth),
        Some("application/json"),
        r#"{"Roles": [{"OrganisationId": 1, "Roles": [4]}]}"#,
    )
    .await;
    assert_eq!((status, body), (200, Value::Null), "no body");
    let (status, body) = raw(
        &sandbox,
        reqwest::Method::DELETE,
        &format!("/api/user?id={id}"),
        Some(&auth),
        None,
        "",
    )
    .await;
    assert_eq!((status, body), (200, Value::Null), "no body");
    assert_eq!(sandbox.user_count(V), 0);
}

#[tokio::test]
async fn me_names_the_organisation_the_facade_uses_and_regions_list() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let me = client.get_me().send().await.expect("me").into_inner();
    let org = &me.organisations.expect("organisations")[0];
    assert_eq!(org.id, Some(types::AnyOrganisationId::Int64(ORG)));
    assert!(
        org.roles
            .iter()
            .flatten()
            .any(|r| Role::from(r) == Role::OrganisationAdmin)
    );
    let regions = client
        .list_regions()
        .send()
        .await
        .expect("regions")
        .into_inner();
    assert!(regions.iter().any(|r| r.id == Some(74)));
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
    // ensure does not reactivate: it never sends IsActive, and the member does not mention it.
    let before = writes(&sandbox);
    let back = provisioner.ensure(&member).await;
    assert!(
        matches!(back.outcome(V), Some(Outcome::Unchanged)),
        "{back:?}"
    );
    assert_eq!(writes(&sandbox), before, "no write");
    let account = provisioner.find("dana@example.com").await[0]
        .1
        .clone()
        .expect("found")
        .expect("some");
    assert_eq!(account.active, Some(false));
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
