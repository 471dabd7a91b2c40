//! Generates the Vyte client from the spec at build time (see `roster-codegen`).
fn main() {
    roster_codegen::build_script("../../specs/vyte.yaml");
}
