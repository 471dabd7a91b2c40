//! Arguments and output of `cargo xtask` (hand-rolled: three commands do not need a parser).
//!
//! Everything is written to the `out`/`err` the caller passes, against a workspace `root`
//! the caller names, so tests drive the whole command on a scratch workspace.

use std::io::{self, Write};
use std::path::Path;

use crate::snapshots::{self, SnapshotError};
use crate::{RULES, crate_dir, snapshot_path, spec_path, validate_file};

/// Exit status: every check passed.
pub const OK: u8 = 0;
/// Exit status: a check failed (a spec problem, a stale snapshot, an unwritable file).
pub const FAILED: u8 = 1;
/// Exit status: the command line is wrong (unknown command, option or vendor).
pub const USAGE: u8 = 2;

const HELP: &str = "\
Maintainer commands for Roster's specs.

Usage: cargo xtask <COMMAND> [VENDOR...]

Commands:
  validate [VENDOR...]  check each spec against every rule (`cargo xtask validate --help`
                        lists them): OpenAPI 3.0.x, $refs, operations, path parameters,
                        examples validated against their schemas, security, the tolerance
                        and evidence policy, what progenitor needs, and that it generates;
                        then each vendor's evidence summary
  generate [VENDOR...]  write crates/roster-<vendor>/generated/client.rs from each spec, with
                        the roster-codegen path the build scripts use (commit the result)
  check                 validate every spec and verify every snapshot is up to date (CI)
  bench build|client|bulk
                        benchmarks: build time, client overhead, bulk provisioning
                        (`cargo xtask bench --help`)
  help [COMMAND]        this text, or a command's

A VENDOR is the stem of a spec, specs/<VENDOR>.yaml; none means all of them.
Exit status: 0 ok, 1 a check failed, 2 usage error.";

const GENERATE_HELP: &str = "\
Regenerate the committed snapshots of the generated clients.

Usage: cargo xtask generate [VENDOR...]

Writes crates/roster-<vendor>/generated/client.rs from specs/<vendor>.yaml for each VENDOR
(all when none) with roster_codegen::generate_file, the path each vendor crate's build script
takes, so the file is byte-for-byte what the crate compiles. Commit it with the spec change:
it is the reviewable diff of that change. The vendor crate must exist.
Exit status: 0 ok, 1 a spec does not generate or a file cannot be written, 2 usage error.";

const CHECK_HELP: &str = "\
Validate every spec and verify every snapshot (what CI runs).

Usage: cargo xtask check

Runs `validate` on every spec, then compares each vendor crate's committed
crates/roster-<vendor>/generated/client.rs with a fresh generation: a stale or missing one
fails, naming the vendor and the command that rewrites it. A snapshot whose spec is gone
fails too. A spec without a crate yet has no snapshot to check.
Exit status: 0 ok, 1 a check failed, 2 usage error.";

