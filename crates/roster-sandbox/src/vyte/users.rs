//! `/v2/users` and `/v2/users/{user_id}`: the list, the single-user create and upsert, one
//! user's read, update and unlink, and the answers' user and envelope shapes.

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use roster::vyte::types;
use serde::Serialize;
use serde::ser::SerializeSeq;

use super::checks::{path_id, read_json, validate};
use super::organization::organization;
use super::store::{Applied, Store, StoredUser};
use super::writes::{ApplyFn, create_one, update_one, upsert_one};
use super::{APP_URL, ORG_ID, ORG_NAME, Reject, S};
use crate::plumbing::{Shared, json};

pub(super) fn to_user(store: &Store, seq: u64, user: &StoredUser) -> types::User {
    let full_name = match (&user.first_name, &user.last_name) {
        (Some(first), Some(last)) if !last.is_empty() => Some(format!("{first} {last}")),
        (Some(first), _) => Some(first.clone()),
        (None, Some(last)) => Some(last.clone()),
        (None, None) => None,
    };
    let connected = |bit: usize| Some(user.calendars & (1 << bit) != 0);
    types::User {
        id: Some(store.id(seq)),
        emails: Some(user.email.iter().cloned().collect()),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        full_name,
        language: user.language.clone(),
        timezone: user.timezone.clone(),
        picture_url: user.picture_url.clone(),
        signedup_with: Some("api".to_owned()),
        account: Some(types::UserAccount {
            organization: Some(types::UserAccountOrganization {
                id: Some(ORG_ID.to_owned()),
                name: Some(ORG_NAME.to_owned()),
                extid: user.extid.clone(),
                extra: serde_json::Map::new(),
            }),
            plan: Some("pro".to_owned()),
            app_url: Some(APP_URL.to_owned()),
            extra: serde_json::Map::new(),
        }),
        calendars: Some(types::UserCalendarFlags {
            google: connected(0),
            office365: connected(1),
            exchange: connected(2),
            icloud: connected(3),
            caldav: connected(4),
            extra: serde_json::Map::new(),
        }),
        modules: Some(types::UserModules {
            brand: Some(false),
            assistant: Some(false),
            vyteme: Some(false),
            vyteme_pro: Some(false),
            availabilities: Some(true),
            billing: Some(false),
            group_pro: Some(false),
            team: Some(false),
            extra: serde_json::Map::new(),
        }),
        consent: None,
        google: None,
        created_at: Some(user.created_at),
        updated_at: Some(user.updated_at),
        v: Some(user.version),
        extra: serde_json::Map::new(),
    }
}

pub(super) fn envelope(store: &Store, applied: &Applied) -> types::UserEnvelope {
    let user = store
        .users
        .get(&applied.seq)
        .map(|u| to_user(store, applied.seq, u));
    let (finish_signup_with, link) = if applied.signup_link {
        let token = uuid::Uuid::new_v4().simple();
        (
            Some("email".to_owned()),
            Some(roster::Secret::new(format!(
                "{APP_URL}/signup?token={token}"
            ))),
        )
    } else {
        (None, None)
    };
    types::UserEnvelope {
        user,
        finish_signup_with,
        link,
    }
}

/// Every linked user, serialised straight from the store (no copy of the whole list).
pub(super) struct UserList<'a> {
    store: &'a Store,
}

impl Serialize for UserList<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.store.users.len()))?;
        for (n, user) in &self.store.users {
            seq.serialize_element(&to_user(self.store, *n, user))?;
        }
        seq.end()
    }
}

pub(super) async fn list_users(State(shared): S) -> Response {
    let store = shared.lock();
    json(StatusCode::OK, &UserList { store: &store })
}

pub(super) async fn create_user(State(shared): S, headers: HeaderMap, body: Body) -> Response {
    single(&shared, &headers, body, create_one).await
}

/// One single-user write (create or upsert): the body, its checks, the envelope.
pub(super) async fn single(
    shared: &Shared<Store>,
    headers: &HeaderMap,
    body: Body,
    apply: ApplyFn,
) -> Response {
    let item: types::UserUpsert = match read_json(headers, body).await {
        Ok(item) => item,
        Err(reject) => return reject.into_response(),
    };
    if let Err(reject) = validate(&item) {
        return reject.into_response();
    }
    let mut store = shared.lock();
    match apply(&mut store, &item) {
        Ok((applied, _)) => {
            let answer = types::UserAnswer(Some(envelope(&store, &applied)));
            drop(store);
            json(StatusCode::OK, &answer)
        }
        Err(reject) => reject.into_response(),
    }
}

pub(super) async fn upsert_user(State(shared): S, headers: HeaderMap, body: Body) -> Response {
    single(&shared, &headers, body, upsert_one).await
}

pub(super) async fn get_user(
    State(shared): S,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let store = shared.lock();
    let seq = match path_id(path).and_then(|id| store.seq(&id)) {
        Ok(seq) => seq,
        Err(reject) => return reject.into_response(),
    };
    match store.users.get(&seq) {
        Some(user) => {
            let user = to_user(&store, seq, user);
            drop(store);
            json(StatusCode::OK, &user)
        }
        None => Reject::not_found().into_response(),
    }
}

pub(super) async fn update_user(
    State(shared): S,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let seq = match path_id(path).and_then(|id| shared.lock().seq(&id)) {
        Ok(seq) => seq,
        Err(reject) => return reject.into_response(),
    };
    let item: types::UserUpsert = match read_json(&headers, body).await {
        Ok(item) => item,
        Err(reject) => return reject.into_response(),
    };
    if let Err(reject) = validate(&item) {
        return reject.into_response();
    }
    let mut store = shared.lock();
    match update_one(&mut store, seq, &item) {
        Ok(_) => {
            let answer = envelope(
                &store,
                &Applied {
                    seq,
                    signup_link: false,
                },
            );
            drop(store);
            json(StatusCode::OK, &answer)
        }
        Err(reject) => reject.into_response(),
    }
}

pub(super) async fn unlink_user(
    State(shared): S,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let seq = match path_id(path).and_then(|id| shared.lock().seq(&id)) {
        Ok(seq) => seq,
        Err(reject) => return reject.into_response(),
    };
    let removed = shared.lock().remove(seq);
    match removed {
        Some(_) => json(StatusCode::OK, &organization()),
        None => Reject::not_found().into_response(),
    }
}
