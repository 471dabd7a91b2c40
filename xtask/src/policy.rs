//! The rules of the tolerance policy and the evidence extensions (`specs/CONVENTIONS.md`,
//! "Tolerance policy" and "Evidence"): `evidence-present`, `success-2xx`, `error-any-json`,
//! `answer-tolerant`.
//!
//! Where one fault would break an older rule and one of these, only the older (more specific)
//! rule reports it: a `default` next to a 2xx is `no-default-with-success`, error responses
//! of different body types are `one-error-type`; once fixed, anything left is reported here.

use std::collections::{BTreeMap, BTreeSet};

use roster_codegen::evidence::{EVIDENCE, LEVELS, SOURCE};
use roster_codegen::lint::{self, Operation, Problem};
use serde_json::Value;

/// The one error schema every operation's `'4XX'` and `'5XX'` use.
pub const ERROR_SCHEMA: &str = "#/components/schemas/Error";

/// Keywords that would make the `Error` schema reject some JSON value.
const NARROWING: [&str; 12] = [
    "type",
    "properties",
    "required",
    "enum",
    "oneOf",
    "anyOf",
    "allOf",
    "not",
    "items",
    "additionalProperties",
    "$ref",
    "format",
];

/// Every problem of the four policy rules, in no particular order.
pub fn policy_rules(doc: &Value) -> Vec<Problem> {
    let mut out = Vec::new();
    evidence_present(doc, &mut out);
    let operations = lint::operations(doc);
    for o in &operations {
        success_2xx(o, &mut out);
        error_any_json(doc, o, &mut out);
    }
    if !operations.is_empty() {
        error_schema_any_json(doc, &mut out);
    }
    answer_tolerant(doc, &mut out);
    out
}

fn problem(pointer: String, o: Option<&Operation<'_>>, rule: &'static str, m: String) -> Problem {
    Problem {
        pointer,
        operation: o.map(|o| o.label.clone()),
        rule,
        message: m,
    }
}

/// The pointer a local `$ref` names (`#/components/x` → `/components/x`).
fn target(reference: &str) -> Option<&str> {
    reference.strip_prefix('#')
}

/// Follows a `$ref` chain from `value` (found at `pointer`): the object and its pointer.
fn deref_at<'a>(doc: &'a Value, value: &'a Value, pointer: &str) -> (&'a Value, String) {
    let (mut value, mut pointer) = (value, pointer.to_owned());
    for _ in 0..16 {
        let Some(r) = value.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match (target(r), lint::resolve(doc, r)) {
            (Some(t), Some(v)) => (value, pointer) = (v, t.to_owned()),
            _ => break,
        }
    }
    (value, pointer)
}

/// What is wrong with the evidence keys of `holder`, if anything.
fn evidence_fault(holder: &Value) -> Option<String> {
    let level = holder.get(EVIDENCE);
    let source = holder.get(SOURCE);
    let levels = LEVELS.join(", ");
    let mut faults = Vec::new();
    match level {
        None => faults.push(format!("no `{EVIDENCE}` ({levels})")),
        Some(Value::String(l)) if LEVELS.contains(&l.as_str()) => {}
        Some(other) => faults.push(format!("`{EVIDENCE}: {other}`, not one of {levels}")),
    }
    match source {
        Some(Value::String(s)) if !s.trim().is_empty() => {}
        None => faults.push(format!(
            "no `{SOURCE}` (the document and its words, e.g. \"guide.txt: Create a user\")"
        )),
        Some(other) => faults.push(format!("`{SOURCE}: {other}`, not a non-empty string")),
    }
    (!faults.is_empty()).then(|| faults.join("; "))
}

