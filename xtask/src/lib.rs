//! The library behind `cargo xtask`: spec validation, snapshot generation and checking.
//!
//! Validation runs `roster_codegen::lint::generator_rules` (what progenitor would panic on),
//! the rules below, and finally a real generation through `roster_codegen::generate` — the
//! same path the build scripts take — so a spec that validates also builds.
#![deny(missing_docs)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use roster_codegen::lint::{self, Problem};
use serde_json::{Map, Value};

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The vendors, one per `specs/<vendor>.yaml`, sorted.
///
/// # Errors
/// When `specs/` cannot be read.
pub fn vendors(root: &Path) -> std::io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("specs"))?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let path = e.path();
            (path.extension()? == "yaml")
                .then(|| path.file_stem()?.to_str().map(str::to_owned))
                .flatten()
        })
        .collect();
    names.sort();
    Ok(names)
}

/// The spec of a vendor, relative to the root (`specs/vyte.yaml`).
pub fn spec_path(vendor: &str) -> PathBuf {
    PathBuf::from("specs").join(format!("{vendor}.yaml"))
}

/// The committed snapshot of a vendor's generated client, relative to the root.
pub fn snapshot_path(vendor: &str) -> PathBuf {
    PathBuf::from("crates")
        .join(format!("roster-{vendor}"))
        .join("generated")
        .join("client.rs")
}

/// What `validate` found in one spec.
pub struct Report {
    /// How many operations the spec has (0 when it did not parse).
    pub operations: usize,
    /// Every broken rule; empty when the spec is valid. Each line names the file, location
    /// and rule.
    pub problems: Vec<String>,
}

/// Validates one spec file against every rule (see the crate docs and [`spec_rules`]).
pub fn validate_file(path: &Path) -> Report {
    let spec = match roster_codegen::load(path) {
        Ok(spec) => spec,
        Err(e) => {
            return Report {
                operations: 0,
                problems: vec![format!("{e} [parses]")],
            };
        }
    };
    let operations = lint::operations(&spec.json).len();
    let mut problems: Vec<Problem> = lint::generator_rules(&spec.json);
    problems.extend(spec_rules(&spec.json));
    let mut lines: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {p}", path.display()))
        .collect();
    // Generation last, and only when nothing above failed (it would repeat those problems).
    if lines.is_empty()
        && let Err(e) = roster_codegen::generate(&spec)
    {
        lines.push(format!("{e} [generates]"));
    }
    Report {
        operations,
        problems: lines,
    }
}

fn problem(
    pointer: String,
    operation: Option<&str>,
    rule: &'static str,
    message: String,
) -> Problem {
    Problem {
        pointer,
        operation: operation.map(str::to_owned),
        rule,
        message,
    }
}

/// The rules of `specs/CONVENTIONS.md` beyond what the generator needs: documentation,
/// examples, security.
pub fn spec_rules(doc: &Value) -> Vec<Problem> {
    let mut out = Vec::new();
    operation_rules(doc, &mut out);
    security_rules(doc, &mut out);
    example_rules(doc, &mut out);
    out
}

fn is_snake_case(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !id.contains("__")
        && !id.ends_with('_')
}

fn text(value: &Value, key: &str) -> bool {
    value
        .get(key)
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty())
}

fn operation_rules(doc: &Value, out: &mut Vec<Problem>) {
    for o in lint::operations(doc) {
        let op = Some(o.label.as_str());
        if let Some(id) = o.op.get("operationId").and_then(Value::as_str)
            && !is_snake_case(id)
        {
            out.push(problem(
                format!("{}/operationId", o.pointer),
                op,
                "operation-id-snake-case",
                format!("operationId `{id}` is not snake_case (verb_noun, e.g. `list_users`)"),
            ));
        }
        let tags = o.op.get("tags").and_then(Value::as_array);
        if tags.is_none_or(|t| t.is_empty() || !t.iter().all(Value::is_string)) {
            out.push(problem(
                o.pointer.clone(),
                op,
                "operation-tag",
                "the operation needs a tag (it names the generated `Client<Tag>Ext` trait)".into(),
            ));
        }
        for (key, rule) in [
            ("summary", "operation-summary"),
            ("description", "operation-description"),
        ] {
            if !text(o.op, key) {
                out.push(problem(
                    o.pointer.clone(),
                    op,
                    rule,
                    format!("the operation needs a `{key}` (it becomes the method's rustdoc)"),
                ));
            }
        }
        if let Some(body) = o.op.get("requestBody") {
            let at = format!("{}/requestBody", o.pointer);
            require_examples(doc, body, &at, "the request body", op, out);
        }
        for (status, response) in
            o.op.get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter(|(status, _)| status.starts_with('2'))
        {
            let at = format!("{}/responses/{status}", o.pointer);
            require_examples(
                doc,
                response,
                &at,
                &format!("the {status} response"),
                op,
                out,
            );
        }
    }
}

