//! Every validation rule against fixtures that break exactly that rule
//! (`fixtures/<rule>.yaml`, `fixtures/<rule>.<variant>.yaml`: `valid.yaml` with one break),
//! and the valid base against all of them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::json;
use xtask::examples::{Checker, Direction, ExampleError};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The rule a fixture breaks: its file name, less a `.<variant>` (rule names may hold a dot
/// themselves: `openapi-3.0`).
fn rule_of(fixture: &str) -> &str {
    xtask::RULES
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| {
            fixture == *name
                || fixture
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
        .max_by_key(|name| name.len())
        .unwrap_or(fixture)
}

/// Validates `fixtures/<name>.yaml` and asserts it fails for its rule and no other.
fn fails_for_exactly_its_rule(name: &str) {
    let rule = rule_of(name);
    let report = xtask::validate_file(&fixtures().join(format!("{name}.yaml")));
    assert!(!report.is_ok(), "{name}.yaml must fail for [{rule}]");
    assert_eq!(
        report.rules(),
        BTreeSet::from([rule]),
        "{name}.yaml must fail for [{rule}] only:\n{report}"
    );
    for line in report.to_string().lines() {
        assert!(
            line.starts_with(
                &fixtures()
                    .join(format!("{name}.yaml"))
                    .display()
                    .to_string()
            ),
            "each line names the file: {line}"
        );
        assert!(line.ends_with(&format!("[{rule}]")), "{line}");
    }
}

macro_rules! fixture_tests {
    ($($test:ident => $fixture:literal,)*) => {
        $(
            #[test]
            fn $test() {
                fails_for_exactly_its_rule($fixture);
            }
        )*

        /// Every fixture file has its test above, and every rule has a fixture.
        const FIXTURES: &[&str] = &[$($fixture),*];
    };
}

fixture_tests! {
    parses => "parses",
    parses_a_list => "parses.list",
    parses_the_wrong_shape => "parses.shape",
    openapi_3_0 => "openapi-3.0",
    local_ref => "local-ref",
    ref_resolves => "ref-resolves",
    no_path_item_ref => "no-path-item-ref",
    operation_id => "operation-id",
    operation_id_unique => "operation-id-unique",
    operation_id_snake_case => "operation-id-snake-case",
    operation_tag => "operation-tag",
    operation_tag_two_tags => "operation-tag.two-tags",
    operation_summary => "operation-summary",
    operation_description => "operation-description",
    path_param_declared => "path-param-declared",
    path_param_used => "path-param-used",
    path_param_required => "path-param-required",
    no_cookie_param => "no-cookie-param",
    one_request_media_type => "one-request-media-type",
    request_media_type => "request-media-type",
    request_media_type_form_without_evidence => "request-media-type.form-without-evidence",
    one_success_type => "one-success-type",
    one_error_type => "one-error-type",
    no_default_with_success => "no-default-with-success",
    example_present => "example-present",
    example_present_response => "example-present.response",
    example_present_empty_examples => "example-present.empty-examples",
    example_valid => "example-valid",
    example_valid_nullable => "example-valid.nullable",
    example_valid_format_email => "example-valid.format-email",
    example_valid_format_uuid => "example-valid.format-uuid",
    example_valid_format_date_time => "example-valid.format-date-time",
    example_valid_format_uri => "example-valid.format-uri",
    example_valid_examples_map => "example-valid.examples-map",
    example_valid_parameter => "example-valid.parameter",
    example_valid_read_only_in_response => "example-valid.read-only-in-response",
    example_valid_write_only_in_request => "example-valid.write-only-in-request",
    example_valid_pattern => "example-valid.pattern",
    security_declared => "security-declared",
    security_declared_unknown => "security-declared.unknown",
    security_used => "security-used",
    one_security_scheme => "one-security-scheme",
    security_scheme => "security-scheme",
    default_server => "default-server",
    secret_exact => "secret-exact",
    evidence_present => "evidence-present",
    evidence_present_answer => "evidence-present.answer",
    evidence_present_schema => "evidence-present.schema",
    evidence_present_property => "evidence-present.property",
    success_2xx => "success-2xx",
    success_2xx_created => "success-2xx.created",
    error_any_json => "error-any-json",
    error_any_json_missing_5xx => "error-any-json.missing-5xx",
    error_any_json_schema => "error-any-json.schema",
    error_any_json_media_type => "error-any-json.media-type",
    answer_tolerant => "answer-tolerant",
    answer_tolerant_nullable => "answer-tolerant.nullable",
    answer_tolerant_all_of => "answer-tolerant.all-of",
    answer_tolerant_additional_properties => "answer-tolerant.additional-properties",
    generates => "generates",
}

#[test]
fn the_valid_fixture_passes_every_rule() {
    let report = xtask::validate_file(&fixtures().join("valid.yaml"));
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.operations, 4);
}

/// `valid.yaml` with the PUT body form-encoded (`media`), its request body carrying `evidence`
/// (lines to insert), and `nested` as an extra property of the body's schema when given.
fn form_variant(evidence: &str, nested: Option<&str>) -> xtask::Report {
    let text = std::fs::read_to_string(fixtures().join("valid.yaml")).expect("readable");
    let put = "      description: Replaces a user's fields.\n      requestBody:\n        required: true\n        content:\n          application/json:";
    assert!(text.contains(put));
    let form = format!(
        "      description: Replaces a user's fields.\n      requestBody:\n        required: true\n{evidence}        content:\n          application/x-www-form-urlencoded:"
    );
    let mut text = text.replace(put, &form);
    if let Some(nested) = nested {
        let at = "        nickname:\n";
        text = text.replacen(at, &format!("{nested}{at}"), 1);
    }
    let spec = roster_codegen::parse(fixtures().join("form.yaml"), &text).expect("parses");
    xtask::validate_spec(&spec)
}

#[test]
fn a_form_body_the_vendor_documents_passes_and_generates_a_form_request() {
    let evidence = "        x-roster-evidence: documented\n        x-roster-source: \"users-guide.txt: Replace a user (a form POST)\"\n";
    let report = form_variant(evidence, None);
    assert!(report.is_ok(), "{report}");
    // `inferred` (the vendor's platform, restated notes) is evidence enough; a guess is not.
    let inferred = evidence.replace("documented", "inferred");
    assert!(form_variant(&inferred, None).is_ok());
    let guessed = evidence.replace("documented", "unconfirmed");
    assert_eq!(
        form_variant(&guessed, None).rules(),
        BTreeSet::from(["request-media-type"])
    );
    // A form cannot nest: an object or array field is refused, naming it.
    let nested = "        address:\n          type: object\n          description: Nested.\n          properties:\n            city:\n              type: string\n              description: City.\n";
    let report = form_variant(evidence, Some(nested));
    assert_eq!(
        report.rules(),
        BTreeSet::from(["request-media-type"]),
        "{report}"
    );
    assert!(
        report
            .to_string()
            .contains("form field `address` is object"),
        "{report}"
    );
}

#[test]
fn every_fixture_is_tested_and_every_rule_has_a_fixture() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixtures())
        .expect("fixtures/ is readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".yaml").map(str::to_owned))
        .filter(|n| n != "valid")
        .collect();
    on_disk.sort();
    let mut tested: Vec<String> = FIXTURES.iter().map(|f| (*f).to_owned()).collect();
    tested.sort();
    assert_eq!(on_disk, tested, "fixtures/ and the tests above disagree");

    let rules: BTreeSet<&str> = xtask::RULES.iter().map(|(name, _)| *name).collect();
    let covered: BTreeSet<&str> = FIXTURES.iter().map(|f| rule_of(f)).collect();
    // `readable` needs a file that is not there (tested below), not a fixture.
    let uncovered: Vec<&&str> = rules
        .difference(&covered)
        .filter(|r| **r != "readable")
        .collect();
    assert!(
        uncovered.is_empty(),
        "rules without a fixture: {uncovered:?}"
    );
    let unknown: Vec<&&str> = covered.difference(&rules).collect();
    assert!(
        unknown.is_empty(),
        "fixtures for rules not in RULES: {unknown:?}"
    );
}

