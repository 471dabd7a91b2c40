//! Onboards a small team into Vectera with `roster-vectera`, against a local mock of Vectera's
//! API on 127.0.0.1 (no account or network needed): look up the admin's organization, skip
//! people who already exist, create the others as managed users, and hand each a one-time
//! login link to the scheduling page.
//!
//! `cargo run -p roster-tests --example onboard`
//!
//! For a whole team in all three vendors, see the `roster` CLI
//! (`cargo run -p roster-cli -- --sandbox provision examples/team.csv`).

use httpmock::Method::{GET, POST};
use roster_vectera::prelude::*;
use roster_vectera::{Client, ClientLoginExtraExt, types};
use serde_json::json;

const ORG: &str = "3f6c2a1e-8b4d-4c2e-9a7f-1d2e3f4a5b6c";
const TEAM: [(&str, &str, &str); 3] = [
    ("Ann", "Smith", "ann@example.com"),
    ("Bob", "Jones", "bob@example.com"),
    ("Steve", "Jobs", "steve@example.com"),
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let vectera = mock_vectera().await;
    let client = Client::new(&vectera.base_url(), "demo-admin-token")?;

    let me = client.get_user().id("me").send().await?.into_inner();
    let org = me
        .organization_id
        .ok_or("the admin belongs to no organization")?;
    println!(
        "admin {} <{}> onboards into organization {org}",
        me.first_name.as_deref().unwrap_or("?"),
        me.email.as_deref().unwrap_or("?")
    );

    for (first, last, email) in TEAM {
        // Vectera does not document its list shape: a DRF page or a bare array.
        let existing = match client.list_users().search(email).send().await?.into_inner() {
            types::UserList::UserPage(page) => page.results.ok_or("a page without results")?,
            types::UserList::Array(users) => users,
        };
        let found = existing
            .into_iter()
            .find(|u| u.email.as_deref() == Some(email));
        let user = match found {
            Some(user) => {
                println!(
                    "  unchanged  {email} (user {})",
                    user.id.as_deref().unwrap_or("?")
                );
                user
            }
            None => {
                let user = client
                    .create_user()
                    .body_map(|b| {
                        b.first_name(first)
                            .last_name(Some(last.to_owned()))
                            .email(email)
                            .organization_id(org.clone())
                            .is_managed(Some(true))
                    })
                    .send()
                    .await?
                    .into_inner();
                println!(
                    "  created    {email} (user {})",
                    user.id.as_deref().unwrap_or("?")
                );
                user
            }
        };
        let id = user.id.ok_or("Vectera answered a user without an id")?;
        let link = client.login_link(&id, Some("/scheduling/")).await?;
        // A login link is a credential: show only that one was made.
        println!(
            "             login link ready ({} chars, valid once within a minute)",
            link.expose().len()
        );
    }
    Ok(())
}

/// A canned Vectera on loopback: Steve exists already, everyone else is new.
async fn mock_vectera() -> httpmock::MockServer {
    let server = httpmock::MockServer::start_async().await;
    // Vectera's ids are UUID strings.
    let user = |id: u32, first: &str, email: &str| json!({"id": format!("8d077d9b-528d-4d4c-bfe8-{id:012}"), "firstName": first, "email": email, "organizationId": ORG, "isManaged": true});
    server
        .mock_async(|when, then| {
            when.method(GET).path("/users/me/");
            then.status(200)
                .json_body(user(1, "Ada", "ada@example.com"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/users/")
                .query_param("search", "steve@example.com");
            then.status(200).json_body(json!({
                "count": 1, "next": null, "previous": null,
                "results": [user(42, "Steve", "steve@example.com")]
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/users/");
            then.status(200)
                .json_body(json!({"count": 0, "next": null, "previous": null, "results": []}));
        })
        .await;
    for (id, (first, _, email)) in (100..).zip(TEAM) {
        server
            .mock_async(|when, then| {
                when.method(POST)
                    .path("/users/")
                    .json_body_includes(json!({"email": email}).to_string());
                then.status(201).json_body(user(id, first, email));
            })
            .await;
    }
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path_matches(r"^/users/[0-9a-f-]+/loginTokens/$");
            then.status(201)
                .json_body(json!({"url": "https://www.vectera.com/login/?token=demo0123456789"}));
        })
        .await;
    server
}
