//! Conveniences on typify's struct builders (`types::builder::X`), for every vendor alike.
//!
//! - [`collect_missing_fields`]: a builder's conversion into its struct names **every**
//!   missing or invalid field in one error, not only the first (typify's `TryFrom` stops at
//!   the first `?`).
//! - [`optional_setters_take_values`]: the setter of an optional field takes the value
//!   (`.last_name("Smith")`), as well as an `Option` (`.last_name(None)`), through the
//!   generated `types::IntoOptional` trait; typify's bound `T: TryInto<Option<String>>`
//!   accepts a `String` but not a `&str`.
//! - [`string_newtypes_from_str`]: a newtype over `String` that converts from `String`
//!   (`types::TimeZone`) converts from `&str` too, so its setters take `"Europe/Paris"`.
//! - [`document_struct_builders`]: `X::builder()` says what it starts.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The `types` module of the generated file, if any.
pub(crate) fn types_module(file: &mut syn::File) -> Option<&mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// The `builder` module inside `types`.
fn struct_builders(types: &mut [syn::Item]) -> Option<&mut Vec<syn::Item>> {
    types.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// The single generic argument of `ty`'s last path segment when that segment is `name`.
pub(crate) fn generic_of<'t>(ty: &'t syn::Type, name: &str) -> Option<&'t syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

/// `T` of a `where V: ...TryInto<T>` bound on a one-parameter generic fn.
pub(crate) fn try_into_target(sig: &syn::Signature) -> Option<&syn::Type> {
    let clause = sig.generics.where_clause.as_ref()?;
    clause.predicates.iter().find_map(|pred| {
        let syn::WherePredicate::Type(pt) = pred else {
            return None;
        };
        pt.bounds.iter().find_map(|b| {
            let syn::TypeParamBound::Trait(tb) = b else {
                return None;
            };
            let last = tb.path.segments.last()?;
            if last.ident != "TryInto" {
                return None;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            match args.args.first()? {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            }
        })
    })
}

/// Rewrites every `TryFrom<builder::X> for super::X` so that it reports every field whose
/// value is missing or invalid, joined by `; ` (one field: the same message as before).
pub fn collect_missing_fields(file: &mut syn::File) {
    let Some(types) = types_module(file) else {
        return;
    };
    let Some(builders) = struct_builders(types) else {
        return;
    };
    for item in builders.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        let is_try_from = imp
            .trait_
            .as_ref()
            .and_then(|(path, _)| path.segments.last())
            .is_some_and(|s| s.ident == "TryFrom");
        if !is_try_from {
            continue;
        }
        for impl_item in &mut imp.items {
            let syn::ImplItem::Fn(f) = impl_item else {
                continue;
            };
            if f.sig.ident != "try_from" {
                continue;
            }
            if let Some(fields) = struct_literal_fields(&f.block).filter(|f| !f.is_empty()) {
                f.block = collecting_body(&fields);
            }
        }
    }
}

/// The members of `Ok(Self { a: value.a?, ... })`, when the body is exactly that.
fn struct_literal_fields(block: &syn::Block) -> Option<Vec<syn::Member>> {
    let [syn::Stmt::Expr(syn::Expr::Call(call), None)] = block.stmts.as_slice() else {
        return None;
    };
    let [syn::Expr::Struct(lit)] = call.args.iter().collect::<Vec<_>>().as_slice() else {
        return None;
    };
    lit.fields
        .iter()
        .map(|fv| match &fv.expr {
            syn::Expr::Try(_) => Some(fv.member.clone()),
            _ => None,
        })
        .collect()
}

fn collecting_body(fields: &[syn::Member]) -> syn::Block {
    let locals: Vec<syn::Ident> = fields
        .iter()
        .map(|m| match m {
            syn::Member::Named(id) => {
                let name = id.to_string();
                format_ident!("field_{}", name.trim_start_matches("r#"))
            }
            syn::Member::Unnamed(i) => format_ident!("field_{}", i.index),
        })
        .collect();
    let body: TokenStream = quote! {{
        let mut problems: ::std::vec::Vec<::std::string::String> = ::std::vec::Vec::new();
        #( let #locals = value.#fields.map_err(|e| problems.push(e)); )*
        match (#(#locals,)*) {
            (#(::std::result::Result::Ok(#locals),)*) => ::std::result::Result::Ok(Self {
                #( #fields: #locals, )*
            }),
            _ => ::std::result::Result::Err(problems.join("; ").into()),
        }
    }};
    syn::parse2(body).expect("a block")
}

