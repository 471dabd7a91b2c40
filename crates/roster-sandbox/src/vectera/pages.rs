//! DRF's page envelope with absolute `next`/`previous` links, and a refused list query's
//! answer.

use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use serde::Serialize;
use serde_json::json;

use super::query::{ListQuery, Page, QueryError};
use super::{BASE_PATH, bad_request, error};

/// `http://<Host>` (DRF's `build_absolute_uri`), `http://localhost` for a missing or odd Host.
pub(super) fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// DRF's page envelope (`next` and `previous` always present, null when there is none).
#[derive(Serialize)]
pub(super) struct Envelope<T> {
    count: usize,
    next: Option<String>,
    previous: Option<String>,
    results: Vec<T>,
}

pub(super) fn envelope<R, T>(
    page: Page<R>,
    query: &ListQuery,
    headers: &HeaderMap,
    uri: &Uri,
    item: impl Fn(&R) -> T,
) -> Envelope<T> {
    let origin = origin(headers);
    let path = format!("{BASE_PATH}{}", uri.path());
    let next = page
        .has_next()
        .then(|| query.link(&origin, &path, Some(page.number + 1)));
    let previous = (page.number > 1).then(|| {
        let number = page.number - 1;
        query.link(&origin, &path, (number > 1).then_some(number))
    });
    Envelope {
        count: page.count,
        next,
        previous,
        results: page.results.iter().map(item).collect(),
    }
}

/// A refused list query: `{"filter": [...]}` (400), or DRF's `Invalid page.` (404).
pub(super) fn query_error(error_: QueryError) -> Response {
    match error_ {
        QueryError::Filter(message) => bad_request(json!({ "filter": [message] })),
        QueryError::PerPage(message) => bad_request(json!({ "perPage": [message] })),
        QueryError::InvalidPage => error(StatusCode::NOT_FOUND, "Invalid page."),
    }
}
