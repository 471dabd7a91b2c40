//! What the spec says about each operation: its parameters (with their descriptions and
//! examples), its request body's example and description, and its answer's example, found by
//! following local `$ref`s.

use std::collections::BTreeMap;

use serde_json::Value;

use super::squash;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// What the spec says about one operation, for its docs.
#[derive(Debug, Default, Clone)]
pub(super) struct SpecOp {
    /// Parameters: (name, description, example, required).
    pub(super) params: Vec<(String, String, Option<Value>, bool)>,
    pub(super) body_example: Option<Value>,
    pub(super) body_description: Option<String>,
    pub(super) answer_example: Option<Value>,
    /// The operation takes no credentials (`security: []`).
    pub(super) public: bool,
    /// The operation's own first server (a token endpoint on a host of its own).
    pub(super) server: Option<String>,
}

/// Follows `$ref`s (local ones) until a value without one.
fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..16 {
        let Some(target) = value.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match target.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            Some(next) => value = next,
            None => break,
        }
    }
    value
}

/// The example a media type (or parameter) shows: its own `example`, its first `examples`
/// value, or its schema's `example`.
fn example_of(doc: &Value, holder: &Value) -> Option<Value> {
    if let Some(e) = holder.get("example") {
        return Some(e.clone());
    }
    if let Some(e) = holder
        .get("examples")
        .and_then(Value::as_object)
        .and_then(|m| m.values().next())
        .map(|e| resolve(doc, e))
        .and_then(|e| e.get("value"))
    {
        return Some(e.clone());
    }
    let schema = resolve(doc, holder.get("schema")?);
    schema.get("example").cloned().or_else(|| {
        // `allOf: [{$ref}]` (a described or nullable reference): the referenced example.
        let all = schema.get("allOf")?.as_array()?;
        match all.as_slice() {
            [one] => resolve(doc, one).get("example").cloned(),
            _ => None,
        }
    })
}

fn json_media(doc: &Value, holder: &Value) -> Option<Value> {
    let content = resolve(doc, holder).get("content")?.as_object()?;
    content
        .get("application/json")
        .or_else(|| content.values().next())
        .cloned()
}

pub(super) fn spec_ops(doc: &Value) -> BTreeMap<String, SpecOp> {
    let mut out = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for item in paths.values() {
        let item = resolve(doc, item);
        let shared = item.get("parameters").and_then(Value::as_array);
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let mut spec_op = SpecOp {
                public: op
                    .get("security")
                    .or(doc.get("security"))
                    .and_then(Value::as_array)
                    .is_some_and(Vec::is_empty),
                server: op
                    .pointer("/servers/0/url")
                    .and_then(Value::as_str)
                    .map(|u| u.trim_end_matches('/').to_owned()),
                ..SpecOp::default()
            };
            let own = op.get("parameters").and_then(Value::as_array);
            let mut seen = Vec::new();
            for p in own
                .into_iter()
                .flatten()
                .chain(shared.into_iter().flatten())
            {
                let p = resolve(doc, p);
                let Some(name) = p.get("name").and_then(Value::as_str) else {
                    continue;
                };
                let key = (name, p.get("in").and_then(Value::as_str));
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key);
                let description = p
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                let required = p.get("required").and_then(Value::as_bool) == Some(true);
                spec_op
                    .params
                    .push((name.to_owned(), description, example_of(doc, p), required));
            }
            if let Some(body) = op.get("requestBody") {
                let body = resolve(doc, body);
                spec_op.body_description = body
                    .get("description")
                    .and_then(Value::as_str)
                    .map(|d| d.trim().to_owned());
                spec_op.body_example = json_media(doc, body).and_then(|m| example_of(doc, &m));
            }
            if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                spec_op.answer_example = responses
                    .iter()
                    .filter(|(code, _)| code.starts_with('2'))
                    .find_map(|(_, r)| json_media(doc, r).and_then(|m| example_of(doc, &m)));
            }
            out.insert(squash(id), spec_op);
        }
    }
    out
}
