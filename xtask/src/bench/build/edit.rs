//! The one-line edit the `rebuild` part makes before each incremental build.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use super::Variant;
use super::copies::Bench;
use crate::{snapshot_path, spec_path};

/// A one-line edit of a file in a copy, made again with a new text each time it is applied.
pub(super) struct Edit {
    path: PathBuf,
    original: String,
    line: usize,
}

impl Edit {
    /// The first plain one-line `description:` of the vendor's spec (codegen copy).
    pub(super) fn spec(bench: &Bench<'_>, vendor: &str) -> Result<Edit, String> {
        Edit::find(
            &bench.tree(Variant::Codegen).join(spec_path(vendor)),
            |line| {
                line.trim_start()
                    .strip_prefix("description: ")
                    .is_some_and(|v| !v.is_empty() && !v.starts_with(['"', '\'', '|', '>']))
            },
        )
    }

    /// The first doc-comment line of the vendor's snapshot (baseline copy): what a
    /// description edit becomes once `cargo xtask generate` rewrites the snapshot.
    pub(super) fn snapshot(bench: &Bench<'_>, vendor: &str) -> Result<Edit, String> {
        Edit::find(
            &bench.tree(Variant::Baseline).join(snapshot_path(vendor)),
            |line| line.trim_start().starts_with("///"),
        )
    }

    fn find(path: &Path, editable: impl Fn(&str) -> bool) -> Result<Edit, String> {
        let original =
            fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let line = original
            .lines()
            .position(editable)
            .ok_or_else(|| format!("{}: no line to edit", path.display()))?;
        Ok(Edit {
            path: path.to_path_buf(),
            original,
            line,
        })
    }

    pub(super) fn apply(&self, n: usize) -> Result<(), String> {
        let mut text = String::with_capacity(self.original.len() + 16);
        for (i, line) in self.original.lines().enumerate() {
            text.push_str(line);
            if i == self.line {
                let _ = write!(text, " Edit {n}.");
            }
            text.push('\n');
        }
        fs::write(&self.path, text)
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }

    pub(super) fn restore(&self) -> Result<(), String> {
        fs::write(&self.path, &self.original)
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }
}
