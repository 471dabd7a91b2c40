//! `cargo xtask bench build`: cold and incremental build times, with build-time generation
//! and from the committed snapshot, side by side (see the parent module for the method).

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::cli::{FAILED, OK};
use crate::{crate_dir, snapshot_path, spec_path};

/// The facade: depends on every vendor crate, so its cold build is the whole workspace's.
const FACADE: &str = "roster";
/// The vendor whose spec the `rebuild` part edits.
const EDITED_VENDOR: &str = "vectera";
/// Where every copy, target directory and log goes.
const BENCH_DIR: &str = "target/bench-build";
/// What `roster_runtime::include_generated_client!` includes, and the baseline's replacement.
const RUNTIME_LIB: &str = "crates/roster-runtime/src/lib.rs";
const INCLUDE_OUT_DIR: &str = r#"include!(concat!(env!("OUT_DIR"), "/client.rs"));"#;
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

/// One part of the benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Cold build of each vendor crate alone.
    Vendors,
    /// Cold build of the facade with all features (the whole workspace's client stack).
    Facade,
    /// Incremental rebuild after a one-line spec edit.
    Rebuild,
}

/// The options of `cargo xtask bench build`.
#[derive(Debug, PartialEq, Eq)]
pub struct BuildOptions {
    /// What to measure, in this order.
    pub parts: Vec<Part>,
    /// Vendors for [`Part::Vendors`]; empty means all.
    pub vendors: Vec<String>,
    /// Cold builds per case (median reported).
    pub runs: usize,
    /// Rebuilds per case (median reported).
    pub rebuild_runs: usize,
    /// `--config KEY=VAL` for every cargo call.
    pub configs: Vec<String>,
    /// Rebuild only the edited vendor crate, not the facade.
    pub quick: bool,
}

impl BuildOptions {
    /// Parses the arguments after `bench build`; `Ok(None)` asks for help.
    ///
    /// # Errors
    /// A usage message for an unknown option, a missing or bad value.
    pub fn parse(args: &[String]) -> Result<Option<Self>, String> {
        let mut options = BuildOptions {
            parts: Vec::new(),
            vendors: Vec::new(),
            runs: 1,
            rebuild_runs: 3,
            configs: Vec::new(),
            quick: false,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |name: &str| {
                args.next()
                    .cloned()
                    .ok_or_else(|| format!("`{name}` needs a value"))
            };
            let count = |name: &str, text: String| match text.parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!("`{name}` takes a positive number, got `{text}`")),
            };
            match arg.as_str() {
                "--help" | "-h" => return Ok(None),
                "--quick" => options.quick = true,
                "--part" => {
                    let part = match value("--part")?.as_str() {
                        "vendors" => Part::Vendors,
                        "facade" => Part::Facade,
                        "rebuild" => Part::Rebuild,
                        other => {
                            return Err(format!(
                                "unknown part `{other}`: vendors, facade or rebuild"
                            ));
                        }
                    };
                    if !options.parts.contains(&part) {
                        options.parts.push(part);
                    }
                }
                "--vendor" => options.vendors.push(value("--vendor")?),
                "--runs" => options.runs = count("--runs", value("--runs")?)?,
                "--rebuild-runs" => {
                    options.rebuild_runs = count("--rebuild-runs", value("--rebuild-runs")?)?;
                }
                "--config" => {
                    let kv = value("--config")?;
                    if !kv.contains('=') {
                        return Err(format!("`--config` takes KEY=VALUE, got `{kv}`"));
                    }
                    options.configs.push(kv);
                }
                other => return Err(format!("unknown option `{other}` for `bench build`")),
            }
        }
        if options.quick {
            for part in [Part::Vendors, Part::Rebuild] {
                if !options.parts.contains(&part) {
                    options.parts.push(part);
                }
            }
            if options.vendors.is_empty() {
                options.vendors.push(EDITED_VENDOR.to_owned());
            }
            options.runs = 1;
            options.rebuild_runs = 1;
        }
        if options.parts.is_empty() {
            options.parts = vec![Part::Vendors, Part::Facade, Part::Rebuild];
        }
        Ok(Some(options))
    }
}

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

/// One timed build.
#[derive(Clone, Copy, Debug)]
struct Timed {
    secs: f64,
    /// CPU time (user + system) of cargo and every process it waited for: much less
    /// sensitive than `secs` to other work on the machine.
    cpu: Option<f64>,
    /// Crates compiled (cargo's `Compiling` lines).
    compiled: usize,
}

/// A row of the table: a case and its timings per variant.
struct Row {
    label: String,
    timed: [Vec<Timed>; 2],
}

impl Row {
    fn new(label: String) -> Self {
        Row {
            label,
            timed: [Vec::new(), Vec::new()],
        }
    }

    fn push(&mut self, variant: Variant, timed: Timed) {
        self.timed[variant as usize].push(timed);
    }
}

/// The median of `values` (the lower middle one for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len().saturating_sub(1) / 2).copied()
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

/// The sources and target directories of one run.
struct Bench<'a> {
    root: &'a Path,
    dir: PathBuf,
    configs: &'a [String],
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

