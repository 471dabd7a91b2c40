//! The two copies of the workspace sources a run builds (as they are, and the baseline without
//! build scripts), kept up to date file by file so their target directories stay warm.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::Variant;
use crate::{crate_dir, snapshot_path};

/// What `roster_runtime::include_generated_client!` includes, and the baseline's replacement.
pub(super) const RUNTIME_LIB: &str = "crates/roster-runtime/src/lib.rs";
pub(super) const INCLUDE_OUT_DIR: &str = r#"include!(concat!(env!("OUT_DIR"), "/client.rs"));"#;
const INCLUDE_SNAPSHOT: &str =
    r#"include!(concat!(env!("CARGO_MANIFEST_DIR"), "/generated/client.rs"));"#;
/// Top-level entries of the workspace copied for a build (every member's sources and specs).
const COPIED: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    "specs",
    "crates",
    "tests",
    "xtask",
];

/// The sources and target directories of one run.
pub(super) struct Bench<'a> {
    pub(super) root: &'a Path,
    pub(super) dir: PathBuf,
    pub(super) configs: &'a [String],
}

pub(super) fn remove_dir(dir: &Path) -> Result<(), String> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", dir.display())),
    }
}

impl Bench<'_> {
    pub(super) fn tree(&self, variant: Variant) -> PathBuf {
        self.dir.join(format!("src-{}", variant.name()))
    }

    /// The target directory of the rebuild part, kept warm across runs.
    pub(super) fn rebuild_target(&self, variant: Variant) -> PathBuf {
        self.dir.join(format!("rebuild-{}", variant.name()))
    }

    /// Brings the copy of `variant` up to date with the workspace. A file is written only when
    /// its content differs, so unchanged files keep their mtime and a warm target directory
    /// stays warm across runs.
    pub(super) fn sync(&self, variant: Variant, vendors: &[String]) -> Result<(), String> {
        let tree = self.tree(variant);
        let mut seen_include = false;
        let mut files = Vec::new();
        for entry in COPIED {
            list_files(&self.root.join(entry), Path::new(entry), &mut files)?;
        }
        for rel in files {
            let source = self.root.join(&rel);
            let mut bytes =
                fs::read(&source).map_err(|e| format!("cannot read {}: {e}", source.display()))?;
            if variant == Variant::Baseline {
                let vendor_of = |name: &str| {
                    vendors.iter().find(|v| {
                        rel == crate_dir(v).join(name) && self.root.join(snapshot_path(v)).is_file()
                    })
                };
                if vendor_of("build.rs").is_some() {
                    continue;
                }
                if let Some(vendor) = vendor_of("Cargo.toml") {
                    let text = String::from_utf8_lossy(&bytes);
                    bytes = without_build_script(&text)
                        .ok_or_else(|| {
                            format!(
                                "{}: cannot drop its build script from the manifest",
                                crate_dir(vendor).display()
                            )
                        })?
                        .into_bytes();
                }
                if rel == Path::new(RUNTIME_LIB) {
                    let text = String::from_utf8_lossy(&bytes);
                    if text.matches(INCLUDE_OUT_DIR).count() != 1 {
                        return Err(format!(
                            "{RUNTIME_LIB} no longer has `{INCLUDE_OUT_DIR}` once: update {} to the new include",
                            file!()
                        ));
                    }
                    bytes = text.replace(INCLUDE_OUT_DIR, INCLUDE_SNAPSHOT).into_bytes();
                    seen_include = true;
                }
            }
            write_if_changed(&tree.join(&rel), &bytes)?;
        }
        if variant == Variant::Baseline && !seen_include {
            return Err(format!("{RUNTIME_LIB} not found"));
        }
        for vendor in vendors {
            // A build.rs left by an older copy would be picked up by cargo on its own.
            if variant == Variant::Baseline {
                let stale = tree.join(crate_dir(vendor)).join("build.rs");
                if stale.exists() {
                    fs::remove_file(&stale)
                        .map_err(|e| format!("cannot remove {}: {e}", stale.display()))?;
                }
            }
        }
        Ok(())
    }
}

/// Every file under `path` (a file or a directory), relative as `rel`, skipping `target`
/// directories and hidden entries.
fn list_files(path: &Path, rel: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let meta = fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.is_file() {
        files.push(rel.to_path_buf());
        return Ok(());
    }
    let entries = fs::read_dir(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = entry.file_name();
        let name_str = name.to_string_lossy();
        if name_str.starts_with('.') || name_str == "target" {
            continue;
        }
        list_files(&entry.path(), &rel.join(&name), files)?;
    }
    Ok(())
}

fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A vendor manifest without `build = "build.rs"` and without its `[build-dependencies]`
/// table; `None` when there was no such table (the manifest is not what this expects).
pub fn without_build_script(manifest: &str) -> Option<String> {
    let mut kept = String::new();
    let mut in_build_deps = false;
    let mut found = false;
    for line in manifest.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_build_deps = trimmed == "[build-dependencies]";
            found |= in_build_deps;
        }
        let build_key = trimmed.starts_with("build ") || trimmed.starts_with("build=");
        if in_build_deps || build_key {
            continue;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    found.then_some(kept)
}
