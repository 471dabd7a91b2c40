//! The facade's `Provisioner` against one httpmock server standing in for all three vendors
//! (their paths do not overlap): look up, then create / update / leave alone; idempotence;
//! one vendor failing without hiding the others; removal.
//!
//! One module per topic under `provision/`; the configuration and look-ups they share are here.

mod ensure;
mod lookup;
mod remove;
mod vectera;

use std::sync::Arc;

use httpmock::Method::{DELETE, GET, PATCH, POST, PUT};
use httpmock::{Mock, MockServer};
use roster::test_util::RecordingSleeper;
use roster::{
    Config, Member, MemberReport, Outcome, Provisioner, Resilience, RetryBudget, RetryPolicy,
    Vendor,
};
use roster_tests::{TOKEN, request, server};
use serde_json::json;

const ORG: &str = "3f6c2a1e-8b4d-4c2e-9a7f-1d2e3f4a5b6c";
const VECTERA: &str = "Token tok_5ecret_value_0123456789";
const VEO: &str = "Bearer tok_5ecret_value_0123456789";

fn provisioner(server: &MockServer) -> Provisioner {
    let base = server.base_url();
    let config = Config::default()
        .with(Vendor::Vectera, Some(&base), TOKEN)
        .and_then(|c| c.with(Vendor::Vyte, Some(&base), TOKEN))
        .and_then(|c| c.with(Vendor::Veo, Some(&base), TOKEN))
        .expect("config");
    let resilience = Resilience::new(RetryPolicy::default(), Arc::new(RetryBudget::default()))
        .with_sleeper(Arc::new(RecordingSleeper::default()));
    Provisioner::with_resilience(&config, resilience).expect("clients")
}

fn ann() -> Member {
    Member::new("ann@example.com", "Ann", "Smith").expect("valid")
}

fn outcome(report: &MemberReport, vendor: Vendor) -> &Outcome {
    report.outcome(vendor).expect("vendor configured")
}

/// The look-ups every ensure makes before writing (Vectera's `me` and VEO's `/me` once).
async fn lookups(server: &MockServer, present: bool) -> Vec<Mock<'_>> {
    let vectera_users = if present {
        json!([{"id": "42", "firstName": "Ann", "lastName": "Smith", "email": "ANN@example.com", "isManaged": false}])
    } else {
        json!([])
    };
    let vyte_users = if present {
        json!([{"_id": "v42", "first_name": "Ann", "last_name": "Smith", "emails": ["ann@example.com"]}])
    } else {
        json!([])
    };
    let veo_items = if present {
        json!([{"Id": 42, "FirstName": "Ann", "LastName": "Smith", "Email": "ann@example.com",
                "IsActive": true, "Roles": [{"OrganisationId": 1, "Roles": [4]}]}])
    } else {
        json!([])
    };
    vec![
        server
            .mock_async(|when, then| {
                request(
                    when,
                    GET,
                    "/users/",
                    VECTERA,
                    &[("search", "ann@example.com"), ("page", "1"), ("perPage", "100")],
                );
                then.status(200).json_body(
                    json!({"count": 1, "next": null, "previous": null, "results": vectera_users}),
                );
            })
            .await,
        server
            .mock_async(|when, then| {
                request(when, GET, "/users/me/", VECTERA, &[]);
                then.status(200).json_body(
                    json!({"id": "1", "firstName": "Ada", "email": "ada@example.com", "organizationId": ORG}),
                );
            })
            .await,
        server
            .mock_async(|when, then| {
                request(when, GET, "/v2/users", TOKEN, &[]);
                then.status(200).json_body(vyte_users);
            })
            .await,
        server
            .mock_async(|when, then| {
                request(when, GET, "/api/me", VEO, &[]);
                then.status(200).json_body(json!({"Id": 1, "Organisations": [
                    {"Id": 9, "Roles": [4]}, {"Id": 1, "Name": "Acme", "Roles": [4, 2]}]}));
            })
            .await,
        server
            .mock_async(|when, then| {
                request(
                    when,
                    GET,
                    "/api/users/get-all",
                    VEO,
                    &[("searchTerm", "ann@example.com"), ("organisationId", "1"), ("pageSize", "100")],
                );
                then.status(200)
                    .json_body(json!({"Items": veo_items, "Page": 1, "PageSize": 100, "TotalItemCount": 1}));
            })
            .await,
    ]
}