/// The trait optional-field setters take (emitted into `types`), and its impls.
fn into_optional_trait() -> TokenStream {
    quote! {
        /// A value for an optional field of a struct builder: the value itself (`"Smith"`, a
        /// `String`, the field's type) sets the field, an `Option` of it sets or clears it
        /// (`None`).
        pub trait IntoOptional<T> {
            /// The value as the field holds it.
            fn into_optional(self) -> ::std::option::Option<T>;
        }
        impl<T> IntoOptional<T> for T {
            fn into_optional(self) -> ::std::option::Option<T> {
                ::std::option::Option::Some(self)
            }
        }
        impl<T> IntoOptional<T> for ::std::option::Option<T> {
            fn into_optional(self) -> ::std::option::Option<T> {
                self
            }
        }
        impl IntoOptional<::std::string::String> for &str {
            fn into_optional(self) -> ::std::option::Option<::std::string::String> {
                ::std::option::Option::Some(self.to_owned())
            }
        }
        impl IntoOptional<::std::string::String> for &::std::string::String {
            fn into_optional(self) -> ::std::option::Option<::std::string::String> {
                ::std::option::Option::Some(self.clone())
            }
        }
        impl IntoOptional<::roster_runtime::Secret> for &str {
            fn into_optional(self) -> ::std::option::Option<::roster_runtime::Secret> {
                ::std::option::Option::Some(self.into())
            }
        }
        impl IntoOptional<::roster_runtime::Secret> for ::std::string::String {
            fn into_optional(self) -> ::std::option::Option<::roster_runtime::Secret> {
                ::std::option::Option::Some(self.into())
            }
        }
    }
}

/// Makes every optional-field setter of the struct builders take the value or an `Option`
/// of it (see the module docs), and emits `types::IntoOptional`.
pub fn optional_setters_take_values(file: &mut syn::File) {
    let Some(types) = types_module(file) else {
        return;
    };
    if let Some(builders) = struct_builders(types) {
        for item in builders.iter_mut() {
            let syn::Item::Impl(imp) = item else { continue };
            if imp.trait_.is_some() {
                continue;
            }
            for impl_item in &mut imp.items {
                let syn::ImplItem::Fn(f) = impl_item else {
                    continue;
                };
                let Some(inner) = try_into_target(&f.sig)
                    .and_then(|t| generic_of(t, "Option"))
                    .cloned()
                else {
                    continue;
                };
                let field = &f.sig.ident;
                let new: syn::ImplItemFn = syn::parse2(quote! {
                    pub fn #field<T>(mut self, value: T) -> Self
                    where
                        T: super::IntoOptional<#inner>,
                    {
                        self.#field = ::std::result::Result::Ok(value.into_optional());
                        self
                    }
                })
                .expect("a setter");
                f.sig = new.sig;
                f.block = new.block;
            }
        }
    }
    let extra: syn::File = syn::parse2(into_optional_trait()).expect("the trait");
    types.extend(extra.items);
}

/// For every `types::X(pub String)` with `From<String>` and no conversion from `&str`:
/// `From<&str>` and the `IntoOptional<X>` impls for `&str` and `String`.
pub fn string_newtypes_from_str(file: &mut syn::File) {
    let Some(types) = types_module(file) else {
        return;
    };
    let is_string = |ty: &syn::Type| matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "String"));
    let newtypes: Vec<syn::Ident> = types
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => match &s.fields {
                syn::Fields::Unnamed(u) if u.unnamed.len() == 1 && is_string(&u.unnamed[0].ty) => {
                    Some(s.ident.clone())
                }
                _ => None,
            },
            _ => None,
        })
        .collect();
    let has_impl = |trait_name: &str, arg_is: &dyn Fn(&syn::Type) -> bool, for_ty: &syn::Ident| {
        types.iter().any(|item| {
            let syn::Item::Impl(imp) = item else {
                return false;
            };
            let Some((path, _)) = &imp.trait_ else {
                return false;
            };
            let Some(last) = path.segments.last() else {
                return false;
            };
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return false;
            };
            let arg_ok =
                matches!(args.args.first(), Some(syn::GenericArgument::Type(t)) if arg_is(t));
            last.ident == trait_name
                && arg_ok
                && matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.is_ident(for_ty))
        })
    };
    let is_str_ref = |ty: &syn::Type| matches!(ty, syn::Type::Reference(_));
    let mut extra = TokenStream::new();
    for name in newtypes {
        if !has_impl("From", &is_string, &name)
            || has_impl("From", &is_str_ref, &name)
            || has_impl("TryFrom", &is_str_ref, &name)
        {
            continue;
        }
        extra.extend(quote! {
            impl ::std::convert::From<&str> for #name {
                fn from(value: &str) -> Self {
                    Self(value.to_owned())
                }
            }
            impl IntoOptional<#name> for &str {
                fn into_optional(self) -> ::std::option::Option<#name> {
                    ::std::option::Option::Some(#name(self.to_owned()))
                }
            }
            impl IntoOptional<#name> for ::std::string::String {
                fn into_optional(self) -> ::std::option::Option<#name> {
                    ::std::option::Option::Some(#name(self))
                }
            }
        });
    }
    let extra: syn::File = syn::parse2(extra).expect("impls");
    types.extend(extra.items);
}

