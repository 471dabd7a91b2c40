#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

roster_runtime::include_generated_client!();

mod role;

pub use role::Role;
pub use roster_runtime::{ConfigError, Secret};
