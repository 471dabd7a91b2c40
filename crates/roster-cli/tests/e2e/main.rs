//! The real `roster` binary against the sandbox vendors, served by this test process on
//! loopback: what an operator sees (exit code, output, report) and what reached the vendors.
//!
//! One module per topic; what they share (running the binary, reading its report) is in
//! `support`.

mod commands;
mod ctrl_c;
mod dialects;
mod pipes;
mod provision;
mod signin_and_teams;
mod support;
mod team_life;
mod untrusted;
mod veo_signin;
