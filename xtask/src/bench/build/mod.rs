//! `cargo xtask bench build`: cold and incremental build times, with build-time generation
//! and from the committed snapshot, side by side (see the parent module for the method).
//!
//! This module runs the measurement; [`options`] parses the command line, [`copies`] keeps the
//! two copies of the sources, [`edit`] makes the one-line edits, [`timed`] times one build and
//! [`report`] prints the table.

mod copies;
mod edit;
mod options;
mod report;
#[cfg(test)]
mod tests;
mod timed;

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use crate::cli::{FAILED, OK};
use crate::snapshot_path;

use copies::{Bench, remove_dir};
use edit::Edit;
pub use options::{BuildOptions, Part};
use report::{Row, table};

/// The facade: depends on every vendor crate, so its cold build is the whole workspace's.
const FACADE: &str = "roster";
/// The vendor whose spec the `rebuild` part edits.
const EDITED_VENDOR: &str = "vectera";
/// Where every copy, target directory and log goes.
const BENCH_DIR: &str = "target/bench-build";

/// The two ways a vendor crate gets its client source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    /// As the workspace is: `build.rs` runs progenitor into `OUT_DIR`.
    Codegen,
    /// The committed snapshot, no build script, no generator stack.
    Baseline,
}

impl Variant {
    const BOTH: [Variant; 2] = [Variant::Codegen, Variant::Baseline];

    fn name(self) -> &'static str {
        match self {
            Variant::Codegen => "codegen",
            Variant::Baseline => "baseline",
        }
    }
}

/// The cargo that runs xtask (cargo sets `CARGO` for `cargo run`), else the one on `PATH`.
pub(super) fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Runs the benchmark; progress goes to `err`, the table to `out`.
pub(super) fn run(
    options: &BuildOptions,
    root: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    match measure(options, root, err) {
        Ok(rows) => {
            write!(out, "{}", table(options, &rows))?;
            Ok(OK)
        }
        Err(message) => {
            writeln!(err, "error: {message}")?;
            Ok(FAILED)
        }
    }
}

fn measure(options: &BuildOptions, root: &Path, err: &mut dyn Write) -> Result<Vec<Row>, String> {
    let known = crate::vendors(root).map_err(|e| format!("cannot read specs/: {e}"))?;
    let vendors: Vec<String> = if options.vendors.is_empty() {
        known.clone()
    } else {
        options.vendors.clone()
    };
    for vendor in &vendors {
        if !known.contains(vendor) || !root.join(snapshot_path(vendor)).is_file() {
            return Err(format!(
                "unknown vendor `{vendor}` (no specs/{vendor}.yaml or no snapshot)"
            ));
        }
    }
    let bench = Bench {
        root,
        dir: root.join(BENCH_DIR),
        configs: &options.configs,
    };
    let progress = |err: &mut dyn Write, line: String| {
        // Progress is best effort: a closed stderr must not stop the measurement.
        let _ = writeln!(err, "{line}");
    };
    progress(err, format!("copying sources to {}", bench.dir.display()));
    for variant in Variant::BOTH {
        bench.sync(variant, &known)?;
    }

    let mut rows = Vec::new();
    let mut cold_cases: Vec<(String, Vec<String>)> = Vec::new();
    if options.parts.contains(&Part::Vendors) {
        for vendor in &vendors {
            cold_cases.push((format!("roster-{vendor}"), Vec::new()));
        }
    }
    if options.parts.contains(&Part::Facade) {
        cold_cases.push((FACADE.to_owned(), vec!["--all-features".to_owned()]));
    }
    for (package, extra) in &cold_cases {
        let label = if package == FACADE {
            format!("cold `{FACADE}` (facade, all features: the whole client stack)")
        } else {
            format!("cold `{package}` alone")
        };
        let mut row = Row::new(label);
        for run in 0..options.runs {
            for variant in order(run) {
                let target = bench.dir.join(format!("cold-{}-{package}", variant.name()));
                remove_dir(&target)?;
                let what = format!(
                    "cold {package} ({}) run {}/{}",
                    variant.name(),
                    run + 1,
                    options.runs
                );
                progress(err, format!("{what} ..."));
                let timed = bench.build(variant, package, extra, &target, &what)?;
                // The rebuild part starts from a warm target directory: hand it this one
                // rather than building everything again.
                let warm = bench.rebuild_target(variant);
                if options.parts.contains(&Part::Rebuild) && !warm.exists() {
                    fs::rename(&target, &warm).map_err(|e| {
                        format!(
                            "cannot move {} to {}: {e}",
                            target.display(),
                            warm.display()
                        )
                    })?;
                } else {
                    remove_dir(&target)?;
                }
                progress(
                    err,
                    format!("{what}: {:.1} s, {} crates", timed.secs, timed.compiled),
                );
                row.push(variant, timed);
            }
        }
        rows.push(row);
    }

    if options.parts.contains(&Part::Rebuild) {
        let packages: Vec<(String, Vec<String>)> = if options.quick {
            vec![(format!("roster-{EDITED_VENDOR}"), Vec::new())]
        } else {
            vec![
                (format!("roster-{EDITED_VENDOR}"), Vec::new()),
                (FACADE.to_owned(), vec!["--all-features".to_owned()]),
            ]
        };
        let edits = [
            Edit::spec(&bench, EDITED_VENDOR)?,
            Edit::snapshot(&bench, EDITED_VENDOR)?,
        ];
        let target = |variant: Variant| bench.rebuild_target(variant);
        for (package, extra) in &packages {
            for variant in Variant::BOTH {
                let what = format!("warm-up {package} ({})", variant.name());
                progress(err, format!("{what} ..."));
                bench.build(variant, package, extra, &target(variant), &what)?;
            }
        }
        let mut edit_count = 0;
        for (package, extra) in &packages {
            let mut row = Row::new(format!(
                "rebuild `{package}` after a one-line edit of specs/{EDITED_VENDOR}.yaml"
            ));
            for run in 0..options.rebuild_runs {
                for variant in order(run) {
                    edit_count += 1;
                    edits[variant as usize].apply(edit_count)?;
                    let what = format!(
                        "rebuild {package} ({}) run {}/{}",
                        variant.name(),
                        run + 1,
                        options.rebuild_runs
                    );
                    let timed = bench.build(variant, package, extra, &target(variant), &what)?;
                    progress(
                        err,
                        format!("{what}: {:.1} s, {} crates", timed.secs, timed.compiled),
                    );
                    row.push(variant, timed);
                }
            }
            rows.push(row);
        }
        for edit in &edits {
            edit.restore()?;
        }
    }
    Ok(rows)
}

/// Which variant goes first in run `run`: alternating, so a drift in machine load hits both.
fn order(run: usize) -> [Variant; 2] {
    if run.is_multiple_of(2) {
        Variant::BOTH
    } else {
        [Variant::Baseline, Variant::Codegen]
    }
}
