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

/// The checkout `cargo xtask` works on: the one it is run in.
///
/// `CARGO_MANIFEST_DIR` read at run time comes first (cargo sets it to this crate's directory
/// for `cargo run`, so `cargo xtask` in a checkout works on that checkout even when its
/// `target/` is shared with another one); the directory this binary was compiled from comes
/// second (the binary run directly). See [`locate_root`].
///
/// # Errors
/// When neither candidate is a workspace holding `specs/`.
pub fn workspace_root() -> Result<PathBuf, RootError> {
    locate_root(
        std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from),
        Path::new(env!("CARGO_MANIFEST_DIR")),
    )
}

/// The workspace root from the xtask crate directory cargo names at run time (`runtime`,
/// `None` when the variable is unset) or, failing that, from the one it was compiled in
/// (`compiled`): the parent of the first of them whose parent holds `specs/`.
///
/// # Errors
/// [`RootError`], naming every directory tried, when none holds `specs/`.
pub fn locate_root(runtime: Option<PathBuf>, compiled: &Path) -> Result<PathBuf, RootError> {
    let candidates: Vec<PathBuf> = runtime
        .into_iter()
        .chain(std::iter::once(compiled.to_path_buf()))
        .map(|dir| dir.parent().map_or_else(|| dir.clone(), Path::to_path_buf))
        .collect();
    candidates
        .iter()
        .find(|root| root.join("specs").is_dir())
        .cloned()
        .ok_or(RootError { tried: candidates })
}

/// No workspace with `specs/` was found where `cargo xtask` looked (see [`locate_root`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootError {
    /// The candidate roots, in the order they were tried.
    pub tried: Vec<PathBuf>,
}

impl std::fmt::Display for RootError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no Roster workspace (a directory holding `specs/`) at ")?;
        for (i, root) in self.tried.iter().enumerate() {
            let sep = if i == 0 { "" } else { " nor at " };
            write!(f, "{sep}{}", root.display())?;
        }
        write!(
            f,
            "; run `cargo xtask` inside a Roster checkout (cargo sets CARGO_MANIFEST_DIR), or \
             rebuild it in the checkout it should work on"
        )
    }
}

impl std::error::Error for RootError {}

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
