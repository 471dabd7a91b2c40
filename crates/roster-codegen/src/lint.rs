//! The rules a spec must meet before progenitor sees it.
//!
//! progenitor 0.15.1 panics mid-generation on several spec mistakes (a dangling `$ref`, an
//! undeclared path parameter, two success or error types, two request media types; measured
//! and listed in the project's engineering notes). Each of those is checked here first, on the raw JSON
//! value, so the author gets the JSON pointer and the rule instead of a backtrace. The
//! xtask's `validate` runs these same rules next to its own stricter ones.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

/// One broken rule, located by JSON pointer (and operation, when inside one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON pointer into the spec (`/paths/~1users~1/get/responses`).
    pub pointer: String,
    /// `METHOD /path` when the problem is inside an operation.
    pub operation: Option<String>,
    /// The rule's short name (`one-success-type`), stable for tests and grepping.
    pub rule: &'static str,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.operation {
            Some(op) => write!(
                f,
                "{op} (#{}): {} [{}]",
                self.pointer, self.message, self.rule
            ),
            None => write!(f, "#{}: {} [{}]", self.pointer, self.message, self.rule),
        }
    }
}

/// The HTTP methods an OpenAPI 3.0 path item may hold.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Resolves a local `$ref` (`#/components/schemas/User`) against the document. The part
/// after `#` is an RFC 6901 pointer, exactly what `Value::pointer` takes.
pub fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

/// Follows `$ref`s (a chain of them) to the object they name.
pub fn deref<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) => match resolve(doc, r) {
                Some(v) => value = v,
                None => return value,
            },
            None => return value,
        }
    }
    value
}

/// An operation of the spec, in document order.
pub struct Operation<'a> {
    /// `/paths/~1users~1/get`.
    pub pointer: String,
    /// `GET /users/`.
    pub label: String,
    /// The path template (`/users/{id}/`).
    pub path: &'a str,
    /// The lower-case method.
    pub method: &'static str,
    /// The operation object.
    pub op: &'a Value,
    /// The path item holding it (for path-level parameters).
    pub item: &'a Value,
}

/// Every operation of the spec.
pub fn operations(doc: &Value) -> Vec<Operation<'_>> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push(Operation {
                    pointer: format!("/paths/{}/{method}", escape(path)),
                    label: format!("{} {path}", method.to_uppercase()),
                    path,
                    method,
                    op,
                    item,
                });
            }
        }
    }
    out
}

