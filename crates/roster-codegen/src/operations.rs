//! What Roster says about each operation of a spec, emitted as the generated
//! `pub mod operations` of every vendor crate (see [`operations`]):
//!
//! - one `roster_runtime::Operation` constant per operation (`LIST_USERS`), naming its
//!   `operationId` and whether it is idempotent — from the HTTP method (GET, HEAD, PUT,
//!   DELETE, OPTIONS: yes; POST, PATCH: no) unless the operation carries
//!   [`IDEMPOTENT_EXTENSION`] (`x-roster-idempotent: true|false`), for a POST that the vendor
//!   documents as harmless to repeat (or a PUT that is not). The retry layer above takes these
//!   constants, so the retry decision comes from the spec;
//! - `WITHOUT_CREDENTIALS`: the ids of the operations whose spec says `security: []`, which the
//!   generated hook sends without the client's credentials ([`public_operations`]);
//! - `<ID>_SERVERS`: the servers an operation names for itself (a token endpoint on a host of
//!   its own), which progenitor ignores ([`operation_servers`]).

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::extras::problem;
use crate::lint::Problem;

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
    let public = public_operations(doc);
    let servers = operation_servers(doc).into_iter().map(|(id, urls)| {
        let name = quote::format_ident!("{}_SERVERS", id.to_ascii_uppercase());
        let doc = format!(
            " The servers the spec names for `{id}` itself (progenitor ignores them): a client \
             for this operation is pointed at one of these instead of `DEFAULT_BASE_URL`."
        );
        quote! {
            #[doc = #doc]
            pub const #name: &[&str] = &[#(#urls),*];
        }
    });
    Ok(quote! {
        /// Every operation of the spec as a `roster_runtime::Operation`: its `operationId` and
        /// whether it may be retried, from its HTTP method unless the spec overrides it. A
        /// retry layer takes these instead of hand-typed names.
        pub mod operations {
            #(#consts)*

            /// The ids of the operations whose spec says `security: []`: the client sends them
            /// without its credentials (a token endpoint never sees another credential).
            pub const WITHOUT_CREDENTIALS: &[&str] = &[#(#public),*];

            #(#servers)*
        }
    })
}

/// `(operationId, server URLs)` for every operation that names its own `servers` (a token
/// endpoint on a host of its own), the URLs without a trailing slash.
pub fn operation_servers(doc: &Value) -> Vec<(String, Vec<String>)> {
    crate::lint::operations(doc)
        .into_iter()
        .filter_map(|o| {
            let id = o.op.get("operationId").and_then(Value::as_str)?;
            let urls: Vec<String> =
                o.op.get("servers")
                    .and_then(Value::as_array)?
                    .iter()
                    .filter_map(|s| s.get("url").and_then(Value::as_str))
                    .map(|u| u.trim_end_matches('/').to_owned())
                    .collect();
            (!urls.is_empty()).then(|| (id.to_owned(), urls))
        })
        .collect()
}

/// The `operationId`s of the operations that take no credentials: those whose `security`
/// (their own, else the spec's) is the empty list `[]`. (`[{}]` makes credentials optional:
/// they are still sent.)
pub fn public_operations(doc: &Value) -> Vec<String> {
    let global = doc.get("security");
    crate::lint::operations(doc)
        .into_iter()
        .filter(|o| {
            o.op.get("security")
                .or(global)
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty)
        })
        .filter_map(|o| o.op.get("operationId").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
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

    #[test]
    fn only_an_empty_security_list_exempts_an_operation_from_the_credentials() {
        let doc = serde_json::json!({
            "openapi": "3.0.3",
            "security": [{"Bearer": []}],
            "paths": {
                "/oauth2/token": { "post": { "operationId": "request_token", "security": [] } },
                "/me": { "get": { "operationId": "get_me" } },
                "/maybe": { "get": { "operationId": "get_maybe", "security": [{}] } },
                "/own": { "get": { "operationId": "get_own", "security": [{"Bearer": []}] } }
            }
        });
        assert_eq!(public_operations(&doc), ["request_token"]);
        assert!(operation_servers(&doc).is_empty());
        let code = operations(&doc).expect("valid").to_string();
        assert!(
            code.contains("pub const WITHOUT_CREDENTIALS : & [& str] = & [\"request_token\"]"),
            "{code}"
        );
        let everything_public = serde_json::json!({
            "openapi": "3.0.3",
            "security": [],
            "paths": { "/a": { "get": { "operationId": "get_a" } } }
        });
        assert_eq!(public_operations(&everything_public), ["get_a"]);
    }

    #[test]
    fn an_operation_with_servers_of_its_own_names_them() {
        let doc = serde_json::json!({
            "openapi": "3.0.3",
            "paths": {
                "/oauth2/token": { "post": { "operationId": "request_token", "servers": [
                    { "url": "https://token.example.com/" }, { "url": "https://uat.example.com" }
                ] } },
                "/me": { "get": { "operationId": "get_me" } }
            }
        });
        assert_eq!(
            operation_servers(&doc),
            [(
                "request_token".to_owned(),
                vec![
                    "https://token.example.com".to_owned(),
                    "https://uat.example.com".to_owned()
                ]
            )]
        );
        let code = operations(&doc).expect("valid").to_string();
        assert!(code.contains("pub const REQUEST_TOKEN_SERVERS"), "{code}");
        assert!(!code.contains("GET_ME_SERVERS"), "{code}");
    }
}
