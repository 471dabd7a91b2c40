//! The evidence extensions (`x-roster-evidence`, `x-roster-source`) made visible in the
//! generated rustdoc.
//!
//! `specs/CONVENTIONS.md` ("Evidence") asks every operation, success response, schema (and
//! property whose evidence differs from its schema's) to say where it comes from. Before the
//! document is read by `openapiv3` (and so by progenitor and typify), [`annotate`] appends a
//! line built from those keys to the `description` of what carries them:
//!
//! - an operation: `Evidence: **documented** — vectera-users-guide.txt: "..."`;
//! - its `'2XX'` success response: `Answer: **inferred** — ...`, appended to the
//!   *operation's* description (a response's own description is not in the rustdoc);
//! - a schema or property (anything else carrying the keys): `Evidence: **...** — ...`.
//!
//! A property without its own keys gets nothing: it inherits its schema's evidence. The
//! keys themselves are removed from the annotated copy, so the generator sees exactly the
//! spec it saw before they existed. Only strings are appended, in document order: the output
//! is as deterministic as the spec.

use serde_json::{Map, Value};

use crate::lint;

/// The evidence level's key.
pub const EVIDENCE: &str = "x-roster-evidence";
/// The key naming the document (and words) the evidence comes from.
pub const SOURCE: &str = "x-roster-source";
/// The levels, strongest first.
pub const LEVELS: [&str; 3] = ["documented", "inferred", "unconfirmed"];

/// `(level, source)` when `holder` carries the evidence keys as strings (either may be
/// empty when only one is there).
pub fn of(holder: &Value) -> Option<(&str, &str)> {
    let level = holder.get(EVIDENCE).and_then(Value::as_str);
    let source = holder.get(SOURCE).and_then(Value::as_str);
    if level.is_none() && source.is_none() {
        return None;
    }
    Some((level.unwrap_or_default(), source.unwrap_or_default()))
}

/// The rustdoc line for evidence carried by `holder`, prefixed by `label` (`Evidence`,
/// `Answer`): `Evidence: **documented** — source`.
pub fn line(label: &str, holder: &Value) -> Option<String> {
    let (level, source) = of(holder)?;
    let level = if level.is_empty() { "?" } else { level };
    Some(match source.trim() {
        "" => format!("{label}: **{level}**"),
        source => format!("{label}: **{level}** — {source}"),
    })
}

/// A copy of `doc` whose descriptions carry the evidence lines (see the module docs), without
/// the evidence keys.
pub fn annotate(doc: &Value) -> Value {
    // (pointer, line) for every holder, then the answers onto their operations.
    let mut lines: Vec<(String, String)> = Vec::new();
    let mut strip: Vec<String> = Vec::new();
    lint::walk(doc, &mut String::new(), &mut |pointer, value| {
        if of(value).is_none() {
            return;
        }
        strip.push(pointer.to_owned());
        if is_response(pointer) {
            return;
        }
        if let Some(l) = line("Evidence", value) {
            lines.push((pointer.to_owned(), l));
        }
    });
    for o in lint::operations(doc) {
        let success = o.op.get("responses").and_then(|r| r.get("2XX"));
        if let Some(l) = success.and_then(|r| line("Answer", lint::deref(doc, r))) {
            lines.push((o.pointer.clone(), l));
        }
    }
    // Applied in the order found: an operation's own evidence, then its answer's.
    let mut out = doc.clone();
    for (pointer, l) in lines {
        if let Some(Value::Object(holder)) = out.pointer_mut(&pointer) {
            append(holder, &l);
        }
    }
    for pointer in strip {
        if let Some(Value::Object(holder)) = out.pointer_mut(&pointer) {
            holder.remove(EVIDENCE);
            holder.remove(SOURCE);
        }
    }
    out
}

/// `/paths/~1users~1/get/responses/2XX`, `/components/responses/User`: a response object,
/// whose evidence goes onto its operation.
fn is_response(pointer: &str) -> bool {
    let segments: Vec<&str> = pointer.split('/').collect();
    matches!(
        segments.as_slice(),
        ["", "components", "responses", _] | ["", "paths", _, _, "responses", _]
    )
}

fn append(holder: &mut Map<String, Value>, line: &str) {
    match holder.get_mut("description") {
        Some(Value::String(text)) if !text.trim().is_empty() => {
            text.push_str("\n\n");
            text.push_str(line);
        }
        // Not a string: a shape error the reader reports; leave it as written.
        Some(other) if !other.is_string() => {}
        _ => {
            holder.insert("description".into(), Value::String(line.to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lines_name_the_level_and_the_source() {
        let holder = json!({EVIDENCE: "documented", SOURCE: "guide.txt: \"Create a user\""});
        assert_eq!(
            line("Evidence", &holder).as_deref(),
            Some("Evidence: **documented** — guide.txt: \"Create a user\"")
        );
        assert_eq!(line("Evidence", &json!({"description": "x"})), None);
        assert_eq!(
            line("Answer", &json!({EVIDENCE: "inferred"})).as_deref(),
            Some("Answer: **inferred**")
        );
    }

    #[test]
    fn annotate_appends_to_operations_schemas_and_properties_only() {
        let doc = json!({
            "paths": {"/u/": {"get": {
                "description": "Lists.",
                EVIDENCE: "documented", SOURCE: "a.txt: list",
                "responses": {"2XX": {"description": "Users.", EVIDENCE: "inferred", SOURCE: "b.md: DRF"}},
            }}},
            "components": {"schemas": {"User": {
                "description": "A user.", EVIDENCE: "unconfirmed", SOURCE: "guess",
                "properties": {
                    "id": {"type": "string", "description": "Id."},
                    "name": {"type": "string", EVIDENCE: "documented", SOURCE: "a.txt: name"},
                },
            }}},
        });
        let out = annotate(&doc);
        assert_eq!(
            out["paths"]["/u/"]["get"]["description"],
            "Lists.\n\nEvidence: **documented** — a.txt: list\n\nAnswer: **inferred** — b.md: DRF"
        );
        assert_eq!(
            out["paths"]["/u/"]["get"]["responses"]["2XX"],
            json!({"description": "Users."})
        );
        let user = &out["components"]["schemas"]["User"];
        assert_eq!(
            user["description"],
            "A user.\n\nEvidence: **unconfirmed** — guess"
        );
        assert_eq!(user["properties"]["id"]["description"], "Id.");
        assert_eq!(
            user["properties"]["name"]["description"],
            "Evidence: **documented** — a.txt: name"
        );
        assert!(user.get(EVIDENCE).is_none() && user.get(SOURCE).is_none());
        assert_eq!(annotate(&doc), out, "deterministic");
    }

    #[test]
    fn an_answer_by_ref_is_followed_and_examples_are_data() {
        let doc = json!({
            "paths": {"/u/": {"get": {
                "description": "Gets.",
                "responses": {"2XX": {"$ref": "#/components/responses/U"}},
            }}},
            "components": {
                "responses": {"U": {"description": "U.", EVIDENCE: "documented", SOURCE: "s"}},
                "schemas": {"U": {"description": "U.", "example": {EVIDENCE: "data"}}},
            },
        });
        let out = annotate(&doc);
        assert_eq!(
            out["paths"]["/u/"]["get"]["description"],
            "Gets.\n\nAnswer: **documented** — s"
        );
        assert_eq!(
            out["components"]["responses"]["U"],
            json!({"description": "U."})
        );
        assert_eq!(
            out["components"]["schemas"]["U"]["example"],
            json!({EVIDENCE: "data"})
        );
    }
}
