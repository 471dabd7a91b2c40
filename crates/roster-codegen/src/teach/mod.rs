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
//!
//! This module holds the two passes; `spec` reads the spec, `generated` the syn tree,
//! `values` writes the example's values, `reading` the lines that read the answer and
//! `examples` the whole doctest.

mod examples;
mod generated;
mod reading;
mod spec;
mod values;

use std::fmt::Write as _;

use serde_json::Value;

use examples::{example, replace_ignore_block};
use generated::{builder_ops, operation_builders, self_name, type_index};
use spec::spec_ops;

/// Squashes a name for matching spec names with generated ones (`pageSize` ~ `page_size`).
fn squash(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
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