fn remove_dir(dir: &Path) -> Result<(), String> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", dir.display())),
    }
}

impl Bench<'_> {
    fn tree(&self, variant: Variant) -> PathBuf {
        self.dir.join(format!("src-{}", variant.name()))
    }

    /// The target directory of the rebuild part, kept warm across runs.
    fn rebuild_target(&self, variant: Variant) -> PathBuf {
        self.dir.join(format!("rebuild-{}", variant.name()))
    }

    /// Brings the copy of `variant` up to date with the workspace. A file is written only when
    /// its content differs, so unchanged files keep their mtime and a warm target directory
    /// stays warm across runs.
    fn sync(&self, variant: Variant, vendors: &[String]) -> Result<(), String> {
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

    /// One timed `cargo build -p package` of `variant` into `target`, output kept in a log.
    fn build(
        &self,
        variant: Variant,
        package: &str,
        extra: &[String],
        target: &Path,
        what: &str,
    ) -> Result<Timed, String> {
        let logs = self.dir.join("logs");
        fs::create_dir_all(&logs).map_err(|e| format!("cannot create {}: {e}", logs.display()))?;
        let log_path = logs.join(format!("{}.log", what.replace([' ', '/', '(', ')'], "_")));
        let log = fs::File::create(&log_path)
            .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let log_err = log
            .try_clone()
            .map_err(|e| format!("cannot open {}: {e}", log_path.display()))?;
        let mut command = Command::new(cargo());
        command
            .current_dir(self.tree(variant))
            .args(["build", "--offline", "-p", package])
            .args(extra)
            .arg("--target-dir")
            .arg(target)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET_DIR")
            .env("CARGO_TERM_COLOR", "never")
            .env("CARGO_TERM_PROGRESS_WHEN", "never")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        for kv in self.configs {
            command.arg("--config").arg(kv);
        }
        let cpu_before = children_cpu_secs();
        let start = Instant::now();
        let status = command
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        let secs = start.elapsed().as_secs_f64();
        let cpu = children_cpu_secs()
            .zip(cpu_before)
            .map(|(after, before)| after - before);
        let output = fs::read_to_string(&log_path).unwrap_or_default();
        if !status.success() {
            let tail: Vec<&str> = output.lines().rev().take(15).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(format!(
                "{what}: cargo build failed (log {}):\n{}",
                log_path.display(),
                tail.join("\n")
            ));
        }
        let compiled: Vec<&str> = output
            .lines()
            .filter_map(|line| line.trim_start().strip_prefix("Compiling "))
            .collect();
        let generator = compiled
            .iter()
            .any(|c| c.starts_with("progenitor ") || c.starts_with("roster-codegen "));
        if variant == Variant::Baseline && generator {
            return Err(format!(
                "{what}: the baseline compiled the generator stack (log {})",
                log_path.display()
            ));
        }
        Ok(Timed {
            secs,
            cpu,
            compiled: compiled.len(),
        })
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

/// A one-line edit of a file in a copy, made again with a new text each time it is applied.
struct Edit {
    path: PathBuf,
    original: String,
    line: usize,
}

impl Edit {
    /// The first plain one-line `description:` of the vendor's spec (codegen copy).
    fn spec(bench: &Bench<'_>, vendor: &str) -> Result<Edit, String> {
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
    fn snapshot(bench: &Bench<'_>, vendor: &str) -> Result<Edit, String> {
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

    fn apply(&self, n: usize) -> Result<(), String> {
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

    fn restore(&self) -> Result<(), String> {
        fs::write(&self.path, &self.original)
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }
}

/// `a` / `b` as a ratio and a percentage.
pub fn ratio(a: f64, b: f64) -> String {
    if b <= 0.0 {
        return "–".to_owned();
    }
    let r = a / b;
    format!("{r:.2}× ({:+.0}%)", (r - 1.0) * 100.0)
}

/// The civil date (UTC) of a time, `YYYY-MM-DD`.
pub fn date(time: SystemTime) -> String {
    let days = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// CPU seconds (user + system) of this process's waited-for children and their waited-for
/// descendants (`cutime` + `cstime` of `/proc/self/stat`, in USER_HZ = 100 ticks a second);
/// `None` where there is no procfs.
fn children_cpu_secs() -> Option<f64> {
    let stat = fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces: the
    // 3rd field (state) is index 0, so cutime (16th) and cstime (17th) are 13 and 14.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    Some((ticks(13)? + ticks(14)?) / 100.0)
}

fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

fn cargo_version() -> String {
    Command::new(cargo())
        .arg("-V")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "cargo ?".to_owned())
}

/// The Markdown report: a header naming the machine and settings, then one row per case.
fn table(options: &BuildOptions, rows: &[Row]) -> String {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n`cargo xtask bench build` — {}, {cpus} CPUs, load average {} at the end, {}, debug profile.",
        date(SystemTime::now()),
        load_average(),
        cargo_version()
    );
    let _ = writeln!(
        s,
        "Medians of {} cold and {} incremental build(s) per case; extra cargo config: {}.\n",
        options.runs,
        options.rebuild_runs,
        if options.configs.is_empty() {
            "none".to_owned()
        } else {
            options.configs.join(", ")
        }
    );
    let _ = writeln!(
        s,
        "| build | with build.rs (codegen): wall, CPU | from snapshot (baseline): wall, CPU | \
         codegen / baseline, wall | codegen / baseline, CPU |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|");
    for row in rows {
        let cell = |timed: &[Timed]| {
            let secs: Vec<f64> = timed.iter().map(|t| t.secs).collect();
            let cpu: Vec<f64> = timed.iter().filter_map(|t| t.cpu).collect();
            let crates = timed.iter().map(|t| t.compiled).max().unwrap_or(0);
            (median(&secs).unwrap_or(0.0), median(&cpu), crates)
        };
        let (a, a_cpu, a_crates) = cell(&row.timed[0]);
        let (b, b_cpu, b_crates) = cell(&row.timed[1]);
        let cpu = |c: Option<f64>| c.map_or_else(|| "–".to_owned(), |c| format!("{c:.1} s"));
        let cpu_ratio = match (a_cpu, b_cpu) {
            (Some(a), Some(b)) => ratio(a, b),
            _ => "–".to_owned(),
        };
        let _ = writeln!(
            s,
            "| {} | {a:.1} s, {} ({a_crates} crates) | {b:.1} s, {} ({b_crates} crates) | {} | {cpu_ratio} |",
            row.label,
            cpu(a_cpu),
            cpu(b_cpu),
            ratio(a, b)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn defaults_measure_everything_once_cold_three_times_warm() {
        let o = BuildOptions::parse(&[]).expect("ok").expect("not help");
        assert_eq!(o.parts, [Part::Vendors, Part::Facade, Part::Rebuild]);
        assert!(o.vendors.is_empty());
        assert_eq!((o.runs, o.rebuild_runs), (1, 3));
    }

    #[test]
    fn quick_is_one_vendor_and_one_rebuild() {
        let o = BuildOptions::parse(&args("--quick"))
            .expect("ok")
            .expect("not help");
        assert_eq!(o.parts, [Part::Vendors, Part::Rebuild]);
        assert_eq!(o.vendors, ["vectera"]);
        assert_eq!((o.runs, o.rebuild_runs), (1, 1));
    }

    #[test]
    fn options_parse_and_bad_ones_are_refused() {
        let o = BuildOptions::parse(&args(
            "--part facade --part facade --runs 2 --rebuild-runs 5 --config profile.dev.debug=0",
        ))
        .expect("ok")
        .expect("not help");
        assert_eq!(o.parts, [Part::Facade]);
        assert_eq!((o.runs, o.rebuild_runs), (2, 5));
        assert_eq!(o.configs, ["profile.dev.debug=0"]);
        assert_eq!(BuildOptions::parse(&args("--help")), Ok(None));
        for bad in [
            "--runs 0",
            "--runs x",
            "--part all",
            "--config nokey",
            "--vendor",
            "--x",
        ] {
            assert!(BuildOptions::parse(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn manifest_loses_its_build_script_only() {
        let manifest = "[package]\nname = \"roster-x\"\nbuild = \"build.rs\"\n\n[dependencies]\n\
                        serde = { workspace = true }\n\n[build-dependencies]\n\
                        roster-codegen = { workspace = true }\n\n[lints]\nworkspace = true\n";
        let out = without_build_script(manifest).expect("has build deps");
        assert_eq!(
            out,
            "[package]\nname = \"roster-x\"\n\n[dependencies]\nserde = { workspace = true }\n\n\
             [lints]\nworkspace = true\n"
        );
        assert_eq!(without_build_script("[package]\nname = \"a\"\n"), None);
    }

    #[test]
    fn the_workspace_manifests_and_runtime_match_what_the_baseline_rewrites() {
        let root = crate::workspace_root().expect("the workspace");
        for vendor in crate::vendors(&root).expect("specs") {
            let manifest = root.join(crate_dir(&vendor)).join("Cargo.toml");
            let Ok(text) = fs::read_to_string(&manifest) else {
                continue;
            };
            let out = without_build_script(&text).expect("a build-dependencies table");
            assert!(
                !out.contains("roster-codegen") && !out.contains("build.rs"),
                "{vendor}"
            );
        }
        let lib = fs::read_to_string(root.join(RUNTIME_LIB)).expect("runtime lib");
        assert_eq!(lib.matches(INCLUDE_OUT_DIR).count(), 1);
    }

    #[test]
    fn medians_ratios_and_dates() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0]), Some(1.0));
        assert_eq!(median(&[]), None);
        assert_eq!(ratio(47.0, 30.0), "1.57× (+57%)");
        assert_eq!(ratio(1.0, 0.0), "–");
        assert_eq!(date(UNIX_EPOCH), "1970-01-01");
        let leap = UNIX_EPOCH + std::time::Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(date(leap), "2000-02-29");
        if Path::new("/proc/self/stat").exists() {
            assert!(children_cpu_secs().is_some_and(|s| s >= 0.0));
        }
    }
}
