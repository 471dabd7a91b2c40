//! The docs and conveniences generated for every operation and every struct builder, on the
//! `teaching.yaml` fixture. (Each vendor crate's `cargo test --doc` compiles every operation
//! example and runs the struct-builder checks against its real spec.)

use std::path::{Path, PathBuf};

fn generated() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/teaching.yaml");
    let code = roster_codegen::generate_file(path).expect("generates");
    std::fs::write(std::env::temp_dir().join("roster-teaching.rs"), &code).expect("write");
    code
}

fn assert_has(code: &str, part: &str) {
    assert!(
        code.contains(part),
        "the generated code has\n{part}\n---\n{code}"
    );
}

#[test]
fn every_operation_has_a_compilable_example_instead_of_progenitors() {
    let code = generated();
    assert!(!code.contains("```ignore"), "no progenitor example is left");
    assert_eq!(code.matches("```no_run\n").count(), 3, "one per operation");
    assert_eq!(
        code.matches("# async fn example() -> Result<(), Box<dyn std::error::Error>> {\n")
            .count(),
        3
    );
}

#[test]
fn a_list_example_sets_the_parameter_examples_and_reads_a_field_of_an_item() {
    assert_has(
        &generated(),
        "use roster_teaching::prelude::*;
use roster_teaching::types;

let client = Client::new(roster_teaching::DEFAULT_BASE_URL, \"token\")?;
let answer: types::PersonPage = client
    .list_people()
    .order(types::Direction::Desc)
    .page_size(50u32)
    .search(\"ada\")
    .send()
    .await?
    .into_inner();
if let Some(item) = answer.items.first() {
    println!(\"{:?}\", item.id); // the example answer has \"p-1\"
}
# Ok(())
# }
```*/
    fn list_people(&self)",
    );
}

#[test]
fn a_create_example_sends_the_body_example_and_reads_the_answer() {
    assert_has(
        &generated(),
        "let answer: types::Person = client
    .create_person()
    .body(serde_json::from_value::<types::PersonCreate>(serde_json::json!({
        \"email\": \"ada@example.com\",
        \"first_name\": \"Ada\",
        \"timezone\": \"Europe/London\"
    }))?)
    .send()
    .await?
    .into_inner();
println!(\"{:?}\", answer.id); // the example answer has \"p-1\"
",
    );
}

#[test]
fn an_empty_answer_example_sets_the_path_parameter_and_names_no_type() {
    let code = generated();
    assert_has(
        &code,
        "use roster_teaching::prelude::*;

let client = Client::new(roster_teaching::DEFAULT_BASE_URL, \"token\")?;
// A success answers no body (`ResponseValue<()>`).
client
    .delete_person()
    .person_id(\"p-1\")
    .send()
    .await?;
# Ok(())",
    );
}

#[test]
fn the_operation_builders_methods_are_documented() {
    let code = generated();
    for doc in [
        "/** Sets the `pageSize` parameter (optional).\n\n How many people a page holds.*/\n        pub fn page_size<V>",
        "/** Sets the `search` parameter (optional).\n\n Only people whose name contains this.*/\n        pub fn search<V>",
        "/** Sets the `person_id` parameter (required).\n\n The person's id.*/\n        pub fn person_id<V>",
        "/** Sets the request body: a `types::PersonCreate`, or its builder \
         (`.body(types::PersonCreate::builder().a_field(value))`);\n the builder's missing \
         required fields are all named in the error `send` returns.\n\n The person to create.*/\n        pub fn body<V>",
        "/** Changes the request body through its builder",
        "/// Starts the request on `client` (what `client.create_person()` does).\n        pub fn new(",
    ] {
        assert_has(&code, doc);
    }
    assert_has(
        &code,
        "/** Starts a builder for [`PersonCreate`]: a [`builder::PersonCreate`], not the \
         struct itself.",
    );
    assert_has(
        &code,
        "*/\n        pub fn builder() -> builder::PersonCreate {",
    );
    // The struct builders' setters, from the fields' descriptions.
    assert_has(
        &code,
        "/** Sets `email` (required).\n\n Address.*/\n            pub fn email<T>",
    );
    assert_has(
        &code,
        "/** Sets `last_name` (optional: the value, or an `Option` of it).\n\n Family \
         name.*/\n            pub fn last_name<T>",
    );
}

#[test]
fn a_conversion_names_every_missing_required_field() {
    let code = generated();
    assert_has(
        &code,
        "let field_email = value.email.map_err(|e| problems.push(e));
                let field_first_name = value.first_name.map_err(|e| problems.push(e));",
    );
    assert_has(
        &code,
        "_ => ::std::result::Result::Err(problems.join(\"; \").into()),",
    );
    assert!(
        !code.contains("value.email?"),
        "no conversion stops at the first field"
    );
    // The check the vendor crates run as a doctest of `types::builder`.
    assert_has(
        &code,
        " let error = types::Person::try_from(types::Person::builder()).unwrap_err();
 assert_eq!(error.to_string(), \"no value supplied for first_name; no value supplied for id\");",
    );
}

#[test]
fn optional_setters_take_the_value() {
    let code = generated();
    assert_has(
        &code,
        "pub fn last_name<T>(mut self, value: T) -> Self
            where
                T: super::IntoOptional<::std::string::String>,
            {
                self.last_name = ::std::result::Result::Ok(value.into_optional());
                self
            }",
    );
    assert_has(&code, "T: super::IntoOptional<super::TimeZone>,");
    assert!(
        !code.contains("TryInto<::std::option::Option<"),
        "no setter is left taking only an Option"
    );
    for part in [
        "pub trait IntoOptional<T> {",
        "impl<T> IntoOptional<T> for T {",
        "impl<T> IntoOptional<T> for ::std::option::Option<T> {",
        "impl IntoOptional<::std::string::String> for &str {",
        // A string newtype converts from `&str` too.
        "impl ::std::convert::From<&str> for TimeZone {",
        "impl IntoOptional<TimeZone> for &str {",
        // The doctest the vendor crates compile: a `&str` and `None` are accepted.
        " let _builder = types::Person::builder().last_name(\"text\").last_name(None);",
    ] {
        assert_has(&code, part);
    }
}

#[test]
fn the_crate_name_comes_from_the_spec_file() {
    assert_eq!(
        roster_codegen::crate_name(Path::new("specs/vyte.yaml")),
        "roster_vyte"
    );
    assert_eq!(
        roster_codegen::crate_name(Path::new("x/my-vendor.yaml")),
        "roster_my_vendor"
    );
}

#[test]
fn the_output_is_deterministic() {
    assert_eq!(generated(), generated());
}
