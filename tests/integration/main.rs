//! The workspace integration suite: every vendor client against httpmock on loopback.
//!
//! One test binary (one link) with a module per vendor.

mod bulk;
mod hostile;
mod provision;
mod resilience;
mod streams;
mod vectera;
mod vectera_examples;
mod veo;
mod veo_examples;
mod veo_signin;
mod vyte;
mod vyte_examples;
mod vyte_teams;
mod vyte_teams_examples;
