//! The sandbox fakes, driven through the generated clients and raw HTTP: authentication,
//! validation, state, paging and fault injection of each vendor, and the state kept across
//! restarts (`state`). One test binary, one module per vendor.

mod dialects;
mod facade;
mod plan;
mod state;
mod support;
mod vectera;
mod veo;
mod vyte;
