//! The one redaction point: every vendor text that reaches a person or a file passes here.
//!
//! A vendor's text — an error body, a message, a field of an answer printed by the CLI — can
//! hold what must never be shown: the API token when a server echoes the `Authorization`
//! header, a one-time login URL, a sign-up link, a password. It can also hold control
//! characters that drive a terminal (ESC, BEL), and it can be of any length. [`Redactor::clean`]
//! deals with all three, in this order:
//!
//! 1. in a JSON text, the value of every field named as a secret — each vendor spec's
//!    `format: password` fields (`SECRET_FIELDS`, generated) and the usual credential names —
//!    is replaced by `[redacted]`;
//! 2. every known secret (the configured tokens and passwords, given to [`Redactor::new`], and
//!    every token a sign-in obtained, read from the logs given to [`Redactor::watching`] when
//!    the text is cleaned, so a renewed token is hidden too) and every `token=...` query value
//!    is replaced, wherever it appears;
//! 3. control characters are escaped (`\u{1b}`), so the text stays on one line and inert;
//! 4. the result is cut at a length cap.
//!
//! [`Error`](crate::Error) runs every vendor text through the provisioner's redactor when it
//! is made, so nothing downstream — `Display`, logs, the CLI's report — can see the raw text.

use std::sync::Arc;

use roster_runtime::SecretLog;
use serde_json::Value;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// Field names whose values are credentials in any vendor's JSON (compared without case).
const GENERIC_SECRET_FIELDS: &[&str] = &[
    "access_token",
    "accesskey",
    "api_key",
    "apikey",
    "authorization",
    "client_secret",
    "link",
    "password",
    "refresh_token",
    "secret",
    "token",
];

/// Replaces secrets, escapes control characters and caps the length of vendor text.
///
/// Cheap to clone (the known secrets are shared).
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Arc<[String]>,
    logs: Arc<[SecretLog]>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.secrets.len())
            .field("logs", &self.logs.len())
            .finish()
    }
}

/// The secrets worth looking for (four characters or more: shorter ones would match ordinary
/// text), trimmed, longest first (so a secret that contains another is replaced whole).
fn usable<S: AsRef<str>>(secrets: impl IntoIterator<Item = S>) -> Vec<String> {
    let mut secrets: Vec<String> = secrets
        .into_iter()
        .map(|s| s.as_ref().trim().to_owned())
        .filter(|s| s.chars().count() >= 4)
        .collect();
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    secrets
}

impl Redactor {
    /// A redactor that also replaces each of `secrets` wherever it appears (values shorter than
    /// four characters are ignored: they would match ordinary text).
    pub fn new<I, S>(secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self {
            secrets: usable(secrets).into(),
            logs: Arc::new([]),
        }
    }

    /// The same redactor also replacing every secret recorded in `logs` — read each time a
    /// text is cleaned, so a token a sign-in obtains later (a renewal) is hidden as well.
    pub fn watching(mut self, logs: impl IntoIterator<Item = SecretLog>) -> Self {
        self.logs = self.logs.iter().cloned().chain(logs).collect();
        self
    }

    /// `text` made safe to show: secret fields and known secrets replaced, control characters
    /// escaped, at most `max_chars` characters (then `…`).
    pub fn clean(&self, text: &str, max_chars: usize) -> String {
        let text = match serde_json::from_str::<Value>(text) {
            Ok(mut json) if json.is_object() || json.is_array() => {
                hide_secret_fields(&mut json);
                json.to_string()
            }
            _ => text.to_owned(),
        };
        let mut text = hide_token_params(&text);
        let issued: Vec<roster_runtime::Secret> =
            self.logs.iter().flat_map(SecretLog::secrets).collect();
        let mut secrets = usable(
            self.secrets
                .iter()
                .map(String::as_str)
                .chain(issued.iter().map(roster_runtime::Secret::expose)),
        );
        secrets.dedup();
        for secret in &secrets {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), REDACTED);
            }
        }
        escape_and_cap(&text, max_chars)
    }
}

/// Escapes control characters (so vendor text cannot move the cursor, ring the bell or start
/// a new line) and cuts at `max_chars` characters. For text of no secret content — a user's
/// name from a vendor listing — on its way to the terminal.
pub fn terminal_safe(text: &str, max_chars: usize) -> String {
    escape_and_cap(text, max_chars)
}