#[test]
fn a_missing_file_is_a_readable_problem_not_a_panic() {
    let report = xtask::validate_file(&fixtures().join("no-such-spec.yaml"));
    assert_eq!(report.rules(), BTreeSet::from(["readable"]), "{report}");
    assert!(report.to_string().contains("no-such-spec.yaml"), "{report}");
}

#[test]
fn problems_name_the_file_the_operation_the_pointer_and_the_rule() {
    let report = xtask::validate_file(&fixtures().join("operation-summary.yaml"));
    let file = fixtures().join("operation-summary.yaml");
    assert_eq!(
        report.to_string(),
        format!(
            "{}: GET /users/{{id}}/ (#/paths/~1users~1{{id}}~1/get): the operation needs a \
             `summary` (it becomes the method's rustdoc) [operation-summary]",
            file.display()
        )
    );

    let report = xtask::validate_file(&fixtures().join("example-valid.yaml"));
    let line = report.to_string();
    assert!(
        line.contains(
            "GET /users/{id}/ (#/paths/~1users~1{id}~1/get/responses/2XX/content/\
             application~1json/example): the example does not match its schema: at /id: \
             \"seven\" is not of type \"integer\" [example-valid]"
        ),
        "{line}"
    );

    let report = xtask::validate_file(&fixtures().join("parses.shape.yaml"));
    assert!(report.to_string().contains(": #/tags: "), "{report}");
}

#[test]
fn a_named_example_is_reported_where_it_is_used() {
    let report = xtask::validate_file(&fixtures().join("example-valid.examples-map.yaml"));
    let text = report.to_string();
    assert!(
        text.contains("application~1json/examples/two): the example `#/components/examples/TwoUsers` does not match its schema: at /1/id: \"8\" is not of type \"integer\""),
        "{text}"
    );
}

