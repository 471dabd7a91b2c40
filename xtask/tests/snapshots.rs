//! The rust-analyzer "sourcegen" habit: a plain `cargo test` fails when a vendor crate's
//! committed snapshot of its generated client (`crates/roster-<vendor>/generated/client.rs`)
//! no longer matches what its spec generates, and says which command rewrites it.
//!
//! The fresh source comes from `roster_codegen::generate_file`, the function every vendor
//! crate's build script calls, so this needs no dependency on the vendor crates themselves.

#[test]
fn every_vendor_snapshot_matches_its_spec() {
    let root = xtask::workspace_root().expect("the workspace");
    let vendors = xtask::snapshots::vendors(&root).expect("specs/ is readable");
    let failures: Vec<String> = vendors
        .iter()
        .filter_map(|vendor| xtask::snapshots::check(&root, vendor).err())
        .map(|e| e.to_string())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_snapshot_outlives_its_spec() {
    let orphans = xtask::snapshots::orphans(&xtask::workspace_root().expect("the workspace"));
    assert!(
        orphans.is_empty(),
        "snapshots without a spec (remove them with their crate): {orphans:?}"
    );
}
