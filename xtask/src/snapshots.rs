//! Committed snapshots of the generated clients (`crates/roster-<vendor>/generated/client.rs`).
//!
//! The build compiles what `roster_codegen` generates into `OUT_DIR`; the snapshot is the
//! same source, written by [`write()`] through the same `roster_codegen::generate_file`, so a
//! spec change is reviewed as a Rust diff. [`check()`] (run by `cargo xtask check` and by an
//! ordinary `cargo test`) says when a snapshot no longer matches its spec.

use std::fmt;
use std::path::Path;

use crate::{crate_dir, snapshot_path, spec_path};

/// Why a snapshot check failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotError {
    /// The spec does not generate: one line per problem, naming the spec, location and rule.
    Generation(String),
    /// The committed snapshot differs from a fresh generation.
    Stale(String),
    /// There is no committed snapshot.
    Missing(String),
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::Generation(m) | SnapshotError::Stale(m) | SnapshotError::Missing(m) => {
                f.write_str(m)
            }
        }
    }
}

/// The vendors that have both a spec and a crate: the ones with a snapshot to keep. A spec
/// whose crate does not exist yet has none.
///
/// # Errors
/// When `specs/` cannot be read.
pub fn vendors(root: &Path) -> std::io::Result<Vec<String>> {
    Ok(crate::vendors(root)?
        .into_iter()
        .filter(|v| root.join(crate_dir(v)).is_dir())
        .collect())
}

/// Snapshots left behind by a vendor whose spec is gone (`crates/roster-x/generated/client.rs`
/// without `specs/x.yaml`), as paths relative to the root.
pub fn orphans(root: &Path) -> Vec<String> {
    let Ok(specs) = crate::vendors(root) else {
        return Vec::new();
    };
    let Ok(dirs) = std::fs::read_dir(root.join("crates")) else {
        return Vec::new();
    };
    let mut found: Vec<String> = dirs
        .filter_map(Result::ok)
        .filter_map(|d| {
            d.file_name()
                .to_str()?
                .strip_prefix("roster-")
                .map(str::to_owned)
        })
        .filter(|vendor| !specs.contains(vendor) && root.join(snapshot_path(vendor)).is_file())
        .map(|vendor| snapshot_path(&vendor).display().to_string())
        .collect();
    found.sort();
    found
}

/// Generates a vendor's client source from its spec, exactly as its build script does.
///
/// # Errors
/// One line per problem, each naming the spec, the location and the rule.
pub fn generate(root: &Path, vendor: &str) -> Result<String, String> {
    roster_codegen::generate_file(root.join(spec_path(vendor))).map_err(|e| {
        let file = spec_path(vendor);
        crate::problems_of(e)
            .iter()
            .map(|p| format!("{}: {p}", file.display()))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// Compares a vendor's committed snapshot with a fresh generation.
///
/// # Errors
/// [`SnapshotError`]: stale and missing ones name the vendor, the snapshot and the command
/// that rewrites it (`snapshot of vyte is stale: run `cargo xtask generate vyte` (...)`).
pub fn check(root: &Path, vendor: &str) -> Result<(), SnapshotError> {
    let fresh = generate(root, vendor).map_err(SnapshotError::Generation)?;
    let path = snapshot_path(vendor);
    let fix = format!("run `cargo xtask generate {vendor}`");
    match std::fs::read_to_string(root.join(&path)) {
        Ok(committed) if committed == fresh => Ok(()),
        Ok(committed) => {
            let line = committed
                .lines()
                .zip(fresh.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()))
                + 1;
            Err(SnapshotError::Stale(format!(
                "snapshot of {vendor} is stale: {fix} ({} differs from what {} generates, \
                 first at line {line})",
                path.display(),
                spec_path(vendor).display()
            )))
        }
        Err(e) => Err(SnapshotError::Missing(format!(
            "snapshot of {vendor} is missing: {fix} ({}: {e})",
            path.display()
        ))),
    }
}

/// Writes a vendor's snapshot; answers whether the file changed.
///
/// # Errors
/// When the vendor has no crate yet, the generation problems, or the write error naming
/// the file.
pub fn write(root: &Path, vendor: &str) -> Result<bool, String> {
    let dir = crate_dir(vendor);
    if !root.join(&dir).is_dir() {
        return Err(format!(
            "{} does not exist: add the vendor crate (its build.rs calls \
             `roster_codegen::build_script`), then run this again",
            dir.display()
        ));
    }
    let fresh = generate(root, vendor)?;
    let shown = snapshot_path(vendor);
    let path = root.join(&shown);
    if std::fs::read_to_string(&path).is_ok_and(|old| old == fresh) {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(&path, fresh).map_err(|e| format!("cannot write {}: {e}", shown.display()))?;
    Ok(true)
}
