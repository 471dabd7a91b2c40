//! `/meetings/`: meeting rooms listed, created, read, updated, deleted and reset.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use roster::vectera::types;
use serde_json::Map;

use super::fields::Fields;
use super::pages::{envelope, origin, query_error};
use super::query;
use super::query::ListQuery;
use super::request::{Body, Params, random_key};
use super::store::{Meeting, MeetingRow, PublicAccess, Store};
use super::{S, answer, bad_request, no_content, not_found};

pub(super) fn meeting_body(
    store: &Store,
    origin: &str,
    id: i64,
    meeting: &Meeting,
) -> types::Meeting {
    let owner = meeting.owner.filter(|o| store.users.contains_key(o));
    let team = owner
        .and_then(|o| store.users.get(&o)?.organization)
        .or(Some(store.my_organization))
        .and_then(|o| store.organizations.get(&o))
        .map_or_else(
            || "team".to_owned(),
            |org| org.name.trim().to_lowercase().replace(' ', "-"),
        );
    let url = format!(
        "{origin}{}",
        query::encode_path(&format!("/room/{team}/{}/", meeting.key))
    );
    types::Meeting {
        id: Some(store.public_id(id)),
        key: Some(meeting.key.clone()),
        url: Some(url),
        owner_id: owner.map(|o| store.public_id(o)),
        date_created: Some(date_time(meeting.created)),
        locked: Some(meeting.public == PublicAccess::ShouldKnock),
        trashed: Some(false),
        public_access_level: Some(meeting.public.as_str().to_owned()),
        forward_url: Some(meeting.forward_url.clone()),
        name: None,
        last_opened: meeting.last_opened.map(date_time),
        extra: Map::new(),
    }
}

/// DRF's date-time: ISO 8601 with microseconds and `Z`.
pub(super) fn date_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// A meeting key from the body: any text Vectera's documents allow ("the meeting room name
/// and the associated link"), unique (ignoring case); the room's link escapes it.
pub(super) fn meeting_key(f: &mut Fields<'_>, store: &Store, this: Option<i64>) -> Option<String> {
    let key = f.string("key", false)?;
    if store
        .meeting_keys
        .get(&key.to_lowercase())
        .is_some_and(|other| Some(*other) != this)
    {
        f.errors.add("key", "meeting with this key already exists.");
        return None;
    }
    Some(key)
}

pub(super) async fn list_meetings(
    State(shared): S,
    headers: HeaderMap,
    uri: Uri,
    RawQuery(raw): RawQuery,
) -> Response {
    let store = shared.lock();
    let query = match ListQuery::parse::<MeetingRow<'_>>(raw.as_deref()) {
        Ok(query) => query,
        Err(e) => return query_error(e),
    };
    let rows = store.meetings.iter().map(|(id, meeting)| {
        let owner = meeting.owner.filter(|o| store.users.contains_key(o));
        MeetingRow {
            id: *id,
            meeting,
            public: store.public_id(*id),
            owner_public: owner.map(|o| store.public_id(o)),
        }
    });
    let origin = origin(&headers);
    match query.run(rows, Some(store.meetings.len())) {
        Ok(page) => answer(
            StatusCode::OK,
            envelope(page, &query, &headers, &uri, |r| {
                meeting_body(&store, &origin, r.id, r.meeting)
            }),
        ),
        Err(e) => query_error(e),
    }
}

pub(super) async fn create_meeting(
    State(shared): S,
    headers: HeaderMap,
    Body(body): Body,
) -> Response {
    let mut store = shared.lock();
    let mut f = Fields::new(&body);
    let key = meeting_key(&mut f, &store, None);
    let public = f.choice("publicAccessLevel", false, &PublicAccess::CHOICES);
    let forward_url = f.string("forwardUrl", false);
    let owner = f.string("ownerId", false).and_then(|text| {
        let row = store.row_of(&text).filter(|o| store.users.contains_key(o));
        if row.is_none() {
            f.errors.add(
                "ownerId",
                format!("Invalid pk \"{text}\" - object does not exist."),
            );
        }
        row
    });
    if !f.errors.is_empty() {
        return bad_request(f.errors.into_json());
    }
    let key = key.unwrap_or_else(|| {
        loop {
            let key = random_key(10);
            if !store.meeting_keys.contains_key(&key) {
                break key;
            }
        }
    });
    let meeting = Meeting {
        key,
        owner: Some(owner.unwrap_or(store.me)),
        // Microseconds, as Django stores and DRF answers them.
        created: chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6),
        public: public.unwrap_or(PublicAccess::ShouldKnock),
        forward_url: forward_url.unwrap_or_default(),
        last_opened: None,
        permissions: Default::default(),
    };
    let id = store.add_meeting(meeting);
    let body = meeting_body(&store, &origin(&headers), id, &store.meetings[&id]);
    answer(StatusCode::CREATED, body)
}

pub(super) async fn get_meeting(State(shared): S, params: Params, headers: HeaderMap) -> Response {
    let store = shared.lock();
    match params
        .row("id", &store)
        .and_then(|id| Some((id, store.meetings.get(&id)?)))
    {
        Some((id, meeting)) => answer(
            StatusCode::OK,
            meeting_body(&store, &origin(&headers), id, meeting),
        ),
        None => not_found(),
    }
}

pub(super) async fn update_meeting(
    State(shared): S,
    params: Params,
    headers: HeaderMap,
    Body(body): Body,
) -> Response {
    let mut store = shared.lock();
    let Some(id) = params
        .row("id", &store)
        .filter(|id| store.meetings.contains_key(id))
    else {
        return not_found();
    };
    let mut f = Fields::new(&body);
    let key = meeting_key(&mut f, &store, Some(id));
    let public = f.choice("publicAccessLevel", false, &PublicAccess::CHOICES);
    let forward_url = f.string("forwardUrl", false);
    if !f.errors.is_empty() {
        return bad_request(f.errors.into_json());
    }
    if let Some(key) = key {
        store.rekey_meeting(id, key);
    }
    if let Some(meeting) = store.meetings.get_mut(&id) {
        if let Some(public) = public {
            meeting.public = public;
        }
        if let Some(forward_url) = forward_url {
            meeting.forward_url = forward_url;
        }
    }
    let body = meeting_body(&store, &origin(&headers), id, &store.meetings[&id]);
    answer(StatusCode::OK, body)
}

pub(super) async fn delete_meeting(State(shared): S, params: Params) -> Response {
    let mut store = shared.lock();
    match params.row("id", &store) {
        Some(id) if store.remove_meeting(id) => no_content(),
        _ => not_found(),
    }
}

/// Resets the room's session: it reads as never opened. Its key, settings and access
/// permissions stay.
pub(super) async fn reset_meeting(
    State(shared): S,
    params: Params,
    headers: HeaderMap,
) -> Response {
    let mut store = shared.lock();
    let Some(id) = params
        .row("id", &store)
        .filter(|id| store.meetings.contains_key(id))
    else {
        return not_found();
    };
    if let Some(meeting) = store.meetings.get_mut(&id) {
        meeting.last_opened = None;
    }
    let body = meeting_body(&store, &origin(&headers), id, &store.meetings[&id]);
    answer(StatusCode::OK, body)
}
