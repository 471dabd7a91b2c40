//! The lines of an example that read its answer: one field of it (an id where the example
//! answer has one), descending into lists, options, envelopes and enum variants.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::builders::generic_of;

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
pub(super) fn reading(
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
