//! Teams through the Vyte fake: create (extid and name required, members and admins users of
//! the organization, extid unique), list, read, update replacing the member list, delete; the
//! public view without the key; bookings and admin preferences.

use super::*;

/// Creates users `emails` and answers their ids, in order.
async fn users(client: &Client, emails: &[&str]) -> Vec<String> {
    let mut ids = Vec::new();
    for email in emails {
        let created = client
            .create_user()
            .body(create_body(email, "First", "Last"))
            .send()
            .await
            .expect("created")
            .into_inner()
            .0
            .and_then(|e| e.user)
            .and_then(|u| u.id)
            .expect("an _id");
        ids.push(created);
    }
    ids
}

fn create(extid: &str, name: &str, members: &[String]) -> types::TeamCreate {
    types::TeamCreate {
        extid: extid.into(),
        name: name.into(),
        members: Some(members.to_vec().into()),
        admins: None,
        level_name: None,
        organization: None,
        public: None,
    }
}

async fn create_team(client: &Client, body: types::TeamCreate) -> types::Team {
    client
        .create_team()
        .body(body)
        .send()
        .await
        .expect("created")
        .into_inner()
        .0
        .expect("a team")
}

fn members(team: &types::Team) -> Vec<String> {
    team.members.clone().expect("members")
}

#[tokio::test]
async fn a_team_is_created_listed_read_updated_and_deleted() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let ids = users(
        &client,
        &["ann@example.com", "bob@example.com", "cy@example.com"],
    )
    .await;
    let mut body = create("crm-1", "Sales", &ids[..2]);
    body.admins = Some(vec![ids[2].clone()].into());
    body.public = Some(types::TeamPublic::String("false".into()));
    let team = create_team(&client, body).await;
    let id = team.id.clone().expect("an _id");
    assert_eq!(id.len(), 24);
    assert!(!ids.contains(&id), "a team id is never a user's");
    assert_eq!(members(&team), ids[..2]);
    assert_eq!(team.admins.as_deref(), Some(&ids[2..]));
    assert_eq!(team.extid.as_deref(), Some("crm-1"));
    // `public` as it was sent.
    assert_eq!(team.public, Some(types::TeamPublic::String("false".into())));
    assert_eq!(team.v, Some(0));

    let listed = client
        .list_teams()
        .send()
        .await
        .expect("listed")
        .into_inner();
    assert_eq!(listed.0, vec![team.clone()]);
    let read = client
        .get_team()
        .team_id(&id)
        .send()
        .await
        .expect("read")
        .into_inner();
    assert_eq!(read, team);

    // `members` replaces the list; what is not sent stays.
    let update = types::TeamUpdate {
        members: Some(vec![ids[1].clone(), ids[2].clone()].into()),
        ..Default::default()
    };
    let updated = client
        .update_team()
        .team_id(&id)
        .body(update)
        .send()
        .await
        .expect("updated")
        .into_inner()
        .0
        .expect("a team");
    assert_eq!(members(&updated), ids[1..]);
    assert_eq!(updated.admins.as_deref(), Some(&ids[2..]));
    assert_eq!(updated.name.as_deref(), Some("Sales"));
    assert_eq!(updated.v, Some(1));
    // `[]` empties it.
    let emptied = client
        .update_team()
        .team_id(&id)
        .body(types::TeamUpdate {
            members: Some(Vec::new().into()),
            ..Default::default()
        })
        .send()
        .await
        .expect("updated")
        .into_inner()
        .0
        .expect("a team");
    assert_eq!(members(&emptied), Vec::<String>::new());

    let deleted = client
        .delete_team()
        .team_id(&id)
        .send()
        .await
        .expect("deleted")
        .into_inner()
        .0
        .expect("Vyte's count");
    assert_eq!((deleted.n, deleted.ok), (Some(1), Some(1)));
    for status in [
        error_of(client.get_team().team_id(&id).send().await).0,
        error_of(client.delete_team().team_id(&id).send().await).0,
        error_of(
            client
                .update_team()
                .team_id(&id)
                .body(types::TeamUpdate::default())
                .send()
                .await,
        )
        .0,
        // A user's id is no team's.
        error_of(client.get_team().team_id(&ids[0]).send().await).0,
    ] {
        assert_eq!(status, 404);
    }
    assert_eq!(sandbox.user_count(V), 3, "deleting a team keeps its users");
}

