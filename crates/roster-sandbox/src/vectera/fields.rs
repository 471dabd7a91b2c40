//! Request-body fields validated the way Django REST Framework's serializer fields do, with
//! DRF's messages: one list of messages per invalid field.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

const REQUIRED: &str = "This field is required.";
const NULL: &str = "This field may not be null.";
const BLANK: &str = "This field may not be blank.";

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

    /// DRF `CharField`: strings and numbers (as text), trimmed, `blank` allowed or not, at most
    /// `max` characters, no NUL.
    pub(super) fn string(
        &mut self,
        name: &str,
        required: bool,
        blank: bool,
        trim: bool,
        max: usize,
    ) -> Option<String> {
        let text = match self.raw(name, required)? {
            Value::Null => {
                self.errors.add(name, NULL);
                return None;
            }
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => {
                self.errors.add(name, "Not a valid string.");
                return None;
            }
        };
        let text = if trim { text.trim().to_owned() } else { text };
        if text.is_empty() && !blank {
            self.errors.add(name, BLANK);
            return None;
        }
        if text.chars().count() > max {
            self.errors.add(
                name,
                format!("Ensure this field has no more than {max} characters."),
            );
            return None;
        }
        if text.contains('\0') {
            self.errors.add(name, "Null characters are not allowed.");
            return None;
        }
        Some(text)
    }

    /// DRF `EmailField`: a `CharField` holding a valid address; the domain lower-cased
    /// (Django's `normalize_email`).
    pub(super) fn email(&mut self, name: &str, required: bool) -> Option<String> {
        let text = self.string(name, required, false, true, 254)?;
        if !valid_email(&text) {
            self.errors.add(name, "Enter a valid email address.");
            return None;
        }
        Some(match text.rsplit_once('@') {
            Some((local, domain)) => format!("{local}@{}", domain.to_ascii_lowercase()),
            None => text,
        })
    }

    /// DRF `BooleanField`, with its accepted spellings.
    pub(super) fn boolean(&mut self, name: &str) -> Option<bool> {
        let parsed = match self.raw(name, false)? {
            Value::Bool(b) => Some(*b),
            Value::Null => {
                self.errors.add(name, NULL);
                return None;
            }
            Value::Number(n) => match n.as_f64() {
                Some(1.0) => Some(true),
                Some(0.0) => Some(false),
                _ => None,
            },
            Value::String(s) => match s.as_str() {
                "t" | "T" | "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on"
                | "On" | "ON" | "1" => Some(true),
                "f" | "F" | "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE"
                | "off" | "Off" | "OFF" | "0" => Some(false),
                _ => None,
            },
            _ => None,
        };
        if parsed.is_none() {
            self.errors.add(name, "Must be a valid boolean.");
        }
        parsed
    }

    /// DRF `IntegerField` within `min..=max` (integral numbers and digit strings).
    pub(super) fn integer(
        &mut self,
        name: &str,
        required: bool,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        let n = match self.raw(name, required)? {
            Value::Null => {
                self.errors.add(name, NULL);
                return None;
            }
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            }),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        let Some(n) = n else {
            self.errors.add(name, "A valid integer is required.");
            return None;
        };
        if n < min {
            self.errors.add(
                name,
                format!("Ensure this value is greater than or equal to {min}."),
            );
            return None;
        }
        if n > max {
            self.errors.add(
                name,
                format!("Ensure this value is less than or equal to {max}."),
            );
            return None;
        }
        Some(n)
    }

    /// DRF `PrimaryKeyRelatedField` over integer keys: the key, not yet checked to exist.
    pub(super) fn pk(&mut self, name: &str) -> Option<i64> {
        let pk = match self.raw(name, false)? {
            Value::Null => {
                self.errors.add(name, NULL);
                return None;
            }
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            other => {
                self.errors.add(
                    name,
                    format!(
                        "Incorrect type. Expected pk value, received {}.",
                        type_name(other)
                    ),
                );
                return None;
            }
        };
        if pk.is_none() {
            self.errors
                .add(name, "Incorrect type. Expected pk value, received str.");
        }
        pk
    }

    /// DRF `ChoiceField`.
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

    /// DRF `URLField` (`blank`: the empty string is allowed, meaning none).
    pub(super) fn url(&mut self, name: &str, blank: bool) -> Option<String> {
        let text = self.string(name, false, blank, true, 200)?;
        if text.is_empty() || valid_url(&text) {
            Some(text)
        } else {
            self.errors.add(name, "Enter a valid URL.");
            None
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

/// Django's `EmailValidator`, ASCII part: a dot-atom local part, a domain of dot-separated
/// labels ending in an alphabetic (or `xn--`) top-level label, or a bracketed IPv4 literal.
pub(super) fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let atom = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b))
    };
    if local.is_empty() || !local.split('.').all(atom) {
        return false;
    }
    if let Some(literal) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        return literal.parse::<std::net::Ipv4Addr>().is_ok();
    }
    valid_domain(domain)
}

fn valid_domain(domain: &str) -> bool {
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || domain.len() > 253 {
        return false;
    }
    let label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let (tld, rest) = labels.split_last().unwrap_or((&"", &[]));
    let tld_ok = label(tld)
        && (tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-')
            || tld.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--")));
    tld_ok && rest.iter().all(|l| label(l))
}

/// Django's `URLValidator`, in short: `http`, `https`, `ftp` or `ftps`, `://`, a host
/// (`localhost`, an IPv4 address, a bracketed IPv6 address or a domain), an optional port,
/// then no whitespace.
pub(super) fn valid_url(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    if !["http", "https", "ftp", "ftps"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(scheme))
    {
        return false;
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
        match v6.split_once(']') {
            Some((addr, port)) => {
                if addr.parse::<std::net::Ipv6Addr>().is_err() {
                    return false;
                }
                (None, port.strip_prefix(':'))
            }
            None => return false,
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(host_port), None),
        }
    };
    if let Some(port) = port
        && (port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    match host {
        None => true,
        Some(h) => {
            h.eq_ignore_ascii_case("localhost")
                || h.parse::<std::net::Ipv4Addr>().is_ok()
                || valid_domain(h)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in [
            "steve@example.com",
            "a.b+c@sub.example.co.uk",
            "x@example.xn--vermgensberater-ctb",
            "x@example.com.",
        ] {
            assert!(valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "no-at",
            "@example.com",
            "a@b",
            "a@@b.com",
            "a b@example.com",
            ".a@example.com",
            "a..b@example.com",
            "a@-b.com",
            "a@b.c0m",
            "é@example.com",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn urls() {
        for ok in [
            "https://www.example.com/thank-you",
            "http://localhost:8080/x?y#z",
            "http://127.0.0.1/",
            "http://[::1]:80/",
        ] {
            assert!(valid_url(ok), "{ok}");
        }
        for bad in [
            "",
            "example.com",
            "javascript:alert(1)",
            "http://",
            "http://a b.com/",
            "http://x.com:99999999/",
        ] {
            assert!(!valid_url(bad), "{bad}");
        }
    }
}