/// Checks every rule whose breach makes progenitor panic or generate a leaky client.
pub fn generator_rules(doc: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut push = |pointer: String, operation: Option<&str>, rule, message: String| {
        problems.push(Problem {
            pointer,
            operation: operation.map(str::to_owned),
            rule,
            message,
        })
    };

    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) => push(
            "/openapi".into(),
            None,
            "openapi-3.0",
            format!("version {v:?} is not OpenAPI 3.0.x (progenitor reads 3.0 only)"),
        ),
        None => push(
            "/openapi".into(),
            None,
            "openapi-3.0",
            "the `openapi` version field is missing".into(),
        ),
    }

    // Every `$ref` must be local and must resolve.
    walk(doc, &mut String::new(), &mut |pointer, value| {
        let Some(r) = value.get("$ref").and_then(Value::as_str) else {
            return;
        };
        if !r.starts_with("#/") {
            push(
                format!("{pointer}/$ref"),
                None,
                "local-ref",
                format!(
                    "`$ref: {r}` points outside this file; only local references are supported"
                ),
            );
        } else if resolve(doc, r).is_none() {
            push(
                format!("{pointer}/$ref"),
                None,
                "ref-resolves",
                format!("`$ref: {r}` does not resolve"),
            );
        }
    });

    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            if item.get("$ref").is_some() {
                push(
                    format!("/paths/{}", escape(path)),
                    None,
                    "no-path-item-ref",
                    "path items must be written inline, not as `$ref`".into(),
                );
            }
        }
    }

    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    for o in operations(doc) {
        let label = Some(o.label.as_str());
        match o.op.get("operationId").and_then(Value::as_str) {
            None => push(
                o.pointer.clone(),
                label,
                "operation-id",
                "the operation has no operationId (it names the generated method)".into(),
            ),
            Some(id) => {
                if let Some(first) = ids.insert(id, o.label.clone()) {
                    push(
                        format!("{}/operationId", o.pointer),
                        label,
                        "operation-id-unique",
                        format!("operationId `{id}` is already used by {first}"),
                    );
                }
            }
        }

        // Parameters: path ones declared, required and used; no cookies.
        let params = parameters(doc, &o);
        let template: BTreeSet<&str> = template_names(o.path);
        let mut declared = BTreeSet::new();
        for (pointer, p) in &params {
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            match p.get("in").and_then(Value::as_str) {
                Some("path") => {
                    declared.insert(name.to_owned());
                    if !template.contains(name) {
                        push(
                            pointer.clone(),
                            label,
                            "path-param-used",
                            format!(
                                "path parameter `{name}` is declared but `{}` has no `{{{name}}}`",
                                o.path
                            ),
                        );
                    }
                    if p.get("required").and_then(Value::as_bool) != Some(true) {
                        push(
                            pointer.clone(),
                            label,
                            "path-param-required",
                            format!("path parameter `{name}` must be `required: true`"),
                        );
                    }
                }
                Some("cookie") => push(
                    pointer.clone(),
                    label,
                    "no-cookie-param",
                    format!("cookie parameter `{name}` is not supported by the generator"),
                ),
                _ => {}
            }
        }
        for name in &template {
            if !declared.contains(*name) {
                push(
                    format!("{}/parameters", o.pointer),
                    label,
                    "path-param-declared",
                    format!(
                        "`{{{name}}}` appears in the path but is not declared as a path parameter"
                    ),
                );
            }
        }

        // One request media type.
        if let Some(body) = o.op.get("requestBody") {
            let body = deref(doc, body);
            let types: Vec<&String> = body
                .get("content")
                .and_then(Value::as_object)
                .map(|c| c.keys().collect())
                .unwrap_or_default();
            if types.len() != 1 {
                push(
                    format!("{}/requestBody/content", o.pointer),
                    label,
                    "one-request-media-type",
                    format!(
                        "a request body needs exactly one media type, found {}: {types:?}",
                        types.len()
                    ),
                );
            }
        }

        // One success type, one error type.
        let responses = o.op.get("responses").and_then(Value::as_object);
        let Some(responses) = responses else {
            push(
                format!("{}/responses", o.pointer),
                label,
                "responses",
                "the operation declares no responses".into(),
            );
            continue;
        };
        let mut success: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        let mut errors: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        let has_default = responses.contains_key("default");
        for (status, response) in responses {
            let shape = body_shape(doc, response);
            let class = status.chars().next().unwrap_or('?');
            match class {
                '2' => success.entry(shape).or_default().push(status),
                '4' | '5' => errors.entry(shape).or_default().push(status),
                _ if status == "default" => errors.entry(shape).or_default().push(status),
                _ => {}
            }
        }
        if has_default && !success.is_empty() {
            push(
                format!("{}/responses/default", o.pointer),
                label,
                "no-default-with-success",
                "`default` counts as both a success and an error type next to a 2xx; use `4XX`/`5XX`".into(),
            );
        }
        if success.is_empty() {
            push(
                format!("{}/responses", o.pointer),
                label,
                "one-success-type",
                "the operation declares no 2xx response".into(),
            );
        }
        if success.len() > 1 {
            push(
                format!("{}/responses", o.pointer),
                label,
                "one-success-type",
                format!(
                    "2xx responses must share one body type, found {}: {}",
                    success.len(),
                    describe(&success)
                ),
            );
        }
        if errors.len() > 1 {
            push(
                format!("{}/responses", o.pointer),
                label,
                "one-error-type",
                format!(
                    "4xx/5xx responses must share one body type, found {}: {}",
                    errors.len(),
                    describe(&errors)
                ),
            );
        }
    }

    // Secret schemas must match the generator's conversion exactly, or they would silently
    // become a plain (printable) String newtype.
    walk(doc, &mut String::new(), &mut |pointer, value| {
        if value.get("format").and_then(Value::as_str) != Some("password") {
            return;
        }
        let extra: Vec<&String> = value
            .as_object()
            .into_iter()
            .flat_map(|o| o.keys())
            .filter(|k| !SECRET_KEYS.contains(&k.as_str()) && !k.starts_with("x-"))
            .collect();
        if value.get("type").and_then(Value::as_str) != Some("string") || !extra.is_empty() {
            push(
                pointer.to_owned(),
                None,
                "secret-exact",
                format!(
                    "a `format: password` schema must be exactly `type: string` plus annotations \
                     (it becomes the redacting `roster_runtime::Secret`); remove {extra:?}"
                ),
            );
        }
    });

    problems
}

