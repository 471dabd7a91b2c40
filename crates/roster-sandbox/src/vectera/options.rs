//! DRF's `OPTIONS` answer (`SimpleMetadata`) for every route.

use axum::http::{HeaderValue, StatusCode, header};
use axum::routing::MethodRouter;
use serde_json::{Map, Value, json};

use super::{AppState, answer};

/// DRF's `OPTIONS` answer (`SimpleMetadata`): the view's name, what it renders and parses,
/// and the fields a `POST` accepts.
pub(super) type FieldInfo = (&'static str, &'static str, bool);

pub(super) const USER_FIELDS: &[FieldInfo] = &[
    ("firstName", "string", true),
    ("lastName", "string", false),
    ("email", "string", true),
    ("organizationId", "field", true),
    ("password", "string", false),
    ("isManaged", "boolean", false),
];
pub(super) const ORGANIZATION_FIELDS: &[FieldInfo] = &[("name", "string", true)];
pub(super) const MEETING_FIELDS: &[FieldInfo] = &[
    ("key", "string", false),
    ("publicAccessLevel", "choice", false),
    ("forwardUrl", "string", false),
    ("ownerId", "field", false),
];
pub(super) const PERMISSION_FIELDS: &[FieldInfo] = &[("accessLevel", "choice", true)];

pub(super) fn options(
    name: &'static str,
    allow: &'static str,
    post_fields: &'static [FieldInfo],
) -> MethodRouter<AppState> {
    axum::routing::any(move || async move {
        let mut body = json!({
            "name": name,
            "description": "",
            "renders": ["application/json"],
            "parses": ["application/json"],
        });
        if !post_fields.is_empty() {
            let fields: Map<String, Value> = post_fields
                .iter()
                .map(|(field, kind, required)| {
                    (
                        (*field).to_owned(),
                        json!({ "type": kind, "required": required, "read_only": false }),
                    )
                })
                .collect();
            body["actions"] = json!({ "POST": fields });
        }
        let mut response = answer(StatusCode::OK, body);
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(allow));
        response
    })
}
