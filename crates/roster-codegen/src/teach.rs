//! Generated docs that teach, for every operation of every vendor alike.
//!
//! - [`operation_examples`]: progenitor's generic `ignore` example on each `Client<Tag>Ext`
//!   method is replaced by one built from the spec's own `example` values that compiles as a
//!   `no_run` doctest: it constructs the client, calls the builder with the example's
//!   parameters and body, names the answer's type and reads one field of it.
//! - [`document_operation_builders`]: `new`, `body`, `body_map` and each parameter setter of
//!   the operation builders (`builder::X`) get doc comments (a setter's from the parameter's
//!   description).
//!
//! Both read the generated syn tree (the answer type from `send`, the body type from `body`,
//! each setter's type from its bound) and the spec (the examples and descriptions), matched by
//! the `operation_id` progenitor writes into each `send`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::builders::{generic_of, try_into_target, types_module};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// What the spec says about one operation, for its docs.
#[derive(Debug, Default, Clone)]
struct SpecOp {
    /// Parameters: (name, description, example, required).
    params: Vec<(String, String, Option<Value>, bool)>,
    body_example: Option<Value>,
    body_description: Option<String>,
    answer_example: Option<Value>,
}

/// What the generated operation builder says about one operation.
#[derive(Clone)]
struct BuilderOp {
    operation_id: String,
    answer: Option<syn::Type>,
    body: Option<syn::Type>,
    has_body_map: bool,
    setters: Vec<(String, syn::Type)>,
}

/// Squashes a name for matching spec names with generated ones (`pageSize` ~ `page_size`).
fn squash(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Follows `$ref`s (local ones) until a value without one.
fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..16 {
        let Some(target) = value.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match target.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            Some(next) => value = next,
            None => break,
        }
    }
    value
}

/// The example a media type (or parameter) shows: its own `example`, its first `examples`
/// value, or its schema's `example`.
fn example_of(doc: &Value, holder: &Value) -> Option<Value> {
    if let Some(e) = holder.get("example") {
        return Some(e.clone());
    }
    if let Some(e) = holder
        .get("examples")
        .and_then(Value::as_object)
        .and_then(|m| m.values().next())
        .map(|e| resolve(doc, e))
        .and_then(|e| e.get("value"))
    {
        return Some(e.clone());
    }
    let schema = resolve(doc, holder.get("schema")?);
    schema.get("example").cloned().or_else(|| {
        // `allOf: [{$ref}]` (a described or nullable reference): the referenced example.
        let all = schema.get("allOf")?.as_array()?;
        match all.as_slice() {
            [one] => resolve(doc, one).get("example").cloned(),
            _ => None,
        }
    })
}

fn json_media(doc: &Value, holder: &Value) -> Option<Value> {
    let content = resolve(doc, holder).get("content")?.as_object()?;
    content
        .get("application/json")
        .or_else(|| content.values().next())
        .cloned()
}

fn spec_ops(doc: &Value) -> BTreeMap<String, SpecOp> {
    let mut out = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for item in paths.values() {
        let item = resolve(doc, item);
        let shared = item.get("parameters").and_then(Value::as_array);
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let mut spec_op = SpecOp::default();
            let own = op.get("parameters").and_then(Value::as_array);
            let mut seen = Vec::new();
            for p in own
                .into_iter()
                .flatten()
                .chain(shared.into_iter().flatten())
            {
                let p = resolve(doc, p);
                let Some(name) = p.get("name").and_then(Value::as_str) else {
                    continue;
                };
                let key = (name, p.get("in").and_then(Value::as_str));
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key);
                let description = p
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                let required = p.get("required").and_then(Value::as_bool) == Some(true);
                spec_op
                    .params
                    .push((name.to_owned(), description, example_of(doc, p), required));
            }
            if let Some(body) = op.get("requestBody") {
                let body = resolve(doc, body);
                spec_op.body_description = body
                    .get("description")
                    .and_then(Value::as_str)
                    .map(|d| d.trim().to_owned());
                spec_op.body_example = json_media(doc, body).and_then(|m| example_of(doc, &m));
            }
            if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                spec_op.answer_example = responses
                    .iter()
                    .filter(|(code, _)| code.starts_with('2'))
                    .find_map(|(_, r)| json_media(doc, r).and_then(|m| example_of(doc, &m)));
            }
            out.insert(squash(id), spec_op);
        }
    }
    out
}