/// `evidence-present`: operations, their `'2XX'` answers and the schemas under
/// `components/schemas` carry both keys, valid; anything else that has one has both.
fn evidence_present(doc: &Value, out: &mut Vec<Problem>) {
    let rule = "evidence-present";
    let mut required: BTreeSet<String> = BTreeSet::new();
    for o in lint::operations(doc) {
        required.insert(o.pointer.clone());
        if let Some(fault) = evidence_fault(o.op) {
            out.push(problem(
                o.pointer.clone(),
                Some(&o),
                rule,
                format!("the operation has {fault}"),
            ));
        }
        let Some(answer) = o.op.get("responses").and_then(|r| r.get("2XX")) else {
            continue;
        };
        let at = format!("{}/responses/2XX", o.pointer);
        let (answer, held_at) = deref_at(doc, answer, &at);
        required.insert(held_at.clone());
        if let Some(fault) = evidence_fault(answer) {
            let via = if held_at == at {
                String::new()
            } else {
                format!(" (`#{held_at}`)")
            };
            out.push(problem(
                at,
                Some(&o),
                rule,
                format!("the `'2XX'` answer{via} has {fault}"),
            ));
        }
    }
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    for (name, schema) in schemas.into_iter().flatten() {
        let at = format!("/components/schemas/{}", lint::escape(name));
        required.insert(at.clone());
        if let Some(fault) = evidence_fault(schema) {
            out.push(problem(
                at,
                None,
                rule,
                format!("schema `{name}` has {fault}"),
            ));
        }
    }
    // Everything else (properties, parameters...): optional, but whole and valid when there.
    let mut partial = Vec::new();
    lint::walk(doc, &mut String::new(), &mut |pointer, value| {
        let has = |k| value.get(k).is_some_and(|v: &Value| !v.is_object());
        if (has(EVIDENCE) || has(SOURCE))
            && !required.contains(pointer)
            && let Some(fault) = evidence_fault(value)
        {
            partial.push(problem(
                pointer.to_owned(),
                None,
                rule,
                format!(
                    "this has {fault}: what carries one evidence key carries both (a property \
                     without either inherits its schema's)"
                ),
            ));
        }
    });
    out.extend(partial);
}

/// `success-2xx`: the one success response is the range `'2XX'`.
fn success_2xx(o: &Operation<'_>, out: &mut Vec<Problem>) {
    let responses = o.op.get("responses").and_then(Value::as_object);
    for status in responses.into_iter().flat_map(|r| r.keys()) {
        if status.starts_with('2') && status != "2XX" {
            out.push(problem(
                format!("{}/responses/{}", o.pointer, lint::escape(status)),
                Some(o),
                "success-2xx",
                format!(
                    "the success response `{status}` must be the range `'2XX'` (a create may \
                     answer 200 or 201, an update 200 or 204)"
                ),
            ));
        }
    }
}

/// What a response's body is, for comparing error responses (as `lint` does).
fn body_key(doc: &Value, response: &Value) -> String {
    let content = lint::deref(doc, response).get("content");
    match content.and_then(Value::as_object) {
        Some(c) if !c.is_empty() => c
            .iter()
            .map(|(media, m)| {
                let schema = m.get("schema").unwrap_or(&Value::Null);
                match schema.get("$ref").and_then(Value::as_str) {
                    Some(r) => format!("{media} {r}"),
                    None => format!("{media} {schema}"),
                }
            })
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "no body".into(),
    }
}

