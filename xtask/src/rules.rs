//! `validate`: every rule a spec must meet, each with a stable short name.
//!
//! Three sources, one report:
//! - `roster_codegen::lint::generator_rules`: what progenitor would panic on (shared with the
//!   build scripts, which refuse the same specs);
//! - `roster_codegen::extras`: what Roster's own additions to the client need (one security
//!   scheme it can apply, an https default server);
//! - the rules here: documentation, examples, security ([`spec_rules`]), and the tolerance and
//!   evidence policy of `specs/CONVENTIONS.md` ([`policy`]);
//!
//! and, when all of those pass, a real generation through `roster_codegen::generate` — the
//! build scripts' path — so a panic or refusal of progenitor becomes a `generates` problem
//! naming the spec instead of a broken build.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use roster_codegen::evidence::{EVIDENCE, SOURCE};
use roster_codegen::lint::{self, Problem};
use roster_codegen::{Spec, extras};
use serde_json::Value;

use crate::{evidence, examples, policy};

/// Every rule `validate` checks: its stable name (printed in brackets after each problem)
/// and what it asks of a spec.
pub const RULES: &[(&str, &str)] = &[
    ("readable", "the spec file can be read"),
    (
        "parses",
        "the file is YAML that reads as an OpenAPI 3.0 document",
    ),
    (
        "openapi-3.0",
        "`openapi` is 3.0.x (progenitor reads 3.0 only)",
    ),
    ("local-ref", "every `$ref` is local to the file"),
    ("ref-resolves", "every `$ref` resolves"),
    (
        "no-path-item-ref",
        "path items are written inline, not as `$ref`",
    ),
    ("operation-id", "every operation has an operationId"),
    ("operation-id-unique", "operationIds are unique"),
    (
        "operation-id-snake-case",
        "operationIds are snake_case (`list_users`)",
    ),
    ("operation-tag", "every operation has exactly one tag"),
    ("operation-summary", "every operation has a summary"),
    ("operation-description", "every operation has a description"),
    (
        "path-param-declared",
        "every `{name}` in a path is a declared path parameter",
    ),
    (
        "path-param-used",
        "every declared path parameter appears in the path",
    ),
    (
        "path-param-required",
        "path parameters are `required: true`",
    ),
    (
        "no-cookie-param",
        "no cookie parameters (the generator rejects them)",
    ),
    (
        "one-request-media-type",
        "a request body has exactly one media type",
    ),
    (
        "request-media-type",
        "a request body is `application/json`, or `application/x-www-form-urlencoded` of flat \
         fields where the vendor documents it (the body carries documented or inferred evidence)",
    ),
    (
        "one-success-type",
        "an operation has exactly one 2xx body type",
    ),
    (
        "one-error-type",
        "all 4xx/5xx responses of an operation share one body type",
    ),
    (
        "no-default-with-success",
        "no `default` response next to a 2xx one",
    ),
    (
        "example-present",
        "request bodies and 2xx responses have an example",
    ),
    (
        "example-valid",
        "every example matches its schema (formats and `nullable` included)",
    ),
    (
        "security-declared",
        "a security scheme is declared; requirements name declared ones",
    ),
    (
        "security-used",
        "every scheme is required somewhere; every operation has security",
    ),
    (
        "one-security-scheme",
        "exactly one security scheme (the client applies it)",
    ),
    (
        "security-scheme",
        "the scheme is `http`/`bearer` or an `apiKey` header",
    ),
    (
        "default-server",
        "the first server is the vendor's absolute https base URL",
    ),
    (
        "secret-exact",
        "`format: password` schemas are exactly `type: string` + annotations",
    ),
    (
        "evidence-present",
        "operations, `'2XX'` answers and schemas carry a valid `x-roster-evidence` and an \
         `x-roster-source`; anything else carrying one carries both",
    ),
    (
        "success-2xx",
        "an operation's success response is the range `'2XX'` (no `200`/`201`/`204`)",
    ),
    (
        "error-any-json",
        "errors are exactly `'4XX'` and `'5XX'` with `application/json` `Error`, a schema \
         that accepts any JSON",
    ),
    (
        "answer-tolerant",
        "what only answers reach has no `required` and nullable properties; nothing a \
         server sends has `additionalProperties: false`",
    ),
    ("generates", "progenitor generates a client from the spec"),
];

/// What `validate` found in one spec.
#[derive(Debug)]
pub struct Report {
    /// The spec, as it is named in every problem line.
    pub file: PathBuf,
    /// How many operations the spec has (0 when it did not parse).
    pub operations: usize,
    /// Every broken rule, ordered by location; empty when the spec is valid.
    pub problems: Vec<Problem>,
    /// How much each evidence level backs (`None` when the spec did not parse).
    pub evidence: Option<evidence::Summary>,
}

impl Report {
    /// Whether the spec passed every rule.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// The names of the rules that failed.
    pub fn rules(&self) -> BTreeSet<&'static str> {
        self.problems.iter().map(|p| p.rule).collect()
    }
}

