//! `/v2/teams/{team_id}/events` and `/v2/teams/{team_id}/admin-preferences`: a team's
//! bookings (listed with `limit`, `q` and `filter`, booked with one of its members) and its
//! admins' e-mail preferences.

use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::DateTime;
use roster::vyte::types;

use super::store::{Store, now};
use super::team_store::{StoredEvent, StoredPrefs};
use super::teams::{read_team, write_team};
use super::{Reject, S};

/// The event's answer: the booking as sent, its `_id` and the member it went to (`user`).
fn to_event(store: &Store, event: &StoredEvent) -> serde_json::Value {
    let mut answer = serde_json::to_value(&event.booking).unwrap_or_default();
    if let Some(fields) = answer.as_object_mut() {
        fields.insert("_id".into(), store.event_id(event.seq).into());
        fields.insert("user".into(), event.user.clone().into());
    }
    answer
}

/// The query of the events list. Every parameter is a string in the spec, so none is refused
/// for its value except `filter`, whose values the spec lists.
#[derive(serde::Deserialize)]
pub(super) struct EventQuery {
    limit: Option<String>,
    q: Option<String>,
    filter: Option<types::EventFilter>,
}

/// Whether `event` passes the query's `q` and `filter`. `q` is a regular expression
/// (ECMAScript, as Vyte's server runs JavaScript); one that does not compile is matched as
/// plain text rather than refused, since the spec allows any string. `upcoming`: a date
/// (`date`, RFC 3339) still to come; `confirmed`: `confirmed.flag` true.
fn passes(event: &StoredEvent, query: &EventQuery, pattern: Option<&regress::Regex>) -> bool {
    let title = event.booking.title.as_str();
    let q_ok = match (&query.q, pattern) {
        (_, Some(pattern)) => pattern.find(title).is_some(),
        (Some(text), None) => title.contains(text.as_str()),
        (None, None) => true,
    };
    let filter_ok = match query.filter {
        None => true,
        Some(types::EventFilter::Confirmed) => event
            .booking
            .confirmed
            .as_ref()
            .and_then(|c| c.flag)
            .unwrap_or(false),
        Some(types::EventFilter::Upcoming) => event.booking.dates.iter().any(|d| {
            d.date
                .as_deref()
                .and_then(|date| DateTime::parse_from_rfc3339(date).ok())
                .is_some_and(|date| date >= now())
        }),
    };
    q_ok && filter_ok
}

/// The team's events in booking order, filtered and cut to `limit` (a `limit` that is not
/// a whole number is ignored: the spec types it a string).
pub(super) async fn list_team_events(
    State(shared): S,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<EventQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return Reject::bad("Invalid query: filter must be confirmed or upcoming").into_response();
    };
    let pattern = query.q.as_deref().and_then(|q| regress::Regex::new(q).ok());
    let limit = query
        .limit
        .as_deref()
        .and_then(|l| l.trim().parse::<usize>().ok())
        .unwrap_or(usize::MAX);
    read_team(&shared, path, |store, seq| {
        Ok(store.teams.by_seq[&seq]
            .events
            .iter()
            .filter(|event| passes(event, &query, pattern.as_ref()))
            .take(limit)
            .map(|event| to_event(store, event))
            .collect::<Vec<_>>())
    })
}

/// Books an event with one of the team's members, in turn (Vyte assigns one; how is not
/// documented). A team with no member linked to the organization has no one to book with:
/// 409 (the fake's inference).
pub(super) async fn create_team_event(
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
        |store, seq, booking: types::EventBooking| {
            let team = &store.teams.by_seq[&seq];
            let linked: Vec<&String> = team.members.iter().filter(|m| store.is_user(m)).collect();
            if linked.is_empty() {
                return Err(Reject::conflict(
                    "The team has no member to book the event with".to_owned(),
                ));
            }
            let user = linked[team.events.len() % linked.len()].clone();
            let event = StoredEvent {
                seq: store.teams.next_event,
                booking,
                user,
            };
            store.teams.next_event += 1;
            let answer = to_event(store, &event);
            if let Some(team) = store.teams.by_seq.get_mut(&seq) {
                team.events.push(event);
            }
            Ok(answer)
        },
    )
    .await
}

pub(super) async fn get_team_admin_preferences(
    State(shared): S,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    read_team(&shared, path, |store, seq| {
        Ok(store.to_prefs(seq, &store.teams.by_seq[&seq]))
    })
}

/// POST and PUT alike (Vyte does not say how they differ): the kinds of e-mail given are set,
/// the others kept.
pub(super) async fn set_team_admin_preferences(
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
        |store, seq, body: types::TeamAdminPreferencesBody| {
            let team = store
                .teams
                .by_seq
                .get_mut(&seq)
                .ok_or_else(Reject::team_not_found)?;
            let at = now();
            let prefs = team.prefs.get_or_insert_with(|| StoredPrefs {
                email: Default::default(),
                created_at: at,
                updated_at: at,
                version: -1,
            });
            prefs
                .email
                .extend(body.prefs.into_iter().flat_map(|p| p.email));
            prefs.updated_at = at;
            prefs.version += 1;
            Ok(store.to_prefs(seq, &store.teams.by_seq[&seq]))
        },
    )
    .await
}
