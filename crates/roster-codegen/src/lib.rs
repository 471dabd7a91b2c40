//! The one code path from an OpenAPI spec to formatted Rust client source.
//!
//! Every vendor crate's `build.rs` calls [`build_script`], and `cargo xtask generate` /
//! `check` call [`generate_file`]; both end in [`generate`], so the snapshot a reviewer reads
//! is byte-for-byte what the build compiles.
//!
//! Steps: read YAML → JSON value → `openapiv3::OpenAPI`, read from a copy whose descriptions
//! carry the [`evidence`] (with the JSON path of any shape error) → the
//! [`lint::generator_rules`] progenitor would otherwise panic on (on the JSON as written) →
//! progenitor's builder-style generator, run under `catch_unwind` so a remaining panic becomes
//! an [`Error`] naming the spec → Roster's additions ([`extras`]) → `prettyplease`.
#![deny(missing_docs)]

pub mod builders;
pub mod evidence;
pub mod extras;
pub mod lint;
pub mod operations;
pub mod teach;

use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;
use schemars::schema::{InstanceType, SchemaObject};
use serde_json::Value;

pub use lint::Problem;

/// A spec read from disk: its path, its raw JSON value (for pointer-located checks) and its
/// typed OpenAPI document.
pub struct Spec {
    /// Where it was read from.
    pub path: PathBuf,
    /// The document as plain JSON.
    pub json: Value,
    /// The document as `openapiv3` reads it.
    pub openapi: openapiv3::OpenAPI,
}

