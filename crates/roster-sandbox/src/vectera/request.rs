//! What a request carries: its path parameters (UUID strings, `me`) and its JSON object body,
//! read like DRF's parsers; and the random keys a request makes.

use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::fields::type_name;
use super::store::Store;
use super::{bad_request, error, not_found};
use crate::plumbing::read_body;

/// Path parameters; one that is not even text is a 404, like a URL Django cannot resolve.
pub(super) struct Params(pub Vec<(String, String)>);

impl Params {
    pub(super) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The row a public id names (`{id}` of a meeting, `{permissionId}`): a UUID string.
    pub(super) fn row(&self, name: &str, store: &Store) -> Option<i64> {
        store.row_of(self.get(name))
    }

    /// A hyphenated UUID (Django's `<uuid:...>`).
    pub(super) fn uuid(&self, name: &str) -> Option<Uuid> {
        let text = self.get(name);
        if text.len() != 36 {
            return None;
        }
        Uuid::try_parse(text).ok()
    }

    /// A user id or `me`.
    pub(super) fn user(&self, store: &Store) -> Option<i64> {
        match self.get("id") {
            "me" => Some(store.me),
            _ => self.row("id", store),
        }
        .filter(|id| store.users.contains_key(id))
    }
}

impl<St: Send + Sync> FromRequestParts<St> for Params {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Response> {
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| not_found())?;
        Ok(Params(
            raw.iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        ))
    }
}

/// A JSON object body, or DRF's 400: malformed JSON, a body that is not an object, a media
/// type other than JSON (DRF answers 415; any 4XX is what the spec declares). An empty body
/// is refused too: every operation that takes a body declares it required.
pub(super) struct Body(pub Map<String, Value>);

impl<St: Send + Sync> FromRequest<St> for Body {
    type Rejection = Response;

    async fn from_request(request: Request, _state: &St) -> Result<Self, Response> {
        let media_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let bytes = read_body(request.into_body()).await.map_err(|e| {
            error(
                StatusCode::BAD_REQUEST,
                &format!("Failed to buffer the request body: {e}"),
            )
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "A request body is required.",
            ));
        }
        if let Some(media_type) = &media_type {
            let essence = media_type
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            if essence != "application/json" {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    &format!("Unsupported media type \"{media_type}\" in request."),
                ));
            }
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Body(map)),
            Ok(other) => Err(bad_request(json!({
                "non_field_errors": [format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    type_name(&other)
                )]
            }))),
            Err(e) => Err(error(
                StatusCode::BAD_REQUEST,
                &format!("JSON parse error - {e}"),
            )),
        }
    }
}

/// `len` random lower-case letters and digits.
pub(super) fn random_key(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in Uuid::new_v4().into_bytes() {
            if out.len() < len {
                out.push(ALPHABET[usize::from(b) % ALPHABET.len()] as char);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_and_sized() {
        let a = random_key(30);
        assert_eq!(a.len(), 30);
        assert_ne!(a, random_key(30));
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
    }
}
