//! Reading requests as ASP.NET Web API binds them: a JSON body bound to a model (property
//! names ignoring case, `ModelState` errors per field), the `OrganisationId` VEO sends as a
//! number or a string, and query strings.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::{ORG_ID, PROPERTIES, Refused, error, invalid, refused, refused_field};
use crate::plumbing::read_body;

/// An `OrganisationId` as sent: VEO types it string and its examples send a number, so a
/// JSON string or number is read (anything else is a 400). `Ok(None)` when absent.
pub(super) fn organisation_of(model: &mut Model) -> Option<String> {
    match model.object.get("OrganisationId").cloned() {
        None => None,
        Some(Value::String(text)) => Some(text.trim().to_owned()),
        Some(Value::Number(n)) if n.is_i64() => Some(n.to_string()),
        Some(other) => {
            model.fail(
                "OrganisationId",
                format!("Error converting value {other} for OrganisationId."),
            );
            None
        }
    }
}

/// Whether `id` (as [`organisation_of`] read it) is the sandbox's organisation.
pub(super) fn is_ours(id: &str) -> bool {
    id.parse::<i64>().is_ok_and(|id| id == ORG_ID)
}

/// A JSON body being bound to a model, collecting `ModelState` errors as ASP.NET does.
pub(super) struct Model {
    object: Map<String, Value>,
    state: HashMap<String, Vec<String>>,
}

/// Renames the keys of every object in `value` that match a [`PROPERTIES`] name ignoring
/// case to that name, as Json.NET binds properties case-insensitively.
pub(super) fn canonical_keys(value: Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .into_iter()
                .map(|(key, value)| {
                    let key = PROPERTIES
                        .iter()
                        .find(|p| p.eq_ignore_ascii_case(&key))
                        .map_or(key, |p| (*p).to_owned());
                    (key, canonical_keys(value))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(canonical_keys).collect()),
        other => other,
    }
}

/// The first documented property, at any depth, sent as `null`: the spec makes no request
/// field nullable (Json.NET would bind `null` to a list or a string; the spec says no).
pub(super) fn null_property(value: &Value) -> Option<&'static str> {
    match value {
        Value::Object(object) => object.iter().find_map(|(key, value)| {
            match PROPERTIES.iter().find(|p| **p == key.as_str()) {
                Some(name) if value.is_null() => Some(*name),
                _ => null_property(value),
            }
        }),
        Value::Array(items) => items.iter().find_map(null_property),
        _ => None,
    }
}

impl Model {
    /// Reads the body: 400 for another content type, an empty, malformed or non-object body.
    pub(super) async fn read(headers: &HeaderMap, body: Body) -> Result<Self, Refused> {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let media = content_type.split(';').next().unwrap_or_default().trim();
        let is_json = media.eq_ignore_ascii_case("application/json")
            || media.eq_ignore_ascii_case("text/json")
            || (media.len() > 5 && media[media.len() - 5..].eq_ignore_ascii_case("+json"));
        if !is_json {
            return Err(refused(
                StatusCode::BAD_REQUEST,
                &format!(
                    "The request entity's media type '{media}' is not supported for this resource."
                ),
            ));
        }
        let bytes = read_body(body).await.map_err(|_| {
            error(
                StatusCode::BAD_REQUEST,
                "The request body could not be read.",
            )
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(refused_field(
                "model",
                "A non-empty request body is required.",
            ));
        }
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| refused_field("model", format!("The body is not valid JSON: {e}")))?;
        let value = canonical_keys(value);
        if let Some(name) = null_property(&value) {
            return Err(refused_field(
                format!("model.{name}"),
                format!("The {name} field cannot be null."),
            ));
        }
        match value {
            Value::Object(object) => Ok(Self {
                object,
                state: HashMap::new(),
            }),
            _ => Err(refused_field(
                "model",
                "The request body must be a JSON object.",
            )),
        }
    }

    pub(super) fn fail(&mut self, key: &str, message: String) {
        self.state
            .entry(format!("model.{key}"))
            .or_default()
            .push(message);
    }

    /// Property `name` read as a `T`. A missing required property, an explicit `null` (the
    /// spec makes no request field nullable) or a value of the wrong JSON type (no coercion)
    /// is recorded in `ModelState`.
    pub(super) fn field<T: DeserializeOwned>(&mut self, name: &str, required: bool) -> Option<T> {
        match self.object.get(name) {
            None => {
                if required {
                    self.fail(name, format!("The {name} field is required."));
                }
                None
            }
            Some(Value::Null) => {
                self.fail(name, format!("The {name} field cannot be null."));
                None
            }
            Some(value) => match T::deserialize(value) {
                Ok(v) => Some(v),
                Err(e) => {
                    let mut shown = value.to_string();
                    if shown.len() > 60 {
                        let mut end = 60;
                        while !shown.is_char_boundary(end) {
                            end -= 1;
                        }
                        shown.truncate(end);
                        shown.push('…');
                    }
                    self.fail(
                        name,
                        format!("Error converting value {shown} for {name}: {e}"),
                    );
                    None
                }
            },
        }
    }

    /// `Ok` when every property bound; else the 400 with `ModelState`.
    pub(super) fn finish(self) -> Result<(), Refused> {
        if self.state.is_empty() {
            Ok(())
        } else {
            Err(Box::new(invalid(self.state)))
        }
    }
}

/// The query string's pairs; a name is matched ignoring case and its first value is taken.
pub(super) struct QueryPairs(Vec<(String, String)>);

impl QueryPairs {
    pub(super) fn of(uri: &Uri) -> Self {
        Self(
            Query::<Vec<(String, String)>>::try_from_uri(uri)
                .map(|Query(pairs)| pairs)
                .unwrap_or_default(),
        )
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `name` parsed as a `T`, `None` when absent; a 400 naming it when it does not parse
    /// (an empty value included: the spec types it).
    pub(super) fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, Refused> {
        match self.get(name).map(str::trim) {
            None => Ok(None),
            Some(raw) => raw.parse::<T>().map(Some).map_err(|_| {
                refused_field(name, format!("The value '{raw}' is not valid for {name}."))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn keys_bind_ignoring_case() {
        let value =
            canonical_keys(serde_json::json!({"email": "x", "users": [{"isorgadmin": true}]}));
        assert_eq!(
            value,
            serde_json::json!({"Email": "x", "Users": [{"IsOrgAdmin": true}]})
        );
    }
}
