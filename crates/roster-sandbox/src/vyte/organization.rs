//! `/v2/auth/test`: the key check, answering the key's organization.

use axum::http::StatusCode;
use axum::response::Response;
use roster::vyte::types;

use super::{ORG_ID, ORG_NAME};
use crate::plumbing::json;

pub(super) async fn test_auth() -> Response {
    json(StatusCode::OK, &organization())
}

pub(super) fn organization() -> types::Organization {
    types::Organization {
        id: Some(ORG_ID.to_owned()),
        name: Some(ORG_NAME.to_owned()),
        extra: serde_json::Map::new(),
    }
}