/// Documents every `pub fn builder() -> builder::X` of `types`.
pub fn document_struct_builders(file: &mut syn::File) {
    let Some(types) = types_module(file) else {
        return;
    };
    for item in types.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let syn::Type::Path(p) = &*imp.self_ty else {
            continue;
        };
        let Some(name) = p.path.get_ident().map(ToString::to_string) else {
            continue;
        };
        for impl_item in &mut imp.items {
            let syn::ImplItem::Fn(f) = impl_item else {
                continue;
            };
            if f.sig.ident != "builder" || !f.attrs.is_empty() {
                continue;
            }
            let doc = format!(
                " Starts a builder for [`{name}`]: a [`builder::{name}`], not the struct \
                 itself.\n\n Set fields with its methods (an optional field takes the value \
                 or an `Option`), then convert it with `{name}::try_from(builder)`, or pass \
                 the builder where a `{name}` is taken (an operation's `body`). The \
                 conversion names every required field left unset, in one error."
            );
            f.attrs.push(syn::parse_quote!(#[doc = #doc]));
        }
    }
}

/// The required fields of each struct builder, in field order: the fields its `Default`
/// leaves as `Err("no value supplied for <field>")`.
fn required_fields(builders: &[syn::Item]) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for item in builders {
        let syn::Item::Impl(imp) = item else { continue };
        let is_default = imp
            .trait_
            .as_ref()
            .and_then(|(path, _)| path.segments.last())
            .is_some_and(|s| s.ident == "Default");
        let syn::Type::Path(p) = &*imp.self_ty else {
            continue;
        };
        let Some(name) = p.path.get_ident().filter(|_| is_default) else {
            continue;
        };
        let text = quote!(#imp).to_string();
        let required = text
            .split("\"no value supplied for ")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_owned)
            .collect();
        out.push((name.to_string(), required));
    }
    out
}

