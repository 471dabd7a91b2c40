//! Roster: typed clients for Vectera, Vyte and VEO behind one facade.
//!
//! Each vendor's generated client is re-exported behind a cargo feature of the same name (all
//! on by default), so an application builds only what it uses:
//!
//! ```toml
//! roster = { version = "0.1", default-features = false, features = ["vyte"] }
//! ```
//!
//! What the facade adds, written once for every vendor:
//!
//! - [`Config`]: each vendor's base URL and secret, from code or from `ROSTER_<VENDOR>_TOKEN` /
//!   `ROSTER_<VENDOR>_BASE_URL`, with errors that say exactly what to set;
//! - [`Error`]: one error naming the vendor, the operation, the HTTP status and the vendor's
//!   error body, with secrets nowhere in it;
//! - [`Resilience`]: retries with jittered exponential backoff for idempotent calls, honouring
//!   `Retry-After`, with a shared [`RetryBudget`] and a pluggable [`Sleeper`] for tests; each
//!   vendor crate's generated `operations` module says, per operation, whether it is
//!   idempotent ([`Operation`]), so [`Resilience::run`] needs no hand-typed name or flag.
//!
//! ```no_run
//! # #[cfg(feature = "vectera")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use roster::vectera::operations::GET_USER;
//! use roster::vectera::prelude::*;
//! use roster::{Resilience, Vendor};
//!
//! let client = roster::vectera::Client::new(roster::vectera::DEFAULT_BASE_URL, "token")?;
//! let resilience = Resilience::default();
//! // The operation's name, and whether it is retried, come from the spec.
//! let me = resilience
//!     .run(Vendor::Vectera, GET_USER, || client.get_user().id("me").send())
//!     .await?;
//! println!("{:?}", me.email);
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]
// With every vendor feature off the provisioner has nothing to dispatch to; that degenerate
// build only needs to compile.
#![cfg_attr(
    not(any(feature = "vectera", feature = "vyte", feature = "veo")),
    allow(unreachable_code, unused_variables, dead_code)
)]

mod bulk;
mod circuit;
mod config;
mod error;
mod member;
mod pages;
mod provisioner;
pub mod redact;
mod report;
mod retry;
#[cfg(feature = "test-util")]
pub mod test_util;
mod vendors;

pub use bulk::STREAM_WINDOW;
pub use config::{
    ClientConfigError, Config, ConfigError, Timeouts, VendorConfig, base_url_var, default_base_url,
    token_var,
};
pub use error::{Error, ErrorKind, MAX_BODY, Vendor};
pub use member::{Member, MemberError, VecteraExtras, VeoExtras, VyteExtras};
pub use pages::DEFAULT_MAX_PAGES;
pub use provisioner::{BATCH_SIZE, DEFAULT_CONCURRENCY, Provisioner};
#[cfg(feature = "vectera")]
pub use report::MeetingRoom;
pub use report::{Account, MemberReport, Outcome};
pub use retry::{Idempotency, Resilience, RetryBudget, RetryPolicy, Sleeper, TokioSleeper};
pub use roster_runtime::{Limits, Operation, Secret};

/// The Vectera client (`roster-vectera`).
#[cfg(feature = "vectera")]
pub use roster_vectera as vectera;

/// The Vyte client (`roster-vyte`).
#[cfg(feature = "vyte")]
pub use roster_vyte as vyte;

/// The VEO client (`roster-veo`).
#[cfg(feature = "veo")]
pub use roster_veo as veo;
