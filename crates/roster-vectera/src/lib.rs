#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

roster_runtime::include_generated_client!();

mod login;

pub use login::{
    ClientLoginExtraExt, LoginLinkError, NextPathError, check_next, login_url_with_next,
};
pub use roster_runtime::{ConfigError, Secret};
