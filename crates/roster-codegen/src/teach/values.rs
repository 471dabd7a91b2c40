//! The Rust text of values in an example: a type as a user writes it, a `serde_json::json!`
//! literal, the argument a setter is called with for a spec example, and a placeholder for a
//! required parameter without one.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

/// The Rust path of `ty` as a user writes it in a doctest (`Vec<types::User>`).
pub(super) fn show(ty: &syn::Type, krate: &str) -> String {
    match ty {
        syn::Type::Tuple(t) if t.elems.is_empty() => "()".into(),
        syn::Type::Path(p) if p.qself.is_none() => {
            let segments: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| {
                    let mut out = s.ident.to_string();
                    if let syn::PathArguments::AngleBracketed(args) = &s.arguments {
                        let inner: Vec<String> = args
                            .args
                            .iter()
                            .map(|a| match a {
                                syn::GenericArgument::Type(t) => show(t, krate),
                                other => quote::quote!(#other).to_string(),
                            })
                            .collect();
                        let _ = write!(out, "<{}>", inner.join(", "));
                    }
                    out
                })
                .collect();
            let first = p.path.segments.first().map(|s| s.ident.to_string());
            let last = segments.last().cloned().unwrap_or_default();
            match first.as_deref() {
                Some("std")
                    if ["Vec", "Option", "String"]
                        .iter()
                        .any(|w| last.starts_with(w)) =>
                {
                    last
                }
                Some("types" | "std" | "chrono" | "uuid" | "serde_json") => segments.join("::"),
                _ if segments.len() == 1 && is_primitive(&last) => last,
                _ if segments.len() == 1 => format!("{krate}::{last}"),
                _ => segments.join("::"),
            }
        }
        other => quote::quote!(#other).to_string(),
    }
}

fn is_primitive(name: &str) -> bool {
    matches!(
        name,
        "bool"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "f32"
            | "f64"
            | "String"
            | "usize"
            | "isize"
    )
}

/// A `serde_json::json!` literal of `value`, indented by `indent` after its first line.
pub(super) fn json_literal(value: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent);
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(items) if items.is_empty() => "[]".into(),
        Value::Object(map) if map.is_empty() => "{}".into(),
        Value::Array(items) => {
            let inner: Vec<String> = items
                .iter()
                .map(|v| format!("{pad}    {}", json_literal(v, indent + 4)))
                .collect();
            format!("[\n{}\n{pad}]", inner.join(",\n"))
        }
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{pad}    {k:?}: {}", json_literal(v, indent + 4)))
                .collect();
            format!("{{\n{}\n{pad}}}", inner.join(",\n"))
        }
    }
}

/// The Rust expression a setter of type `ty` is called with for the example `value`.
pub(super) fn argument(
    ty: &syn::Type,
    value: &Value,
    types: &BTreeMap<String, syn::Item>,
    krate: &str,
    indent: usize,
) -> String {
    let shown = show(ty, krate);
    if let (Some(variant), Value::String(s)) = (unit_variant(&shown, types), value)
        && let Some(v) = variant(s)
    {
        return format!("{shown}::{v}");
    }
    let integer = match shown.as_str() {
        "std::num::NonZeroU32" => Some("u32"),
        "std::num::NonZeroU64" => Some("u64"),
        "std::num::NonZeroUsize" => Some("usize"),
        s if is_primitive(s) && s != "String" && s != "bool" => Some(s),
        _ => None,
    };
    match (shown.as_str(), value, integer) {
        ("String", Value::String(s), _) => format!("{s:?}"),
        ("String", other, _) => format!("{:?}", other.to_string()),
        ("bool", Value::Bool(b), _) => b.to_string(),
        (t, Value::String(s), _) if t.starts_with("uuid::") || t.starts_with("chrono::") => {
            format!("{s:?}.parse::<{t}>()?")
        }
        (_, Value::Number(n), Some(suffix)) => format!("{n}{suffix}"),
        _ => format!(
            "serde_json::from_value::<{shown}>(serde_json::json!({}))?",
            json_literal(value, indent)
        ),
    }
}

/// For `types::X`, a string enum of `types`: a lookup of the variant that a JSON string
/// names (by its `#[serde(rename)]`, else its Rust name).
fn unit_variant<'t>(
    shown: &str,
    types: &'t BTreeMap<String, syn::Item>,
) -> Option<impl Fn(&str) -> Option<String> + 't> {
    let name = shown.strip_prefix("types::")?;
    let syn::Item::Enum(e) = types.get(name)? else {
        return None;
    };
    if e.variants
        .iter()
        .any(|v| !matches!(v.fields, syn::Fields::Unit))
    {
        return None;
    }
    Some(move |json: &str| {
        e.variants.iter().find_map(|v| {
            let renamed = v.attrs.iter().find_map(|a| {
                let text = quote::quote!(#a).to_string();
                let rest = &text[text.find("rename =")?..];
                let start = rest.find('"')? + 1;
                let len = rest[start..].find('"')?;
                Some(rest[start..start + len].to_owned())
            });
            let json_name = renamed.unwrap_or_else(|| v.ident.to_string());
            (json_name == json).then(|| v.ident.to_string())
        })
    })
}

/// A placeholder for a required parameter without an example, when one can be written.
pub(super) fn placeholder(ty: &syn::Type, name: &str, krate: &str) -> Option<String> {
    let shown = show(ty, krate);
    match shown.as_str() {
        "String" => Some(format!("{name:?}")),
        "std::num::NonZeroU32" => Some("1u32".into()),
        "std::num::NonZeroU64" => Some("1u64".into()),
        s if is_primitive(s) && s != "bool" => Some(format!("1{s}")),
        _ => None,
    }
}
