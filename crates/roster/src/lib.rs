//! Roster: typed clients for Vectera, Vyte and VEO behind one facade that provisions a person
//! (or a whole team) into all of them.
//!
//! # Depending on it
//!
//! The crates are not published on crates.io (`publish = false`): depend on them by `git`, where
//! `<repository>` is the `repository` URL in the workspace's root `Cargo.toml`, or by `path` to
//! a checkout. Each vendor's client is behind a cargo feature of the same name (all on by
//! default), so an application builds only what it uses:
//!
//! ```toml
//! [dependencies]
//! roster = { git = "<repository>" }                     # or { path = "../roster/crates/roster" }
//! # one vendor only: { git = "<repository>", default-features = false, features = ["vyte"] }
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! # Provisioning
//!
//! A [`Provisioner`] looks each member up in every configured vendor, then creates, updates or
//! leaves them alone, and says what it did per vendor in a [`MemberReport`]:
//!
//! ```no_run
//! use roster::{Config, Member, MemberReport, Outcome, Provisioner, Vendor};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // ROSTER_VECTERA_TOKEN, ROSTER_VYTE_TOKEN, ROSTER_VEO_TOKEN (+ optional ..._BASE_URL),
//!     // or for VEO a sign-in (ROSTER_VEO_USERNAME, ROSTER_VEO_PASSWORD, ROSTER_VEO_CLIENT_ID);
//!     // a vendor without credentials is left out. Or from code:
//!     // `Config::default().with(Vendor::Vyte, None, "vyte-api-key")?`.
//!     let config = Config::from_env()?;
//!     config.require(&[Vendor::Vyte])?; // an error naming the variable to set
//!     let provisioner = Provisioner::new(&config)?;
//!
//!     // One member: look up, then create / update / leave alone, in every vendor.
//!     let mut ann = Member::new("ann@example.com", "Ann", "Smith")?.admin(true);
//!     ann.vyte.timezone = Some("Europe/Paris".into());
//!     let report = provisioner.ensure(&ann).await;
//!     show(&report);
//!
//!     // A team, in the fewest calls each vendor allows (Vyte and VEO batches).
//!     let team = [ann, Member::new("bob@example.com", "Bob", "Jones")?];
//!     let reports = provisioner.ensure_all(&team).await;
//!     reports.iter().for_each(show);
//!     if reports.iter().any(MemberReport::has_failures) {
//!         std::process::exit(1);
//!     }
//!     Ok(())
//! }
//!
//! fn show(report: &MemberReport) {
//!     for (vendor, outcome) in &report.vendors {
//!         match outcome {
//!             Outcome::Created => println!("{}: created in {vendor}", report.email),
//!             Outcome::Updated => println!("{}: updated in {vendor}", report.email),
//!             Outcome::Unchanged => println!("{}: already right in {vendor}", report.email),
//!             // The vendor, the operation, the HTTP status and the vendor's (redacted)
//!             // error body; the other vendors were still done.
//!             Outcome::Failed(error) => eprintln!(
//!                 "{}: {vendor} {} failed with HTTP {:?}: {}",
//!                 report.email,
//!                 error.operation(),
//!                 error.status().map(|status| status.as_u16()),
//!                 error.body().unwrap_or("(no body)"),
//!             ),
//!             // `remove` and `deactivate` report these.
//!             other => println!("{}: {other:?} in {vendor}", report.email),
//!         }
//!     }
//! }
//! ```
//!
//! Running it twice writes nothing the second time: every vendor says `Unchanged`.
//! Vyte team membership (`member.vyte.teams`) is a separate step, after the users exist:
//! [`Provisioner::plan_vyte_teams`] says what [`Provisioner::sync_vyte_teams`] would change,
//! and the sync creates missing teams and sends one update per team whose members change.
//! [`Provisioner::ensure_stream`] does a team read as it goes with flat memory,
//! [`Provisioner::remove`] and [`Provisioner::deactivate`] take a member out, and
//! [`Provisioner::list`] streams every account of one vendor.
//!
//! # What the facade adds
//!
//! Written once for every vendor:
//!
//! - [`Config`]: each vendor's base URL and secret, from code or from `ROSTER_<VENDOR>_TOKEN` /
//!   `ROSTER_<VENDOR>_BASE_URL`, with errors that say exactly what to set — for VEO, a
//!   [`SignIn`] instead of a token (`ROSTER_VEO_USERNAME`, `_PASSWORD`, `_CLIENT_ID`,
//!   optionally `_TOKEN_URL`): the client obtains its token and renews it;
//! - [`Error`]: one error naming the vendor, the operation, the HTTP status and the vendor's
//!   error body, with secrets nowhere in it;
//! - [`Resilience`]: retries with jittered exponential backoff for idempotent calls, honouring
//!   `Retry-After`, with a shared [`RetryBudget`] and a pluggable [`Sleeper`] for tests; each
//!   vendor crate's generated `operations` module says, per operation, whether it is
//!   idempotent ([`Operation`]), so [`Resilience::run`] needs no hand-typed name or flag.
//!
//! The vendor clients are re-exported (`roster::vectera`, `roster::vyte`, `roster::veo`) for
//! what the facade does not cover; a generated call goes through the same retry layer:
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
mod plan;
mod provisioner;
pub mod redact;
mod report;
mod retry;
mod signin;
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
pub use plan::{Change, ChangeSet, MemberPlan, Offboarding, Removal, Step, VendorStep};
pub use provisioner::{BATCH_SIZE, DEFAULT_CONCURRENCY, Provisioner};
#[cfg(feature = "vectera")]
pub use report::MeetingRoom;
pub use report::{Account, MemberReport, Outcome};
pub use retry::{Idempotency, Resilience, RetryBudget, RetryPolicy, Sleeper, TokioSleeper};
pub use roster_runtime::{Limits, Operation, Secret, SecretLog};
pub use signin::{
    Credential, SignIn, client_id_var, password_var, supports_sign_in, token_url_var, username_var,
};
#[cfg(feature = "vyte")]
pub use vendors::vyte::teams::{TeamAction, TeamChange, TeamReport};

/// The Vectera client (`roster-vectera`).
#[cfg(feature = "vectera")]
pub use roster_vectera as vectera;

/// The Vyte client (`roster-vyte`).
#[cfg(feature = "vyte")]
pub use roster_vyte as vyte;

/// The VEO client (`roster-veo`).
#[cfg(feature = "veo")]
pub use roster_veo as veo;
