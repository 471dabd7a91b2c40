#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

roster_runtime::include_generated_client!();

pub use roster_runtime::{ConfigError, Secret};
