//! Request-body fields validated the way Django REST Framework's serializer fields do, with
//! DRF's messages: one list of messages per invalid field.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

const REQUIRED: &str = "This field is required.";
const NULL: &str = "This field may not be null.";

/// Messages per field, DRF's 400 body.
#[derive(Debug, Default)]
pub(super) struct Errors(BTreeMap<String, Vec<String>>);

impl Errors {
    pub(super) fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_default()
            .push(message.into());
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(super) fn into_json(self) -> Value {
        Value::Object(
            self.0
                .into_iter()
                .map(|(k, v)| (k, Value::from(v)))
                .collect(),
        )
    }
}

/// A body's fields, read one by one; problems collect in `errors`.
pub(super) struct Fields<'a> {
    body: &'a Map<String, Value>,
    pub errors: Errors,
}

impl<'a> Fields<'a> {
    pub(super) fn new(body: &'a Map<String, Value>) -> Self {
        Self {
            body,
            errors: Errors::default(),
        }
    }

    /// The raw value, with `required` enforced (`None`: absent).
    fn raw(&mut self, name: &str, required: bool) -> Option<&'a Value> {
        let value = self.body.get(name);
        if value.is_none() && required {
            self.errors.add(name, REQUIRED);
        }
        value
    }

    /// A string field. Strings only (no number is coerced: the spec types these as strings),
    /// kept as given: Vectera documents no length, blank or format rule for any of them.
    pub(super) fn string(&mut self, name: &str, required: bool) -> Option<String> {
        match self.raw(name, required)? {
            Value::Null => {
                self.errors.add(name, NULL);
                None
            }
            Value::String(s) => Some(s.clone()),
            _ => {
                self.errors.add(name, "Not a valid string.");
                None
            }
        }
    }

    /// A string field the spec declares nullable: `null` reads as "not given".
    pub(super) fn nullable_string(&mut self, name: &str) -> Option<String> {
        match self.body.get(name) {
            Some(Value::Null) | None => None,
            Some(_) => self.string(name, false),
        }
    }

    /// An email address: a string (Vectera documents `"email": string` and no format rule),
    /// compared without regard to case for uniqueness by the caller.
    pub(super) fn email(&mut self, name: &str, required: bool) -> Option<String> {
        self.string(name, required)
    }

    /// A boolean field: JSON `true` / `false` only.
    pub(super) fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.raw(name, false)? {
            Value::Bool(b) => Some(*b),
            Value::Null => {
                self.errors.add(name, NULL);
                None
            }
            _ => {
                self.errors.add(name, "Must be a valid boolean.");
                None
            }
        }
    }

    /// An integer field the spec declares nullable: integral JSON numbers only (Vectera
    /// documents no bound); `null` reads as "not given".
    pub(super) fn nullable_integer(&mut self, name: &str) -> Option<i64> {
        let n = match self.body.get(name)? {
            Value::Null => return None,
            Value::Number(n) => n.as_i64(),
            _ => None,
        };
        if n.is_none() {
            self.errors.add(name, "A valid integer is required.");
        }
        n
    }

    /// DRF `ChoiceField`, strings only.
    pub(super) fn choice<T: Copy>(
        &mut self,
        name: &str,
        required: bool,
        choices: &[(&str, T)],
    ) -> Option<T> {
        let value = self.raw(name, required)?;
        let text = match value {
            Value::Null => {
                self.errors.add(name, NULL);
                return None;
            }
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match choices.iter().find(|(c, _)| *c == text) {
            Some((_, v)) => Some(*v),
            None => {
                self.errors
                    .add(name, format!("\"{text}\" is not a valid choice."));
                None
            }
        }
    }
}

/// Python's name of a JSON value's type, as DRF's messages say it.
pub(super) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_take_their_json_type_only() {
        let body = json!({"a": 5, "b": "yes", "c": null, "d": "", "e": 3.5, "f": "x"});
        let body = body.as_object().expect("object");
        let mut f = Fields::new(body);
        assert_eq!(f.string("a", false), None);
        assert_eq!(f.boolean("b"), None);
        assert_eq!(f.string("c", false), None);
        assert_eq!(f.string("d", false).as_deref(), Some(""));
        assert_eq!(f.nullable_integer("e"), None);
        assert_eq!(f.nullable_string("c"), None);
        assert_eq!(f.string("missing", true), None);
        assert_eq!(f.choice("f", false, &[("y", 1)]), None);
        let errors = f.errors.into_json();
        for field in ["a", "b", "c", "e", "missing", "f"] {
            assert!(errors.get(field).is_some(), "{field}: {errors}");
        }
        assert!(errors.get("d").is_none(), "{errors}");
    }
}
