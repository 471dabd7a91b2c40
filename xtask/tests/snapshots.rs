//! The rust-analyzer "sourcegen" habit: a plain `cargo test` fails when a committed snapshot of
//! generated code (`crates/roster-<vendor>/generated/client.rs`) no longer matches its spec, and
//! says which command rewrites it.

#[test]
fn every_snapshot_matches_its_spec() {
    let root = xtask::workspace_root();
    let vendors = xtask::vendors(&root).expect("specs/ is readable");
    assert!(
        !vendors.is_empty(),
        "no specs found under {}",
        root.display()
    );
    let stale: Vec<String> = vendors
        .iter()
        .filter_map(|v| xtask::check_snapshot(&root, v).err())
        .collect();
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}
