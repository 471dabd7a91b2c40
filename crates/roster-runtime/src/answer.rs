//! Reading every answer once, bounded, before the generated code decodes it.
//!
//! progenitor's generated `send()` runs the client's `exec` hook, then decodes the body with
//! `serde_json`. Two things go wrong on a real network without this step:
//!
//! - an answer of any size is buffered whole (a hostile 200 MB body costs the process 1.5 GB);
//! - an error answer whose body is not JSON (an HTML 503 from a proxy, a text 401, an empty
//!   404 from IIS) fails to decode, and progenitor reports `InvalidResponsePayload` — without
//!   the HTTP status, so a 401 looks transient and `Retry-After` is lost.
//!
//! [`exec`] — every vendor client's `exec` hook (see `roster-codegen`'s extras) — reads the body
//! with a size cap ([`Limits`]) and hands the generated code an answer it can always decode
//! into the spec's any-JSON `Error` schema: a non-JSON or truncated error body becomes a JSON
//! string holding its text, an empty one `null`. An empty 2xx body becomes `null`, so a spec
//! can say "an update may answer 204" with a nullable schema (`specs/CONVENTIONS.md`, tolerance
//! policy). Status and headers are kept as they came. A 2xx answer over the cap is not decoded
//! at all: the client's `post` hook turns the marker left by [`exec`] into an error
//! ([`rejection`]).

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};

/// Bounds on what one answer may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest 2xx body read, in bytes; a larger one is refused without being decoded.
    pub max_answer_bytes: usize,
    /// How much of an error (non-2xx) body is kept, in bytes; the rest is not read.
    pub max_error_bytes: usize,
}

impl Limits {
    /// 32 MiB for an answer — a Vyte organisation of ~50,000 users lists in about 30 MiB —
    /// and 64 KiB of an error body, far more than any vendor's error message.
    pub const DEFAULT: Limits = Limits {
        max_answer_bytes: 32 << 20,
        max_error_bytes: 64 << 10,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Left on an answer that [`exec`] refused to hand on (read by [`rejection`]).
#[derive(Debug, Clone, Copy)]
struct TooLarge {
    limit: usize,
    status: u16,
}

/// Sends `request` on `http` and reads the answer within `limits` (see the module docs).
///
/// # Errors
/// The transport's error: the request could not be sent, or the body could not be read to its
/// end (a connection cut mid-body, the request timeout).
pub async fn exec(
    http: &reqwest::Client,
    request: reqwest::Request,
    limits: &Limits,
) -> reqwest::Result<reqwest::Response> {
    let mut response = http.execute(request).await?;
    let status = response.status();
    let success = status.is_success();
    let cap = if success {
        limits.max_answer_bytes
    } else {
        limits.max_error_bytes
    };
    let declared = response.content_length();
    let mut body = Vec::new();
    let mut cut = false;
    if success && declared.is_some_and(|n| n > cap as u64) {
        cut = true; // not a byte of it is read
    } else {
        while let Some(chunk) = response.chunk().await? {
            let room = cap - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                cut = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
    }
    let (mut parts, _unread) = http::Response::<reqwest::Body>::from(response).into_parts();
    let body = if success && cut {
        parts.extensions.insert(TooLarge {
            limit: cap,
            status: status.as_u16(),
        });
        Vec::new()
    } else if success {
        if body.iter().all(u8::is_ascii_whitespace) {
            b"null".to_vec()
        } else {
            body
        }
    } else {
        error_body(body, cut, &mut parts.headers)
    };
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    Ok(reqwest::Response::from(http::Response::from_parts(
        parts, body,
    )))
}

/// An error body as the any-JSON `Error` schema reads it: JSON as it came; anything else (HTML,
/// text, a cut-off JSON document, nothing) as a JSON string of its text (`null` when empty).
fn error_body(body: Vec<u8>, cut: bool, headers: &mut http::HeaderMap) -> Vec<u8> {
    let is_json = !cut && serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_ok();
    if is_json {
        return body;
    }
    let mut text = String::from_utf8_lossy(&body).trim().to_owned();
    if cut {
        text.push('…');
    }
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if text.is_empty() {
        return b"null".to_vec();
    }
    serde_json::to_vec(&text).unwrap_or_else(|_| b"null".to_vec())
}

/// What the client's `post` hook says of an answer [`exec`] refused: `Some(message)` for a 2xx
/// body over [`Limits::max_answer_bytes`] (nothing of it was decoded), `None` otherwise.
pub fn rejection(result: &reqwest::Result<reqwest::Response>) -> Option<String> {
    let response = result.as_ref().ok()?;
    let TooLarge { limit, status } = *response.extensions().get::<TooLarge>()?;
    Some(format!(
        "the answer (HTTP {status}) is larger than the {limit}-byte cap (Limits::max_answer_bytes); it was not decoded"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_always_decode_as_json() {
        let mut h = http::HeaderMap::new();
        let as_json = |b: &[u8], cut: bool, h: &mut http::HeaderMap| {
            let out = error_body(b.to_vec(), cut, h);
            serde_json::from_slice::<serde_json::Value>(&out).expect("JSON")
        };
        assert_eq!(
            as_json(br#"{"detail":"x"}"#, false, &mut h),
            serde_json::json!({"detail": "x"})
        );
        assert_eq!(
            as_json(b"<html>503</html>", false, &mut h),
            serde_json::json!("<html>503</html>")
        );
        assert_eq!(as_json(b"  ", false, &mut h), serde_json::Value::Null);
        assert_eq!(
            as_json(br#"{"detail":"x"#, true, &mut h),
            serde_json::json!("{\"detail\":\"x…")
        );
        assert_eq!(as_json(b"\xff\xfe", false, &mut h), serde_json::json!("��"));
        assert_eq!(h[CONTENT_TYPE], "application/json");
    }
}
