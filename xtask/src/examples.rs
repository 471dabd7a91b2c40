//! Example checking: every `example` (and every value of an `examples` map) in a spec is
//! validated against its schema with a real JSON Schema validator (`jsonschema`).
//!
//! OpenAPI 3.0 schemas are a dialect of JSON Schema, so each schema is first rewritten into
//! JSON Schema 2020-12 ([`to_json_schema`]):
//!
//! - `nullable: true` becomes a type union with `"null"` (and `null` joins an `enum`; a
//!   `$ref` or composition becomes `anyOf: [<it>, {type: null}]`);
//! - the boolean `exclusiveMinimum` / `exclusiveMaximum` of 3.0 become the numeric form;
//! - `readOnly` properties are not required of a request, `writeOnly` ones not of a response
//!   (see [`Direction`]);
//! - OpenAPI-only keywords (`example`, `discriminator`, `xml`, `externalDocs`, `x-*`) are
//!   dropped; `format` stays, so `email`, `uuid`, `date-time`, `date`, `uri`, `ipv4`... are
//!   checked, while OpenAPI's own formats (`int32`, `password`, `binary`...) are ignored.
//!
//! `$ref`s resolve against the whole spec: the converted `components/schemas` ride along in
//! the root of every schema that is validated, so `#/components/schemas/User` means what it
//! means in the spec.

use std::collections::BTreeSet;

use roster_codegen::lint::{self, Problem};
use serde_json::{Map, Value, json};

/// Which way the data an example shows travels. OpenAPI's `readOnly` properties are sent by
/// the server only and `writeOnly` ones by the client only, so a `required` list does not
/// hold them in the other direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A request body or parameter: `readOnly` properties are not required.
    Request,
    /// A response body or header: `writeOnly` properties are not required.
    Response,
    /// A schema's own example, outside any request or response: `required` holds as
    /// written, so the example shows the whole object (as Redocly CLI reads it too).
    Schema,
}

impl Direction {
    const ALL: [Direction; 3] = [Direction::Request, Direction::Response, Direction::Schema];

    fn index(self) -> usize {
        match self {
            Direction::Request => 0,
            Direction::Response => 1,
            Direction::Schema => 2,
        }
    }

    /// Whether a property with these flags may be missing although `required` names it.
    fn exempts(self, schema: &Value) -> bool {
        let flag = |key: &str| schema.get(key).and_then(Value::as_bool) == Some(true);
        match self {
            Direction::Request => flag("readOnly"),
            Direction::Response => flag("writeOnly"),
            Direction::Schema => false,
        }
    }
}

/// Why an example was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExampleError {
    /// The example breaks its schema: the validator's messages, each with the place inside
    /// the example (`at /id: "seven" is not of type "integer"`).
    Mismatch(Vec<String>),
    /// The schema cannot be compiled (a `$ref` that does not resolve, an invalid `pattern`).
    UnusableSchema(String),
}

/// Rewrites an OpenAPI 3.0 schema into JSON Schema 2020-12 (see the module docs). `doc` is
/// the whole spec, used to look through a property's `$ref` for its `readOnly`/`writeOnly`.
pub fn to_json_schema(doc: &Value, schema: &Value, direction: Direction) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let convert = |v: &Value| to_json_schema(doc, v, direction);
    let mut out = Map::new();
    for (key, value) in map {
        match key.as_str() {
            "nullable" | "discriminator" | "xml" | "externalDocs" | "example"
            | "exclusiveMinimum" | "exclusiveMaximum" => {}
            k if k.starts_with("x-") => {}
            "properties" => {
                let properties = value
                    .as_object()
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), convert(v))).collect())
                    .unwrap_or_default();
                out.insert(key.clone(), Value::Object(properties));
            }
            "additionalProperties" | "items" | "not" => {
                out.insert(key.clone(), convert(value));
            }
            "allOf" | "oneOf" | "anyOf" => {
                let items = value
                    .as_array()
                    .map(|a| a.iter().map(convert).collect())
                    .unwrap_or_default();
                out.insert(key.clone(), Value::Array(items));
            }
            "required" => {
                let properties = map.get("properties");
                let kept = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|name| {
                        let property = name
                            .as_str()
                            .and_then(|n| properties?.get(n))
                            .map(|p| lint::deref(doc, p));
                        !property.is_some_and(|p| direction.exempts(p))
                    })
                    .cloned()
                    .collect();
                out.insert(key.clone(), Value::Array(kept));
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    // OpenAPI 3.0 (like JSON Schema draft 4) spells an exclusive bound as a boolean beside
    // `minimum`/`maximum`; 2020-12 spells it as the number itself.
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match map.get(flag) {
            Some(Value::Bool(true)) => {
                if let Some(limit) = out.remove(bound) {
                    out.insert(flag.into(), limit);
                }
            }
            Some(number @ Value::Number(_)) => {
                out.insert(flag.into(), number.clone());
            }
            _ => {}
        }
    }
    if map.get("nullable") == Some(&Value::Bool(true)) {
        make_nullable(&mut out);
    }
    Value::Object(out)
}