/// `example-present` for every media type of a request body or response (`holder`).
fn require_examples(
    doc: &Value,
    holder: &Value,
    pointer: &str,
    what: &str,
    op: Option<&str>,
    out: &mut Vec<Problem>,
) {
    let content = lint::deref(doc, holder)
        .get("content")
        .and_then(Value::as_object);
    for (media, m) in content.into_iter().flatten() {
        if m.get("example").is_none() && m.get("examples").is_none() {
            out.push(problem(
                format!("{pointer}/content/{}", lint::escape(media)),
                op,
                "example-present",
                format!("{what} has no example"),
            ));
        }
    }
}

fn security_rules(doc: &Value, out: &mut Vec<Problem>) {
    let declared: BTreeSet<&str> = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if declared.is_empty() {
        out.push(problem(
            "/components/securitySchemes".into(),
            None,
            "security-declared",
            "no security scheme is declared".into(),
        ));
        return;
    }
    let mut used = BTreeSet::new();
    let mut check =
        |pointer: String, requirements: &Value, op: Option<&str>, out: &mut Vec<Problem>| {
            for (i, requirement) in requirements.as_array().into_iter().flatten().enumerate() {
                for name in requirement.as_object().into_iter().flat_map(|m| m.keys()) {
                    if declared.contains(name.as_str()) {
                        used.insert(name.clone());
                    } else {
                        out.push(problem(
                            format!("{pointer}/{i}"),
                            op,
                            "security-declared",
                            format!("security requirement `{name}` names no declared scheme"),
                        ));
                    }
                }
            }
        };
    let global = doc.get("security");
    if let Some(global) = global {
        check("/security".into(), global, None, out);
    }
    for o in lint::operations(doc) {
        match o.op.get("security") {
            Some(own) => check(format!("{}/security", o.pointer), own, Some(&o.label), out),
            None if global.is_none() => out.push(problem(
                o.pointer.clone(),
                Some(&o.label),
                "security-used",
                "the operation has no security requirement and there is no global one".into(),
            )),
            None => {}
        }
    }
    for name in declared {
        if !used.contains(name) {
            out.push(problem(
                format!("/components/securitySchemes/{}", lint::escape(name)),
                None,
                "security-used",
                format!("security scheme `{name}` is declared but never required"),
            ));
        }
    }
}

/// Validates every `example` in the document against its schema: media types, parameters and
/// headers (against their `schema`), and schemas and properties (against themselves).
fn example_rules(doc: &Value, out: &mut Vec<Problem>) {
    let components: Map<String, Value> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), to_json_schema(v)))
                .collect()
        })
        .unwrap_or_default();
    let components = Value::Object(components);
    for (pointer, schema, example) in collect_examples(doc) {
        match check_example(&components, schema, example) {
            Ok(()) => {}
            Err(ExampleError::Mismatch(message)) => {
                out.push(problem(pointer, None, "example-valid", message));
            }
            // A schema the validator cannot build has a dangling or external `$ref`, which its
            // own rule reports; the example cannot be judged until that is fixed.
            Err(ExampleError::UnusableSchema(_)) => {}
        }
    }
}

/// Finds `(pointer to the example, schema, example)` triples: media types, parameters and
/// headers hold an example beside a `schema`; a schema holds its own.
fn collect_examples(doc: &Value) -> Vec<(String, &Value, &Value)> {
    let mut found = Vec::new();
    lint::walk(doc, &mut String::new(), &mut |pointer, value| {
        let Some(map) = value.as_object() else { return };
        let Some(example) = map.get("example") else {
            return;
        };
        let schema = match map.get("schema") {
            Some(schema) => schema,
            None if looks_like_schema(map) => value,
            None => return,
        };
        found.push((format!("{pointer}/example"), schema, example));
    });
    found
}

fn looks_like_schema(map: &Map<String, Value>) -> bool {
    [
        "type",
        "$ref",
        "properties",
        "items",
        "enum",
        "allOf",
        "oneOf",
        "anyOf",
        "format",
    ]
    .iter()
    .any(|k| map.contains_key(*k))
}

/// Why an example was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExampleError {
    /// The example breaks its schema: the validator's messages, with the place inside it.
    Mismatch(String),
    /// The schema cannot be compiled (e.g. a `$ref` that does not resolve).
    UnusableSchema(String),
}

