//! Helpers shared by the workspace integration tests (`integration/`).
#![deny(missing_docs)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use httpmock::{Method, MockServer, When};

/// The workspace README's Rust examples, compiled by `cargo test` as doctests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// A secret used by every test; tests assert it never shows in Debug or error text.
pub const TOKEN: &str = "tok_5ecret_value_0123456789";

/// Starts a fresh mock server on loopback.
pub async fn server() -> MockServer {
    MockServer::start_async().await
}

/// The request every generated call must send: `method path`, the given credentials header,
/// JSON accepted, and no `api-version` header (progenitor adds one; our hook removes it).
/// `query` lists every query parameter expected; no other may be present.
pub fn request(when: When, method: Method, path: &str, auth: &str, query: &[(&str, &str)]) -> When {
    let mut when = when
        .method(method)
        .path(path)
        .header("authorization", auth)
        .header_missing("api-version")
        .query_param_count(".*", ".*", query.len());
    for (key, value) in query {
        when = when.query_param(*key, *value);
    }
    when
}

/// Asserts that `text` (a Debug or Display rendering) does not contain [`TOKEN`] or any
/// of `more` secrets.
#[track_caller]
pub fn assert_no_secret(text: &str, more: &[&str]) {
    for secret in std::iter::once(&TOKEN).chain(more) {
        assert!(
            !text.contains(secret),
            "secret {secret:?} leaked into: {text}"
        );
    }
}

/// A [`roster::Sleeper`] that records every wait instead of sleeping.
#[derive(Debug, Default)]
pub struct RecordingSleeper(Mutex<Vec<Duration>>);

impl roster::Sleeper for RecordingSleeper {
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.0.lock().expect("not poisoned").push(delay);
        Box::pin(std::future::ready(()))
    }
}

impl RecordingSleeper {
    /// The waits asked for so far.
    pub fn delays(&self) -> Vec<Duration> {
        self.0.lock().expect("not poisoned").clone()
    }
}