fn escape_and_cap(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars + 8));
    for (count, c) in text.chars().enumerate() {
        if count == max_chars {
            out.push('…');
            break;
        }
        if c.is_control() || is_bidi_control(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Unicode's bidirectional overrides and isolates, which reorder what a terminal shows.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn is_secret_field(name: &str) -> bool {
    let vendor_fields = std::iter::empty::<&str>();
    #[cfg(feature = "vectera")]
    let vendor_fields = vendor_fields.chain(roster_vectera::SECRET_FIELDS.iter().copied());
    #[cfg(feature = "vyte")]
    let vendor_fields = vendor_fields.chain(roster_vyte::SECRET_FIELDS.iter().copied());
    #[cfg(feature = "veo")]
    let vendor_fields = vendor_fields.chain(roster_veo::SECRET_FIELDS.iter().copied());
    let mut all = GENERIC_SECRET_FIELDS.iter().copied().chain(vendor_fields);
    all.any(|field| field.eq_ignore_ascii_case(name))
}

fn hide_secret_fields(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                if is_secret_field(key) && !field.is_null() {
                    *field = Value::String(REDACTED.to_owned());
                } else {
                    hide_secret_fields(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(hide_secret_fields),
        _ => {}
    }
}

/// Replaces the value of every `token=` (and `access_token=`, `key=`...) URL parameter: login
/// URLs and sign-up links carry their credential there.
fn hide_token_params(text: &str) -> String {
    const KEYS: &[&str] = &["token=", "key=", "password=", "secret=", "code="];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'outer: while !rest.is_empty() {
        // A parameter name starts the text or follows a non-alphanumeric (`?`, `&`, `_`).
        let at_word_start = out
            .chars()
            .last()
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        for key in KEYS {
            if at_word_start
                && rest.len() >= key.len()
                && rest.is_char_boundary(key.len())
                && rest[..key.len()].eq_ignore_ascii_case(key)
            {
                out.push_str(&rest[..key.len()]);
                rest = &rest[key.len()..];
                let end = rest
                    .find(|c: char| {
                        matches!(c, '&' | '"' | '\'' | '#' | '<' | '>') || c.is_whitespace()
                    })
                    .unwrap_or(rest.len());
                if end > 0 {
                    out.push_str(REDACTED);
                }
                rest = &rest[end..];
                continue 'outer;
            }
        }
        let c = rest.chars().next().expect("not empty");
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_secrets_and_secret_fields_are_replaced() {
        let r = Redactor::new(["tok-123456", "ab"]);
        let out = r.clean(
            r#"{"detail":"bad header Token tok-123456","password":"hunter2","nested":[{"token":"zzz"}]}"#,
            1000,
        );
        assert!(!out.contains("tok-123456"), "{out}");
        assert!(!out.contains("hunter2"), "{out}");
        assert!(!out.contains("zzz"), "{out}");
        assert!(out.contains("bad header Token [redacted]"), "{out}");
        // Too short to be treated as a secret.
        assert_eq!(r.clean("ab", 10), "ab");
    }

    #[test]
    fn tokens_recorded_after_the_redactor_was_made_are_replaced_too() {
        let log = SecretLog::new();
        let r = Redactor::new(["pass-word-1"]).watching([log.clone()]);
        assert_eq!(r.clean("tok-first-0001", 100), "tok-first-0001");
        log.record(roster_runtime::Secret::from("tok-first-0001"));
        log.record(roster_runtime::Secret::from("tok-renewed-0002"));
        assert_eq!(
            r.clean(
                "old tok-first-0001, new tok-renewed-0002, pw pass-word-1",
                200
            ),
            "old [redacted], new [redacted], pw [redacted]"
        );
        // Clones (the provisioner's per-run layers) watch the same logs.
        log.record(roster_runtime::Secret::from("tok-third-0003"));
        assert_eq!(r.clone().clean("tok-third-0003", 100), "[redacted]");
    }

    #[test]
    fn token_parameters_in_urls_are_replaced() {
        let r = Redactor::default();
        let out = r.clean(
            "login at https://x.example/login/?token=v8hzo6m42t&next=/a and https://y/?access_token=q1",
            1000,
        );
        assert_eq!(
            out,
            "login at https://x.example/login/?token=[redacted]&next=/a and https://y/?access_token=[redacted]"
        );
        assert_eq!(r.clean("monkey=1&token=", 100), "monkey=1&token=");
    }

    #[test]
    fn control_characters_are_escaped_and_length_capped() {
        let out = terminal_safe("a\u{1b}[31mred\u{7}\r\nb\u{202e}", 100);
        assert_eq!(out, "a\\u{1b}[31mred\\u{7}\\u{d}\\u{a}b\\u{202e}");
        assert_eq!(terminal_safe("ééééé", 3), "ééé…");
    }
}
