//! What the facade logs, in a test binary of its own: tracing caches per call site whether
//! anyone listens, and a test thread's own subscriber (`set_default`) can miss events whose
//! call site another test thread registered first. Alone here, nothing else runs beside it.

use httpmock::Method::GET;
use roster::Vendor;
use roster_tests::{TOKEN, assert_no_secret, first, layer, server};
use serde_json::json;

/// Everything the facade logs at every level while retrying, failing and succeeding, with a
/// secret-bearing request on each vendor: the secret appears nowhere.
#[tokio::test]
async fn nothing_logged_holds_a_secret() {
    let logs = roster_tests::CapturedLogs::default();
    let _guard = tracing::subscriber::set_default(logs.clone());
    let server = server().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/users/")
                .is_true(first(1, "/users/"));
            then.status(429)
                .header("retry-after", "1")
                .json_body(json!({"detail": "Request was throttled."}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/users/");
            then.status(200)
                .json_body(json!({"count": 0, "next": null, "previous": null, "results": []}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/users/me/");
            then.status(500).body("boom");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/users");
            then.status(401)
                .json_body(json!({"message": "Invalid API key"}));
        })
        .await;
    let config = roster::Config::default()
        .with(Vendor::Vectera, Some(&server.base_url()), TOKEN)
        .and_then(|c| c.with(Vendor::Vyte, Some(&server.base_url()), TOKEN))
        .expect("config");
    let (resilience, _) = layer(500);
    let provisioner = roster::Provisioner::with_resilience(&config, resilience).expect("clients");
    let report = provisioner
        .ensure(&roster::Member::new("ann@example.com", "Ann", "Smith").expect("valid"))
        .await;
    assert!(report.has_failures(), "{report:?}");
    let text = logs.text();
    assert!(text.contains("retrying a transient failure"), "{text}");
    assert!(text.contains("provisioning failed"), "{text}");
    assert!(text.contains("Invalid API key"), "{text}");
    assert_no_secret(&text, &[]);
}