/// The top-level `builder` module's items.
fn operation_builders(file: &mut syn::File) -> Option<&mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

fn self_name(imp: &syn::ItemImpl) -> Option<String> {
    match &*imp.self_ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `T` of `Result<ResponseValue<T>, _>`.
fn answer_type(sig: &syn::Signature) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = &sig.output else {
        return None;
    };
    generic_of(generic_of(ty, "Result")?, "ResponseValue").cloned()
}

fn operation_id(block: &syn::Block) -> Option<String> {
    let text = quote::quote!(#block).to_string();
    let rest = &text[text.find("operation_id")?..];
    let start = rest.find('"')? + 1;
    let end = rest[start..].find('"')? + start;
    Some(rest[start..end].to_owned())
}

fn builder_ops(file: &mut syn::File) -> BTreeMap<String, BuilderOp> {
    let mut out = BTreeMap::new();
    let Some(items) = operation_builders(file) else {
        return out;
    };
    for item in items.iter() {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let Some(name) = self_name(imp) else { continue };
        let mut op = BuilderOp {
            operation_id: String::new(),
            answer: None,
            body: None,
            has_body_map: false,
            setters: Vec::new(),
        };
        for impl_item in &imp.items {
            let syn::ImplItem::Fn(f) = impl_item else {
                continue;
            };
            match f.sig.ident.to_string().as_str() {
                "new" => {}
                "send" => {
                    op.answer = answer_type(&f.sig);
                    op.operation_id = operation_id(&f.block).unwrap_or_default();
                }
                "body" => op.body = try_into_target(&f.sig).cloned(),
                "body_map" => op.has_body_map = true,
                setter => {
                    if let Some(ty) = try_into_target(&f.sig) {
                        op.setters.push((setter.to_owned(), ty.clone()));
                    }
                }
            }
        }
        if !op.operation_id.is_empty() {
            out.insert(name, op);
        }
    }
    out
}

/// The Rust path of `ty` as a user writes it in a doctest (`Vec<types::User>`).
fn show(ty: &syn::Type, krate: &str) -> String {
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
fn json_literal(value: &Value, indent: usize) -> String {
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
fn argument(
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
fn placeholder(ty: &syn::Type, name: &str, krate: &str) -> Option<String> {
    let shown = show(ty, krate);
    match shown.as_str() {
        "String" => Some(format!("{name:?}")),
        "std::num::NonZeroU32" => Some("1u32".into()),
        "std::num::NonZeroU64" => Some("1u64".into()),
        s if is_primitive(s) && s != "bool" => Some(format!("1{s}")),
        _ => None,
    }
}

/// The types of the `types` module, by name.
fn type_index(file: &mut syn::File) -> BTreeMap<String, syn::Item> {
    types_module(file)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| match item {
                    syn::Item::Struct(s) => Some((s.ident.to_string(), item.clone())),
                    syn::Item::Enum(e) => Some((e.ident.to_string(), item.clone())),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The JSON name of a field (its `#[serde(rename = "...")]`, else its Rust name).
fn json_name(field: &syn::Field) -> String {
    for attr in &field.attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let text = quote::quote!(#attr).to_string();
        if let Some(at) = text.find("rename =") {
            let rest = &text[at..];
            if let Some(start) = rest.find('"')
                && let Some(len) = rest[start + 1..].find('"')
            {
                return rest[start + 1..start + 1 + len].to_owned();
            }
        }
    }
    field
        .ident
        .as_ref()
        .map(|i| i.to_string().trim_start_matches("r#").to_owned())
        .unwrap_or_default()
}

/// Whether `lines` (of [`reading`]) print a field of a value rather than a whole value.
fn reads_field(lines: &[String]) -> bool {
    lines.iter().any(|l| {
        l.trim_start()
            .strip_prefix("println!(\"{:?}\", ")
            .and_then(|rest| rest.split(')').next())
            .is_some_and(|what| what.contains('.'))
    })
}

/// Lines that read one field of `expr` (of type `ty`), guided by the example answer.
fn reading(
    expr: &str,
    ty: &syn::Type,
    example: Option<&Value>,
    types: &BTreeMap<String, syn::Item>,
    depth: usize,
) -> Vec<String> {
    let print = |what: &str| vec![format!("println!(\"{{:?}}\", {what});")];
    if depth > 4 {
        return print(expr);
    }
    let nest = |head: String, name: &str, inner: &syn::Type, ex: Option<&Value>| {
        let mut lines = vec![head];
        lines.extend(
            reading(name, inner, ex, types, depth + 1)
                .into_iter()
                .map(|l| format!("    {l}")),
        );
        lines.push("}".into());
        lines
    };
    if let Some(inner) = generic_of(ty, "Vec") {
        let ex = example.and_then(|e| e.get(0));
        return nest(
            format!("if let Some(item) = {expr}.first() {{"),
            "item",
            inner,
            ex,
        );
    }
    if let Some(inner) = generic_of(ty, "Option") {
        return nest(
            format!("if let Some(value) = {expr}.as_ref() {{"),
            "value",
            inner,
            example,
        );
    }
    let syn::Type::Path(p) = ty else {
        return print(expr);
    };
    // `types::X` in an answer; a bare `X` in the fields of another type of `types`.
    let is_types = (p.path.segments.len() == 2 && p.path.segments[0].ident == "types")
        || p.path.segments.len() == 1;
    let Some(item) = p
        .path
        .segments
        .last()
        .filter(|_| is_types)
        .and_then(|s| types.get(&s.ident.to_string()))
    else {
        return print(expr);
    };
    match item {
        syn::Item::Struct(s) => match &s.fields {
            syn::Fields::Named(named) => {
                let fields: Vec<&syn::Field> = named.named.iter().collect();
                let in_example = |f: &&&syn::Field| {
                    example
                        .and_then(|e| e.get(json_name(f)))
                        .is_some_and(|v| !v.is_null() && !v.is_object() && !v.is_array())
                };
                let is_id = |f: &&&syn::Field| f.ident.as_ref().is_some_and(|i| i == "id");
                let id = fields.iter().find(|f| is_id(f) && in_example(f));
                // No id here: one level down, into an object or list the example fills (an
                // envelope's `user`, a page's `results`): the first that reads an id, else the
                // first scalar here, else the first that reads any field.
                let mut descents = Vec::new();
                if id.is_none() {
                    for field in &fields {
                        let ex = example.and_then(|e| e.get(json_name(field)));
                        let filled = ex.is_some_and(|v| {
                            v.as_object().is_some_and(|o| !o.is_empty())
                                || v.as_array().is_some_and(|a| !a.is_empty())
                        });
                        let Some(ident) = field.ident.as_ref().filter(|_| filled) else {
                            continue;
                        };
                        let lines =
                            reading(&format!("{expr}.{ident}"), &field.ty, ex, types, depth + 1);
                        if reads_field(&lines) {
                            descents.push(lines);
                        }
                    }
                    if let Some(at) = descents
                        .iter()
                        .position(|l| l.iter().any(|l| l.contains(".id);")))
                    {
                        return descents.swap_remove(at);
                    }
                    if !fields.iter().any(|f| in_example(&f))
                        && let Some(lines) = descents.into_iter().next()
                    {
                        return lines;
                    }
                }
                let chosen = id
                    .or_else(|| fields.iter().find(in_example))
                    .or_else(|| fields.iter().find(is_id))
                    .or_else(|| fields.first());
                match chosen.and_then(|f| f.ident.as_ref().map(|i| (f, i))) {
                    Some((field, ident)) => {
                        let mut line = format!("println!(\"{{:?}}\", {expr}.{ident});");
                        if let Some(v) = example.and_then(|e| e.get(json_name(field)))
                            && !v.is_object()
                            && !v.is_array()
                        {
                            let _ = write!(line, " // the example answer has {v}");
                        }
                        vec![line]
                    }
                    None => print(expr),
                }
            }
            syn::Fields::Unnamed(u) if u.unnamed.len() == 1 => reading(
                &format!("{expr}.0"),
                &u.unnamed[0].ty,
                example,
                types,
                depth + 1,
            ),
            _ => print(expr),
        },
        syn::Item::Enum(e) => {
            let variant = e.variants.iter().find(|v| {
                matches!(&v.fields, syn::Fields::Unnamed(u) if u.unnamed.len() == 1
                    && matches!(&u.unnamed[0].ty, syn::Type::Path(p) if p.path.segments.len() == 1
                        && types.contains_key(&p.path.segments[0].ident.to_string())))
            });
            match variant {
                Some(v) => {
                    let syn::Fields::Unnamed(u) = &v.fields else {
                        return print(expr);
                    };
                    let mut lines = nest(
                        format!("if let types::{}::{}(inner) = &{expr} {{", e.ident, v.ident),
                        "inner",
                        &u.unnamed[0].ty,
                        example,
                    );
                    // Any other variant: shown whole.
                    lines.pop();
                    lines.push("} else {".into());
                    lines.push(format!("    println!(\"{{:?}}\", {expr});"));
                    lines.push("}".into());
                    lines
                }
                None => print(expr),
            }
        }
        _ => print(expr),
    }
}

/// The doctest for one operation (without the fences).
fn example(
    method: &str,
    op: &BuilderOp,
    spec: Option<&SpecOp>,
    types: &BTreeMap<String, syn::Item>,
    krate: &str,
) -> String {
    let mut calls = vec![format!("    .{method}()")];
    for (setter, ty) in &op.setters {
        let param = spec.and_then(|s| {
            s.params
                .iter()
                .find(|(name, ..)| squash(name) == squash(setter))
        });
        let arg = match param {
            Some((_, _, Some(value), _)) => Some(argument(ty, value, types, krate, 4)),
            Some((name, _, None, true)) => placeholder(ty, name, krate),
            _ => None,
        };
        if let Some(arg) = arg {
            calls.push(format!("    .{setter}({arg})"));
        }
    }
    if let Some(body) = &op.body {
        match spec.and_then(|s| s.body_example.as_ref()) {
            Some(value) => {
                let shown = show(body, krate);
                calls.push(format!(
                    "    .body(serde_json::from_value::<{shown}>(serde_json::json!({}))?)",
                    json_literal(value, 4)
                ));
            }
            None if op.has_body_map => calls.push("    .body_map(|body| body)".into()),
            None => {}
        }
    }
    let answer = op.answer.as_ref();
    let unit = answer.is_none_or(|t| matches!(t, syn::Type::Tuple(t) if t.elems.is_empty()));
    calls.push("    .send()".into());
    if unit {
        calls.push("    .await?;".into());
    } else {
        calls.push("    .await?".into());
        calls.push("    .into_inner();".into());
    }
    let mut body = String::new();
    let _ = writeln!(
        body,
        "let client = Client::new({krate}::DEFAULT_BASE_URL, \"token\")?;"
    );
    if unit {
        let _ = writeln!(body, "// A success answers no body (`ResponseValue<()>`).");
        let _ = writeln!(body, "client");
    } else {
        let shown = show(answer.expect("not unit"), krate);
        let _ = writeln!(body, "let answer: {shown} = client");
    }
    for c in calls {
        let _ = writeln!(body, "{c}");
    }
    if let Some(ty) = answer.filter(|_| !unit) {
        let example = spec.and_then(|s| s.answer_example.as_ref());
        for line in reading("answer", ty, example, types, 0) {
            let _ = writeln!(body, "{line}");
        }
    }
    let mut text = String::from(
        "\n\n# Example\n\n```no_run\n# async fn example() -> Result<(), Box<dyn std::error::Error>> {\n",
    );
    let _ = writeln!(text, "use {krate}::prelude::*;");
    if body.contains("types::") {
        let _ = writeln!(text, "use {krate}::types;");
    }
    text.push('\n');
    text.push_str(&body);
    text.push_str("# Ok(())\n# }\n```");
    text
}

/// Replaces the fenced ```` ```ignore ```` block of a doc text with `replacement`, or
/// appends it.
fn replace_ignore_block(doc: &str, replacement: &str) -> String {
    if let Some(start) = doc.find("```ignore") {
        let after = start + "```ignore".len();
        if let Some(len) = doc[after..].find("```") {
            let end = after + len + 3;
            let head = doc[..start].trim_end();
            return format!("{head}{replacement}{}", &doc[end..]);
        }
    }
    format!("{}{replacement}", doc.trim_end())
}

fn doc_attr(attrs: &mut [syn::Attribute]) -> Option<&mut syn::Attribute> {
    attrs.iter_mut().find(|a| a.path().is_ident("doc"))
}

fn doc_text(attr: &syn::Attribute) -> Option<String> {
    let syn::Meta::NameValue(nv) = &attr.meta else {
        return None;
    };
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(s),
        ..
    }) = &nv.value
    else {
        return None;
    };
    Some(s.value())
}

/// Replaces progenitor's `ignore` example on every `Client<Tag>Ext` method with one that
/// compiles (see the module docs). `krate` is the vendor crate's name (`roster_vyte`).
pub fn operation_examples(file: &mut syn::File, doc: &Value, krate: &str) {
    let specs = spec_ops(doc);
    let ops = builder_ops(file);
    let types = type_index(file);
    for item in &mut file.items {
        let syn::Item::Trait(tr) = item else { continue };
        for trait_item in &mut tr.items {
            let syn::TraitItem::Fn(f) = trait_item else {
                continue;
            };
            let syn::ReturnType::Type(_, ty) = &f.sig.output else {
                continue;
            };
            let syn::Type::Path(p) = &**ty else { continue };
            let Some(builder) = p.path.segments.last().map(|s| s.ident.to_string()) else {
                continue;
            };
            let Some(op) = ops.get(&builder) else {
                continue;
            };
            let spec = specs.get(&squash(&op.operation_id));
            let method = f.sig.ident.to_string();
            let text = example(&method, op, spec, &types, krate);
            let Some(attr) = doc_attr(&mut f.attrs) else {
                f.attrs.push(syn::parse_quote!(#[doc = #text]));
                continue;
            };
            let Some(old) = doc_text(attr) else { continue };
            let new = replace_ignore_block(&old, &text);
            *attr = syn::parse_quote!(#[doc = #new]);
        }
    }
}

/// Documents the undocumented methods of the operation builders (see the module docs).
pub fn document_operation_builders(file: &mut syn::File, doc: &Value) {
    let specs = spec_ops(doc);
    let ops = builder_ops(file);
    let Some(items) = operation_builders(file) else {
        return;
    };
    for item in items.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let Some(name) = self_name(imp) else { continue };
        let Some(op) = ops.get(&name) else { continue };
        let spec = specs.get(&squash(&op.operation_id));
        let body_shown = op
            .body
            .as_ref()
            .map(|t| quote::quote!(#t).to_string().replace(' ', ""))
            .unwrap_or_default();
        for impl_item in &mut imp.items {
            let syn::ImplItem::Fn(f) = impl_item else {
                continue;
            };
            if f.attrs.iter().any(|a| a.path().is_ident("doc")) {
                continue;
            }
            let setter = f.sig.ident.to_string();
            let text = match setter.as_str() {
                "new" => format!(
                    " Starts the request on `client` (what `client.{}()` does).",
                    op.operation_id
                ),
                "body" => {
                    let mut t = format!(" Sets the request body: a `{body_shown}`");
                    if op.has_body_map {
                        let _ = write!(
                            t,
                            ", or its builder (`.body({body_shown}::builder().a_field(value))`);\n \
                             the builder's missing required fields are all named in the error \
                             `send` returns."
                        );
                    } else {
                        t.push_str(", or anything that converts into one.");
                    }
                    if let Some(d) = spec.and_then(|s| s.body_description.as_ref()) {
                        let _ = write!(t, "\n\n {d}");
                    }
                    t
                }
                "body_map" => " Changes the request body through its builder: \
                    `.body_map(|body| body.some_field(value))` sets fields one by one,\n \
                    starting from the body set so far (an empty one at first). Required \
                    fields left unset are all named in the error `send` returns."
                    .to_owned(),
                "send" => continue,
                setter => {
                    let param = spec.and_then(|s| {
                        s.params
                            .iter()
                            .find(|(name, ..)| squash(name) == squash(setter))
                    });
                    match param {
                        Some((name, description, _, required)) => {
                            let need = if *required { "required" } else { "optional" };
                            let mut t = format!(" Sets the `{name}` parameter ({need}).");
                            if !description.is_empty() {
                                let _ = write!(t, "\n\n {}", description.replace('\n', "\n "));
                            }
                            t
                        }
                        None => format!(" Sets the `{setter}` parameter."),
                    }
                }
            };
            f.attrs.push(syn::parse_quote!(#[doc = #text]));
        }
    }
}
