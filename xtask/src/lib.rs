//! The library behind `cargo xtask`, the maintainers' commands for Roster's specs.
//!
//! - [`validate_file`]: every rule of [`RULES`] on one spec — the generator's own
//!   (`roster_codegen::lint::generator_rules`), documentation, security, examples validated
//!   against their schemas ([`examples`]), and finally a real generation.
//! - [`policy`]: the tolerance and evidence rules of `specs/CONVENTIONS.md`, and
//!   [`evidence`](mod@evidence): the per-vendor count of items by evidence level.
//! - [`snapshots`]: the committed generated source of each vendor crate, written and checked
//!   through `roster_codegen::generate_file`, the build scripts' own path.
//! - [`cli`]: argument parsing and output of the `xtask` binary.
//! - [`bench`](mod@bench): `cargo xtask bench`, build-time and client benchmarks.
//!
//! Vendors are discovered from `specs/<vendor>.yaml`: adding one needs no change here.
#![deny(missing_docs)]

pub mod bench;
pub mod cli;
pub mod evidence;
pub mod examples;
pub mod policy;
mod rules;
pub mod snapshots;

use std::path::{Path, PathBuf};

pub use roster_codegen::Problem;
pub use rules::{
    RULES, Report, is_snake_case, problems_of, spec_rules, validate_file, validate_spec,
};

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The vendors, one per `specs/<vendor>.yaml` under `root`, sorted.
///
/// # Errors
/// When `specs/` cannot be read.
pub fn vendors(root: &Path) -> std::io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("specs"))?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let path = entry.path();
            if path.extension()? != "yaml" || !path.is_file() {
                return None;
            }
            path.file_stem()?.to_str().map(str::to_owned)
        })
        .collect();
    names.sort();
    Ok(names)
}

/// A vendor's spec, relative to the root (`specs/vyte.yaml`).
pub fn spec_path(vendor: &str) -> PathBuf {
    Path::new("specs").join(format!("{vendor}.yaml"))
}

/// A vendor's client crate, relative to the root (`crates/roster-vyte`).
pub fn crate_dir(vendor: &str) -> PathBuf {
    Path::new("crates").join(format!("roster-{vendor}"))
}

/// A vendor's committed snapshot of its generated client, relative to the root
/// (`crates/roster-vyte/generated/client.rs`).
pub fn snapshot_path(vendor: &str) -> PathBuf {
    crate_dir(vendor).join("generated").join("client.rs")
}
