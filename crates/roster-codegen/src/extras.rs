//! What Roster adds to progenitor's output, identically for every vendor.
//!
//! progenitor ignores a spec's `servers` and `securitySchemes`. Roster reads both and emits,
//! next to the generated client:
//!
//! - `DEFAULT_BASE_URL`, the first `servers` entry;
//! - `Client::new(base_url, secret)` and `Client::with_http_client(base_url, secret, http)`,
//!   which check the base URL (https unless loopback), use the hardened transport of
//!   `roster_runtime::http_client` and authenticate the way the spec's single security
//!   scheme says. progenitor's own `Client::new(baseurl, inner)` is removed: it would build an
//!   HTTP client that follows redirects and skips those checks.
//! - the `ClientHooks` impl that applies the credentials to every request (as a sensitive
//!   header) and drops the `api-version` header progenitor adds, which no vendor expects;
//! - `pub mod operations`: one `roster_runtime::Operation` constant per operation
//!   (`LIST_USERS`), naming its `operationId` and whether it is idempotent — from the HTTP
//!   method (GET, HEAD, PUT, DELETE, OPTIONS: yes; POST, PATCH: no) unless the operation
//!   carries [`IDEMPOTENT_EXTENSION`] (`x-roster-idempotent: true|false`), for a POST that the
//!   vendor documents as harmless to repeat (or a PUT that is not). The retry layer above
//!   takes these constants, so the retry decision comes from the spec.
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

/// Operation extension overriding the idempotency the HTTP method implies
/// (`x-roster-idempotent: true` on a POST the vendor documents as safe to repeat).
pub const IDEMPOTENT_EXTENSION: &str = "x-roster-idempotent";

/// The HTTP methods an OpenAPI path item may hold, with whether each is idempotent by
/// RFC 9110 (PATCH is not).
const METHODS: [(&str, bool); 8] = [
    ("get", true),
    ("head", true),
    ("put", true),
    ("delete", true),
    ("options", true),
    ("trace", true),
    ("post", false),
    ("patch", false),
];

/// One spec operation as [`operations`] describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationMeta {
    /// The `operationId`.
    pub id: String,
    /// `METHOD /path`.
    pub route: String,
    /// Whether it may be sent twice.
    pub idempotent: bool,
    /// Whether [`IDEMPOTENT_EXTENSION`] set `idempotent` (rather than the method).
    pub overridden: bool,
}

