//! Generates the VEO client from the spec at build time (see `roster-codegen`).
fn main() {
    roster_codegen::build_script("../../specs/veo.yaml");
}
