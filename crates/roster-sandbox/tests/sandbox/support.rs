//! What every vendor's tests share: a raw HTTP call, and a provisioner for one fake alone.

use std::sync::Arc;

use roster::test_util::RecordingSleeper;
use roster::{Config, Provisioner, Resilience, RetryBudget, RetryPolicy, Vendor};
use roster_sandbox::Sandbox;
use serde_json::Value;

/// A raw call to `vendor`'s fake (redirects not followed), for what the generated client
/// cannot send: (status, body as JSON, `Null` when empty). A non-empty body must be JSON.
pub async fn raw(
    sandbox: &Sandbox,
    vendor: Vendor,
    method: reqwest::Method,
    path: &str,
    auth: Option<&str>,
    content_type: Option<&str>,
    body: Option<&str>,
) -> (u16, Value) {
    let http =
        roster_runtime::http_client_with("roster-sandbox-test", None, None).expect("a client");
    let mut request = http.request(method, format!("{}{path}", sandbox.base_url(vendor)));
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    if let Some(body) = body {
        request = request.body(body.to_owned());
    }
    let response = request.send().await.expect("the fake answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.expect("a body");
    if text.is_empty() {
        return (status, Value::Null);
    }
    assert!(
        content_type.starts_with("application/json"),
        "{status} {path}: content type {content_type:?}"
    );
    let value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status} {path}: {e}: {text}"));
    (status, value)
}

/// The sandbox's configuration for `vendor` alone.
pub fn config(sandbox: &Sandbox, vendor: Vendor) -> Config {
    Config::default()
        .with(
            vendor,
            Some(&sandbox.base_url(vendor)),
            sandbox.token(vendor),
        )
        .expect("a loopback URL and a secret")
}

/// A provisioner for `vendor`'s fake alone.
pub fn provisioner(sandbox: &Sandbox, vendor: Vendor) -> Provisioner {
    Provisioner::new(&config(sandbox, vendor)).expect("a provisioner")
}

/// A provisioner for `vendor`'s fake alone whose retry waits are recorded, not slept.
pub fn recording_provisioner(
    sandbox: &Sandbox,
    vendor: Vendor,
) -> (Provisioner, Arc<RecordingSleeper>) {
    let waits = Arc::new(RecordingSleeper::default());
    let resilience = Resilience::new(RetryPolicy::default(), Arc::new(RetryBudget::default()))
        .with_sleeper(waits.clone());
    let provisioner =
        Provisioner::with_resilience(&config(sandbox, vendor), resilience).expect("a provisioner");
    (provisioner, waits)
}

/// The status and typed body of a documented error answer of a generated call (every vendor
/// crate re-exports progenitor's one `Error` type).
pub fn error_of<T: std::fmt::Debug, E: std::fmt::Debug>(
    result: Result<T, roster::vyte::Error<E>>,
) -> (u16, E) {
    match result {
        Err(roster::vyte::Error::ErrorResponse(response)) => {
            (response.status().as_u16(), response.into_inner())
        }
        other => panic!("expected a documented error answer, got {other:?}"),
    }
}

/// How many writes (any method but GET) reached every vendor so far.
pub fn writes(sandbox: &Sandbox) -> usize {
    Vendor::ALL
        .into_iter()
        .flat_map(|v| sandbox.all_calls(v))
        .filter(|(route, _)| !route.starts_with("GET "))
        .map(|(_, n)| n)
        .sum()
}