#[tokio::test]
async fn a_create_needs_extid_and_name_and_users_of_the_organization() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let ids = users(&client, &["ann@example.com"]).await;
    let key = sandbox.token(V).to_owned();
    for payload in [
        r#"{"name": "Sales"}"#,
        r#"{"extid": "1"}"#,
        r#"{"extid": null, "name": "Sales"}"#,
        r#"{"extid": 1, "name": "Sales"}"#,
        r#"{"extid": "1", "name": "Sales", "members": "x"}"#,
        r#"{"extid": "1", "name": "Sales", "public": 0}"#,
    ] {
        let (status, body) = raw(
            &sandbox,
            reqwest::Method::POST,
            "/v2/teams",
            Some(&key),
            Some("application/json"),
            payload,
        )
        .await;
        assert_eq!(status, 400, "{payload}");
        assert_eq!(body["statusCode"], 400, "{payload}");
    }
    // An id that is no user of the organization: 404, naming it.
    let (status, body) = error_of(
        client
            .create_team()
            .body(create(
                "1",
                "Sales",
                &[ids[0].clone(), "5f1077e1eaf7c424af51a847".into()],
            ))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("5f1077e1eaf7c424af51a847")),
        "{body:?}"
    );
    let mut with_admin = create("1", "Sales", &ids);
    with_admin.admins = Some(vec!["nobody".to_owned()].into());
    assert_eq!(
        error_of(client.create_team().body(with_admin).send().await).0,
        404
    );
    let mut foreign = create("1", "Sales", &ids);
    foreign.organization = Some("5f0000000000000000000000".into());
    assert_eq!(
        error_of(client.create_team().body(foreign).send().await).0,
        403
    );
    let listed = client
        .list_teams()
        .send()
        .await
        .expect("listed")
        .into_inner();
    assert!(listed.0.is_empty(), "nothing refused was created");

    // One team per extid.
    let first = create_team(&client, create("1", "Sales", &ids)).await;
    assert_eq!(
        error_of(
            client
                .create_team()
                .body(create("1", "Other", &[]))
                .send()
                .await
        )
        .0,
        409
    );
    let second = create_team(&client, create("2", "Support", &[])).await;
    let taken = types::TeamUpdate {
        extid: Some("1".into()),
        ..Default::default()
    };
    let second_id = second.id.expect("an _id");
    assert_eq!(
        error_of(
            client
                .update_team()
                .team_id(&second_id)
                .body(taken)
                .send()
                .await
        )
        .0,
        409
    );
    // Its own extid again is no conflict.
    let same = types::TeamUpdate {
        extid: Some("1".into()),
        ..Default::default()
    };
    client
        .update_team()
        .team_id(first.id.expect("an _id"))
        .body(same)
        .send()
        .await
        .expect("its own extid");
}

#[tokio::test]
async fn an_unlinked_member_stays_listed_but_cannot_be_sent_again() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let ids = users(&client, &["ann@example.com", "bob@example.com"]).await;
    let team = create_team(&client, create("1", "Sales", &ids)).await;
    let id = team.id.expect("an _id");
    client
        .unlink_user()
        .user_id(&ids[1])
        .send()
        .await
        .expect("unlinked");
    let read = client
        .get_team()
        .team_id(&id)
        .send()
        .await
        .expect("read")
        .into_inner();
    assert_eq!(
        members(&read),
        ids,
        "unlinking leaves the team's list as it is"
    );
    let resend = types::TeamUpdate {
        members: Some(ids.clone().into()),
        ..Default::default()
    };
    let (status, body) = error_of(client.update_team().team_id(&id).body(resend).send().await);
    assert_eq!(status, 404);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains(&ids[1]))
    );
    let without = types::TeamUpdate {
        members: Some(vec![ids[0].clone()].into()),
        ..Default::default()
    };
    client
        .update_team()
        .team_id(&id)
        .body(without)
        .send()
        .await
        .expect("only users of the organization");
}

