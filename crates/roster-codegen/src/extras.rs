//! What Roster adds to progenitor's output, identically for every vendor.
//!
//! progenitor ignores a spec's `servers` and `securitySchemes`. Roster reads both and emits,
//! next to the generated client:
//!
//! - `DEFAULT_BASE_URL`, the first `servers` entry;
//! - `Client::new(base_url, secret)`, `Client::with_http_client(base_url, secret, http)`,
//!   `Client::with_credential(base_url, credential, http)` (a secret, or a token a
//!   `roster_runtime::TokenSource` signs in for and renews) and
//!   `Client::without_credentials(base_url)` (for the operations that take none), which check
//!   the base URL (https unless loopback), use the hardened transport of
//!   `roster_runtime::http_client` and authenticate the way the spec's single security
//!   scheme says. progenitor's own `Client::new(baseurl, inner)` is removed: it would build an
//!   HTTP client that follows redirects and skips those checks.
//! - the `ClientHooks` impl that applies the credentials (as a sensitive header) to every
//!   request except those of the operations whose spec says `security: []` (a token endpoint
//!   must never see another credential), drops the `api-version` header progenitor adds,
//!   which no vendor expects, and sends through `roster_runtime::ClientState::send` (answers
//!   read within limits; a signed-in token renewed once after a 401);
//! - `pub mod operations`, what each operation is (see [`crate::operations`]): its metadata
//!   for the retry layer, whether it takes the credentials, and its own servers.
//!
//! Emitting this here, from the spec, is what keeps the vendor crates free of copied plumbing.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::lint::Problem;

/// How a spec says requests authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthScheme {
    /// The header name, lower-case (`authorization`).
    pub header: String,
    /// The word before the secret (`Token`, `Bearer`), or none for a raw key.
    pub prefix: Option<String>,
    /// How the scheme reads in prose, for the generated docs.
    pub prose: String,
}

/// Spec extension naming the word an `apiKey` header puts before the secret
/// (`Authorization: Token <t>`), which OpenAPI 3.0 cannot say otherwise.
pub const AUTH_PREFIX_EXTENSION: &str = "x-roster-auth-prefix";

pub(crate) fn problem(pointer: &str, rule: &'static str, message: String) -> Problem {
    Problem {
        pointer: pointer.into(),
        operation: None,
        rule,
        message,
    }
}

/// Reads the spec's single security scheme.
///
/// # Errors
/// A [`Problem`] when there is not exactly one scheme, or it is of a kind Roster does not
/// apply (only `http`/`bearer` and `apiKey` in a header).
pub fn auth_scheme(doc: &Value) -> Result<AuthScheme, Problem> {
    let pointer = "/components/securitySchemes";
    let schemes = doc
        .pointer(pointer)
        .and_then(Value::as_object)
        .filter(|s| s.len() == 1)
        .ok_or_else(|| {
            problem(
                pointer,
                "one-security-scheme",
                "the spec must declare exactly one security scheme (the client applies it)".into(),
            )
        })?;
    let (name, scheme) = schemes.iter().next().expect("exactly one entry");
    let at = format!("{pointer}/{}", crate::lint::escape(name));
    let field = |key: &str| scheme.get(key).and_then(Value::as_str);
    match (field("type"), field("in"), field("scheme")) {
        (Some("http"), _, Some(s)) if s.eq_ignore_ascii_case("bearer") => Ok(AuthScheme {
            header: "authorization".into(),
            prefix: Some("Bearer".into()),
            prose: "`Authorization: Bearer <secret>`".into(),
        }),
        (Some("apiKey"), Some("header"), _) => {
            let header = field("name")
                .filter(|n| {
                    !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                })
                .ok_or_else(|| {
                    problem(
                        &at,
                        "security-scheme",
                        "an apiKey scheme needs a header `name`".into(),
                    )
                })?
                .to_ascii_lowercase();
            let prefix = scheme
                .get(AUTH_PREFIX_EXTENSION)
                .map(|p| {
                    p.as_str()
                        .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
                        .map(str::to_owned)
                        .ok_or_else(|| {
                            problem(
                                &at,
                                "security-scheme",
                                format!("`{AUTH_PREFIX_EXTENSION}` must be one word"),
                            )
                        })
                })
                .transpose()?;
            let shown = field("name").unwrap_or_default();
            let prose = match &prefix {
                Some(p) => format!("`{shown}: {p} <secret>`"),
                None => format!("`{shown}: <secret>` (the raw key, no scheme word)"),
            };
            Ok(AuthScheme {
                header,
                prefix,
                prose,
            })
        }
        _ => Err(problem(
            &at,
            "security-scheme",
            "only `type: http, scheme: bearer` and `type: apiKey, in: header` are supported".into(),
        )),
    }
}

