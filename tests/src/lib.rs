//! Helpers shared by the workspace integration tests (`integration/`).
#![deny(missing_docs)]

use std::sync::Mutex;

use httpmock::{Method, MockServer, When};
use roster::test_util::RecordingSleeper;

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

/// A `tracing` subscriber that writes every span and event, with all their fields, into one
/// string: tests read it to prove what is (and is not) logged.
#[derive(Debug, Default, Clone)]
pub struct CapturedLogs(std::sync::Arc<Mutex<String>>);

impl CapturedLogs {
    /// Everything logged so far, one line per span or event.
    pub fn text(&self) -> String {
        self.0.lock().expect("not poisoned").clone()
    }

    fn write(&self, kind: &str, metadata: &tracing::Metadata<'_>, fields: String) {
        let mut text = self.0.lock().expect("not poisoned");
        text.push_str(&format!(
            "{kind} {} {}{fields}\n",
            metadata.level(),
            metadata.target()
        ));
    }
}

struct FieldWriter(String);

impl tracing::field::Visit for FieldWriter {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl tracing::Subscriber for CapturedLogs {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut fields = FieldWriter(String::new());
        span.record(&mut fields);
        self.write("span", span.metadata(), fields.0);
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        tracing::span::Id::from_u64(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }

    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut fields = FieldWriter(String::new());
        values.record(&mut fields);
        self.0
            .lock()
            .expect("not poisoned")
            .push_str(&format!("record{}\n", fields.0));
    }

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = FieldWriter(String::new());
        event.record(&mut fields);
        self.write("event", event.metadata(), fields.0);
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

/// A retry layer with a retry budget of `budget` whose waits are recorded, not slept.
pub fn layer(budget: u32) -> (roster::Resilience, std::sync::Arc<RecordingSleeper>) {
    let sleeper = std::sync::Arc::new(RecordingSleeper::default());
    let resilience = roster::Resilience::new(
        roster::RetryPolicy::default(),
        std::sync::Arc::new(roster::RetryBudget::new(budget)),
    )
    .with_sleeper(sleeper.clone());
    (resilience, sleeper)
}

/// A matcher true for the first `n` `GET path` requests. httpmock runs every matcher of every
/// mock on every request (to rank near misses), so the count must look at the request itself:
/// a counter alone would also count another vendor's concurrent request.
pub fn first(
    n: usize,
    path: &'static str,
) -> impl Fn(&httpmock::HttpMockRequest) -> bool + Send + Sync + 'static {
    let seen = std::sync::atomic::AtomicUsize::new(0);
    move |request| {
        request.method_str() == "GET"
            && request.uri().path() == path
            && seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < n
    }
}
