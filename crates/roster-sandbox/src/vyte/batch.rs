//! `/v2/users/batch`: the batch create and update, all or nothing.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use roster::vyte::types;

use super::checks::{read_json, validate};
use super::store::Store;
use super::writes::{ApplyFn, create_one, update_batch_item};
use super::{Reject, S, error};
use crate::plumbing::{Shared, json};

/// A batch, all or nothing: every item is validated, then applied in order; the first item
/// that fails undoes the ones before it and answers for the whole batch.
pub(super) async fn batch(
    shared: &Shared<Store>,
    headers: &HeaderMap,
    body: Body,
    apply: ApplyFn,
) -> Response {
    let items: Vec<types::UserUpsert> = match read_json::<types::UserBatch>(headers, body).await {
        Ok(batch) => batch.0,
        Err(reject) => return reject.into_response(),
    };
    for (at, item) in items.iter().enumerate() {
        if let Err(Reject { status, message }) = validate(item) {
            return error(status, &format!("users[{at}]: {message}"));
        }
    }
    let mut store = shared.lock();
    let mut undo = Vec::with_capacity(items.len());
    for (at, item) in items.iter().enumerate() {
        match apply(&mut store, item) {
            Ok((_, how)) => undo.push(how),
            Err(Reject { status, message }) => {
                store.rollback(undo);
                return error(status, &format!("users[{at}]: {message}"));
            }
        }
    }
    drop(store);
    // Vyte documents the batch answers as `{}`, nothing more.
    json(StatusCode::OK, &serde_json::json!({}))
}

pub(super) async fn create_users_batch(
    State(shared): S,
    headers: HeaderMap,
    body: Body,
) -> Response {
    batch(&shared, &headers, body, create_one).await
}

pub(super) async fn update_users_batch(
    State(shared): S,
    headers: HeaderMap,
    body: Body,
) -> Response {
    batch(&shared, &headers, body, update_batch_item).await
}
