//! How much of a spec each evidence level backs (`specs/CONVENTIONS.md`, "Evidence"): the
//! per-vendor summary `cargo xtask validate` and `check` print.
//!
//! Counted: the operations, their success answers (`'2XX'`, or a `200` `success-2xx` reports;
//! a `$ref` followed), the schemas under
//! `components/schemas`, and the fields — every property of those schemas, nested inline
//! objects included — each at its effective level: its own `x-roster-evidence`, else that of
//! the nearest schema around it that has one. A missing or unknown level is counted as
//! `missing` (which `evidence-present` reports).

use std::fmt;

use roster_codegen::evidence::{EVIDENCE, LEVELS};
use roster_codegen::lint;
use serde_json::Value;

/// How many items each level backs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// `documented`.
    pub documented: usize,
    /// `inferred`.
    pub inferred: usize,
    /// `unconfirmed`.
    pub unconfirmed: usize,
    /// No level, or one that is not one of the three.
    pub missing: usize,
}

impl Counts {
    /// Every item counted.
    pub fn total(&self) -> usize {
        self.documented + self.inferred + self.unconfirmed + self.missing
    }

    /// Counts one item at `level` (`None`: missing).
    pub fn add(&mut self, level: Option<&str>) {
        match level {
            Some("documented") => self.documented += 1,
            Some("inferred") => self.inferred += 1,
            Some("unconfirmed") => self.unconfirmed += 1,
            _ => self.missing += 1,
        }
    }
}

impl fmt::Display for Counts {
    /// `24 (documented 18, inferred 4, unconfirmed 2)`, and `, missing 1` when there are.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (documented {}, inferred {}, unconfirmed {}",
            self.total(),
            self.documented,
            self.inferred,
            self.unconfirmed
        )?;
        if self.missing > 0 {
            write!(f, ", missing {}", self.missing)?;
        }
        f.write_str(")")
    }
}

/// A spec's evidence, by kind of item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// The operations.
    pub operations: Counts,
    /// Their success responses (`'2XX'`, or any `2xx` not yet a range).
    pub answers: Counts,
    /// The schemas under `components/schemas`.
    pub schemas: Counts,
    /// Their properties, at their effective level.
    pub fields: Counts,
}

impl fmt::Display for Summary {
    /// `operations 3 (...); answers 3 (...); schemas 2 (...); fields 9 (...)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "operations {}; answers {}; schemas {}; fields {}",
            self.operations, self.answers, self.schemas, self.fields
        )
    }
}

/// The valid level `holder` carries, if any.
fn level(holder: &Value) -> Option<&str> {
    holder
        .get(EVIDENCE)
        .and_then(Value::as_str)
        .filter(|l| LEVELS.contains(l))
}

/// Counts a spec's evidence (see the module docs).
pub fn summarize(doc: &Value) -> Summary {
    let mut summary = Summary::default();
    for o in lint::operations(doc) {
        summary.operations.add(level(o.op));
        let responses = o.op.get("responses").and_then(Value::as_object);
        let successes = responses
            .into_iter()
            .flatten()
            .filter(|(s, _)| s.starts_with('2'));
        for (_, answer) in successes {
            summary.answers.add(level(lint::deref(doc, answer)));
        }
    }
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    for schema in schemas.into_iter().flat_map(|s| s.values()) {
        let own = level(schema);
        summary.schemas.add(own);
        count_fields(schema, own, &mut summary.fields);
    }
    summary
}

/// Counts the properties under `schema` (not through `$ref`s: those are counted where they
/// are defined), `inherited` being the level of the nearest schema around them.
fn count_fields(schema: &Value, inherited: Option<&str>, fields: &mut Counts) {
    let here = level(schema).or(inherited);
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for p in props.values() {
            let effective = level(p).or(here);
            fields.add(effective);
            count_fields(p, effective, fields);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(s) = schema.get(key).filter(|s| s.is_object()) {
            count_fields(s, here, fields);
        }
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for s in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            count_fields(s, here, fields);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn counts(documented: usize, inferred: usize, unconfirmed: usize, missing: usize) -> Counts {
        Counts {
            documented,
            inferred,
            unconfirmed,
            missing,
        }
    }

    #[test]
    fn display_names_every_level_and_missing_only_when_some_are() {
        assert_eq!(
            counts(18, 4, 2, 0).to_string(),
            "24 (documented 18, inferred 4, unconfirmed 2)"
        );
        assert_eq!(
            counts(0, 0, 0, 1).to_string(),
            "1 (documented 0, inferred 0, unconfirmed 0, missing 1)"
        );
    }

    #[test]
    fn operations_and_answers_by_level_a_ref_followed() {
        let doc = json!({
            "paths": {
                "/a/": {
                    "get": {EVIDENCE: "documented", "responses": {
                        "2XX": {"$ref": "#/components/responses/A"}}},
                    "post": {EVIDENCE: "inferred", "responses": {
                        "2XX": {EVIDENCE: "unconfirmed"}}},
                    "parameters": [],
                },
                "/b/": {"delete": {EVIDENCE: "maybe", "responses": {"204": {}, "4XX": {}}}},
            },
            "components": {"responses": {"A": {EVIDENCE: "inferred"}}},
        });
        let s = summarize(&doc);
        assert_eq!(s.operations, counts(1, 1, 0, 1));
        assert_eq!(
            s.answers,
            counts(0, 1, 1, 1),
            "a 204 is an answer, a 4XX is not"
        );
        assert_eq!(s.schemas, Counts::default());
    }

    #[test]
    fn fields_take_their_own_level_or_the_nearest_schemas() {
        let doc = json!({"components": {"schemas": {
            "User": {
                EVIDENCE: "documented",
                "properties": {
                    "id": {"type": "string"},
                    "nick": {"type": "string", EVIDENCE: "unconfirmed"},
                    "team": {"$ref": "#/components/schemas/Team"},
                    "address": {
                        "type": "object", EVIDENCE: "inferred",
                        "properties": {"city": {}, "zip": {EVIDENCE: "documented"}},
                    },
                    "tags": {"type": "array", "items": {"properties": {"label": {}}}},
                },
            },
            "Team": {"properties": {"name": {}}},
            "Page": {EVIDENCE: "inferred", "oneOf": [{"properties": {"count": {}}}]},
        }}});
        let s = summarize(&doc);
        assert_eq!(s.schemas, counts(1, 1, 0, 1));
        // User: id, team, tags, tags[].label documented; nick unconfirmed; address inferred,
        // address.city inferred, address.zip documented. Team.name missing. Page.count inferred.
        assert_eq!(s.fields, counts(5, 3, 1, 1));
        assert_eq!(
            s.to_string(),
            "operations 0 (documented 0, inferred 0, unconfirmed 0); answers 0 (documented 0, \
             inferred 0, unconfirmed 0); schemas 3 (documented 1, inferred 1, unconfirmed 0, \
             missing 1); fields 10 (documented 5, inferred 3, unconfirmed 1, missing 1)"
        );
    }
}
