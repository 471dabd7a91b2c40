//! Tidy (rust-analyzer's `tidy.rs` habit): rules about the repository's own text that no
//! compiler checks.
//!
//! - every `.rs` file under `crates/*/src`, `xtask/src` and `tests/src` starts with its module
//!   documentation (`//!`, or `#![doc = ...]` for a crate whose docs are its README);
//! - no banner comments (`// ----`, `// ====`) in any of those `src/` trees: a file that needs
//!   sections needs modules;
//! - every repository path a comment or a Markdown document names (`crates/...`, `specs/...`,
//!   `docs/...`, `xtask/...`, `tests/...`, `.ci/...`, `examples/...`) exists, from the repository
//!   root or from the crate of the file that names it; and no source comment points outside the
//!   repository (at the vendor documents or engineering notes kept beside it);
//! - no hand-written `.rs` file under `crates/`, `xtask/` or `tests/` is over [`MAX_LINES`]
//!   lines (the generated snapshots `generated/client.rs` are exempt): a longer file has more
//!   than one job, and each job can be its own module.
//!
//! Each failure names the file and line. [`ALLOWED`] lists today's known offenders.

use std::path::{Path, PathBuf};

/// Known offenders, `(rule, file, what)`, each to be removed as it is fixed. The integrator
/// empties this list once the reshaping of issue 15 has landed.
const ALLOWED: &[(&str, &str, &str)] = &[];

/// The most lines a hand-written `.rs` file may have.
const MAX_LINES: usize = 700;

/// The top-level directories whose `.rs` files [`MAX_LINES`] applies to.
const LONG_CHECKED_DIRS: &[&str] = &["crates", "xtask", "tests"];

/// Whether `file` (relative to the root) is a generated snapshot, exempt from [`MAX_LINES`].
fn is_generated_snapshot(file: &str) -> bool {
    file.ends_with("/generated/client.rs")
}

/// Where a source comment may not point: outside the repository.
const OUTSIDE_PREFIXES: &[&str] = &["../shared/", "shared/", "/work/"];

/// The prefixes of the paths a comment or document may name inside the repository.
const REPO_PREFIXES: &[&str] = &[
    "crates/",
    "specs/",
    "docs/",
    "xtask/",
    "tests/",
    ".ci/",
    "examples/",
];

/// Directories never scanned: build output, installed tools, version control.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules", ".venv", ".git"];

fn root() -> PathBuf {
    xtask::workspace_root().expect("the workspace")
}

/// Every file under `dir` (recursively), skipping [`SKIPPED_DIRS`].
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !SKIPPED_DIRS.contains(&name.as_str()) {
                out.extend(files(&path));
            }
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The `src/` trees the source rules apply to.
fn source_files(root: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![root.join("xtask/src"), root.join("tests/src")];
    for krate in std::fs::read_dir(root.join("crates"))
        .expect("crates/")
        .flatten()
    {
        dirs.push(krate.path().join("src"));
    }
    dirs.iter()
        .flat_map(|dir| files(dir))
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .collect()
}

fn allowed(rule: &str, file: &str, what: &str) -> bool {
    ALLOWED
        .iter()
        .any(|(r, f, w)| *r == rule && *f == file && what.contains(w))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_module_starts_with_its_documentation() {
    let root = root();
    let missing: Vec<String> = source_files(&root)
        .into_iter()
        .filter(|path| {
            let text = read(path);
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            !(first.starts_with("//!") || first.starts_with("#![doc"))
        })
        .map(|path| relative(&root, &path))
        .filter(|file| !allowed("undocumented", file, ""))
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a `//!` first line (say what the module is for):\n{}",
        missing.join("\n")
    );
}

#[test]
fn no_banner_comments_in_source() {
    let root = root();
    let mut found = Vec::new();
    for path in source_files(&root) {
        let file = relative(&root, &path);
        for (n, line) in read(&path).lines().enumerate() {
            let trimmed = line.trim_start();
            if (trimmed.starts_with("// ---") || trimmed.starts_with("// ==="))
                && !allowed("banner", &file, "")
            {
                found.push(format!("{file}:{}: {}", n + 1, trimmed));
            }
        }
    }
    assert!(
        found.is_empty(),
        "banner comments (split the file into modules instead):\n{}",
        found.join("\n")
    );
}