/// The spec's default base URL: its first `servers` entry, without a trailing slash.
///
/// # Errors
/// A [`Problem`] when there is none or it is not an absolute https URL.
pub fn default_base_url(doc: &Value) -> Result<String, Problem> {
    let url = doc
        .pointer("/servers/0/url")
        .and_then(Value::as_str)
        .filter(|u| u.starts_with("https://") && !u.contains('{'))
        .ok_or_else(|| {
            problem(
                "/servers/0/url",
                "default-server",
                "the first `servers` entry must be the vendor's absolute https base URL".into(),
            )
        })?;
    Ok(url.trim_end_matches('/').to_owned())
}

/// The items Roster appends to the generated client (see the module docs).
///
/// # Errors
/// The [`Problem`]s of [`auth_scheme`] and [`default_base_url`].
pub fn additions(doc: &Value) -> Result<TokenStream, Vec<Problem>> {
    let (auth, base, operations) = match (
        auth_scheme(doc),
        default_base_url(doc),
        crate::operations::operations(doc),
    ) {
        (Ok(auth), Ok(base), Ok(operations)) => (auth, base, operations),
        (auth, base, operations) => {
            return Err(auth
                .err()
                .into_iter()
                .chain(base.err())
                .chain(operations.err().into_iter().flatten())
                .collect());
        }
    };
    let AuthScheme {
        header,
        prefix,
        prose,
    } = auth;
    let prefix = match prefix {
        Some(p) => quote!(::core::option::Option::Some(#p)),
        None => quote!(::core::option::Option::None),
    };
    let base_doc =
        format!(" The vendor's production base URL, from the spec's `servers`: <{base}>.");
    let secret_fields = secret_fields(doc);
    let new_doc = format!(
        " Creates a client for `base_url` (usually [`DEFAULT_BASE_URL`]) that authenticates \
         every request with {prose}.\n\n The transport is `roster_runtime::http_client`: rustls, \
         redirects never followed, connect and request timeouts. The secret is sent as a \
         sensitive header and never appears in `Debug` output.\n\n # Errors\n \
         `roster_runtime::ConfigError` when the base URL is not https (plain http is allowed \
         for loopback hosts only), has credentials, a query or a fragment; when the secret is \
         empty or not a valid header value; or when TLS cannot be initialised."
    );
    let with_doc = format!(
        " Like [`Client::new`], with an HTTP client of the caller's (a proxy, other timeouts, \
         a shared connection pool). The credentials ({prose}) are still applied to every \
         request by the client's hook, whatever `http` does.\n\n # Errors\n As for \
         [`Client::new`], except TLS initialisation, which is the caller's."
    );
    let credential_doc = format!(
        " Like [`Client::with_http_client`], authenticating with `credential`: a secret, a \
         token a `roster_runtime::TokenSource` obtains by signing in and renews (sent as \
         {prose}; renewed shortly before it expires, and once after a 401, the refused \
         request then sent once more), or none.\n\n # Errors\n As for \
         [`Client::with_http_client`]."
    );
    Ok(quote! {
        #[doc = #base_doc]
        pub const DEFAULT_BASE_URL: &str = #base;

        /// The names of every field the spec marks `format: password` (tokens, passwords,
        /// login URLs, access keys), sorted. A redactor uses them to hide the values of these
        /// fields in any vendor text that reaches a person: an error body that echoes one, a
        /// body that failed to decode.
        pub const SECRET_FIELDS: &[&str] = &[#(#secret_fields),*];

        #operations

        impl Client {
            #[doc = #new_doc]
            pub fn new(
                base_url: &str,
                secret: impl ::core::convert::Into<::roster_runtime::Secret>,
            ) -> ::core::result::Result<Self, ::roster_runtime::ConfigError> {
                let http = ::roster_runtime::http_client(concat!(
                    env!("CARGO_PKG_NAME"),
                    "/",
                    env!("CARGO_PKG_VERSION")
                ))?;
                Self::with_http_client(base_url, secret, http)
            }

            #[doc = #with_doc]
            pub fn with_http_client(
                base_url: &str,
                secret: impl ::core::convert::Into<::roster_runtime::Secret>,
                http: reqwest::Client,
            ) -> ::core::result::Result<Self, ::roster_runtime::ConfigError> {
                Self::with_credential(
                    base_url,
                    ::roster_runtime::Credential::Secret(secret.into()),
                    http,
                )
            }

            #[doc = #credential_doc]
            pub fn with_credential(
                base_url: &str,
                credential: ::roster_runtime::Credential,
                http: reqwest::Client,
            ) -> ::core::result::Result<Self, ::roster_runtime::ConfigError> {
                let base_url = ::roster_runtime::base_url(base_url)?;
                let auth = ::roster_runtime::Auth::new(#header, #prefix, credential)?;
                Ok(Self::new_with_client(
                    &base_url,
                    http,
                    ::roster_runtime::ClientState::new(auth),
                ))
            }

            /// A client that sends no credentials, for the operations that take none
            /// (`operations::WITHOUT_CREDENTIALS`: a token endpoint); any other operation is
            /// sent without them too, and the vendor refuses it. Transport and base URL checks
            /// as for [`Client::new`].
            ///
            /// # Errors
            /// As for [`Client::new`], except that there is no secret to refuse.
            pub fn without_credentials(
                base_url: &str,
            ) -> ::core::result::Result<Self, ::roster_runtime::ConfigError> {
                let http = ::roster_runtime::http_client(concat!(
                    env!("CARGO_PKG_NAME"),
                    "/",
                    env!("CARGO_PKG_VERSION")
                ))?;
                Self::with_credential(base_url, ::roster_runtime::Credential::None, http)
            }

            /// The same client reading answers within `limits` (the default,
            /// `roster_runtime::Limits::DEFAULT`, caps a 2xx body at 32 MiB and keeps 64 KiB
            /// of an error body).
            pub fn with_limits(mut self, limits: ::roster_runtime::Limits) -> Self {
                self.inner.set_limits(limits);
                self
            }

            /// The base URL requests go to (normalised: no trailing slash).
            pub fn base_url(&self) -> &str {
                &self.baseurl
            }
        }

        /// Applies the credentials to every request but those of
        /// `operations::WITHOUT_CREDENTIALS`, signing in first when a signed-in token is due
        /// (a failed sign-in is `Error::Custom`, naming the token endpoint), and drops
        /// progenitor's `api-version` header (see `roster_runtime::ClientState::prepare`);
        /// reads every answer once, within the client's limits, so an error body of any
        /// content type keeps its status, and renews a signed-in token once after a 401 (see
        /// `roster_runtime::ClientState::send`).
        impl ClientHooks<::roster_runtime::ClientState> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &OperationInfo,
            ) -> ::core::result::Result<(), Error<E>> {
                let authenticated =
                    !operations::WITHOUT_CREDENTIALS.contains(&info.operation_id);
                self.inner
                    .prepare(request, authenticated)
                    .await
                    .map_err(|e| Error::Custom(e.to_string()))
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                _info: &OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                self.inner.send(&self.client, request).await
            }

            async fn post<E>(
                &self,
                result: &reqwest::Result<reqwest::Response>,
                _info: &OperationInfo,
            ) -> ::core::result::Result<(), Error<E>> {
                match ::roster_runtime::rejection(result) {
                    ::core::option::Option::Some(message) => Err(Error::Custom(message)),
                    ::core::option::Option::None => Ok(()),
                }
            }
        }
    })
}

/// The names of every property, anywhere in the spec, whose schema is
/// `type: string, format: password`, or a nullable wrapper of one (`allOf: [{format:
/// password}]`, how an answer's secret is written) — sorted, each once.
pub fn secret_fields(doc: &Value) -> Vec<String> {
    fn is_secret(schema: &Value) -> bool {
        let password = |s: &Value| s.get("format").and_then(Value::as_str) == Some("password");
        password(schema)
            || schema
                .get("allOf")
                .and_then(Value::as_array)
                .is_some_and(|all| all.iter().any(password))
    }
    fn walk(value: &Value, out: &mut std::collections::BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    for (name, schema) in props {
                        if is_secret(schema) {
                            out.insert(name.clone());
                        }
                    }
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = std::collections::BTreeSet::new();
    walk(doc, &mut out);
    out.into_iter().collect()
}

/// Removes progenitor's `Client::new(baseurl, inner)` from the generated file; Roster's
/// `Client::new(base_url, secret)` (see [`additions`]) takes its place.
pub fn remove_progenitor_constructor(file: &mut syn::File) {
    for item in &mut file.items {
        let syn::Item::Impl(imp) = item else { continue };
        let is_client = imp.trait_.is_none()
            && matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.is_ident("Client"));
        if is_client {
            imp.items
                .retain(|i| !matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "new"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nullable_secret_in_an_answer_is_a_secret_field() {
        let doc = serde_json::json!({
            "components": { "schemas": { "TokenAnswer": { "properties": {
                "access_token": {
                    "nullable": true,
                    "allOf": [{ "type": "string", "format": "password" }]
                },
                "token_type": { "type": "string", "nullable": true }
            }}, "Login": { "properties": {
                "Password": { "type": "string", "format": "password" }
            }}}}
        });
        assert_eq!(secret_fields(&doc), ["Password", "access_token"]);
    }
}
