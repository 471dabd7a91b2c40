//! How a vendor client authenticates: one header on every request, marked sensitive — a
//! fixed secret, or a token obtained and renewed by a [`TokenSource`].

use std::fmt;

use reqwest::header::{HeaderName, HeaderValue};

use crate::{ConfigError, Secret, SignInError, TokenSource};

/// What a client authenticates with, given to each vendor crate's generated
/// `Client::with_credential`.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A ready secret (an API token or key), sent as it is on every request.
    Secret(Secret),
    /// A token obtained by signing in, cached and renewed by the source (VEO's password
    /// grant: `roster_veo::Client::with_password`).
    SignIn(TokenSource),
    /// Nothing: a client for operations that take no credentials (a token endpoint).
    None,
}

impl From<Secret> for Credential {
    fn from(secret: Secret) -> Self {
        Credential::Secret(secret)
    }
}

impl From<TokenSource> for Credential {
    fn from(source: TokenSource) -> Self {
        Credential::SignIn(source)
    }
}

/// How a vendor client authenticates: one header, set on every request the spec does not
/// exempt (`security: []`).
///
/// Built by each vendor crate's generated constructors from the scheme its spec declares
/// (`Authorization: Token <t>`, `Authorization: <key>`, `Authorization: Bearer <t>`) and a
/// [`Credential`]. The header value is marked sensitive, so reqwest and hyper keep it out of
/// their own debug output, and this type's `Debug` shows only the header name and where the
/// token comes from.
#[derive(Clone)]
pub struct Auth {
    header: HeaderName,
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    Fixed(HeaderValue),
    SignIn {
        scheme: Option<String>,
        source: TokenSource,
    },
    None,
}

/// Sent by progenitor on every request; none of our vendors expects it, so it is dropped.
const PROGENITOR_VERSION_HEADER: &str = "api-version";