#[tokio::test]
async fn the_public_view_needs_no_key_and_only_public_teams_have_one() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let ids = users(&client, &["ann@example.com", "bob@example.com"]).await;
    let mut open = create("1", "Open", &ids);
    open.public = Some(true.into());
    let open = create_team(&client, open).await.id.expect("an _id");
    let mut written = create("2", "Written", &ids);
    written.public = Some(types::TeamPublic::String("TRUE".into()));
    let written = create_team(&client, written).await.id.expect("an _id");
    let mut closed = create("3", "Closed", &ids);
    closed.public = Some(types::TeamPublic::String("false".into()));
    let closed = create_team(&client, closed).await.id.expect("an _id");
    let default = create_team(&client, create("4", "Default", &ids))
        .await
        .id
        .expect("an _id");
    client
        .unlink_user()
        .user_id(&ids[1])
        .send()
        .await
        .expect("unlinked");

    // No key at all.
    let path = |id: &str| format!("/v2/teams/{id}/public");
    let (status, view) = raw(&sandbox, reqwest::Method::GET, &path(&open), None, None, "").await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["name"], "Open");
    assert_eq!(view["_id"], open.as_str());
    // Only users of the organization, with their public profile.
    assert_eq!(
        view["members"],
        json!([{"_id": ids[0], "first_name": "First", "last_name": "Last"}])
    );
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::GET,
        &path(&written),
        None,
        None,
        "",
    )
    .await;
    assert_eq!(status, 200, "the string \"TRUE\" is true");
    for id in [&closed, &default, &"5f0c0ffee000000000000000".to_owned()] {
        let (status, body) = raw(&sandbox, reqwest::Method::GET, &path(id), None, None, "").await;
        assert_eq!(status, 404, "{id}");
        assert_eq!(body["message"], "Team not found");
    }
    // Through the client (which sends its key; the view ignores it).
    let typed = client
        .get_public_team()
        .team_id(&open)
        .send()
        .await
        .expect("public")
        .into_inner();
    assert_eq!(typed.members.map(|m| m.len()), Some(1));
    // The rest of the teams API still needs the key.
    let (status, _) = raw(&sandbox, reqwest::Method::GET, "/v2/teams", None, None, "").await;
    assert_eq!(status, 401);
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::GET,
        &format!("/v2/teams/{open}"),
        None,
        None,
        "",
    )
    .await;
    assert_eq!(status, 401);
}

fn booking(title: &str, date: &str, confirmed: bool) -> types::EventBooking {
    types::EventBooking {
        title: title.into(),
        dates: vec![types::BookingDate {
            all_day: Some(false),
            date: Some(date.into()),
            end_date: None,
        }],
        confirmed: Some(types::BookingConfirmation {
            flag: Some(confirmed),
        }),
        created_by: None,
        invitees: Vec::new(),
        lang: None,
        locale: None,
        messages: Vec::new(),
        places: Vec::new(),
        timezone: None,
        vyteme: Some(true),
    }
}

