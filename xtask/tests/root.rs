//! `cargo xtask` works on the checkout it is run in: `CARGO_MANIFEST_DIR` read at run time
//! first, the compile-time one second, and a clear refusal when neither holds `specs/`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    /// `<tmp>/<name>/xtask` exists; with `specs`, `<tmp>/<name>/specs/<vendor>.yaml` too.
    fn new(name: &str, specs: Option<&str>) -> Self {
        let dir = std::env::temp_dir().join(format!("xtask-root-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("xtask")).expect("scratch xtask/");
        if let Some(vendor) = specs {
            std::fs::create_dir_all(dir.join("specs")).expect("scratch specs/");
            std::fs::write(dir.join("specs").join(format!("{vendor}.yaml")), "{}\n").expect("spec");
        }
        Scratch(dir)
    }

    fn xtask_dir(&self) -> PathBuf {
        self.0.join("xtask")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_run_time_directory_comes_first() {
    let here = Scratch::new("first-here", Some("here"));
    let built = Scratch::new("first-built", Some("built"));
    let root = xtask::locate_root(Some(here.xtask_dir()), &built.xtask_dir()).expect("found");
    assert_eq!(root, here.0);
}

#[test]
fn the_compile_time_directory_is_the_fallback() {
    let built = Scratch::new("fallback-built", Some("built"));
    assert_eq!(
        xtask::locate_root(None, &built.xtask_dir()).expect("found"),
        built.0,
        "the variable unset (the binary run directly)"
    );
    let elsewhere = Scratch::new("fallback-elsewhere", None);
    assert_eq!(
        xtask::locate_root(Some(elsewhere.xtask_dir()), &built.xtask_dir()).expect("found"),
        built.0,
        "the variable names a directory without specs/"
    );
}

#[test]
fn neither_holding_specs_is_refused_naming_both() {
    let a = Scratch::new("refused-a", None);
    let b = Scratch::new("refused-b", None);
    let err = xtask::locate_root(Some(a.xtask_dir()), &b.xtask_dir()).expect_err("refused");
    assert_eq!(err.tried, [a.0.clone(), b.0.clone()]);
    let message = err.to_string();
    assert!(message.contains("no Roster workspace"), "{message}");
    assert!(message.contains(&a.0.display().to_string()), "{message}");
    assert!(message.contains(&b.0.display().to_string()), "{message}");
}

/// Runs the built `xtask` binary with `CARGO_MANIFEST_DIR` set (or removed): (status, stderr).
fn run_binary(manifest_dir: Option<&Path>, args: &[&str]) -> (Option<i32>, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.args(args);
    match manifest_dir {
        Some(dir) => command.env("CARGO_MANIFEST_DIR", dir),
        None => command.env_remove("CARGO_MANIFEST_DIR"),
    };
    let output = command.output().expect("xtask runs");
    (
        output.status.code(),
        String::from_utf8(output.stderr).expect("utf-8"),
    )
}

#[test]
fn the_binary_works_on_the_checkout_cargo_names_at_run_time() {
    // Another checkout, as a shared target/ would run this binary from: its specs are read,
    // not the ones of the checkout the binary was compiled in.
    let other = Scratch::new("binary-other", Some("othervendor"));
    let (status, stderr) = run_binary(Some(&other.xtask_dir()), &["validate", "nosuch"]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(
        stderr.contains("known vendors (specs/*.yaml): othervendor"),
        "{stderr}"
    );

    // Without the variable: the checkout it was compiled in (this one).
    let (status, stderr) = run_binary(None, &["validate", "nosuch"]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(!stderr.contains("othervendor"), "{stderr}");
    let compiled = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("root");
    let ours = xtask::vendors(compiled).expect("this checkout's specs");
    assert!(
        stderr.contains(&format!(
            "known vendors (specs/*.yaml): {}",
            ours.join(", ")
        )),
        "{stderr}"
    );
}
