//! The token's own account: `/api/me` and `/api/regions`.

use axum::http::StatusCode;
use axum::response::Response;
use roster::veo::types;

use super::{ORG_ID, ORG_NAME, ROLE_ORG_ADMIN, ROLE_USER};
use crate::plumbing::json;

/// The token's own user (`/api/me`).
const ME_ID: i64 = 1000;
/// The regions (`/api/regions`); `RegionId` on a create is stored nowhere and not checked.
const REGIONS: [(i32, &str); 4] = [
    (74, "United Kingdom"),
    (75, "Ireland"),
    (76, "United States"),
    (77, "Australia"),
];

pub(super) async fn get_me() -> Response {
    json(
        StatusCode::OK,
        &types::Me {
            id: Some(types::AnyUserId::Int64(ME_ID)),
            first_name: Some("Sandra".to_owned()),
            last_name: Some("Admin".to_owned()),
            email: Some("sandra.admin@sandbox.veo.example".to_owned()),
            organisations: Some(vec![types::Membership {
                id: Some(types::AnyOrganisationId::Int64(ORG_ID)),
                name: Some(ORG_NAME.to_owned()),
                roles: Some(vec![
                    types::RoleId(ROLE_USER),
                    types::RoleId(ROLE_ORG_ADMIN),
                ]),
            }]),
        },
    )
}

pub(super) async fn list_regions() -> Response {
    let regions: Vec<types::Region> = REGIONS
        .iter()
        .map(|(id, name)| types::Region {
            id: Some(*id),
            name: Some((*name).to_owned()),
        })
        .collect();
    json(StatusCode::OK, &regions)
}