fn validate_help() -> String {
    let mut text = String::from(
        "\
Check specs against every rule.

Usage: cargo xtask validate [VENDOR...]

Validates specs/<vendor>.yaml for each VENDOR (all when none): one progress line per vendor
and, on failure, one line per problem naming the file, the location (METHOD /path and JSON
pointer) and the rule in brackets:

  specs/vectera.yaml: GET /users/ (#/paths/~1users~1/get): <what is wrong> [operation-summary]

then how many operations, success answers, schemas and fields (properties, at their own level
or their schema's) each evidence level (x-roster-evidence) backs:

  evidence vectera: operations 24 (documented 18, inferred 4, unconfirmed 2); answers ...

Rules:
",
    );
    let width = RULES.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, what) in RULES {
        text.push_str(&format!("  {name:<width$}  {what}\n"));
    }
    text.push_str(
        "\nThe external linter (`npx redocly lint specs/*.yaml`, rules in redocly.yaml) checks the\n\
         rest of specs/CONVENTIONS.md: misspelled keys, descriptions, parameter examples.\n",
    );
    text.push_str("\nExit status: 0 every spec valid, 1 a spec has a problem, 2 usage error.");
    text
}

enum Command {
    Help(Option<String>),
    Validate(Vec<String>),
    Generate(Vec<String>),
    Check,
}

fn parse(args: &[String]) -> Result<Command, String> {
    let Some((command, rest)) = args.split_first() else {
        return Err("no command given".into());
    };
    let wants_help = |a: &String| a == "--help" || a == "-h";
    match command.as_str() {
        "help" | "--help" | "-h" => match rest {
            [] => Ok(Command::Help(None)),
            [topic] if topic != "help" => Ok(Command::Help(Some(topic.clone()))),
            _ => Err(format!("`help` takes one command, got {}", rest.join(" "))),
        },
        name @ ("validate" | "generate" | "check") => {
            if rest.iter().any(wants_help) {
                return Ok(Command::Help(Some(name.to_owned())));
            }
            if let Some(flag) = rest.iter().find(|a| a.starts_with('-')) {
                return Err(format!("unknown option `{flag}` for `{name}`"));
            }
            match name {
                "validate" => Ok(Command::Validate(rest.to_vec())),
                "generate" => Ok(Command::Generate(rest.to_vec())),
                _ if rest.is_empty() => Ok(Command::Check),
                _ => Err(format!(
                    "`check` takes no vendors (it checks all of them), got {}",
                    rest.join(" ")
                )),
            }
        }
        other => Err(format!("unknown command `{other}`")),
    }
}

/// Why the vendors named on the command line cannot be used.
enum Selection {
    Usage(String),
    Failed(String),
}

/// The vendors named (all when none; `specs/x.yaml` and `x.yaml` mean `x`), in order,
/// without repeats.
fn select(root: &Path, names: &[String]) -> Result<Vec<String>, Selection> {
    let known = crate::vendors(root).map_err(|e| {
        Selection::Failed(format!("cannot read {}: {e}", root.join("specs").display()))
    })?;
    if known.is_empty() {
        return Err(Selection::Failed(format!(
            "no specs found: {} has no *.yaml",
            root.join("specs").display()
        )));
    }
    if names.is_empty() {
        return Ok(known);
    }
    let mut chosen: Vec<String> = Vec::new();
    for name in names {
        let vendor = name.strip_prefix("specs/").unwrap_or(name);
        let vendor = vendor.strip_suffix(".yaml").unwrap_or(vendor);
        if !known.iter().any(|k| k == vendor) {
            return Err(Selection::Usage(format!(
                "unknown vendor `{name}`; known vendors (specs/*.yaml): {}",
                known.join(", ")
            )));
        }
        if !chosen.iter().any(|c| c == vendor) {
            chosen.push(vendor.to_owned());
        }
    }
    Ok(chosen)
}

/// Runs `cargo xtask` with `args` (without the program name) on the workspace at `root`;
/// answers the exit status ([`OK`], [`FAILED`] or [`USAGE`]).
pub fn run(args: &[String], root: &Path, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let status = match parse(args) {
        Ok(command) => execute(command, root, out, err),
        Err(usage) => usage_error(&usage, err),
    };
    // Output lost to a closed pipe cannot be reported anywhere: fail quietly.
    status.unwrap_or(FAILED)
}

fn usage_error(message: &str, err: &mut dyn Write) -> io::Result<u8> {
    writeln!(err, "error: {message}\n\n{HELP}")?;
    Ok(USAGE)
}

fn execute(
    command: Command,
    root: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    let names = match &command {
        Command::Help(topic) => {
            let text = match topic.as_deref() {
                None => HELP.to_owned(),
                Some("validate") => validate_help(),
                Some("generate") => GENERATE_HELP.to_owned(),
                Some("check") => CHECK_HELP.to_owned(),
                Some(other) => return usage_error(&format!("unknown command `{other}`"), err),
            };
            writeln!(out, "{text}")?;
            return Ok(OK);
        }
        Command::Validate(names) | Command::Generate(names) => names.as_slice(),
        Command::Check => &[],
    };
    let vendors = match select(root, names) {
        Ok(vendors) => vendors,
        Err(Selection::Usage(message)) => return usage_error(&message, err),
        Err(Selection::Failed(message)) => {
            writeln!(err, "error: {message}")?;
            return Ok(FAILED);
        }
    };
    let passed = match command {
        Command::Validate(_) => validate(root, &vendors, out)?.is_empty(),
        Command::Generate(_) => generate(root, &vendors, out)?,
        _ => check(root, &vendors, out)?,
    };
    Ok(if passed { OK } else { FAILED })
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Validates each vendor's spec; answers the vendors that failed.
fn validate(root: &Path, vendors: &[String], out: &mut dyn Write) -> io::Result<Vec<String>> {
    let mut failed = Vec::new();
    for vendor in vendors {
        write!(out, "validate {vendor} ... ")?;
        out.flush()?;
        let mut report = validate_file(&root.join(spec_path(vendor)));
        report.file = spec_path(vendor);
        if report.is_ok() {
            writeln!(out, "ok ({})", plural(report.operations, "operation"))?;
        } else {
            writeln!(out, "FAILED ({})", plural(report.problems.len(), "problem"))?;
            for line in report.to_string().lines() {
                writeln!(out, "  {line}")?;
            }
            failed.push(vendor.clone());
        }
        if let Some(summary) = report.evidence {
            writeln!(out, "evidence {vendor}: {summary}")?;
        }
    }
    Ok(failed)
}

fn generate(root: &Path, vendors: &[String], out: &mut dyn Write) -> io::Result<bool> {
    let mut ok = true;
    for vendor in vendors {
        write!(out, "generate {vendor} ... ")?;
        out.flush()?;
        match snapshots::write(root, vendor) {
            Ok(true) => writeln!(out, "written {}", snapshot_path(vendor).display())?,
            Ok(false) => writeln!(out, "unchanged {}", snapshot_path(vendor).display())?,
            Err(message) => {
                ok = false;
                writeln!(out, "FAILED")?;
                for line in message.lines() {
                    writeln!(out, "  {line}")?;
                }
            }
        }
    }
    Ok(ok)
}

fn check(root: &Path, vendors: &[String], out: &mut dyn Write) -> io::Result<bool> {
    let invalid = validate(root, vendors, out)?;
    let mut failures: Vec<String> = invalid.iter().map(|v| format!("{v} (spec)")).collect();
    for vendor in vendors {
        write!(out, "snapshot {vendor} ... ")?;
        out.flush()?;
        if !root.join(crate_dir(vendor)).is_dir() {
            writeln!(
                out,
                "skipped (no {} yet, so no snapshot)",
                crate_dir(vendor).display()
            )?;
            continue;
        }
        match snapshots::check(root, vendor) {
            Ok(()) => writeln!(out, "up to date")?,
            // Its problems are listed above, under `validate`.
            Err(SnapshotError::Generation(_)) if invalid.contains(vendor) => {
                writeln!(out, "FAILED (the spec does not generate; see above)")?;
                failures.push(format!("{vendor} (snapshot)"));
            }
            Err(e) => {
                writeln!(out, "FAILED")?;
                for line in e.to_string().lines() {
                    writeln!(out, "  {line}")?;
                }
                failures.push(format!("{vendor} (snapshot)"));
            }
        }
    }
    for orphan in snapshots::orphans(root) {
        writeln!(
            out,
            "snapshot {orphan} ... FAILED\n  it has no spec: remove it with its crate, or \
             restore the spec"
        )?;
        failures.push(orphan);
    }
    if failures.is_empty() {
        writeln!(out, "check ok")?;
    } else {
        writeln!(out, "check FAILED: {}", failures.join(", "))?;
    }
    Ok(failures.is_empty())
}