/// Checks one example against one OpenAPI schema (with the document's components available to
/// `$ref`s).
///
/// # Errors
/// [`ExampleError`].
pub fn check_example(
    components: &Value,
    schema: &Value,
    example: &Value,
) -> Result<(), ExampleError> {
    let mut root = match to_json_schema(schema) {
        Value::Object(map) => map,
        other => {
            let mut map = Map::new();
            map.insert("allOf".into(), Value::Array(vec![other]));
            map
        }
    };
    root.remove("example");
    root.insert(
        "components".into(),
        serde_json::json!({ "schemas": components }),
    );
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&Value::Object(root))
        .map_err(|e| ExampleError::UnusableSchema(e.to_string()))?;
    let errors: Vec<String> = validator
        .iter_errors(example)
        .map(|e| {
            let at = e.instance_path().to_string();
            if at.is_empty() {
                e.to_string()
            } else {
                format!("at {at}: {e}")
            }
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ExampleError::Mismatch(format!(
            "the example does not match its schema: {}",
            errors.join("; ")
        )))
    }
}

/// Rewrites an OpenAPI 3.0 schema into JSON Schema 2020-12: `nullable: true` becomes a type
/// union with `"null"` (and `null` joins an `enum`), the boolean `exclusiveMinimum` /
/// `exclusiveMaximum` become numbers, OpenAPI-only keywords are dropped.
pub fn to_json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "nullable" | "discriminator" | "xml" | "externalDocs" | "example"
                    | "deprecated" => {}
                    k if k.starts_with("x-") => {}
                    "properties" | "patternProperties" | "schemas" => {
                        let converted = value
                            .as_object()
                            .map(|m| {
                                m.iter()
                                    .map(|(k, v)| (k.clone(), to_json_schema(v)))
                                    .collect::<Map<_, _>>()
                            })
                            .unwrap_or_default();
                        out.insert(key.clone(), Value::Object(converted));
                    }
                    "exclusiveMinimum" | "exclusiveMaximum" => {}
                    "additionalProperties" | "items" | "not" => {
                        out.insert(key.clone(), to_json_schema(value));
                    }
                    "allOf" | "oneOf" | "anyOf" => {
                        let items = value
                            .as_array()
                            .map(|a| a.iter().map(to_json_schema).collect())
                            .unwrap_or_default();
                        out.insert(key.clone(), Value::Array(items));
                    }
                    _ => {
                        out.insert(key.clone(), value.clone());
                    }
                }
            }
            for (flag, bound, strict) in [
                ("exclusiveMinimum", "minimum", "exclusiveMinimum"),
                ("exclusiveMaximum", "maximum", "exclusiveMaximum"),
            ] {
                match map.get(flag) {
                    Some(Value::Bool(true)) => {
                        if let Some(limit) = out.remove(bound) {
                            out.insert(strict.into(), limit);
                        }
                    }
                    Some(Value::Number(n)) => {
                        out.insert(strict.into(), Value::Number(n.clone()));
                    }
                    _ => {}
                }
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                make_nullable(&mut out);
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

fn make_nullable(schema: &mut Map<String, Value>) {
    match schema.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            schema.insert(
                "type".into(),
                Value::Array(vec![Value::String(t), "null".into()]),
            );
        }
        Some(Value::Array(types)) if !types.contains(&Value::from("null")) => {
            types.push("null".into());
        }
        Some(_) => {}
        None => {
            // `$ref` or composition with `nullable`: allow null beside it.
            let inner = Value::Object(std::mem::take(schema));
            schema.insert(
                "anyOf".into(),
                Value::Array(vec![inner, serde_json::json!({"type": "null"})]),
            );
            return;
        }
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
}

/// Compares a vendor's committed snapshot with a fresh generation.
///
/// # Errors
/// A message naming the stale (or missing) snapshot and the command that rewrites it, or the
/// generation error.
pub fn check_snapshot(root: &Path, vendor: &str) -> Result<(), String> {
    let fresh =
        roster_codegen::generate_file(root.join(spec_path(vendor))).map_err(|e| e.to_string())?;
    let path = root.join(snapshot_path(vendor));
    match std::fs::read_to_string(&path) {
        Ok(committed) if committed == fresh => Ok(()),
        Ok(_) => Err(format!(
            "snapshot of {vendor} is stale: {} differs from what specs/{vendor}.yaml generates; run `cargo xtask generate {vendor}`",
            snapshot_path(vendor).display()
        )),
        Err(e) => Err(format!(
            "snapshot of {vendor} is missing ({}: {e}); run `cargo xtask generate {vendor}`",
            snapshot_path(vendor).display()
        )),
    }
}

/// Writes a vendor's snapshot; answers whether it changed.
///
/// # Errors
/// The generation error, or the write error naming the file.
pub fn write_snapshot(root: &Path, vendor: &str) -> Result<bool, String> {
    let fresh =
        roster_codegen::generate_file(root.join(spec_path(vendor))).map_err(|e| e.to_string())?;
    let path = root.join(snapshot_path(vendor));
    if std::fs::read_to_string(&path).is_ok_and(|old| old == fresh) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(&path, fresh).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(true)
}