/// `error-any-json`, per operation: exactly `'4XX'` and `'5XX'`, each with only
/// `application/json` and the `Error` schema.
fn error_any_json(doc: &Value, o: &Operation<'_>, out: &mut Vec<Problem>) {
    let rule = "error-any-json";
    let Some(responses) = o.op.get("responses").and_then(Value::as_object) else {
        return;
    };
    let has_success = responses.keys().any(|s| s.starts_with('2'));
    let errors: Vec<(&String, &Value)> = responses
        .iter()
        .filter(|(s, _)| s.starts_with('4') || s.starts_with('5') || *s == "default")
        .collect();
    for (status, _) in &errors {
        let specific = !matches!(status.as_str(), "4XX" | "5XX" | "default");
        // `default` next to a 2xx is `no-default-with-success`'s.
        if specific || (status.as_str() == "default" && !has_success) {
            out.push(problem(
                format!("{}/responses/{}", o.pointer, lint::escape(status)),
                Some(o),
                rule,
                format!(
                    "the error response `{status}` must go: errors are the ranges `'4XX'` and \
                     `'5XX'` only (progenitor matches a range before a specific code; the \
                     range's description names the statuses the vendor documents)"
                ),
            ));
        }
    }
    for range in ["4XX", "5XX"] {
        if !responses.contains_key(range) {
            out.push(problem(
                format!("{}/responses", o.pointer),
                Some(o),
                rule,
                format!("no `'{range}'` error response (with `$ref: '{ERROR_SCHEMA}'`)"),
            ));
        }
    }
    // Error bodies of different types are `one-error-type`'s.
    let shapes: BTreeSet<String> = errors.iter().map(|(_, r)| body_key(doc, r)).collect();
    if shapes.len() > 1 {
        return;
    }
    for range in ["4XX", "5XX"] {
        let Some(response) = responses.get(range) else {
            continue;
        };
        let content = lint::deref(doc, response)
            .get("content")
            .and_then(Value::as_object);
        let json_error = content.is_some_and(|c| {
            c.len() == 1
                && c.get("application/json")
                    .and_then(|m| m.get("schema"))
                    .and_then(|s| s.get("$ref"))
                    .and_then(Value::as_str)
                    == Some(ERROR_SCHEMA)
        });
        if !json_error {
            out.push(problem(
                format!("{}/responses/{range}", o.pointer),
                Some(o),
                rule,
                format!(
                    "the `'{range}'` response must have exactly the content `application/json` \
                     with `schema: {{$ref: '{ERROR_SCHEMA}'}}` (the runtime turns any error \
                     body into JSON)"
                ),
            ));
        }
    }
}

/// `error-any-json`, per spec: the `Error` schema accepts any JSON value.
fn error_schema_any_json(doc: &Value, out: &mut Vec<Problem>) {
    let at = "/components/schemas/Error";
    let Some(error) = doc.pointer(at) else {
        out.push(problem(
            "/components/schemas".into(),
            None,
            "error-any-json",
            "no `Error` schema (one schema that accepts any JSON: a description, no `type`)".into(),
        ));
        return;
    };
    let narrowing: Vec<&str> = NARROWING
        .into_iter()
        .filter(|k| error.get(k).is_some())
        .collect();
    if !error.is_object() || !narrowing.is_empty() {
        out.push(problem(
            at.into(),
            None,
            "error-any-json",
            format!(
                "the `Error` schema must accept any JSON (an HTML page or text arrives as a JSON \
                 string): remove {narrowing:?}"
            ),
        ));
    }
}

/// Where a schema leads: `(pointer, schema)` of its subschemas (not following `$ref`).
fn children<'a>(schema: &'a Value, pointer: &str) -> Vec<(String, &'a Value)> {
    let mut out = Vec::new();
    let at = |k: &str| format!("{pointer}/{}", lint::escape(k));
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, p) in props {
            out.push((format!("{}/{}", at("properties"), lint::escape(name)), p));
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(s) = schema.get(key).filter(|s| s.is_object()) {
            out.push((at(key), s));
        }
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for (i, s) in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            out.push((format!("{}/{i}", at(key)), s));
        }
    }
    out
}

/// Every schema reachable from `roots` (following `$ref`s), by pointer.
fn reach<'a>(doc: &'a Value, roots: Vec<(String, &'a Value)>) -> BTreeMap<String, &'a Value> {
    let mut seen: BTreeMap<String, &Value> = BTreeMap::new();
    let mut todo = roots;
    while let Some((pointer, schema)) = todo.pop() {
        let (schema, pointer) = deref_at(doc, schema, &pointer);
        if seen.insert(pointer.clone(), schema).is_some() {
            continue;
        }
        todo.extend(children(schema, &pointer));
    }
    seen
}

/// The schemas of the media types of a request body or response.
fn content_schemas<'a>(doc: &'a Value, holder: &'a Value, at: &str) -> Vec<(String, &'a Value)> {
    let (holder, at) = deref_at(doc, holder, at);
    let content = holder.get("content").and_then(Value::as_object);
    content
        .into_iter()
        .flatten()
        .filter_map(|(media, m)| {
            let s = m.get("schema")?;
            Some((format!("{at}/content/{}/schema", lint::escape(media)), s))
        })
        .collect()
}

