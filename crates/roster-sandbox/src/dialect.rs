//! Answering in every shape the tolerance policy allows, not only the documented one.
//!
//! The fakes answer in each vendor's documented shape. Where a vendor's documents leave the
//! shape open, `specs/CONVENTIONS.md` (tolerance policy) says the clients must read every shape
//! the evidence allows; a [`Dialect`] switches a fake to those alternatives, so the facade and
//! CLI tests can run their flows against each. The switches are applied once, here, to the
//! answers of every vendor (see [`apply`]), not written per vendor:
//!
//! - a Django REST Framework page (`count`/`next`/`previous`/`results`) becomes a bare JSON
//!   array with an RFC 8288 `Link` header (Vectera's v1 list shape is undocumented; the only
//!   client written against the live API reads arrays and `Link`);
//! - a create answers 200 instead of 201 (no vendor documents which);
//! - an update answers 204 with no body (DRF and ASP.NET both may);
//! - empty lists inside an answer are `null` (.NET serialises an unset list so);
//! - error bodies are HTML or plain text instead of JSON (proxies, IIS).

use axum::body::{Body, to_bytes};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, LINK};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::Value;

/// Which alternative shapes a fake answers in; the default is the vendor-documented shape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dialect {
    /// Lists as a bare JSON array, paged by a `Link` header, instead of a DRF page.
    pub lists_as_arrays: bool,
    /// Creates (`POST` answered 201) answer 200.
    pub created_as_200: bool,
    /// Updates (`PUT`/`PATCH` answered 2xx) answer 204 with no body.
    pub updates_empty: bool,
    /// Empty lists inside an answer are sent as `null`.
    pub null_for_empty_lists: bool,
    /// Error answers carry HTML (5xx) or plain text (4xx) instead of JSON.
    pub text_errors: bool,
}

impl Dialect {
    /// The vendor-documented shapes.
    pub const DOCUMENTED: Dialect = Dialect {
        lists_as_arrays: false,
        created_as_200: false,
        updates_empty: false,
        null_for_empty_lists: false,
        text_errors: false,
    };

    /// Every alternative at once.
    pub const ALL_ALTERNATIVES: Dialect = Dialect {
        lists_as_arrays: true,
        created_as_200: true,
        updates_empty: true,
        null_for_empty_lists: true,
        text_errors: true,
    };

    /// The documented shapes, then each alternative alone, then all of them, each with a
    /// name for test output.
    pub fn variants() -> [(&'static str, Dialect); 7] {
        let one = |f: fn(&mut Dialect)| {
            let mut d = Dialect::DOCUMENTED;
            f(&mut d);
            d
        };
        [
            ("documented", Dialect::DOCUMENTED),
            ("lists as arrays", one(|d| d.lists_as_arrays = true)),
            ("created as 200", one(|d| d.created_as_200 = true)),
            ("updates empty", one(|d| d.updates_empty = true)),
            (
                "null for empty lists",
                one(|d| d.null_for_empty_lists = true),
            ),
            ("text errors", one(|d| d.text_errors = true)),
            ("all alternatives", Dialect::ALL_ALTERNATIVES),
        ]
    }

    fn is_documented(&self) -> bool {
        *self == Dialect::DOCUMENTED
    }
}

/// The largest answer the dialect layer rewrites; larger ones pass unchanged.
const MAX_REWRITE: usize = 16 << 20;

/// Rewrites one answer of a fake according to `dialect` (see the module docs).
pub(crate) async fn apply(dialect: Dialect, method: &Method, response: Response) -> Response {
    if dialect.is_documented() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_REWRITE).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let status = parts.status;
    let is_json = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let mut body = bytes.to_vec();

    if status.is_client_error() || status.is_server_error() {
        if dialect.text_errors {
            let text = String::from_utf8_lossy(&body).into_owned();
            let (kind, text) = if status.is_server_error() {
                (
                    "text/html; charset=utf-8",
                    format!(
                        "<html><head><title>{status}</title></head><body><h1>{status}</h1><p>{}</p></body></html>",
                        text.replace('<', "&lt;")
                    ),
                )
            } else {
                ("text/plain; charset=utf-8", format!("{status}: {text}"))
            };
            parts
                .headers
                .insert(CONTENT_TYPE, HeaderValue::from_static(kind));
            body = text.into_bytes();
        }
    } else if status.is_success() {
        if dialect.created_as_200 && *method == Method::POST && status == StatusCode::CREATED {
            parts.status = StatusCode::OK;
        }
        if dialect.updates_empty && (*method == Method::PUT || *method == Method::PATCH) {
            parts.status = StatusCode::NO_CONTENT;
            parts.headers.remove(CONTENT_TYPE);
            body.clear();
        } else if is_json && let Ok(mut json) = serde_json::from_slice::<Value>(&body) {
            if dialect.lists_as_arrays
                && let Some((items, link)) = page_as_array(&mut json)
            {
                if let Some(link) = link.and_then(|l| HeaderValue::from_str(&l).ok()) {
                    parts.headers.insert(LINK, link);
                }
                json = items;
            }
            if dialect.null_for_empty_lists
                && let Value::Object(map) = &mut json
            {
                map.values_mut().for_each(null_empty_lists);
            }
            body = serde_json::to_vec(&json).unwrap_or(body);
        }
    }
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// A DRF page (`{"count", "next", "previous", "results": [...]}`) as its results array and a
/// `Link` header value naming the next and previous pages.
fn page_as_array(json: &mut Value) -> Option<(Value, Option<String>)> {
    let map = json.as_object_mut()?;
    if !map.contains_key("count") || !map.get("results")?.is_array() {
        return None;
    }
    let items = map.remove("results")?;
    let links: Vec<String> = [("next", "next"), ("previous", "prev")]
        .into_iter()
        .filter_map(|(field, rel)| {
            let url = map.get(field)?.as_str()?;
            Some(format!("<{url}>; rel=\"{rel}\""))
        })
        .collect();
    Some((items, (!links.is_empty()).then(|| links.join(", "))))
}

/// Empty arrays at any depth below the top level become `null`.
fn null_empty_lists(value: &mut Value) {
    match value {
        Value::Array(items) if items.is_empty() => *value = Value::Null,
        Value::Array(items) => items.iter_mut().for_each(null_empty_lists),
        Value::Object(map) => map.values_mut().for_each(null_empty_lists),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drf_page_becomes_an_array_and_a_link_header() {
        let mut page = serde_json::json!({
            "count": 3, "next": "http://h/api/v1/users/?page=2", "previous": null,
            "results": [{"id": "a"}]
        });
        let (items, link) = page_as_array(&mut page).expect("a page");
        assert_eq!(items, serde_json::json!([{"id": "a"}]));
        assert_eq!(
            link.as_deref(),
            Some("<http://h/api/v1/users/?page=2>; rel=\"next\"")
        );
        assert!(page_as_array(&mut serde_json::json!({"results": []})).is_none());
    }

    #[test]
    fn empty_lists_below_the_top_become_null() {
        let mut v = serde_json::json!({"A": [], "B": [[]], "C": {"D": []}, "E": [1]});
        if let Value::Object(map) = &mut v {
            map.values_mut().for_each(null_empty_lists);
        }
        assert_eq!(
            v,
            serde_json::json!({"A": null, "B": [null], "C": {"D": null}, "E": [1]})
        );
    }
}