fn make_nullable(schema: &mut Map<String, Value>) {
    match schema.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            schema.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(types)) => {
            if !types.contains(&Value::from("null")) {
                types.push("null".into());
            }
        }
        Some(_) => {}
        None => {
            // `$ref` or a composition marked nullable: allow null beside it.
            let inner = Value::Object(std::mem::take(schema));
            schema.insert("anyOf".into(), json!([inner, {"type": "null"}]));
            return;
        }
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
}

/// Checks examples against schemas of one spec, with the spec's `components/schemas`
/// (converted once per [`Direction`]) available to `$ref`s.
pub struct Checker<'a> {
    doc: &'a Value,
    components: [Value; 3],
}

impl<'a> Checker<'a> {
    /// Prepares checking for the spec `doc`.
    pub fn new(doc: &'a Value) -> Self {
        let components = Direction::ALL.map(|direction| {
            let schemas: Map<String, Value> = doc
                .pointer("/components/schemas")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(name, schema)| (name.clone(), to_json_schema(doc, schema, direction)))
                .collect();
            json!({ "schemas": schemas })
        });
        Checker { doc, components }
    }

    /// Checks one example against one OpenAPI schema of the spec.
    ///
    /// # Errors
    /// [`ExampleError`].
    pub fn check(
        &self,
        schema: &Value,
        example: &Value,
        direction: Direction,
    ) -> Result<(), ExampleError> {
        let mut root = match to_json_schema(self.doc, schema, direction) {
            Value::Object(map) => map,
            other => {
                let mut map = Map::new();
                map.insert("allOf".into(), json!([other]));
                map
            }
        };
        root.insert(
            "components".into(),
            self.components[direction.index()].clone(),
        );
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&Value::Object(root))
            .map_err(|e| ExampleError::UnusableSchema(e.to_string()))?;
        let errors: Vec<String> = validator
            .iter_errors(example)
            .map(|e| {
                let message = shorten(&e.to_string());
                match e.instance_path().to_string() {
                    at if at.is_empty() => message,
                    at => format!("at {at}: {message}"),
                }
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ExampleError::Mismatch(errors))
        }
    }
}

/// Validator messages quote the offending value, which can be a whole object.
fn shorten(message: &str) -> String {
    const MAX: usize = 200;
    match message.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &message[..end]),
        None => message.to_owned(),
    }
}

/// One example found in a spec, with the schema it must match.
pub struct Found<'a> {
    /// JSON pointer to the example (`.../content/application~1json/example`).
    pub pointer: String,
    /// `METHOD /path` when the example belongs to an operation.
    pub operation: Option<String>,
    /// The OpenAPI schema it must match.
    pub schema: &'a Value,
    /// The example value.
    pub example: &'a Value,
    /// Which way it travels.
    pub direction: Direction,
    /// `#/components/examples/...` when the value comes from a referenced Example Object.
    pub via: Option<&'a str>,
}

/// Every example of the spec with its schema: on media types, parameters and headers (the
/// `example` and each `examples` entry, following `$ref`s to `components/examples`), and on
/// schemas and their properties, items and compositions at any depth. Each place is visited
/// once, where it is written (a `$ref`'d parameter, body or response is visited under
/// `components`).
pub fn find(doc: &Value) -> Vec<Found<'_>> {
    let mut finder = Finder {
        doc,
        found: Vec::new(),
    };
    finder.spec();
    finder.found
}

struct Finder<'a> {
    doc: &'a Value,
    found: Vec<Found<'a>>,
}

fn entries(value: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    value.and_then(Value::as_object).into_iter().flatten()
}

fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", lint::escape(key))
}

impl<'a> Finder<'a> {
    fn spec(&mut self) {
        let doc = self.doc;
        for (path, item) in entries(doc.get("paths")) {
            let at = child("/paths", path);
            self.parameters(&at, item, None);
            for method in lint::METHODS {
                let Some(op) = item.get(method) else { continue };
                let label = format!("{} {path}", method.to_uppercase());
                let at = child(&at, method);
                self.parameters(&at, op, Some(&label));
                if let Some(body) = op.get("requestBody") {
                    self.body(&child(&at, "requestBody"), body, Some(&label));
                }
                for (status, response) in entries(op.get("responses")) {
                    let at = child(&child(&at, "responses"), status);
                    self.response(&at, response, Some(&label));
                }
            }
        }
        let components = doc.get("components");
        let section = |name: &str| entries(components.and_then(|c| c.get(name)));
        for (name, schema) in section("schemas") {
            self.schema(&child("/components/schemas", name), schema, None);
        }
        for (name, parameter) in section("parameters") {
            let at = child("/components/parameters", name);
            self.parameter(&at, parameter, None, Direction::Request);
        }
        for (name, body) in section("requestBodies") {
            self.body(&child("/components/requestBodies", name), body, None);
        }
        for (name, response) in section("responses") {
            self.response(&child("/components/responses", name), response, None);
        }
        for (name, header) in section("headers") {
            let at = child("/components/headers", name);
            self.parameter(&at, header, None, Direction::Response);
        }
    }

