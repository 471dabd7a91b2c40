//! `cargo xtask` end to end, on scratch workspaces made of the fixtures: the progress lines,
//! the problem lines, the exit statuses, and the snapshot round trip.

use std::path::{Path, PathBuf};

use xtask::cli::{FAILED, OK, USAGE};

/// A throwaway workspace root with `specs/` (and, on demand, vendor crates).
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("xtask-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("specs")).expect("scratch specs/");
        Scratch(dir)
    }

    /// `specs/<vendor>.yaml`, a copy of `fixtures/<fixture>.yaml`.
    fn spec(&self, vendor: &str, fixture: &str) -> &Self {
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(format!("{fixture}.yaml"));
        std::fs::copy(from, self.0.join(xtask::spec_path(vendor))).expect("copy fixture");
        self
    }

    /// An (empty) vendor crate directory, `crates/roster-<vendor>`.
    fn krate(&self, vendor: &str) -> &Self {
        std::fs::create_dir_all(self.0.join(xtask::crate_dir(vendor))).expect("crate dir");
        self
    }

    fn snapshot(&self, vendor: &str) -> PathBuf {
        self.0.join(xtask::snapshot_path(vendor))
    }

    /// Runs `cargo xtask <args>` here: (exit status, stdout, stderr).
    fn run(&self, args: &[&str]) -> (u8, String, String) {
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = xtask::cli::run(&args, &self.0, &mut out, &mut err);
        let text = |b: Vec<u8>| String::from_utf8(b).expect("utf-8 output");
        (status, text(out), text(err))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn every_command_has_help() {
    let ws = Scratch::new("help");
    for (args, expect) in [
        (&["--help"][..], "Usage: cargo xtask <COMMAND> [VENDOR...]"),
        (&["help"][..], "Usage: cargo xtask <COMMAND> [VENDOR...]"),
        (
            &["validate", "--help"][..],
            "Usage: cargo xtask validate [VENDOR...]",
        ),
        (
            &["help", "validate"][..],
            "Usage: cargo xtask validate [VENDOR...]",
        ),
        (
            &["generate", "-h"][..],
            "Usage: cargo xtask generate [VENDOR...]",
        ),
        (&["check", "--help"][..], "Usage: cargo xtask check"),
    ] {
        let (status, out, _) = ws.run(args);
        assert_eq!(status, OK, "{args:?}");
        assert!(out.contains(expect), "{args:?}: {out}");
    }
    let (_, out, _) = ws.run(&["validate", "--help"]);
    for (rule, _) in xtask::RULES {
        assert!(out.contains(rule), "validate --help lists rule {rule}");
    }
}

#[test]
fn usage_errors_exit_2_and_say_what_is_wrong() {
    let ws = Scratch::new("usage");
    ws.spec("alpha", "valid").spec("beta", "valid");
    for (args, message) in [
        (&[][..], "error: no command given"),
        (&["frob"][..], "error: unknown command `frob`"),
        (
            &["validate", "--fast"][..],
            "error: unknown option `--fast` for `validate`",
        ),
        (&["check", "alpha"][..], "error: `check` takes no vendors"),
        (&["help", "frob"][..], "error: unknown command `frob`"),
        (
            &["validate", "alpha", "gamma"][..],
            "error: unknown vendor `gamma`; known vendors (specs/*.yaml): alpha, beta",
        ),
        (&["generate", "gamma"][..], "error: unknown vendor `gamma`"),
    ] {
        let (status, out, err) = ws.run(args);
        assert_eq!(status, USAGE, "{args:?}");
        assert!(err.starts_with(message), "{args:?}: {err}");
        assert!(
            err.contains("Usage: cargo xtask"),
            "{args:?} shows the usage"
        );
        assert!(out.is_empty(), "{args:?} did nothing: {out}");
    }
}

#[test]
fn validate_prints_a_line_per_vendor_and_a_line_per_problem() {
    let ws = Scratch::new("validate");
    ws.spec("alpha", "valid")
        .spec("beta", "operation-summary")
        .spec("gamma", "parses.list");
    let (status, out, _) = ws.run(&["validate"]);
    assert_eq!(status, FAILED);
    assert_eq!(
        out,
        format!(
            "validate alpha ... ok (4 operations)\n\
             evidence alpha: {VALID_EVIDENCE}\n\
             validate beta ... FAILED (1 problem)\n  \
             specs/beta.yaml: GET /users/{{id}}/ (#/paths/~1users~1{{id}}~1/get): the operation \
             needs a `summary` (it becomes the method's rustdoc) [operation-summary]\n\
             evidence beta: {VALID_EVIDENCE}\n\
             validate gamma ... FAILED (1 problem)\n  \
             specs/gamma.yaml: #: not an OpenAPI 3.0 document here: the document must be a \
             mapping [parses]\n"
        ),
        "a spec that does not parse has no evidence line"
    );

    let (status, out, _) = ws.run(&["validate", "alpha"]);
    assert_eq!(
        (status, out),
        (
            OK,
            format!("validate alpha ... ok (4 operations)\nevidence alpha: {VALID_EVIDENCE}\n")
        )
    );
    // A path to the spec names the vendor too.
    let (status, _, _) = ws.run(&["validate", "specs/alpha.yaml"]);
    assert_eq!(status, OK);
}

/// The evidence of `fixtures/valid.yaml`: its 4 operations (2 documented, `replace_user`
/// inferred, `list_teams` unconfirmed), their 4 `'2XX'` answers (3 inferred, the team page
/// unconfirmed), its 4 schemas (`User` documented, `Error` and `TeamPage` inferred, `Team`
/// unconfirmed) and their 13 fields: `User`'s 7 documented but `nickname` (its own
/// `unconfirmed`), `TeamPage`'s 3 inferred, `Team`'s 3 unconfirmed.
const VALID_EVIDENCE: &str = "operations 4 (documented 2, inferred 1, unconfirmed 1); answers 4 \
     (documented 0, inferred 3, unconfirmed 1); schemas 4 (documented 1, inferred 2, unconfirmed \
     1); fields 13 (documented 6, inferred 3, unconfirmed 4)";

#[test]
fn validate_and_check_summarize_the_evidence_of_each_vendor() {
    let ws = Scratch::new("evidence");
    ws.spec("alpha", "valid")
        .spec("beta", "evidence-present")
        .spec("gamma", "success-2xx");
    let (status, out, _) = ws.run(&["validate"]);
    assert_eq!(status, FAILED);
    let evidence: Vec<&str> = out.lines().filter(|l| l.starts_with("evidence ")).collect();
    assert_eq!(
        evidence,
        [
            format!("evidence alpha: {VALID_EVIDENCE}"),
            // `get_user` lost its keys: one operation missing.
            "evidence beta: operations 4 (documented 1, inferred 1, unconfirmed 1, missing 1); \
             answers 4 (documented 0, inferred 3, unconfirmed 1); schemas 4 (documented 1, \
             inferred 2, unconfirmed 1); fields 13 (documented 6, inferred 3, unconfirmed 4)"
                .to_owned(),
            // A `200` is still counted as the answer it is.
            format!("evidence gamma: {VALID_EVIDENCE}"),
        ]
    );
    assert!(
        out.contains("[evidence-present]\nevidence beta: "),
        "the summary follows the problems: {out}"
    );

    // `check` prints the same summary (through `validate`).
    let ws = Scratch::new("evidence-check");
    ws.spec("alpha", "valid");
    let (status, out, _) = ws.run(&["check"]);
    assert_eq!(status, OK, "{out}");
    assert!(
        out.starts_with(&format!(
            "validate alpha ... ok (4 operations)\nevidence alpha: {VALID_EVIDENCE}\n"
        )),
        "{out}"
    );
}

#[test]
fn no_specs_is_a_failure_not_a_panic() {
    let ws = Scratch::new("nospecs");
    let (status, _, err) = ws.run(&["validate"]);
    assert_eq!(status, FAILED);
    assert!(err.contains("no specs found"), "{err}");
    std::fs::remove_dir_all(ws.0.join("specs")).expect("remove specs/");
    let (status, _, err) = ws.run(&["check"]);
    assert_eq!(status, FAILED);
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn generate_then_check_and_a_stale_snapshot_names_the_fix() {
    let ws = Scratch::new("snapshots");
    ws.spec("alpha", "valid").krate("alpha");

    let (status, out, _) = ws.run(&["generate"]);
    assert_eq!(
        (status, out.as_str()),
        (
            OK,
            "generate alpha ... written crates/roster-alpha/generated/client.rs\n"
        )
    );
    let source = std::fs::read_to_string(ws.snapshot("alpha")).expect("snapshot written");
    assert!(source.starts_with("// @generated by roster-codegen from specs/alpha.yaml"));
    assert_eq!(
        source,
        roster_codegen::generate_file(ws.0.join("specs/alpha.yaml")).expect("generates"),
        "the snapshot is exactly what the build script generates"
    );
    let (status, out, _) = ws.run(&["generate", "alpha"]);
    assert_eq!(status, OK);
    assert!(out.contains("generate alpha ... unchanged"), "{out}");

    let (status, out, _) = ws.run(&["check"]);
    assert_eq!(status, OK, "{out}");
    assert!(
        out.ends_with("snapshot alpha ... up to date\ncheck ok\n"),
        "{out}"
    );

    // A spec change without `generate`: the snapshot is stale.
    std::fs::write(
        ws.snapshot("alpha"),
        source.replace("Reads one user.", "Reads a user."),
    )
    .expect("edit snapshot");
    let (status, out, _) = ws.run(&["check"]);
    assert_eq!(status, FAILED);
    assert!(
        out.contains(
            "snapshot alpha ... FAILED\n  snapshot of alpha is stale: run `cargo xtask \
             generate alpha` (crates/roster-alpha/generated/client.rs differs from what \
             specs/alpha.yaml generates, first at line"
        ),
        "{out}"
    );
    assert!(out.ends_with("check FAILED: alpha (snapshot)\n"), "{out}");
    assert!(xtask::snapshots::check(&ws.0, "alpha").is_err());

    std::fs::remove_file(ws.snapshot("alpha")).expect("remove snapshot");
    let (status, out, _) = ws.run(&["check"]);
    assert_eq!(status, FAILED);
    assert!(
        out.contains("snapshot of alpha is missing: run `cargo xtask generate alpha`"),
        "{out}"
    );
}

#[test]
fn check_fails_on_an_invalid_spec_without_repeating_its_problems() {
    let ws = Scratch::new("invalid");
    ws.spec("alpha", "generates").krate("alpha");
    let (status, out, _) = ws.run(&["check"]);
    assert_eq!(status, FAILED);
    assert_eq!(out.matches("[generates]").count(), 1, "{out}");
    assert!(
        out.contains("snapshot alpha ... FAILED (the spec does not generate; see above)"),
        "{out}"
    );
    assert!(
        out.ends_with("check FAILED: alpha (spec), alpha (snapshot)\n"),
        "{out}"
    );
}

#[test]
fn generate_needs_the_vendor_crate() {
    let ws = Scratch::new("nocrate");
    ws.spec("alpha", "valid");
    let (status, out, _) = ws.run(&["generate", "alpha"]);
    assert_eq!(status, FAILED);
    assert!(
        out.contains("generate alpha ... FAILED\n  crates/roster-alpha does not exist"),
        "{out}"
    );
    assert!(!ws.snapshot("alpha").exists());
    // `check` has no snapshot to compare yet, and says so.
    let (status, out, _) = ws.run(&["check"]);
    assert_eq!(status, OK, "{out}");
    assert!(
        out.contains("snapshot alpha ... skipped (no crates/roster-alpha yet"),
        "{out}"
    );
}

#[test]
fn generate_reports_a_spec_that_does_not_generate() {
    let ws = Scratch::new("badspec");
    ws.spec("alpha", "one-success-type").krate("alpha");
    let (status, out, _) = ws.run(&["generate"]);
    assert_eq!(status, FAILED);
    assert!(
        out.contains(
            "generate alpha ... FAILED\n  specs/alpha.yaml: GET /users/{id}/ \
             (#/paths/~1users~1{id}~1/get/responses): the operation declares no 2xx response"
        ),
        "{out}"
    );
    assert!(out.trim_end().ends_with("[one-success-type]"), "{out}");
}

#[test]
fn a_snapshot_without_a_spec_fails_check() {
    let ws = Scratch::new("orphan");
    ws.spec("alpha", "valid").krate("alpha").krate("gone");
    assert_eq!(ws.run(&["generate"]).0, OK);
    std::fs::create_dir_all(ws.snapshot("gone").parent().expect("parent")).expect("dir");
    std::fs::write(ws.snapshot("gone"), "// old\n").expect("orphan");
    let (status, out, _) = ws.run(&["check"]);
    assert_eq!(status, FAILED);
    assert!(
        out.contains(
            "snapshot crates/roster-gone/generated/client.rs ... FAILED\n  it has no spec"
        ),
        "{out}"
    );
}
