use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A string that must never be printed: an API token, a password, a one-time login URL, a
/// meeting access key.
///
/// Every `type: string, format: password` schema in the Roster specs is generated as this
/// type, so the derived `Debug` of a request or response struct shows `Secret(<redacted>)`
/// instead of the value. It serializes to and from the plain JSON string, so what goes over
/// the wire is unchanged. It has no `Display`: reading the value takes an explicit
/// [`Secret::expose`].
///
/// ```
/// use roster_runtime::Secret;
///
/// let password = Secret::from("hunter2");
/// assert_eq!(format!("{password:?}"), "Secret(<redacted>)");
/// assert_eq!(password.expose(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(Box<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into().into_boxed_str())
    }

    /// The secret value itself. Call it only where the value is sent or handed to a person.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<&String> for Secret {
    fn from(value: &String) -> Self {
        Self::new(value.as_str())
    }
}

impl From<&Secret> for Secret {
    fn from(value: &Secret) -> Self {
        value.clone()
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::from("tok_live_123");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(format!("{s:#?}"), "Secret(<redacted>)");
        assert!(!format!("{:?}", Some(&s)).contains("tok_live"));
    }

    #[test]
    fn serde_is_the_plain_string() {
        let s: Secret = serde_json::from_str("\"p@ss\"").expect("a JSON string is a secret");
        assert_eq!(s.expose(), "p@ss");
        assert_eq!(serde_json::to_string(&s).expect("serializes"), "\"p@ss\"");
        assert!(serde_json::from_str::<Secret>("42").is_err());
    }
}
