#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

roster_runtime::include_generated_client!();

mod pages;
mod role;
mod signin;

pub use pages::{ClientPagesExtraExt, ListStream, PAGE_SIZE};
pub use role::Role;
pub use roster_runtime::{
    ConfigError, Credential, Pages, Secret, SecretLog, SignInError, TokenSource,
};
pub use signin::{Credentials, TOKEN_URL, UAT_TOKEN_URL, sign_in, token_server};

/// Everything a call needs in one import: the `Client`, every generated `Client<Tag>Ext`
/// trait and every hand-written `Client<Area>ExtraExt` trait (page streams).
pub mod prelude {
    pub use crate::ClientPagesExtraExt;
    pub use crate::generated::prelude::*;
}
