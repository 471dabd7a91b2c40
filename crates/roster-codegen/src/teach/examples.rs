//! The doctest of one operation: the client, the builder call with the example's parameters
//! and body, the answer's type and the reading of one of its fields; and its splicing into a
//! method's doc text.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::generated::BuilderOp;
use super::reading::reading;
use super::spec::SpecOp;
use super::squash;
use super::values::{argument, json_literal, placeholder, show};

/// The doctest for one operation (without the fences).
pub(super) fn example(
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
    let base = match spec.and_then(|s| s.server.as_deref()) {
        Some(server) => format!("{server:?}"),
        None => format!("{krate}::DEFAULT_BASE_URL"),
    };
    if spec.is_some_and(|s| s.public) {
        // An operation that takes no credentials is sent by a client that has none.
        let _ = writeln!(body, "let client = Client::without_credentials({base})?;");
    } else {
        let _ = writeln!(body, "let client = Client::new({base}, \"token\")?;");
    }
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
pub(super) fn replace_ignore_block(doc: &str, replacement: &str) -> String {
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