#[tokio::test]
async fn bookings_go_to_the_members_in_turn_and_are_listed_by_query() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let ids = users(&client, &["ann@example.com", "bob@example.com"]).await;
    let empty = create_team(&client, create("0", "Empty", &[]))
        .await
        .id
        .expect("an _id");
    let (status, _) = error_of(
        client
            .create_team_event()
            .team_id(&empty)
            .body(booking("Demo", "2999-01-01T09:00:00Z", true))
            .send()
            .await,
    );
    assert_eq!(status, 409, "no member to book with");

    let team = create_team(&client, create("1", "Sales", &ids))
        .await
        .id
        .expect("an _id");
    let mut assigned = Vec::new();
    for (title, date, confirmed) in [
        ("Demo ACME", "2999-01-01T09:00:00Z", true),
        ("Call ACME", "2000-01-01T09:00:00Z", true),
        ("Demo Initech", "2999-02-01T09:00:00Z", false),
    ] {
        let event = client
            .create_team_event()
            .team_id(&team)
            .body(booking(title, date, confirmed))
            .send()
            .await
            .expect("booked")
            .into_inner()
            .0
            .expect("an event");
        assert_eq!(event.title.as_deref(), Some(title));
        assert!(event.id.is_some());
        assigned.push(event.extra["user"].as_str().expect("a member").to_owned());
    }
    assert_eq!(assigned, [ids[0].clone(), ids[1].clone(), ids[0].clone()]);

    let titles = |filter: Option<types::EventFilter>, q: Option<&str>, limit: Option<&str>| {
        let mut call = client.list_team_events().team_id(&team);
        if let Some(filter) = filter {
            call = call.filter(filter);
        }
        if let Some(q) = q {
            call = call.q(q);
        }
        if let Some(limit) = limit {
            call = call.limit(limit);
        }
        async move {
            call.send()
                .await
                .expect("listed")
                .into_inner()
                .0
                .into_iter()
                .map(|e| e.title.expect("a title"))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(titles(None, None, None).await.len(), 3);
    assert_eq!(
        titles(None, Some("^Demo"), None).await,
        ["Demo ACME", "Demo Initech"]
    );
    assert_eq!(
        titles(Some(types::EventFilter::Upcoming), None, None).await,
        ["Demo ACME", "Demo Initech"]
    );
    assert_eq!(
        titles(Some(types::EventFilter::Confirmed), None, None).await,
        ["Demo ACME", "Call ACME"]
    );
    assert_eq!(titles(None, None, Some("1")).await, ["Demo ACME"]);
    // Not a number: no limit; not a regular expression: plain text.
    assert_eq!(titles(None, None, Some("many")).await.len(), 3);
    assert_eq!(
        titles(None, Some("ACME("), None).await,
        Vec::<String>::new()
    );
    let key = sandbox.token(V).to_owned();
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::GET,
        &format!("/v2/teams/{team}/events?filter=past"),
        Some(&key),
        None,
        "",
    )
    .await;
    assert_eq!(status, 400, "filter is confirmed or upcoming");
    let (status, _) = raw(
        &sandbox,
        reqwest::Method::POST,
        &format!("/v2/teams/{team}/events"),
        Some(&key),
        Some("application/json"),
        r#"{"dates": []}"#,
    )
    .await;
    assert_eq!(status, 400, "title is required");
}

#[tokio::test]
async fn admin_preferences_default_to_none_then_are_set_and_changed() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let team = create_team(&client, create("1", "Sales", &[]))
        .await
        .id
        .expect("an _id");
    let flags = |prefs: &types::TeamAdminPreferences| {
        let mut flags: Vec<(String, Option<bool>)> = prefs
            .prefs
            .as_ref()
            .and_then(|p| p.email.clone())
            .expect("email prefs")
            .into_iter()
            .collect();
        flags.sort();
        flags
    };
    let body = |kind: &str, on: bool| -> types::TeamAdminPreferencesBody {
        serde_json::from_value(json!({"prefs": {"email": {kind: on}}})).expect("a body")
    };
    let initial = client
        .get_team_admin_preferences()
        .team_id(&team)
        .send()
        .await
        .expect("read")
        .into_inner();
    assert!(flags(&initial).is_empty());
    assert_eq!(initial.belongs_to.as_deref(), Some(team.as_str()));
    let set = client
        .create_team_admin_preferences()
        .team_id(&team)
        .body(body("new_event", true))
        .send()
        .await
        .expect("set")
        .into_inner()
        .0
        .expect("prefs");
    let changed = client
        .update_team_admin_preferences()
        .team_id(&team)
        .body(body("cancelled_event", false))
        .send()
        .await
        .expect("changed")
        .into_inner()
        .0
        .expect("prefs");
    assert_eq!(set.v, Some(0));
    assert_eq!(changed.v, Some(1));
    assert_eq!(
        flags(&changed),
        [
            ("cancelled_event".to_owned(), Some(false)),
            ("new_event".to_owned(), Some(true))
        ]
    );
    assert_eq!(changed.id, initial.id);
    let read = client
        .get_team_admin_preferences()
        .team_id(&team)
        .send()
        .await
        .expect("read")
        .into_inner();
    assert_eq!(flags(&read), flags(&changed));
    assert_eq!(
        error_of(
            client
                .get_team_admin_preferences()
                .team_id("5f0c0ffee000000000000000")
                .send()
                .await
        )
        .0,
        404
    );
}