#[test]
fn nullable_is_honoured() {
    let doc = json!({});
    let checker = Checker::new(&doc);
    let any = Direction::Schema;
    let nullable = json!({"type": "string", "nullable": true, "format": "email"});
    assert_eq!(checker.check(&nullable, &json!(null), any), Ok(()));
    assert_eq!(
        checker.check(&nullable, &json!("a@example.com"), any),
        Ok(())
    );
    assert!(checker.check(&nullable, &json!("nope"), any).is_err());
    assert!(
        checker
            .check(&json!({"type": "string"}), &json!(null), any)
            .is_err()
    );
    let nullable_enum = json!({"type": "string", "enum": ["a"], "nullable": true});
    assert_eq!(checker.check(&nullable_enum, &json!(null), any), Ok(()));
    assert!(checker.check(&nullable_enum, &json!("b"), any).is_err());
}

#[test]
fn a_nullable_ref_accepts_null_and_the_referenced_schema() {
    let doc = json!({"components": {"schemas": {
        "Id": {"type": "integer"},
    }}});
    let checker = Checker::new(&doc);
    let schema = json!({"allOf": [{"$ref": "#/components/schemas/Id"}], "nullable": true});
    assert_eq!(
        checker.check(&schema, &json!(null), Direction::Schema),
        Ok(())
    );
    assert_eq!(checker.check(&schema, &json!(3), Direction::Schema), Ok(()));
    assert!(
        checker
            .check(&schema, &json!("3"), Direction::Schema)
            .is_err()
    );
}

#[test]
fn formats_are_checked() {
    let doc = json!({});
    let checker = Checker::new(&doc);
    let any = Direction::Schema;
    for (format, good, bad) in [
        ("email", "ann@example.com", "ann-at-example.com"),
        ("uuid", "0f6b5a4e-2c1d-4e8f-9a3b-7c6d5e4f3a2b", "0f6b5a4e"),
        ("date-time", "2024-05-01T09:30:00Z", "2024-05-01 9:30"),
        ("date", "2024-05-01", "01/05/2024"),
        ("uri", "https://example.com/a?b=c", "example dot com"),
    ] {
        let schema = json!({"type": "string", "format": format});
        assert_eq!(
            checker.check(&schema, &json!(good), any),
            Ok(()),
            "{format}"
        );
        assert!(
            matches!(
                checker.check(&schema, &json!(bad), any),
                Err(ExampleError::Mismatch(_))
            ),
            "{format}: {bad}"
        );
    }
    // OpenAPI's own formats are not JSON Schema's: they do not reject anything.
    let password = json!({"type": "string", "format": "password"});
    assert_eq!(checker.check(&password, &json!("x"), any), Ok(()));
}

#[test]
fn read_only_and_write_only_depend_on_the_direction() {
    let doc = json!({"components": {"schemas": {"User": {
        "type": "object",
        "required": ["id", "password", "email"],
        "properties": {
            "id": {"type": "integer", "readOnly": true},
            "password": {"$ref": "#/components/schemas/Password"},
            "email": {"type": "string"},
        },
    }, "Password": {"type": "string", "writeOnly": true}}}});
    let checker = Checker::new(&doc);
    let user = json!({"$ref": "#/components/schemas/User"});
    let request = json!({"email": "a@example.com", "password": "x"});
    let response = json!({"email": "a@example.com", "id": 1});
    assert_eq!(checker.check(&user, &request, Direction::Request), Ok(()));
    assert_eq!(checker.check(&user, &response, Direction::Response), Ok(()));
    assert!(checker.check(&user, &request, Direction::Response).is_err());
    assert!(checker.check(&user, &response, Direction::Request).is_err());
    // A schema's own example is outside any request or response: `required` holds.
    let whole = json!({"email": "a@example.com", "id": 1, "password": "x"});
    assert_eq!(checker.check(&user, &whole, Direction::Schema), Ok(()));
    assert!(checker.check(&user, &request, Direction::Schema).is_err());
    assert!(checker.check(&user, &response, Direction::Schema).is_err());
}

#[test]
fn openapi_exclusive_bounds_are_converted() {
    let doc = json!({});
    let checker = Checker::new(&doc);
    let schema = json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true});
    assert!(
        checker
            .check(&schema, &json!(0), Direction::Schema)
            .is_err()
    );
    assert_eq!(checker.check(&schema, &json!(1), Direction::Schema), Ok(()));
}

#[test]
fn snake_case() {
    for good in ["list_users", "get_v2_user", "login"] {
        assert!(xtask::is_snake_case(good), "{good}");
    }
    for bad in [
        "listUsers",
        "List_users",
        "list__users",
        "list_users_",
        "_list",
        "list-users",
        "",
    ] {
        assert!(!xtask::is_snake_case(bad), "{bad}");
    }
}