    fn parameters(&mut self, at: &str, holder: &'a Value, op: Option<&str>) {
        let list = holder.get("parameters").and_then(Value::as_array);
        for (i, parameter) in list.into_iter().flatten().enumerate() {
            let at = format!("{at}/parameters/{i}");
            self.parameter(&at, parameter, op, Direction::Request);
        }
    }

    fn body(&mut self, at: &str, body: &'a Value, op: Option<&str>) {
        for (media, m) in entries(body.get("content")) {
            let at = child(&child(at, "content"), media);
            self.media(&at, m, op, Direction::Request);
        }
    }

    fn response(&mut self, at: &str, response: &'a Value, op: Option<&str>) {
        for (media, m) in entries(response.get("content")) {
            let at = child(&child(at, "content"), media);
            self.media(&at, m, op, Direction::Response);
        }
        for (name, header) in entries(response.get("headers")) {
            let at = child(&child(at, "headers"), name);
            self.parameter(&at, header, op, Direction::Response);
        }
    }

    /// A parameter or header object: a `schema` with `example(s)` beside it, or `content`.
    fn parameter(&mut self, at: &str, p: &'a Value, op: Option<&str>, direction: Direction) {
        if p.get("$ref").is_some() {
            return; // visited where it is written, under `components`
        }
        self.media(at, p, op, direction);
        for (media, m) in entries(p.get("content")) {
            let at = child(&child(at, "content"), media);
            self.media(&at, m, op, direction);
        }
    }

    /// A media type object (or parameter/header): `schema`, `example`, `examples`.
    fn media(&mut self, at: &str, m: &'a Value, op: Option<&str>, direction: Direction) {
        let Some(schema) = m.get("schema") else {
            return;
        };
        if let Some(example) = m.get("example") {
            self.push(child(at, "example"), op, schema, example, direction, None);
        }
        for (name, entry) in entries(m.get("examples")) {
            let via = entry.get("$ref").and_then(Value::as_str);
            let Some(value) = lint::deref(self.doc, entry).get("value") else {
                continue; // `externalValue`, or a dangling `$ref` (reported by its own rule)
            };
            let at = child(&child(at, "examples"), name);
            let at = if via.is_some() {
                at
            } else {
                child(&at, "value")
            };
            self.push(at, op, schema, value, direction, via);
        }
        self.schema(&child(at, "schema"), schema, op);
    }

    /// A schema's own `example`, then its subschemas (not following `$ref`s: each schema
    /// is visited where it is written).
    fn schema(&mut self, at: &str, schema: &'a Value, op: Option<&str>) {
        if let Some(example) = schema.get("example") {
            let at = child(at, "example");
            self.push(at, op, schema, example, Direction::Schema, None);
        }
        for (name, property) in entries(schema.get("properties")) {
            self.schema(&child(&child(at, "properties"), name), property, op);
        }
        for key in ["items", "additionalProperties", "not"] {
            if let Some(sub) = schema.get(key).filter(|s| s.is_object()) {
                self.schema(&child(at, key), sub, op);
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            let list = schema.get(key).and_then(Value::as_array);
            for (i, sub) in list.into_iter().flatten().enumerate() {
                self.schema(&format!("{at}/{key}/{i}"), sub, op);
            }
        }
    }

    fn push(
        &mut self,
        pointer: String,
        op: Option<&str>,
        schema: &'a Value,
        example: &'a Value,
        direction: Direction,
        via: Option<&'a str>,
    ) {
        self.found.push(Found {
            pointer,
            operation: op.map(str::to_owned),
            schema,
            example,
            direction,
            via,
        });
    }
}

/// The `example-valid` rule: every example of the spec matches its schema.
///
/// `skip_unusable`: leave out examples whose schema does not compile, because the spec has
/// `$ref` problems that their own rules report.
pub fn example_rules(doc: &Value, skip_unusable: bool) -> Vec<Problem> {
    let checker = Checker::new(doc);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for found in find(doc) {
        if !seen.insert(found.pointer.clone()) {
            continue;
        }
        let what = match found.via {
            Some(r) => format!("the example `{r}`"),
            None => "the example".to_owned(),
        };
        let message = match checker.check(found.schema, found.example, found.direction) {
            Ok(()) => continue,
            Err(ExampleError::Mismatch(errors)) => {
                format!("{what} does not match its schema: {}", errors.join("; "))
            }
            Err(ExampleError::UnusableSchema(_)) if skip_unusable => continue,
            Err(ExampleError::UnusableSchema(e)) => {
                format!("{what} cannot be checked: its schema does not compile: {e}")
            }
        };
        out.push(Problem {
            pointer: found.pointer,
            operation: found.operation,
            rule: "example-valid",
            message,
        });
    }
    out
}