#[test]
fn no_hand_written_source_file_is_over_the_line_limit() {
    let root = root();
    let mut found = Vec::new();
    for dir in LONG_CHECKED_DIRS {
        for path in files(&root.join(dir)) {
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let file = relative(&root, &path);
            if is_generated_snapshot(&file) || allowed("long", &file, "") {
                continue;
            }
            let lines = read(&path).lines().count();
            if lines > MAX_LINES {
                found.push(format!("{file}: {lines} lines"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "files over {MAX_LINES} lines (split each by job into a folder module):\n{}",
        found.join("\n")
    );
}

/// The comment text of a line of Rust (`//`, `///`, `//!` to the end of the line), if any.
/// A `//` inside a string literal on a code line is not a comment: only lines that are
/// comments from their first character count.
fn rust_comment(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    trimmed.starts_with("//").then_some(trimmed)
}

/// Whether `c` may be part of a path token.
fn path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '<' | '>' | '{' | '}' | '*')
}

/// The path-like tokens of `text` starting with one of `prefixes` at a word boundary (not
/// right after `/`, `.` or a letter, so `../../specs/x` and URLs are not taken), without
/// trailing punctuation.
fn path_tokens<'a>(text: &'a str, prefixes: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    for (start, _) in text.char_indices() {
        let before = text[..start].chars().next_back();
        if before.is_some_and(path_char) {
            continue;
        }
        let rest = &text[start..];
        if !prefixes.iter().any(|p| rest.starts_with(p)) {
            continue;
        }
        let end = rest.find(|c: char| !path_char(c)).unwrap_or(rest.len());
        let token = rest[..end].trim_end_matches(['.', ',', ':', ';']);
        out.push(token);
    }
    out
}

/// Vendor names that stand for any vendor: `x` in the xtask's docs (`specs/x.yaml`), `quill`,
/// the fake fourth vendor of `docs/adding-a-vendor.md` (`crates/roster-quill/`).
const EXAMPLE_VENDORS: &[&str] = &["x", "quill"];

/// A template (`crates/roster-<vendor>/`, `specs/{vendor}.yaml`, `tests/integration/*.rs`, a
/// path of an [`EXAMPLE_VENDORS`] vendor) or an elision (`crates/...`) names no one file.
fn is_template(token: &str) -> bool {
    let example = |segment: &str| {
        EXAMPLE_VENDORS.iter().any(|vendor| {
            segment == *vendor
                || segment.ends_with(&format!("-{vendor}"))
                || segment.starts_with(&format!("{vendor}."))
                || segment.starts_with(&format!("{vendor}_"))
        })
    };
    token.contains(['<', '{', '*'])
        || token.contains("...")
        || token.ends_with("/.")
        || token.split('/').any(example)
}

/// The directory of the crate `path` belongs to (the nearest ancestor with a Cargo.toml).
fn crate_dir(root: &Path, path: &Path) -> PathBuf {
    path.ancestors()
        .skip(1)
        .take_while(|dir| dir.starts_with(root))
        .find(|dir| dir.join("Cargo.toml").is_file())
        .unwrap_or(root)
        .to_path_buf()
}

/// (file, line, text naming paths) for every comment line of every `.rs` file and every line
/// of every `.md` file in the repository.
fn documented_lines(root: &Path) -> Vec<(PathBuf, usize, String)> {
    let mut out = Vec::new();
    for path in files(root) {
        let markdown = path.extension().is_some_and(|e| e == "md");
        let rust = path.extension().is_some_and(|e| e == "rs");
        if !markdown && !rust {
            continue;
        }
        for (n, line) in read(&path).lines().enumerate() {
            let text = if markdown {
                Some(line)
            } else {
                rust_comment(line)
            };
            if let Some(text) = text {
                out.push((path.clone(), n + 1, text.to_owned()));
            }
        }
    }
    out
}

#[test]
fn every_path_a_comment_or_document_names_exists() {
    let root = root();
    let mut missing = Vec::new();
    for (path, line, text) in documented_lines(&root) {
        let file = relative(&root, &path);
        let krate = crate_dir(&root, &path);
        for token in path_tokens(&text, REPO_PREFIXES) {
            if is_template(token) {
                continue;
            }
            let exists = root.join(token).exists()
                || krate.join(token).exists()
                || path.parent().is_some_and(|dir| dir.join(token).exists());
            if !exists && !allowed("missing", &file, token) {
                missing.push(format!("{file}:{line}: `{token}` does not exist"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "paths named in comments and documents that do not exist (fix the path or the \
         comment):\n{}",
        missing.join("\n")
    );
}

#[test]
fn no_source_comment_points_outside_the_repository() {
    let root = root();
    let mut found = Vec::new();
    for (path, line, text) in documented_lines(&root) {
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let file = relative(&root, &path);
        let outside = path_tokens(&text, OUTSIDE_PREFIXES)
            .into_iter()
            .filter(|token| !allowed("outside", &file, token));
        for token in outside {
            found.push(format!(
                "{file}:{line}: `{token}` is outside the repository"
            ));
        }
    }
    assert!(
        found.is_empty(),
        "source comments naming files outside the repository (say it in the comment, or \
         move what it names into docs/):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_path_scanner_finds_repository_paths_and_skips_the_rest() {
    let text = "see `crates/roster/src/lib.rs`, specs/vyte.yaml. and ../../specs/veo.yaml, \
                https://x.example/tests/a.rs, crates/roster-<vendor>/build.rs, (docs/).";
    assert_eq!(
        path_tokens(text, REPO_PREFIXES),
        [
            "crates/roster/src/lib.rs",
            "specs/vyte.yaml",
            "crates/roster-<vendor>/build.rs",
            "docs/"
        ]
    );
    assert!(is_template("crates/roster-<vendor>/build.rs"));
    assert!(is_template("crates/roster-x/generated/client.rs"));
    assert!(is_template("specs/x.yaml"));
    assert!(is_template("tests/integration/quill_examples.rs"));
    assert!(!is_template("specs/vyte.yaml"));
    assert!(!is_template(
        "crates/roster-codegen/tests/fixtures/minimal.yaml"
    ));
    assert!(!is_template("docs/"));
    assert_eq!(
        path_tokens(
            "from /work/shared/NOTES.md, shared/x.md or ../shared/y.md",
            OUTSIDE_PREFIXES
        ),
        ["/work/shared/NOTES.md", "shared/x.md", "../shared/y.md"]
    );
    assert!(!allowed("banner", "crates/roster/src/lib.rs", "// ----"));
    assert!(is_generated_snapshot(
        "crates/roster-vyte/generated/client.rs"
    ));
    assert!(!is_generated_snapshot("crates/roster-vyte/src/lib.rs"));
}

/// An allowance outlives its offence only by mistake: once the offence is fixed, its line in
/// [`ALLOWED`] must go too (so the list only ever shrinks).
#[test]
fn every_allowance_is_still_needed() {
    let root = root();
    let stale: Vec<String> = ALLOWED
        .iter()
        .filter(|(rule, file, what)| {
            let path = root.join(file);
            let Ok(text) = std::fs::read_to_string(&path) else {
                return true;
            };
            let still = match *rule {
                "banner" => text.lines().any(|l| {
                    let l = l.trim_start();
                    l.starts_with("// ---") || l.starts_with("// ===")
                }),
                "undocumented" => !text.trim_start().starts_with("//!"),
                "outside" => text
                    .lines()
                    .filter_map(rust_comment)
                    .any(|l| l.contains(what)),
                "missing" => text.contains(what) && !root.join(what).exists(),
                "long" => text.lines().count() > MAX_LINES,
                other => panic!("unknown rule {other}"),
            };
            !still
        })
        .map(|(rule, file, what)| format!("({rule:?}, {file:?}, {what:?})"))
        .collect();
    assert!(
        stale.is_empty(),
        "fixed: remove these lines from ALLOWED in xtask/tests/tidy.rs:\n{}",
        stale.join("\n")
    );
}
