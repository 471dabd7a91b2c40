use std::fmt;

use reqwest::header::{HeaderName, HeaderValue};

use crate::{ConfigError, Secret};

/// How a vendor client authenticates: one header, set on every request.
///
/// Built by each vendor crate's `Client::new` from the scheme its spec declares
/// (`Authorization: Token <t>`, `Authorization: <key>`, `Authorization: Bearer <t>`). The
/// header value is marked sensitive, so reqwest and hyper keep it out of their own debug
/// output, and this type's `Debug` shows only the header name.
#[derive(Clone)]
pub struct Auth {
    header: HeaderName,
    value: HeaderValue,
}

/// Sent by progenitor on every request; none of our vendors expects it, so it is dropped.
const PROGENITOR_VERSION_HEADER: &str = "api-version";

impl Auth {
    /// Authenticates with `header: <scheme> <secret>`, or `header: <secret>` when `scheme` is
    /// `None` (a raw API key).
    ///
    /// # Errors
    /// [`ConfigError::InvalidSecret`] when the secret is empty or holds characters an HTTP
    /// header cannot carry (line breaks, control characters). The error never repeats the
    /// secret.
    pub fn header(
        header: &'static str,
        scheme: Option<&str>,
        secret: &Secret,
    ) -> Result<Self, ConfigError> {
        let raw = secret.expose().trim();
        if raw.is_empty() {
            return Err(ConfigError::InvalidSecret {
                reason: "it is empty",
            });
        }
        let text = match scheme {
            Some(scheme) => format!("{scheme} {raw}"),
            None => raw.to_owned(),
        };
        let mut value = HeaderValue::from_str(&text).map_err(|_| ConfigError::InvalidSecret {
            reason: "it contains characters that cannot be sent in an HTTP header",
        })?;
        value.set_sensitive(true);
        Ok(Self {
            header: HeaderName::from_static(header),
            value,
        })
    }

    /// Applies the credentials to an outgoing request (replacing any earlier value of the
    /// header) and removes the `api-version` header the generator adds to every request.
    pub fn prepare(&self, request: &mut reqwest::Request) {
        let headers = request.headers_mut();
        headers.remove(PROGENITOR_VERSION_HEADER);
        headers.insert(self.header.clone(), self.value.clone());
    }

    /// The name of the header the credentials travel in.
    pub fn header_name(&self) -> &HeaderName {
        &self.header
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("header", &self.header)
            .field("value", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> reqwest::Request {
        let mut r = reqwest::Request::new(
            reqwest::Method::GET,
            "https://api.example.com/x".parse().expect("valid url"),
        );
        r.headers_mut()
            .insert("api-version", HeaderValue::from_static("v1"));
        r.headers_mut()
            .insert("authorization", HeaderValue::from_static("stale"));
        r
    }

    #[test]
    fn prepare_sets_a_sensitive_header_and_drops_api_version() {
        let auth = Auth::header("authorization", Some("Token"), &Secret::from("abc"))
            .expect("valid secret");
        let mut r = request();
        auth.prepare(&mut r);
        let value = r.headers().get("authorization").expect("set");
        assert_eq!(value, "Token abc");
        assert!(value.is_sensitive());
        assert!(r.headers().get("api-version").is_none());
        assert_eq!(r.headers().get_all("authorization").iter().count(), 1);
    }

    #[test]
    fn raw_key_has_no_scheme_word() {
        let auth = Auth::header("authorization", None, &Secret::from(" key-1 ")).expect("valid");
        let mut r = request();
        auth.prepare(&mut r);
        assert_eq!(r.headers()["authorization"], "key-1");
    }

    #[test]
    fn bad_secrets_are_refused_without_echoing_them() {
        for bad in ["", "   ", "abc\r\nX-Evil: 1", "tab\u{7f}"] {
            let err = Auth::header("authorization", Some("Bearer"), &Secret::from(bad))
                .expect_err("refused");
            let text = format!("{err} {err:?}");
            assert!(text.contains("secret"), "{text}");
            if !bad.trim().is_empty() {
                assert!(!text.contains(bad.trim()), "{text}");
            }
        }
    }

    #[test]
    fn debug_redacts() {
        let auth =
            Auth::header("authorization", Some("Bearer"), &Secret::from("s3cr3t")).expect("valid");
        let text = format!("{auth:?}");
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(text.contains("authorization"));
    }
}
