//! `cargo xtask`: how maintainers work on Roster's specs.

use std::process::ExitCode;

use xtask::{check_snapshot, spec_path, validate_file, vendors, workspace_root, write_snapshot};

const HELP: &str = "\
cargo xtask <COMMAND> [VENDOR...]

Commands:
  validate [VENDOR...]  check each spec: OpenAPI 3.0.x, $refs, operation ids, tags, summaries,
                        descriptions, path parameters, examples (validated against their
                        schemas), security, one success/error/request type, and that
                        progenitor generates from it
  generate [VENDOR...]  write crates/roster-<vendor>/generated/client.rs from each spec, through
                        the same roster-codegen path the build scripts use
  check                 validate every spec and verify every snapshot is up to date (CI)

Vendors are the files specs/<vendor>.yaml; none given means all.
`cargo xtask <COMMAND> --help` describes one command.
Exit status: 0 ok, 1 a check failed, 2 usage error.";

const VALIDATE_HELP: &str = "\
cargo xtask validate [VENDOR...]

Validates specs/<vendor>.yaml for each VENDOR (all when none). Prints one line per vendor and,
on failure, one line per problem: the file, the location (METHOD /path and JSON pointer) and the
rule in brackets. Exits 1 when any spec has a problem.";

const GENERATE_HELP: &str = "\
cargo xtask generate [VENDOR...]

Regenerates crates/roster-<vendor>/generated/client.rs from specs/<vendor>.yaml (all vendors when
none are named) with roster-codegen, exactly as the crate's build script does. Commit the result:
it is the reviewable diff of a spec change.";

const CHECK_HELP: &str = "\
cargo xtask check

Validates every spec and verifies that every committed snapshot is byte-identical to a fresh
generation. A stale snapshot fails, naming the vendor and the command that fixes it.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(usage) => {
            eprintln!("error: {usage}\n\n{HELP}");
            ExitCode::from(2)
        }
    }
}

/// Ok(passed) or Err(usage error).
fn run(args: &[String]) -> Result<bool, String> {
    let Some((command, rest)) = args.split_first() else {
        println!("{HELP}");
        return Ok(true);
    };
    let help = rest.iter().any(|a| a == "--help" || a == "-h");
    match (command.as_str(), help) {
        ("--help" | "-h" | "help", _) => {
            println!("{HELP}");
            Ok(true)
        }
        ("validate", true) => {
            println!("{VALIDATE_HELP}");
            Ok(true)
        }
        ("generate", true) => {
            println!("{GENERATE_HELP}");
            Ok(true)
        }
        ("check", true) => {
            println!("{CHECK_HELP}");
            Ok(true)
        }
        ("validate", false) => Ok(validate(&selected(rest)?)),
        ("generate", false) => Ok(generate(&selected(rest)?)),
        ("check", false) => {
            if !rest.is_empty() {
                return Err(format!("`check` takes no arguments, got {rest:?}"));
            }
            let all = selected(&[])?;
            let valid = validate(&all);
            Ok(check(&all) && valid)
        }
        (other, _) => Err(format!("unknown command `{other}`")),
    }
}

/// The vendors named (all when none), or a usage error listing the known ones.
fn selected(names: &[String]) -> Result<Vec<String>, String> {
    let root = workspace_root();
    let known =
        vendors(&root).map_err(|e| format!("cannot read {}: {e}", root.join("specs").display()))?;
    if let Some(flag) = names.iter().find(|n| n.starts_with('-')) {
        return Err(format!("unknown option `{flag}`"));
    }
    if names.is_empty() {
        return Ok(known);
    }
    for name in names {
        if !known.contains(name) {
            return Err(format!(
                "unknown vendor `{name}`; known vendors: {}",
                known.join(", ")
            ));
        }
    }
    Ok(names.to_vec())
}

fn validate(vendors: &[String]) -> bool {
    let root = workspace_root();
    let mut ok = true;
    for vendor in vendors {
        let report = validate_file(&root.join(spec_path(vendor)));
        if report.problems.is_empty() {
            println!("validate {vendor:<8} ok ({} operations)", report.operations);
        } else {
            ok = false;
            println!(
                "validate {vendor:<8} FAILED ({} problem(s))",
                report.problems.len()
            );
            for line in &report.problems {
                // Paths relative to the workspace root read better than absolute ones.
                let line = line.replace(&format!("{}/", root.display()), "");
                println!("  {line}");
            }
        }
    }
    ok
}

fn generate(vendors: &[String]) -> bool {
    let root = workspace_root();
    let mut ok = true;
    for vendor in vendors {
        match write_snapshot(&root, vendor) {
            Ok(true) => println!(
                "generate {vendor:<8} written {}",
                xtask::snapshot_path(vendor).display()
            ),
            Ok(false) => println!("generate {vendor:<8} unchanged"),
            Err(e) => {
                ok = false;
                println!("generate {vendor:<8} FAILED\n  {e}");
            }
        }
    }
    ok
}

fn check(vendors: &[String]) -> bool {
    let root = workspace_root();
    let mut ok = true;
    for vendor in vendors {
        match check_snapshot(&root, vendor) {
            Ok(()) => println!("snapshot {vendor:<8} up to date"),
            Err(e) => {
                ok = false;
                println!("snapshot {vendor:<8} FAILED\n  {e}");
            }
        }
    }
    ok
}
