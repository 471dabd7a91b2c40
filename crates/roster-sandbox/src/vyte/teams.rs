//! `/v2/teams`, `/v2/teams/{team_id}` and `/v2/teams/{team_id}/public`: the list, create,
//! read, update (a given `members` or `admins` replaces the list), delete, and the public view
//! (served without the API key, only for a team whose `public` is true).

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use roster::vyte::types;

use super::checks::{path_id, read_json};
use super::store::{Store, now};
use super::team_store::StoredTeam;
use super::{ORG_ID, Reject, S};
use crate::plumbing::{Shared, json};

/// 403 for another organization than the sandbox's (as a user body's `organization`).
fn own_organization(organization: Option<&str>) -> Result<(), Reject> {
    match organization {
        Some(org) if org != ORG_ID => Err(Reject {
            status: StatusCode::FORBIDDEN,
            message: "Forbidden: not your organization".to_owned(),
        }),
        _ => Ok(()),
    }
}

/// The ids of a list a body may leave out.
fn ids(list: &Option<types::UserIds>) -> &[String] {
    list.as_ref().map_or(&[], |ids| ids.0.as_slice())
}

/// The team id of the path (an unreadable one names no team: 404).
fn team_path(path: Result<Path<String>, PathRejection>) -> Result<String, Reject> {
    path_id(path).map_err(|_| Reject::team_not_found())
}

/// The number of the team named by the path: 404 for an id this organization never gave.
fn team_seq(store: &Store, path: Result<Path<String>, PathRejection>) -> Result<u64, Reject> {
    team_path(path).and_then(|id| store.team_seq(&id))
}

/// A read of one team: `view` of the team named by the path (404 for an unknown one),
/// answered 200.
pub(super) fn read_team<T: serde::Serialize>(
    shared: &Shared<Store>,
    path: Result<Path<String>, PathRejection>,
    view: impl FnOnce(&Store, u64) -> Result<T, Reject>,
) -> Response {
    let store = shared.lock();
    match team_seq(&store, path).and_then(|seq| view(&store, seq)) {
        Ok(answer) => {
            drop(store);
            json(StatusCode::OK, &answer)
        }
        Err(reject) => reject.into_response(),
    }
}

/// A write to one team, written once for every team route that takes a body: the team named
/// by the path must exist (404) before the body is read as `B` (400), and is looked up again
/// under the lock — it may have gone meanwhile — before `apply` changes the store and says
/// what to answer (200).
pub(super) async fn write_team<B, T>(
    shared: &Shared<Store>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
    apply: impl FnOnce(&mut Store, u64, B) -> Result<T, Reject>,
) -> Response
where
    B: serde::de::DeserializeOwned,
    T: serde::Serialize,
{
    let id = match team_path(path).and_then(|id| shared.lock().team_seq(&id).map(|_| id)) {
        Ok(id) => id,
        Err(reject) => return reject.into_response(),
    };
    let item: B = match read_json(&headers, body).await {
        Ok(item) => item,
        Err(reject) => return reject.into_response(),
    };
    let mut store = shared.lock();
    match store
        .team_seq(&id)
        .and_then(|seq| apply(&mut store, seq, item))
    {
        Ok(answer) => {
            drop(store);
            json(StatusCode::OK, &answer)
        }
        Err(reject) => reject.into_response(),
    }
}

pub(super) async fn list_teams(State(shared): S) -> Response {
    let store = shared.lock();
    let teams: Vec<types::Team> = store
        .teams
        .by_seq
        .iter()
        .map(|(seq, team)| store.to_team(*seq, team))
        .collect();
    drop(store);
    json(StatusCode::OK, &teams)
}

