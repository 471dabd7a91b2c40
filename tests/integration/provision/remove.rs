//! `Provisioner::remove` and `deactivate`: a delete, an unlink or a deactivation, whichever
//! each vendor offers.

use super::*;

#[tokio::test]
async fn remove_deletes_unlinks_and_reports_absence() {
    let server = server().await;
    let _present = lookups(&server, true).await;
    let deletes = [
        server
            .mock_async(|when, then| {
                request(when, DELETE, "/users/42/", VECTERA, &[]);
                then.status(204);
            })
            .await,
        server
            .mock_async(|when, then| {
                request(when, DELETE, "/v2/users/v42", TOKEN, &[]);
                then.status(200).json_body(json!({"_id": "org"}));
            })
            .await,
        server
            .mock_async(|when, then| {
                request(when, DELETE, "/api/user", VEO, &[("id", "42")]);
                then.status(200);
            })
            .await,
    ];
    let provisioner = provisioner(&server);
    let report = provisioner.remove(" ann@example.com ").await;
    assert_eq!(report.email, "ann@example.com");
    for vendor in Vendor::ALL {
        assert!(
            matches!(outcome(&report, vendor), Outcome::Removed),
            "{vendor}: {report:?}"
        );
    }
    for mock in deletes {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn deactivate_maps_to_what_each_vendor_offers() {
    let server = server().await;
    let _present = lookups(&server, true).await;
    let mocks = [
        // Vectera has no deactivation: delete.
        server
            .mock_async(|when, then| {
                request(when, DELETE, "/users/42/", VECTERA, &[]);
                then.status(204);
            })
            .await,
        // Vyte: unlink.
        server
            .mock_async(|when, then| {
                request(when, DELETE, "/v2/users/v42", TOKEN, &[]);
                then.status(200).json_body(json!({"_id": "org"}));
            })
            .await,
        // VEO: IsActive false, names and roles kept.
        server
            .mock_async(|when, then| {
                request(when, PUT, "/api/v2/users/42", VEO, &[]).json_body(json!({
                    "FirstName": "Ann", "LastName": "Smith", "Email": "ann@example.com",
                    "IsActive": false, "Roles": [{"OrganisationId": 1, "Roles": [4]}]
                }));
                then.status(200);
            })
            .await,
    ];
    let report = provisioner(&server).deactivate("ann@example.com").await;
    assert!(
        matches!(outcome(&report, Vendor::Vectera), Outcome::Removed),
        "{report:?}"
    );
    assert!(
        matches!(outcome(&report, Vendor::Vyte), Outcome::Deactivated),
        "{report:?}"
    );
    assert!(
        matches!(outcome(&report, Vendor::Veo), Outcome::Deactivated),
        "{report:?}"
    );
    for mock in mocks {
        mock.assert_async().await;
    }
}