/// Why a spec could not become Rust source. Every variant names the spec file.
#[derive(Debug)]
pub enum Error {
    /// The file could not be read.
    Io {
        /// The spec.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not valid YAML (the message has line and column).
    Yaml {
        /// The spec.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The YAML is not an OpenAPI document of the expected shape.
    Shape {
        /// The spec.
        path: PathBuf,
        /// Where in the document (JSON pointer).
        pointer: String,
        /// What the reader expected.
        message: String,
    },
    /// The spec breaks rules the generator depends on.
    Rules {
        /// The spec.
        path: PathBuf,
        /// Each broken rule.
        problems: Vec<Problem>,
    },
    /// progenitor refused the spec, or panicked on it.
    Generator {
        /// The spec.
        path: PathBuf,
        /// progenitor's message.
        message: String,
    },
    /// The generated tokens are not valid Rust (a generator bug).
    Output {
        /// The spec.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{}: cannot read: {source}", path.display()),
            Error::Yaml { path, message } => {
                write!(f, "{}: not valid YAML: {message}", path.display())
            }
            Error::Shape {
                path,
                pointer,
                message,
            } => write!(
                f,
                "{}: #{pointer}: not a valid OpenAPI 3.0 document here: {message}",
                path.display()
            ),
            Error::Rules { path, problems } => {
                write!(
                    f,
                    "{}: {} problem(s) the client generator cannot accept:",
                    path.display(),
                    problems.len()
                )?;
                for p in problems {
                    write!(f, "\n  - {p}")?;
                }
                Ok(())
            }
            Error::Generator { path, message } => write!(
                f,
                "{}: progenitor could not generate a client: {message}",
                path.display()
            ),
            Error::Output { path, message } => write!(
                f,
                "{}: generated code does not parse (generator bug): {message}",
                path.display()
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Reads and parses a spec file.
///
/// # Errors
/// [`Error::Io`], [`Error::Yaml`] or [`Error::Shape`], each naming the file.
pub fn load(path: impl AsRef<Path>) -> Result<Spec, Error> {
    let path = path.as_ref().to_path_buf();
    let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    parse(path, &text)
}

/// Parses spec text; `path` names it in errors.
///
/// # Errors
/// [`Error::Yaml`] or [`Error::Shape`].
pub fn parse(path: PathBuf, text: &str) -> Result<Spec, Error> {
    let json: Value = yaml_serde::from_str(text).map_err(|e| Error::Yaml {
        path: path.clone(),
        message: e.to_string(),
    })?;
    if !json.is_object() {
        return Err(Error::Shape {
            path,
            pointer: String::new(),
            message: "the document must be a mapping".into(),
        });
    }
    // The generator reads the descriptions with the evidence appended (see [`evidence`]);
    // `json` stays as written, for pointer-located checks.
    let annotated = evidence::annotate(&json);
    let openapi = serde_path_to_error::deserialize(&annotated).map_err(|e| {
        let pointer = e
            .path()
            .iter()
            .map(|seg| match seg {
                serde_path_to_error::Segment::Seq { index } => format!("/{index}"),
                serde_path_to_error::Segment::Map { key } => format!("/{}", lint::escape(key)),
                serde_path_to_error::Segment::Enum { variant } => format!("/{variant}"),
                serde_path_to_error::Segment::Unknown => "/?".into(),
            })
            .collect::<String>();
        Error::Shape {
            path: path.clone(),
            pointer,
            message: e.into_inner().to_string(),
        }
    })?;
    Ok(Spec {
        path,
        json,
        openapi,
    })
}

/// The generator settings every Roster client is built with.
///
/// - Builder interface, one `Client<Tag>Ext` trait per tag (oxide.rs style), re-exported by
///   the generated `prelude`.
/// - `roster_runtime::ClientState` (credentials and answer limits) as the client's inner state
///   and a hooks impl of ours (see [`extras`]) that applies the credentials to every request
///   and reads every answer through `roster_runtime::exec`.
/// - `PartialEq` on every type (the facade compares what a vendor has with what it should
///   have; tests compare whole values).
/// - `type: string, format: password` becomes `roster_runtime::Secret`, whose `Debug` is
///   redacted; generated structs derive `Debug`, so otherwise passwords would print.
pub fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Separate)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote!(::roster_runtime::ClientState))
        .with_derive("PartialEq")
        .with_conversion(
            SchemaObject {
                instance_type: Some(InstanceType::String.into()),
                format: Some("password".into()),
                ..Default::default()
            },
            "::roster_runtime::Secret",
            std::iter::empty(),
        );
    settings
}

/// Generates the formatted client source for a parsed spec.
///
/// # Errors
/// [`Error::Rules`] when the spec breaks a rule progenitor depends on, [`Error::Generator`]
/// when progenitor refuses (or panics on) it, [`Error::Output`] on a generator bug.
pub fn generate(spec: &Spec) -> Result<String, Error> {
    let path = &spec.path;
    let problems = lint::generator_rules(&spec.json);
    if !problems.is_empty() {
        return Err(Error::Rules {
            path: path.clone(),
            problems,
        });
    }
    let additions = extras::additions(&spec.json).map_err(|problems| Error::Rules {
        path: path.clone(),
        problems,
    })?;

    let generated = catch_panic(|| Generator::new(&settings()).generate_tokens(&spec.openapi))
        .map_err(|message| Error::Generator {
            path: path.clone(),
            message: format!("panicked: {message}"),
        })?
        .map_err(|e| Error::Generator {
            path: path.clone(),
            message: e.to_string(),
        })?;

    let mut file: syn::File = syn::parse2(generated).map_err(|e| Error::Output {
        path: path.clone(),
        message: e.to_string(),
    })?;
    extras::remove_progenitor_constructor(&mut file);
    let krate = crate_name(path);
    teach::operation_examples(&mut file, &spec.json, &krate);
    teach::document_operation_builders(&mut file, &spec.json);
    builders::collect_missing_fields(&mut file);
    builders::optional_setters_take_values(&mut file);
    builders::string_newtypes_from_str(&mut file);
    builders::document_struct_builders(&mut file);
    builders::document_struct_setters(&mut file);
    builders::builder_module_examples(&mut file, &krate);
    let additions: syn::File = syn::parse2(additions).map_err(|e| Error::Output {
        path: path.clone(),
        message: e.to_string(),
    })?;
    file.items.extend(additions.items);

    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(format!(
        "// @generated by roster-codegen from specs/{name}. Do not edit: change the spec and run \
         `cargo xtask generate`.\n\n{}",
        prettyplease::unparse(&file)
    ))
}

/// The name the vendor crate generated from the spec at `path` has in Rust paths:
/// `specs/vyte.yaml` → `roster_vyte` (the crate `roster-vyte`).
pub fn crate_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("roster_{}", stem.replace('-', "_"))
}

/// Reads a spec file and generates its client source.
///
/// # Errors
/// Any [`Error`], naming the file.
pub fn generate_file(path: impl AsRef<Path>) -> Result<String, Error> {
    generate(&load(path)?)
}

/// The name of the file [`build_script`] writes into `OUT_DIR`.
pub const OUT_FILE: &str = "client.rs";

/// The whole body of a vendor crate's `build.rs`: generates the client for `spec` (a path
/// relative to the crate's manifest directory) into `$OUT_DIR/client.rs`, and tells cargo to
/// rerun only when the spec (or the build script) changes.
///
/// On failure it prints the error, naming the spec, the location and the rule, and exits
/// with status 1 — no panic backtrace.
pub fn build_script(spec: &str) {
    println!("cargo::rerun-if-changed={spec}");
    println!("cargo::rerun-if-changed=build.rs");
    if let Err(message) = try_build_script(spec) {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn try_build_script(spec: &str) -> Result<(), String> {
    let out_dir =
        std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set: run from a build script")?;
    let source = generate_file(spec).map_err(|e| e.to_string())?;
    let out = Path::new(&out_dir).join(OUT_FILE);
    std::fs::write(&out, source).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

thread_local! {
    /// Set while this thread runs the generator under [`catch_panic`].
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic into its message without printing the default panic report.
///
/// The panic hook is process-wide, so it is replaced once with one that stays silent only on a
/// thread inside `catch_panic` and defers to the previous hook everywhere else: concurrent
/// generations (parallel tests, a multi-threaded xtask) never leave panics elsewhere unreported.
fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result.map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a panic without a message".to_owned())
    })
}