/// Creates a team: `extid` and `name` are required (a body without them does not read: 400),
/// `members` and `admins` must be users of the organization (404), `extid` another team's
/// is a 409.
pub(super) async fn create_team(State(shared): S, headers: HeaderMap, body: Body) -> Response {
    let item: types::TeamCreate = match read_json(&headers, body).await {
        Ok(item) => item,
        Err(reject) => return reject.into_response(),
    };
    let mut store = shared.lock();
    let checked = own_organization(item.organization.as_deref())
        .and_then(|()| store.extid_free(&item.extid, None))
        .and_then(|()| store.user_ids(ids(&item.members), "members"))
        .and_then(|()| store.user_ids(ids(&item.admins), "admins"));
    if let Err(reject) = checked {
        return reject.into_response();
    }
    let at = now();
    let team = StoredTeam {
        extid: item.extid,
        name: item.name,
        level_name: item.level_name,
        public: item.public,
        admins: item.admins.map(Vec::from).unwrap_or_default(),
        members: item.members.map(Vec::from).unwrap_or_default(),
        events: Vec::new(),
        prefs: None,
        created_at: at,
        updated_at: at,
        version: 0,
    };
    let seq = store.teams.next;
    store.teams.next += 1;
    let answer = store.to_team(seq, &team);
    store.teams.by_seq.insert(seq, team);
    drop(store);
    // 200, as Vyte's user create answers (no status is documented for either).
    json(StatusCode::OK, &answer)
}

pub(super) async fn get_team(
    State(shared): S,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    read_team(&shared, path, |store, seq| {
        Ok(store.to_team(seq, &store.teams.by_seq[&seq]))
    })
}

/// Changes the fields given; a given `members` (or `admins`) replaces the whole list.
pub(super) async fn update_team(
    State(shared): S,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    write_team(
        &shared,
        path,
        headers,
        body,
        |store, seq, item: types::TeamUpdate| {
            own_organization(item.organization.as_deref())
                .and_then(|()| match &item.extid {
                    Some(extid) => store.extid_free(extid, Some(seq)),
                    None => Ok(()),
                })
                .and_then(|()| store.user_ids(ids(&item.members), "members"))
                .and_then(|()| store.user_ids(ids(&item.admins), "admins"))?;
            let team = store
                .teams
                .by_seq
                .get_mut(&seq)
                .ok_or_else(Reject::team_not_found)?;
            if let Some(extid) = item.extid {
                team.extid = extid;
            }
            if let Some(name) = item.name {
                team.name = name;
            }
            if item.level_name.is_some() {
                team.level_name = item.level_name;
            }
            if item.public.is_some() {
                team.public = item.public;
            }
            if let Some(members) = item.members {
                team.members = members.into();
            }
            if let Some(admins) = item.admins {
                team.admins = admins.into();
            }
            team.updated_at = now();
            team.version += 1;
            Ok(store.to_team(seq, &store.teams.by_seq[&seq]))
        },
    )
    .await
}

/// Deletes the team (its users stay), answering Vyte's `{"n": 1, "ok": 1}`.
pub(super) async fn delete_team(
    State(shared): S,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let mut store = shared.lock();
    match team_seq(&store, path) {
        Ok(seq) => {
            store.teams.by_seq.remove(&seq);
            drop(store);
            let answer = types::TeamDeletion {
                n: Some(1),
                ok: Some(1),
                extra: serde_json::Map::new(),
            };
            json(StatusCode::OK, &answer)
        }
        Err(reject) => reject.into_response(),
    }
}

/// The public view, without the API key: the team's name and its members' public profiles
/// (ids no longer linked to the organization are left out); 404 unless `public` is true.
pub(super) async fn get_public_team(
    State(shared): S,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    read_team(&shared, path, |store, seq| {
        let team = &store.teams.by_seq[&seq];
        if !team.is_public() {
            return Err(Reject::team_not_found());
        }
        let members = team
            .members
            .iter()
            .filter_map(|id| {
                let user_seq = store.seq(id).ok()?;
                let user = store.users.get(&user_seq)?;
                Some(types::PublicTeamMember {
                    id: Some(id.clone()),
                    first_name: user.first_name.clone(),
                    last_name: user.last_name.clone(),
                    picture_url: user.picture_url.clone(),
                    extra: serde_json::Map::new(),
                })
            })
            .collect();
        Ok(types::PublicTeam {
            id: Some(store.team_id(seq)),
            name: Some(team.name.clone()),
            members: Some(members),
            extra: serde_json::Map::new(),
        })
    })
}