/// `answer-tolerant`: what only answers reach lists nothing as `required`, keeps unknown
/// properties and makes every property nullable; what requests share keeps unknown
/// properties.
fn answer_tolerant(doc: &Value, out: &mut Vec<Problem>) {
    let rule = "answer-tolerant";
    let (mut answers, mut requests) = (Vec::new(), Vec::new());
    for o in lint::operations(doc) {
        if let Some(body) = o.op.get("requestBody") {
            let at = format!("{}/requestBody", o.pointer);
            requests.extend(content_schemas(doc, body, &at));
        }
        let responses = o.op.get("responses").and_then(Value::as_object);
        for (status, response) in responses.into_iter().flatten() {
            if status.starts_with('2') {
                let at = format!("{}/responses/{}", o.pointer, lint::escape(status));
                answers.extend(content_schemas(doc, response, &at));
            }
        }
    }
    let requests = reach(doc, requests);
    for (pointer, schema) in reach(doc, answers) {
        if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
            out.push(problem(
                format!("{pointer}/additionalProperties"),
                None,
                rule,
                "a schema a server sends keeps unknown properties: remove \
                 `additionalProperties: false`"
                    .into(),
            ));
        }
        if requests.contains_key(&pointer) {
            continue;
        }
        if schema
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| !r.is_empty())
        {
            out.push(problem(
                format!("{pointer}/required"),
                None,
                rule,
                "a schema only answers reach lists no `required` properties (the facade checks \
                 what it needs itself)"
                    .into(),
            ));
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (name, p) in props.into_iter().flatten() {
            let nullable = p.get("nullable") == Some(&Value::Bool(true));
            // A bare `$ref` cannot carry `nullable` in 3.0: accepted (the referenced schema
            // is checked itself); `allOf: [$ref]` + `nullable: true` is the nullable form.
            // Nor can a typeless `oneOf`/`anyOf` (Redocly: `nullable` needs a `type`; on a
            // branch it renames the generated variants): accepted, as an optional field reads
            // `null` as none.
            // `allOf: [$ref]` without `nullable` is accepted only around a typeless union,
            // which cannot be made nullable (see below); anywhere else it must say `nullable`.
            let wraps_typeless_union = p
                .get("allOf")
                .and_then(Value::as_array)
                .filter(|all| all.len() == 1)
                .and_then(|all| all[0].get("$ref").and_then(Value::as_str))
                .and_then(|target| doc.pointer(target.trim_start_matches('#')))
                .is_some_and(|t| {
                    t.get("type").is_none()
                        && (t.get("oneOf").is_some() || t.get("anyOf").is_some())
                });
            let bare_ref = p.get("$ref").is_some() || wraps_typeless_union;
            let typeless_union =
                p.get("type").is_none() && (p.get("oneOf").is_some() || p.get("anyOf").is_some());
            // Any JSON (no `type`, no `$ref`, no composition): `null` is already one of its
            // values, and Redocly refuses `nullable` without a `type`.
            let any_json = ["type", "$ref", "oneOf", "anyOf", "allOf", "not", "enum"]
                .iter()
                .all(|key| p.get(key).is_none());
            if !nullable && !bare_ref && !typeless_union && !any_json {
                out.push(problem(
                    format!("{pointer}/properties/{}", lint::escape(name)),
                    None,
                    rule,
                    format!(
                        "property `{name}` of an answer must be `nullable: true` (a `$ref` as \
                         `allOf: [$ref]` + `nullable: true`)"
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// A one-operation spec: `POST /a/` sending `request` and answering `answer`.
    fn spec(request: Value, answer: Value, schemas: Value) -> Value {
        json!({
            "paths": {"/a/": {"post": {
                "requestBody": {"content": {"application/json": {"schema": request}}},
                "responses": {"2XX": {"content": {"application/json": {"schema": answer}}}},
            }}},
            "components": {"schemas": schemas},
        })
    }

    fn tolerance(doc: &Value) -> Vec<String> {
        let mut out = Vec::new();
        answer_tolerant(doc, &mut out);
        let mut found: Vec<String> = out.into_iter().map(|p| p.pointer).collect();
        found.sort();
        found
    }

    #[test]
    fn answers_are_followed_through_every_kind_of_subschema() {
        let strict = |name: &str| {
            json!({"type": "object", "required": ["x"], "properties": {
            "x": {"type": "string", "description": name}}})
        };
        let doc = spec(
            json!({"type": "object"}),
            json!({"oneOf": [
                {"$ref": "#/components/schemas/A"},
                {"type": "array", "items": {"$ref": "#/components/schemas/B"}},
                {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/C"}},
            ]}),
            json!({"A": strict("a"), "B": strict("b"), "C": strict("c"), "Unused": strict("u")}),
        );
        assert_eq!(
            tolerance(&doc),
            [
                "/components/schemas/A/properties/x",
                "/components/schemas/A/required",
                "/components/schemas/B/properties/x",
                "/components/schemas/B/required",
                "/components/schemas/C/properties/x",
                "/components/schemas/C/required",
            ],
            "what no answer reaches is not checked"
        );
    }

    #[test]
    fn an_any_json_property_needs_no_nullable_but_a_typed_one_does() {
        let event = json!({"type": "object", "properties": {
            "dates": {"description": "Any JSON, as the vendor sends it."},
            "title": {"type": "string"},
            "kind": {"enum": ["a", "b"]},
        }});
        let doc = spec(
            json!({"type": "object"}),
            json!({"$ref": "#/components/schemas/Event"}),
            json!({"Event": event}),
        );
        assert_eq!(
            tolerance(&doc),
            [
                "/components/schemas/Event/properties/kind",
                "/components/schemas/Event/properties/title",
            ]
        );
    }

    #[test]
    fn a_schema_requests_share_keeps_required_but_not_closed_objects() {
        let user = json!({"type": "object", "required": ["email"], "properties": {
            "email": {"type": "string"},
            "team": {"allOf": [{"$ref": "#/components/schemas/Team"}], "nullable": true},
            "boss": {"$ref": "#/components/schemas/User"},
        }});
        let team = json!({"type": "object", "additionalProperties": false, "properties": {
            "name": {"type": "string", "nullable": true}}});
        let doc = spec(
            json!({"$ref": "#/components/schemas/User"}),
            json!({"$ref": "#/components/schemas/User"}),
            json!({"User": user, "Team": team}),
        );
        assert_eq!(
            tolerance(&doc),
            ["/components/schemas/Team/additionalProperties"]
        );
    }

    #[test]
    fn evidence_on_a_property_named_like_the_key_is_not_taken_for_evidence() {
        let doc = json!({"components": {"schemas": {"A": {
            EVIDENCE: "documented", SOURCE: "a.txt",
            "properties": {EVIDENCE: {"type": "string"}},
        }}}});
        let mut out = Vec::new();
        evidence_present(&doc, &mut out);
        assert_eq!(out, []);
    }

    #[test]
    fn the_error_schema_may_only_describe() {
        let mut out = Vec::new();
        error_schema_any_json(
            &json!({"components": {"schemas": {"Error": {"description": "Any.", "nullable": true,
                EVIDENCE: "inferred", SOURCE: "s", "example": {"detail": "x"}}}}}),
            &mut out,
        );
        assert_eq!(out, []);
        error_schema_any_json(
            &json!({"components": {"schemas": {"Error": {"oneOf": [{}], "enum": [1]}}}}),
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert!(
            out[0].message.contains(r#"["enum", "oneOf"]"#),
            "{}",
            out[0].message
        );
    }
}