/// `<scheme> <secret>` (or the bare secret) as a sensitive header value, or why it cannot be
/// one.
fn header_value(scheme: Option<&str>, secret: &str) -> Result<HeaderValue, &'static str> {
    let raw = secret.trim();
    if raw.is_empty() {
        return Err("it is empty");
    }
    let text = match scheme {
        Some(scheme) => format!("{scheme} {raw}"),
        None => raw.to_owned(),
    };
    let mut value = HeaderValue::from_str(&text)
        .map_err(|_| "it contains characters that cannot be sent in an HTTP header")?;
    value.set_sensitive(true);
    Ok(value)
}

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
        let value = header_value(scheme, secret.expose())
            .map_err(|reason| ConfigError::InvalidSecret { reason })?;
        Ok(Self {
            header: HeaderName::from_static(header),
            kind: Kind::Fixed(value),
        })
    }

    /// Authenticates with `credential` in `header`, after `scheme` (see [`Auth::header`]):
    /// a secret as it is, a signed-in token as its source currently has it, or nothing.
    ///
    /// # Errors
    /// As [`Auth::header`], for a [`Credential::Secret`].
    pub fn new(
        header: &'static str,
        scheme: Option<&str>,
        credential: Credential,
    ) -> Result<Self, ConfigError> {
        match credential {
            Credential::Secret(secret) => Self::header(header, scheme, &secret),
            Credential::SignIn(source) => Ok(Self {
                header: HeaderName::from_static(header),
                kind: Kind::SignIn {
                    scheme: scheme.map(str::to_owned),
                    source,
                },
            }),
            Credential::None => Ok(Self {
                header: HeaderName::from_static(header),
                kind: Kind::None,
            }),
        }
    }

    /// Removes the `api-version` header the generator adds to every request (no vendor
    /// expects it); for an operation that takes the credentials, sets them (replacing any
    /// earlier value of the header), signing in first when the token is due.
    ///
    /// # Errors
    /// The [`SignInError`] of a sign-in that failed (nothing is sent then).
    pub async fn apply(
        &self,
        request: &mut reqwest::Request,
        authenticated: bool,
    ) -> Result<(), SignInError> {
        request.headers_mut().remove(PROGENITOR_VERSION_HEADER);
        if !authenticated {
            return Ok(());
        }
        let value = match &self.kind {
            Kind::Fixed(value) => value.clone(),
            Kind::SignIn { scheme, source } => {
                let token = source.token().await?;
                header_value(scheme.as_deref(), token.expose()).map_err(|reason| {
                    SignInError::new(
                        source.endpoint(),
                        None,
                        format!("the token it answered cannot be used: {reason}"),
                    )
                })?
            }
            Kind::None => return Ok(()),
        };
        request.headers_mut().insert(self.header.clone(), value);
        Ok(())
    }

    /// The token source, when the credentials are a signed-in token.
    pub fn token_source(&self) -> Option<&TokenSource> {
        match &self.kind {
            Kind::SignIn { source, .. } => Some(source),
            _ => None,
        }
    }

    /// The signed-in token `request` carries (its header without the scheme word), if any.
    pub(crate) fn token_sent(&self, request: &reqwest::Request) -> Option<String> {
        let Kind::SignIn { scheme, .. } = &self.kind else {
            return None;
        };
        let text = request.headers().get(&self.header)?.to_str().ok()?;
        let token = match scheme {
            Some(scheme) => text.strip_prefix(scheme.as_str())?.strip_prefix(' ')?,
            None => text,
        };
        Some(token.to_owned())
    }

    /// The name of the header the credentials travel in.
    pub fn header_name(&self) -> &HeaderName {
        &self.header
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Auth");
        s.field("header", &self.header);
        match &self.kind {
            Kind::Fixed(_) => s.field("value", &"<redacted>"),
            Kind::SignIn { source, .. } => s.field("sign_in", source),
            Kind::None => s.field("value", &"none"),
        };
        s.finish()
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

    #[tokio::test]
    async fn apply_sets_a_sensitive_header_and_drops_api_version() {
        let auth = Auth::header("authorization", Some("Token"), &Secret::from("abc"))
            .expect("valid secret");
        let mut r = request();
        auth.apply(&mut r, true).await.expect("no sign-in");
        let value = r.headers().get("authorization").expect("set");
        assert_eq!(value, "Token abc");
        assert!(value.is_sensitive());
        assert!(r.headers().get("api-version").is_none());
        assert_eq!(r.headers().get_all("authorization").iter().count(), 1);
    }

    #[tokio::test]
    async fn raw_key_has_no_scheme_word() {
        let auth = Auth::header("authorization", None, &Secret::from(" key-1 ")).expect("valid");
        let mut r = request();
        auth.apply(&mut r, true).await.expect("no sign-in");
        assert_eq!(r.headers()["authorization"], "key-1");
    }

    #[tokio::test]
    async fn an_operation_without_credentials_gets_none() {
        let auth =
            Auth::header("authorization", Some("Bearer"), &Secret::from("s3cr3t")).expect("valid");
        let mut r = request();
        r.headers_mut().remove("authorization");
        auth.apply(&mut r, false).await.expect("nothing to do");
        assert!(r.headers().get("authorization").is_none());
        assert!(r.headers().get("api-version").is_none());
    }

    #[tokio::test]
    async fn a_signed_in_token_is_sent_after_the_scheme_and_read_back() {
        let source = TokenSource::new("POST t/token", crate::SecretLog::new(), || async {
            Ok(crate::IssuedToken {
                token: Secret::from("tok-77"),
                lifetime: None,
            })
        });
        let auth =
            Auth::new("authorization", Some("Bearer"), Credential::SignIn(source)).expect("valid");
        let mut r = request();
        auth.apply(&mut r, true).await.expect("signed in");
        let value = r.headers().get("authorization").expect("set");
        assert_eq!(value, "Bearer tok-77");
        assert!(value.is_sensitive());
        assert_eq!(auth.token_sent(&r).as_deref(), Some("tok-77"));
        assert!(!format!("{auth:?}").contains("tok-77"));
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
