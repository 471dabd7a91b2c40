//! Every validation rule against a fixture that breaks exactly that rule
//! (`fixtures/<rule>.yaml`), and the valid base fixture against all of them.

use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn the_valid_fixture_passes_every_rule() {
    let report = xtask::validate_file(&fixtures().join("valid.yaml"));
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(report.operations, 2);
}

#[test]
fn each_broken_fixture_fails_for_exactly_its_rule() {
    let mut checked = Vec::new();
    for entry in std::fs::read_dir(fixtures()).expect("fixtures") {
        let path = entry.expect("entry").path();
        let rule = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("name")
            .to_owned();
        if rule == "valid" {
            continue;
        }
        let report = xtask::validate_file(&path);
        assert!(!report.problems.is_empty(), "{rule}.yaml must fail");
        for line in &report.problems {
            assert!(
                line.ends_with(&format!("[{rule}]")),
                "{rule}.yaml failed for another reason: {line}"
            );
            assert!(
                line.contains(&format!("{rule}.yaml")),
                "names the file: {line}"
            );
        }
        checked.push(rule);
    }
    checked.sort();
    // Every rule has its fixture.
    let expected = [
        "example-present",
        "example-valid",
        "generates",
        "local-ref",
        "no-cookie-param",
        "no-default-with-success",
        "one-error-type",
        "one-request-media-type",
        "one-success-type",
        "openapi-3.0",
        "operation-description",
        "operation-id",
        "operation-id-snake-case",
        "operation-id-unique",
        "operation-summary",
        "operation-tag",
        "parses",
        "path-param-declared",
        "path-param-required",
        "path-param-used",
        "ref-resolves",
        "secret-exact",
        "security-declared",
        "security-used",
    ];
    assert_eq!(checked, expected);
}

#[test]
fn problems_name_the_location() {
    let report = xtask::validate_file(&fixtures().join("example-valid.yaml"));
    let line = &report.problems[0];
    assert!(
        line.contains("GET /users/{id}/")
            || line.contains(
                "#/paths/~1users~1{id}~1/get/responses/200/content/application~1json/example"
            ),
        "{line}"
    );
    assert!(
        line.contains("at /id"),
        "names the place inside the example: {line}"
    );
    let report = xtask::validate_file(&fixtures().join("operation-summary.yaml"));
    assert!(
        report.problems[0].contains("GET /users/{id}/ (#/paths/~1users~1{id}~1/get)"),
        "{:?}",
        report.problems
    );
}

#[test]
fn nullable_is_honoured_and_formats_are_checked() {
    let components = serde_json::json!({});
    let schema = serde_json::json!({"type": "string", "nullable": true, "format": "email"});
    assert!(xtask::check_example(&components, &schema, &serde_json::Value::Null).is_ok());
    assert!(
        xtask::check_example(&components, &schema, &serde_json::json!("a@example.com")).is_ok()
    );
    assert!(xtask::check_example(&components, &schema, &serde_json::json!("nope")).is_err());
    let not_nullable = serde_json::json!({"type": "string"});
    assert!(xtask::check_example(&components, &not_nullable, &serde_json::Value::Null).is_err());
    let nullable_enum = serde_json::json!({"type": "string", "enum": ["a"], "nullable": true});
    assert!(xtask::check_example(&components, &nullable_enum, &serde_json::Value::Null).is_ok());
}
