//! The sandbox fakes, driven through the generated clients and raw HTTP: authentication,
//! validation, state, paging and fault injection of each vendor. One test binary, one module
//! per vendor.

mod dialects;
mod facade;
mod plan;
mod support;
mod vectera;
mod veo;
mod vyte;