/// Keys a secret schema may carry besides `type` and `format` (all annotations).
const SECRET_KEYS: [&str; 8] = [
    "type",
    "format",
    "description",
    "example",
    "readOnly",
    "writeOnly",
    "title",
    "deprecated",
];

fn describe(shapes: &BTreeMap<String, Vec<&str>>) -> String {
    shapes
        .iter()
        .map(|(shape, statuses)| format!("{} -> {shape}", statuses.join("/")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// What a response carries, as a comparable string: `none`, or media type + schema.
fn body_shape(doc: &Value, response: &Value) -> String {
    let response = deref(doc, response);
    match response.get("content").and_then(Value::as_object) {
        None => "no body".into(),
        Some(content) if content.is_empty() => "no body".into(),
        Some(content) => content
            .iter()
            .map(|(media, m)| {
                let schema = m.get("schema").cloned().unwrap_or(Value::Null);
                let schema = match schema.get("$ref").and_then(Value::as_str) {
                    Some(r) => r.to_owned(),
                    None => schema.to_string(),
                };
                format!("{media} {schema}")
            })
            .collect::<Vec<_>>()
            .join(" | "),
    }
}

/// The parameters that apply to an operation: its own plus its path item's, with pointers.
pub fn parameters<'a>(doc: &'a Value, o: &Operation<'a>) -> Vec<(String, &'a Value)> {
    let item_pointer = o
        .pointer
        .rsplit_once('/')
        .map(|(p, _)| p)
        .unwrap_or_default();
    let mut out = Vec::new();
    for (base, holder) in [(item_pointer.to_owned(), o.item), (o.pointer.clone(), o.op)] {
        if let Some(list) = holder.get("parameters").and_then(Value::as_array) {
            for (i, p) in list.iter().enumerate() {
                out.push((format!("{base}/parameters/{i}"), deref(doc, p)));
            }
        }
    }
    out
}

/// The `{names}` in a path template.
pub fn template_names(path: &str) -> BTreeSet<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name))
        .collect()
}

/// Keywords whose value is a map keyed by names the author chose (property, schema, header,
/// media-type names...): there a key `example` or `x-foo` is a name, not a keyword.
const NAME_MAPS: [&str; 12] = [
    "properties",
    "patternProperties",
    "definitions",
    "schemas",
    "responses",
    "parameters",
    "headers",
    "securitySchemes",
    "requestBodies",
    "content",
    "links",
    "paths",
];

/// Visits every object in the document with its JSON pointer, in document order.
///
/// The values of the `example` and `examples` keywords and of `x-*` extensions are data, not
/// spec structure: they are not descended into (an example object with a `$ref` or `format`
/// key is not a schema). A *name* spelled like them — a property called `example` — is still
/// walked.
pub fn walk<'a>(value: &'a Value, pointer: &mut String, f: &mut impl FnMut(&str, &'a Value)) {
    walk_keyed(value, false, pointer, f);
}

/// `names`: the keys of `value` are author-chosen names (see [`NAME_MAPS`]).
fn walk_keyed<'a>(
    value: &'a Value,
    names: bool,
    pointer: &mut String,
    f: &mut impl FnMut(&str, &'a Value),
) {
    let visit = |key: &str, child: &'a Value, names: bool, pointer: &mut String, f: &mut _| {
        let len = pointer.len();
        pointer.push('/');
        pointer.push_str(&escape(key));
        walk_keyed(child, names, pointer, f);
        pointer.truncate(len);
    };
    match value {
        Value::Object(map) => {
            f(pointer, value);
            for (key, child) in map {
                let data = key == "example" || key == "examples" || key.starts_with("x-");
                if names || !data {
                    let child_names = !names && NAME_MAPS.contains(&key.as_str());
                    visit(key, child, child_names, pointer, f);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                visit(&i.to_string(), child, false, pointer, f);
            }
        }
        _ => {}
    }
}
