#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

roster_runtime::include_generated_client!();

mod login;
mod pages;

pub use login::{
    ClientLoginExtraExt, LoginLinkError, NextPathError, check_next, login_url_with_next,
};
pub use pages::{ClientPagesExtraExt, ListStream, PER_PAGE, following_page};
pub use roster_runtime::{ConfigError, Pages, Secret};

/// Everything a call needs in one import: the `Client`, every generated `Client<Tag>Ext`
/// trait and every hand-written `Client<Area>ExtraExt` trait (login links, page streams).
pub mod prelude {
    pub use crate::generated::prelude::*;
    pub use crate::{ClientLoginExtraExt, ClientPagesExtraExt};
}