/// Every operation of the spec, in `paths` order, with its idempotency.
///
/// # Errors
/// A [`Problem`] per operation without an `operationId` that is a snake_case identifier, or
/// whose [`IDEMPOTENT_EXTENSION`] is not a boolean.
pub fn operation_meta(doc: &Value) -> Result<Vec<OperationMeta>, Vec<Problem>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Ok(out);
    };
    for (path, item) in paths {
        for (method, by_method) in METHODS {
            let Some(op) = item.get(method) else { continue };
            let pointer = format!("/paths/{}/{method}", crate::lint::escape(path));
            let route = format!("{} {path}", method.to_ascii_uppercase());
            let id = op.get("operationId").and_then(Value::as_str).filter(|id| {
                id.starts_with(|c: char| c.is_ascii_lowercase())
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            });
            let Some(id) = id else {
                problems.push(Problem {
                    operation: Some(route),
                    ..problem(
                        &pointer,
                        "operation-metadata",
                        "the operation needs a snake_case `operationId`".into(),
                    )
                });
                continue;
            };
            let (idempotent, overridden) = match op.get(IDEMPOTENT_EXTENSION) {
                None => (by_method, false),
                Some(Value::Bool(b)) => (*b, true),
                Some(_) => {
                    problems.push(Problem {
                        operation: Some(route),
                        ..problem(
                            &format!("{pointer}/{IDEMPOTENT_EXTENSION}"),
                            "operation-metadata",
                            format!("`{IDEMPOTENT_EXTENSION}` must be `true` or `false`"),
                        )
                    });
                    continue;
                }
            };
            out.push(OperationMeta {
                id: id.to_owned(),
                route,
                idempotent,
                overridden,
            });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The generated `pub mod operations`: one `roster_runtime::Operation` constant per operation.
///
/// # Errors
/// The [`Problem`]s of [`operation_meta`].
pub fn operations(doc: &Value) -> Result<TokenStream, Vec<Problem>> {
    let consts = operation_meta(doc)?.into_iter().map(|op| {
        let name = quote::format_ident!("{}", op.id.to_ascii_uppercase());
        let why = if op.overridden {
            "by the spec, which overrides its HTTP method".to_owned()
        } else {
            "by its HTTP method".to_owned()
        };
        let doc = format!(
            " `{}` (`{}`): {} {why}.",
            op.route,
            op.id,
            if op.idempotent {
                "idempotent (retried on transient failures)"
            } else {
                "not idempotent (retried only when it was never sent)"
            }
        );
        let (id, idempotent) = (op.id, op.idempotent);
        quote! {
            #[doc = #doc]
            pub const #name: ::roster_runtime::Operation = ::roster_runtime::Operation {
                id: #id,
                idempotent: #idempotent,
            };
        }
    });
    Ok(quote! {
        /// Every operation of the spec as a `roster_runtime::Operation`: its `operationId` and
        /// whether it may be retried, from its HTTP method unless the spec overrides it. A
        /// retry layer takes these instead of hand-typed names.
        pub mod operations {
            #(#consts)*
        }
    })
}

fn problem(pointer: &str, rule: &'static str, message: String) -> Problem {
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
    let (auth, base, operations) = match (auth_scheme(doc), default_base_url(doc), operations(doc))
    {
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
                let base_url = ::roster_runtime::base_url(base_url)?;
                let auth = ::roster_runtime::Auth::header(#header, #prefix, &secret.into())?;
                Ok(Self::new_with_client(
                    &base_url,
                    http,
                    ::roster_runtime::ClientState::new(auth),
                ))
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

        /// Applies the credentials to every request and drops progenitor's `api-version`
        /// header (see `roster_runtime::Auth::prepare`); reads every answer once, within the
        /// client's limits, so an error body of any content type keeps its status
        /// (see `roster_runtime::exec`).
        impl ClientHooks<::roster_runtime::ClientState> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                _info: &OperationInfo,
            ) -> ::core::result::Result<(), Error<E>> {
                self.inner.auth().prepare(request);
                Ok(())
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                _info: &OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                ::roster_runtime::exec(&self.client, request, self.inner.limits()).await
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
/// `type: string, format: password` — sorted, each once.
pub fn secret_fields(doc: &Value) -> Vec<String> {
    fn walk(value: &Value, out: &mut std::collections::BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    for (name, schema) in props {
                        if schema.get("format").and_then(Value::as_str) == Some("password") {
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

    fn spec(paths: Value) -> Value {
        serde_json::json!({ "openapi": "3.0.3", "paths": paths })
    }

    #[test]
    fn idempotency_comes_from_the_method_unless_the_spec_says_otherwise() {
        let doc = spec(serde_json::json!({
            "/users": {
                "get": { "operationId": "list_users" },
                "post": { "operationId": "create_user" },
                "put": { "operationId": "upsert_user", "x-roster-idempotent": false }
            },
            "/users/{id}": {
                "patch": { "operationId": "patch_user" },
                "delete": { "operationId": "delete_user" }
            },
            "/invites": { "post": { "operationId": "invite_users", "x-roster-idempotent": true } }
        }));
        let found: Vec<(String, bool, bool)> = operation_meta(&doc)
            .expect("valid")
            .into_iter()
            .map(|op| (op.id, op.idempotent, op.overridden))
            .collect();
        let expected = [
            ("list_users", true, false),
            ("upsert_user", false, true),
            ("create_user", false, false),
            ("delete_user", true, false),
            ("patch_user", false, false),
            ("invite_users", true, true),
        ];
        for (id, idempotent, overridden) in expected {
            assert!(
                found.contains(&(id.to_owned(), idempotent, overridden)),
                "{id}: {found:?}"
            );
        }
        assert_eq!(found.len(), expected.len());
    }

    #[test]
    fn the_operations_module_has_one_constant_per_operation() {
        let doc = spec(serde_json::json!({
            "/invites": { "post": { "operationId": "invite_users", "x-roster-idempotent": true } },
            "/users": { "post": { "operationId": "create_user" } }
        }));
        let code = operations(&doc).expect("valid").to_string();
        assert!(code.contains("pub mod operations"), "{code}");
        assert!(
            code.contains(
                "pub const INVITE_USERS : :: roster_runtime :: Operation = :: roster_runtime :: Operation { id : \"invite_users\" , idempotent : true , }"
            ),
            "{code}"
        );
        assert!(
            code.contains("id : \"create_user\" , idempotent : false"),
            "{code}"
        );
    }

    #[test]
    fn a_bad_override_or_id_is_a_located_problem() {
        let doc = spec(serde_json::json!({
            "/a": { "post": { "operationId": "a", "x-roster-idempotent": "yes" } },
            "/b": { "get": { "operationId": "Get-B" } }
        }));
        let problems = operation_meta(&doc).expect_err("two problems");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].pointer, "/paths/~1a/post/x-roster-idempotent");
        assert_eq!(problems[0].operation.as_deref(), Some("POST /a"));
        assert_eq!(problems[1].pointer, "/paths/~1b/get");
        assert!(problems.iter().all(|p| p.rule == "operation-metadata"));
    }
}
