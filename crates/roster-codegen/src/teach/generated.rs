//! What the generated syn tree says about each operation: its builder's answer type, body
//! type and setters (from the `builder` module), and the types of the `types` module.

use std::collections::BTreeMap;

use crate::builders::{generic_of, try_into_target, types_module};

/// What the generated operation builder says about one operation.
#[derive(Clone)]
pub(super) struct BuilderOp {
    pub(super) operation_id: String,
    pub(super) answer: Option<syn::Type>,
    pub(super) body: Option<syn::Type>,
    pub(super) has_body_map: bool,
    pub(super) setters: Vec<(String, syn::Type)>,
}

/// The top-level `builder` module's items.
pub(super) fn operation_builders(file: &mut syn::File) -> Option<&mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

pub(super) fn self_name(imp: &syn::ItemImpl) -> Option<String> {
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

pub(super) fn builder_ops(file: &mut syn::File) -> BTreeMap<String, BuilderOp> {
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

/// The types of the `types` module, by name.
pub(super) fn type_index(file: &mut syn::File) -> BTreeMap<String, syn::Item> {
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
