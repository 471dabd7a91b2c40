//! Tests of `cargo xtask bench build`: option parsing, the baseline's manifest and runtime
//! rewrites, medians, ratios and dates.

use std::fs;
use std::path::Path;
use std::time::UNIX_EPOCH;

use super::copies::{INCLUDE_OUT_DIR, RUNTIME_LIB, without_build_script};
use super::options::{BuildOptions, Part};
use super::report::{date, median, ratio};
use super::timed::children_cpu_secs;
use crate::crate_dir;

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