/// The optional fields whose setter takes a `String` value: (struct, setter).
fn optional_string_setters(builders: &[syn::Item]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for item in builders {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(p) = &*imp.self_ty else {
            continue;
        };
        let Some(name) = p.path.get_ident().filter(|_| imp.trait_.is_none()) else {
            continue;
        };
        for impl_item in &imp.items {
            let syn::ImplItem::Fn(f) = impl_item else {
                continue;
            };
            let bound = f
                .sig
                .generics
                .where_clause
                .as_ref()
                .map(|w| quote!(#w).to_string());
            if bound.is_some_and(|b| b.contains("IntoOptional < :: std :: string :: String >")) {
                out.push((name.to_string(), f.sig.ident.to_string()));
            }
        }
    }
    out
}

/// Runs as doctests of every vendor crate: the docs of `types::builder` show (and check)
/// that an optional field's setter takes the value and that a conversion names every
/// missing required field. Call after [`optional_setters_take_values`].
pub fn builder_module_examples(file: &mut syn::File, krate: &str) {
    let Some(types) = types_module(file) else {
        return;
    };
    let Some(module) = types.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => Some(m),
        _ => None,
    }) else {
        return;
    };
    let Some((_, builders)) = module.content.as_ref() else {
        return;
    };
    let required = required_fields(builders);
    let setters = optional_string_setters(builders);
    let mut doc = String::from(
        " Builders for the types of this module: `types::X::builder()` starts one, each field \
         has a setter, and `types::X::try_from(builder)` (or passing the builder where a \
         `types::X` is taken) converts it.\n\n The setter of an optional field takes the \
         value (`\"Smith\"`, a `String`, the field's type) or an `Option` of it (`None` \
         clears the field): see [`IntoOptional`](super::IntoOptional). A conversion names \
         every required field left unset, in one error.",
    );
    let mut checks = Vec::new();
    let settable = setters.iter().find(|(s, _)| {
        required
            .iter()
            .any(|(name, fields)| name == s && fields.is_empty())
    });
    if let Some((ty, setter)) = settable.or(setters.first()).filter(|_| settable.is_none()) {
        // Every such struct has a required field too: the setter compiles with a `&str`.
        checks.push(format!(
            "let _builder = types::{ty}::builder().{setter}(\"text\").{setter}(None);"
        ));
    }
    if let Some((ty, setter)) = settable {
        checks.push(format!(
            "let value = types::{ty}::try_from(types::{ty}::builder().{setter}(\"text\"))?;\n\
             assert_eq!(value.{setter}.as_deref(), Some(\"text\"));\n\
             let cleared = types::{ty}::builder().{setter}(\"text\").{setter}(None);\n\
             assert_eq!(types::{ty}::try_from(cleared)?.{setter}, None);"
        ));
    }
    let named = |f: &Vec<String>| f.len() >= 2 && !f.iter().any(|f| f == "extra");
    let example = required
        .iter()
        .find(|(_, f)| named(f))
        .or_else(|| required.iter().find(|(_, f)| f.len() >= 2));
    if let Some((ty, fields)) = example {
        let message = fields
            .iter()
            .map(|f| format!("no value supplied for {f}"))
            .collect::<Vec<_>>()
            .join("; ");
        checks.push(format!(
            "let error = types::{ty}::try_from(types::{ty}::builder()).unwrap_err();\n\
             assert_eq!(error.to_string(), {message:?});"
        ));
    }
    if !checks.is_empty() {
        doc.push_str(&format!(
            "\n\n ```\n # fn main() -> Result<(), Box<dyn std::error::Error>> {{\n use \
             {krate}::types;\n\n {}\n # Ok(())\n # }}\n ```",
            checks.join("\n\n").replace('\n', "\n ")
        ));
    }
    module.attrs.retain(|a| !a.path().is_ident("doc"));
    module.attrs.insert(0, syn::parse_quote!(#[doc = #doc]));
}

/// The first paragraph of an item's doc comment, if any.
fn first_paragraph(attrs: &[syn::Attribute]) -> Option<String> {
    let text: String = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }),
                ..
            }) => Some(s.value()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let first = text.trim().split("\n\n").next()?.trim().to_owned();
    (!first.is_empty()).then_some(first)
}

/// Documents each setter of the struct builders from its field's description, saying
/// whether the field is required. Call after [`optional_setters_take_values`].
pub fn document_struct_setters(file: &mut syn::File) {
    let Some(types) = types_module(file) else {
        return;
    };
    let mut fields: std::collections::BTreeMap<(String, String), (Option<String>, bool)> =
        std::collections::BTreeMap::new();
    for item in types.iter() {
        let syn::Item::Struct(s) = item else { continue };
        let syn::Fields::Named(named) = &s.fields else {
            continue;
        };
        for field in &named.named {
            let Some(ident) = &field.ident else { continue };
            let list = generic_of(&field.ty, "Vec").is_some();
            fields.insert(
                (s.ident.to_string(), ident.to_string()),
                (first_paragraph(&field.attrs), list),
            );
        }
    }
    let Some(builders) = struct_builders(types) else {
        return;
    };
    let required = required_fields(builders);
    for item in builders.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let syn::Type::Path(p) = &*imp.self_ty else {
            continue;
        };
        let Some(name) = p.path.get_ident().map(ToString::to_string) else {
            continue;
        };
        let needed = required
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| f.clone())
            .unwrap_or_default();
        for impl_item in &mut imp.items {
            let syn::ImplItem::Fn(f) = impl_item else {
                continue;
            };
            if f.attrs.iter().any(|a| a.path().is_ident("doc")) {
                continue;
            }
            let setter = f.sig.ident.to_string();
            let Some((description, list)) = fields.get(&(name.clone(), setter.clone())) else {
                continue;
            };
            let bound = f
                .sig
                .generics
                .where_clause
                .as_ref()
                .map(|w| quote!(#w).to_string())
                .unwrap_or_default();
            let field = setter.trim_start_matches("r#");
            let kind = if needed.iter().any(|n| n == field) {
                "required"
            } else if bound.contains("IntoOptional") {
                "optional: the value, or an `Option` of it"
            } else if *list {
                "a list, empty unless set"
            } else {
                "has a default"
            };
            let mut doc = format!(" Sets `{field}` ({kind}).");
            if let Some(d) = description {
                doc.push_str("\n\n ");
                doc.push_str(&d.replace('\n', "\n "));
            }
            f.attrs.push(syn::parse_quote!(#[doc = #doc]));
        }
    }
}