impl fmt::Display for Report {
    /// One line per problem: `specs/x.yaml: GET /users/ (#/paths/~1users~1/get): ... [rule]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}: {p}", self.file.display())?;
        }
        Ok(())
    }
}

/// Validates one spec file against every rule in [`RULES`]. Never panics: an unreadable or
/// malformed file is a `readable` or `parses` problem.
pub fn validate_file(path: &Path) -> Report {
    match roster_codegen::load(path) {
        Ok(spec) => validate_spec(&spec),
        Err(e) => Report {
            file: path.to_path_buf(),
            operations: 0,
            problems: problems_of(e),
            evidence: None,
        },
    }
}

/// Validates a loaded spec (see [`validate_file`]).
pub fn validate_spec(spec: &Spec) -> Report {
    let doc = &spec.json;
    let mut problems = lint::generator_rules(doc);
    let ref_problems = problems
        .iter()
        .any(|p| matches!(p.rule, "ref-resolves" | "local-ref"));
    problems.extend(spec_rules(doc, ref_problems));
    // Generation last, and only when nothing above failed: it would repeat those problems,
    // or panic on them.
    if problems.is_empty()
        && let Err(e) = roster_codegen::generate(spec)
    {
        problems.extend(problems_of(e));
    }
    problems.sort_by(|a, b| a.pointer.cmp(&b.pointer));
    Report {
        file: spec.path.clone(),
        operations: lint::operations(doc).len(),
        problems,
        evidence: Some(evidence::summarize(doc)),
    }
}

/// A `roster_codegen` error as problems (without the file name, which the report adds).
pub fn problems_of(error: roster_codegen::Error) -> Vec<Problem> {
    use roster_codegen::Error;
    let one = |pointer: String, rule, message| {
        vec![Problem {
            pointer,
            operation: None,
            rule,
            message,
        }]
    };
    match error {
        Error::Io { source, .. } => {
            one(String::new(), "readable", format!("cannot read: {source}"))
        }
        Error::Yaml { message, .. } => one(String::new(), "parses", format!("not YAML: {message}")),
        Error::Shape {
            pointer, message, ..
        } => one(
            pointer,
            "parses",
            format!("not an OpenAPI 3.0 document here: {message}"),
        ),
        Error::Rules { problems, .. } => problems,
        Error::Generator { message, .. } => one(
            String::new(),
            "generates",
            format!("progenitor cannot generate a client: {message}"),
        ),
        Error::Output { message, .. } => one(
            String::new(),
            "generates",
            format!("the generated code does not parse (a generator bug): {message}"),
        ),
    }
}

/// The rules beyond what the generator needs: documentation, examples, security, servers,
/// and the tolerance and evidence policy ([`policy`]).
/// `ref_problems`: the spec has dangling or external `$ref`s (already reported), so examples
/// whose schema cannot be compiled are left for after those are fixed.
pub fn spec_rules(doc: &Value, ref_problems: bool) -> Vec<Problem> {
    let mut out = Vec::new();
    operation_rules(doc, &mut out);
    security_rules(doc, &mut out);
    if let Err(p) = extras::default_base_url(doc) {
        out.push(p);
    }
    out.extend(examples::example_rules(doc, ref_problems));
    out.extend(policy::policy_rules(doc));
    out
}

fn problem(pointer: String, operation: &str, rule: &'static str, message: String) -> Problem {
    Problem {
        pointer,
        operation: Some(operation.to_owned()),
        rule,
        message,
    }
}

/// `list_users`, `get_v2_user`: lower-case words joined by single underscores.
pub fn is_snake_case(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !id.contains("__")
        && !id.ends_with('_')
}

fn has_text(value: &Value, key: &str) -> bool {
    value
        .get(key)
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty())
}

fn operation_rules(doc: &Value, out: &mut Vec<Problem>) {
    for o in lint::operations(doc) {
        let op = o.label.as_str();
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
        let one_tag = tags
            .is_some_and(|t| t.len() == 1 && t[0].as_str().is_some_and(|s| !s.trim().is_empty()));
        if !one_tag {
            out.push(problem(
                format!("{}/tags", o.pointer),
                op,
                "operation-tag",
                format!(
                    "the operation needs exactly one tag (it names the generated `Client<Tag>Ext` \
                     trait), found {}",
                    tags.map_or(0, Vec::len)
                ),
            ));
        }
        for (key, rule) in [
            ("summary", "operation-summary"),
            ("description", "operation-description"),
        ] {
            if !has_text(o.op, key) {
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
            request_media_type(doc, body, &at, op, out);
        }
        let responses = o.op.get("responses").and_then(Value::as_object);
        for (status, response) in responses.into_iter().flatten() {
            if status.starts_with('2') {
                let at = format!("{}/responses/{status}", o.pointer);
                let what = format!("the {status} response");
                require_examples(doc, response, &at, &what, op, out);
            }
        }
    }
}

/// The form encoding a request body may use besides JSON.
const FORM: &str = "application/x-www-form-urlencoded";

/// `request-media-type`: JSON, or a form where the vendor documents one. A form's evidence
/// (`x-roster-evidence` documented or inferred, with its source) sits on the request body, so
/// the one place a spec leaves JSON says why; its fields are flat (a form cannot nest), which
/// is what progenitor's `form_urlencoded` (serde_urlencoded) can send.
fn request_media_type(
    doc: &Value,
    holder: &Value,
    pointer: &str,
    op: &str,
    out: &mut Vec<Problem>,
) {
    let body = lint::deref(doc, holder);
    // Two media types are `one-request-media-type`'s to report.
    let content = body
        .get("content")
        .and_then(Value::as_object)
        .filter(|c| c.len() == 1);
    for (media, m) in content.into_iter().flatten() {
        let at = format!("{pointer}/content/{}", lint::escape(media));
        let mut push = |message: String| {
            out.push(problem(at.clone(), op, "request-media-type", message));
        };
        match media.as_str() {
            "application/json" => {}
            FORM => {
                let level = body.get(EVIDENCE).and_then(Value::as_str);
                let sourced = has_text(body, SOURCE);
                if !matches!(level, Some("documented" | "inferred")) || !sourced {
                    push(format!(
                        "a `{FORM}` request body is allowed where the vendor documents it: the \
                         request body needs `x-roster-evidence: documented` (or `inferred`) and \
                         an `x-roster-source` naming where"
                    ));
                }
                let schema = m.get("schema").map(|s| lint::deref(doc, s));
                let props = schema
                    .and_then(|s| s.get("properties"))
                    .and_then(Value::as_object);
                match props {
                    None => push(format!(
                        "a `{FORM}` body needs an object schema with properties"
                    )),
                    Some(props) => {
                        for (name, p) in props {
                            let p = lint::deref(doc, p);
                            let kind = p.get("type").and_then(Value::as_str);
                            if matches!(kind, Some("object" | "array"))
                                || p.get("properties").is_some()
                            {
                                push(format!(
                                    "form field `{name}` is {}: a form carries flat fields only",
                                    kind.unwrap_or("an object")
                                ));
                            }
                        }
                    }
                }
            }
            other => push(format!(
                "a request body is `application/json` (or `{FORM}` where the vendor documents \
                 it), not `{other}`"
            )),
        }
    }
}

/// `example-present` for every media type of a request body or response (`holder`, which
/// may be a `$ref` to `components`).
fn require_examples(
    doc: &Value,
    holder: &Value,
    pointer: &str,
    what: &str,
    op: &str,
    out: &mut Vec<Problem>,
) {
    let content = lint::deref(doc, holder)
        .get("content")
        .and_then(Value::as_object);
    for (media, m) in content.into_iter().flatten() {
        let has_examples = m
            .get("examples")
            .and_then(Value::as_object)
            .is_some_and(|e| !e.is_empty());
        if m.get("example").is_none() && !has_examples {
            let via = holder
                .get("$ref")
                .and_then(Value::as_str)
                .map(|r| format!(" (`{r}`)"))
                .unwrap_or_default();
            out.push(problem(
                format!("{pointer}/content/{}", lint::escape(media)),
                op,
                "example-present",
                format!("{what}{via} has no `example` for {media}"),
            ));
        }
    }
}

fn security_rules(doc: &Value, out: &mut Vec<Problem>) {
    let schemes = "/components/securitySchemes";
    let declared: BTreeSet<&str> = doc
        .pointer(schemes)
        .and_then(Value::as_object)
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if declared.is_empty() {
        out.push(Problem {
            pointer: schemes.into(),
            operation: None,
            rule: "security-declared",
            message: "no security scheme is declared (the client applies the spec's scheme)".into(),
        });
        return;
    }
    // The client applies the one scheme; the generator refuses anything else.
    if let Err(p) = extras::auth_scheme(doc) {
        out.push(p);
    }
    let mut used = BTreeSet::new();
    let mut require = |pointer: &str, requirements: &Value, op: Option<&str>| {
        let mut problems = Vec::new();
        for (i, requirement) in requirements.as_array().into_iter().flatten().enumerate() {
            for name in requirement.as_object().into_iter().flat_map(|m| m.keys()) {
                if declared.contains(name.as_str()) {
                    used.insert(name.clone());
                } else {
                    problems.push(Problem {
                        pointer: format!("{pointer}/{i}"),
                        operation: op.map(str::to_owned),
                        rule: "security-declared",
                        message: format!("security requirement `{name}` names no declared scheme"),
                    });
                }
            }
        }
        problems
    };
    let global = doc.get("security");
    if let Some(global) = global {
        out.extend(require("/security", global, None));
    }
    for o in lint::operations(doc) {
        match o.op.get("security") {
            Some(own) => out.extend(require(
                &format!("{}/security", o.pointer),
                own,
                Some(&o.label),
            )),
            None if global.is_none() => out.push(problem(
                o.pointer.clone(),
                &o.label,
                "security-used",
                "the operation has no `security` and the spec has no global one".into(),
            )),
            None => {}
        }
    }
    for name in declared {
        if !used.contains(name) {
            out.push(Problem {
                pointer: format!("{schemes}/{}", lint::escape(name)),
                operation: None,
                rule: "security-used",
                message: format!("security scheme `{name}` is declared but never required"),
            });
        }
    }
}
