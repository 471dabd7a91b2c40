//! Stateful fakes of the three vendors' user APIs, each on its own loopback port.
//!
//! [`Sandbox::start`] binds `127.0.0.1:0` once per vendor and serves, in this process, what
//! the vendor would: it checks the secret like the vendor (wrong or missing → 401), validates
//! input like the vendor (bad email → 400 in the vendor's error shape), keeps users, invites,
//! meetings and permissions in memory, pages like the vendor, and answers only with bodies
//! that conform to the vendor's spec in `specs/` (CI runs schemathesis against each fake).
//!
//! Tests inject faults on demand — a 429 with `Retry-After`, a 500, a slow answer — through
//! [`Sandbox::faults`], and count what reached each route with [`Sandbox::calls`].
//!
//! A sandbox started with a state directory ([`Sandbox::start_persistent`],
//! [`SandboxBuilder::state_dir`]) remembers: it loads each vendor's users, invites, meetings and
//! permissions from `<dir>/<vendor>.json` when it starts and saves them after every request that
//! may have changed them, before answering (an atomic write-through: a killed process keeps
//! every write it answered). One sandbox at a time uses a directory (it locks `<dir>/lock`);
//! [`reset`] deletes its files. Injected faults, dialects, call counts and Vectera's one-minute
//! login tokens are per process and never saved. `roster --sandbox` keeps its state in
//! [`DEFAULT_STATE_DIR`] (or `$ROSTER_SANDBOX_DIR`, see [`state_dir_from_env`]).
//!
//! VEO's fake also serves VEO's token server (`POST /oauth2/token`, an OAuth2 password grant
//! with [`VEO_USERNAME`], [`VEO_PASSWORD`] and [`VEO_CLIENT_ID`]): [`Sandbox::config_with_sign_in`]
//! and [`Sandbox::env_with_sign_in`] configure VEO by sign-in instead of a token, and
//! [`Sandbox::set_token_policy`] makes the tokens it issues short-lived, so a test can watch a
//! client renew its token.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use roster::{Provisioner, Vendor};
//! let sandbox = roster_sandbox::Sandbox::start().await?;
//! let provisioner = Provisioner::new(&sandbox.config()).expect("sandbox URLs are loopback");
//! println!("Vyte is at {}", sandbox.base_url(Vendor::Vyte));
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use roster::{Config, SignIn, Vendor};

mod dialect;
mod faults;
mod plumbing;
mod server;
mod signin;
mod state;
mod vectera;
mod veo;
mod vyte;

pub use axum::http::{Method, StatusCode};
pub use dialect::Dialect;
pub use faults::{Fault, FaultRule, Faults, RetryAfter};
use server::{App, Running, serve};
pub use signin::TokenPolicy;
use state::StateDir;
pub use state::{
    DEFAULT_STATE_DIR, Removed, STATE_DIR_VAR, STATE_FORMAT, reset, state_dir_from_env,
};
pub use veo::signin::{
    CLIENT_ID as VEO_CLIENT_ID, PASSWORD as VEO_PASSWORD, USERNAME as VEO_USERNAME,
};

/// One vendor's fake as the sandbox starts it.
struct VendorFake {
    vendor: Vendor,
    /// The secret the fake accepts.
    token: &'static str,
    /// Its port in [`Ports`].
    port: fn(&Ports) -> u16,
    /// Its routes, given the secret.
    app: fn(String) -> App,
}

/// Every vendor's fake; a new vendor is a module and one line here (and its [`Ports`] field).
const VENDORS: [VendorFake; 3] = [
    VendorFake {
        vendor: Vendor::Vectera,
        token: "sandbox-vectera-token",
        port: |p| p.vectera,
        app: vectera::app,
    },
    VendorFake {
        vendor: Vendor::Vyte,
        token: "sandbox-vyte-key",
        port: |p| p.vyte,
        app: vyte::app,
    },
    VendorFake {
        vendor: Vendor::Veo,
        token: "sandbox-veo-token",
        port: |p| p.veo,
        app: veo::app,
    },
];
/// Ports to listen on; `0` (the default) takes an ephemeral port.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ports {
    /// Vectera's port.
    pub vectera: u16,
    /// Vyte's port.
    pub vyte: u16,
    /// VEO's port.
    pub veo: u16,
}

/// How to start a [`Sandbox`]: its ports, and whether it remembers (a state directory).
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// let sandbox = roster_sandbox::Sandbox::builder()
///     .state_dir(roster_sandbox::state_dir_from_env())
///     .start()
///     .await?;
/// eprintln!("state in {}", sandbox.state_dir().expect("persistent").display());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct SandboxBuilder {
    ports: Ports,
    state_dir: Option<PathBuf>,
}

impl SandboxBuilder {
    /// The ports to listen on (default: ephemeral).
    #[must_use]
    pub fn ports(mut self, ports: Ports) -> Self {
        self.ports = ports;
        self
    }

    /// Keeps the fakes' state in `dir` (created if missing): loaded at start, saved after every
    /// write. Without it (the default) the sandbox keeps everything in memory.
    #[must_use]
    pub fn state_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state_dir = Some(dir.into());
        self
    }

    /// Starts all three fakes.
    ///
    /// # Errors
    /// The I/O error of a port that could not be bound; with a state directory also: a
    /// directory another sandbox uses (kind `ResourceBusy`), a state file that cannot be read
    /// or is not a sandbox state file of this format (kind `InvalidData`), each naming the path.
    /// Nothing is left listening after an error.
    pub async fn start(self) -> std::io::Result<Sandbox> {
        let state = self.state_dir.as_deref().map(StateDir::open).transpose()?;
        // Every file is loaded before any fake listens: a bad one starts nothing.
        let mut apps = Vec::with_capacity(VENDORS.len());
        for fake in &VENDORS {
            let token = fake.token.to_owned();
            let app = (fake.app)(token.clone());
            let file = match &state {
                Some(dir) => {
                    let file = dir.file(fake.vendor, app.state.clone());
                    file.load()?;
                    Some(Arc::new(file))
                }
                None => None,
            };
            apps.push((fake, token, app, file));
        }
        let mut sandbox = Sandbox {
            running: Vec::with_capacity(VENDORS.len()),
            state,
        };
        for (fake, token, app, file) in apps {
            let port = (fake.port)(&self.ports);
            // On an error, dropping `sandbox` stops the fakes already started.
            let running = serve(app, token, port, file).await?;
            sandbox.running.push((fake.vendor, running));
        }
        Ok(sandbox)
    }
}

/// The three fakes, each on its own `127.0.0.1` port; they stop when this is dropped (and a
/// persistent sandbox releases its state directory).
pub struct Sandbox {
    running: Vec<(Vendor, Running)>,
    /// The state directory a persistent sandbox holds.
    state: Option<StateDir>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for (vendor, running) in &self.running {
            map.entry(vendor, &running.addr);
        }
        if let Some(dir) = self.state_dir() {
            map.entry(&"state", &dir);
        }
        map.finish()
    }
}

impl Sandbox {
    /// How to start a sandbox with other ports or a state directory.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// Starts all three fakes on ephemeral loopback ports, in memory.
    ///
    /// # Errors
    /// The I/O error of a port that could not be bound.
    pub async fn start() -> std::io::Result<Self> {
        Self::builder().start().await
    }

    /// Starts all three fakes on the given loopback ports (`0`: ephemeral), in memory.
    ///
    /// # Errors
    /// The I/O error of a port that could not be bound.
    pub async fn start_on(ports: Ports) -> std::io::Result<Self> {
        Self::builder().ports(ports).start().await
    }

    /// Starts all three fakes on ephemeral ports, remembering their state in `dir` (see
    /// [`SandboxBuilder::state_dir`]).
    ///
    /// # Errors
    /// As [`SandboxBuilder::start`].
    pub async fn start_persistent(dir: impl Into<PathBuf>) -> std::io::Result<Self> {
        Self::builder().state_dir(dir).start().await
    }

    /// The state directory (absolute) of a persistent sandbox; `None` in memory.
    pub fn state_dir(&self) -> Option<&Path> {
        self.state.as_ref().map(StateDir::path)
    }

    fn get(&self, vendor: Vendor) -> &Running {
        &self
            .running
            .iter()
            .find(|(v, _)| *v == vendor)
            .expect("every vendor is started")
            .1
    }

    /// The vendor's base URL, e.g. `http://127.0.0.1:40123/api/v1` for Vectera.
    pub fn base_url(&self, vendor: Vendor) -> String {
        let running = self.get(vendor);
        format!("http://{}{}", running.addr, running.base_path)
    }

    /// The socket address the vendor's fake listens on.
    pub fn addr(&self, vendor: Vendor) -> SocketAddr {
        self.get(vendor).addr
    }

    /// The secret the vendor's fake accepts (any other gets a 401).
    pub fn token(&self, vendor: Vendor) -> &str {
        &self.get(vendor).token
    }

    /// A [`Config`] for all three fakes (base URLs and secrets).
    pub fn config(&self) -> Config {
        self.running
            .iter()
            .try_fold(Config::default(), |config, (vendor, _)| {
                config.with(*vendor, Some(&self.base_url(*vendor)), self.token(*vendor))
            })
            .expect("loopback http URLs and non-empty secrets are valid")
    }

    /// The environment variables (`ROSTER_<VENDOR>_TOKEN`, `ROSTER_<VENDOR>_BASE_URL`) that
    /// point the `roster` CLI, or [`Config::from_env`], at this sandbox.
    pub fn env(&self) -> Vec<(String, String)> {
        self.running
            .iter()
            .flat_map(|(vendor, _)| {
                [
                    (roster::token_var(*vendor), self.token(*vendor).to_owned()),
                    (roster::base_url_var(*vendor), self.base_url(*vendor)),
                ]
            })
            .collect()
    }

    /// The credentials the vendor's token server accepts, with its token URL: a [`SignIn`] for
    /// a vendor that signs in (VEO), `None` for the others.
    pub fn sign_in(&self, vendor: Vendor) -> Option<SignIn> {
        let running = self.get(vendor);
        running.issuer.as_ref()?;
        let token_url = format!("http://{}{}", running.addr, veo::signin::TOKEN_PATH);
        match vendor {
            Vendor::Veo => Some(
                SignIn::new(VEO_USERNAME, VEO_PASSWORD, VEO_CLIENT_ID).with_token_url(token_url),
            ),
            _ => None,
        }
    }

    /// [`Sandbox::config`], with every vendor that can sign in (VEO) configured by username
    /// and password instead of a token.
    pub fn config_with_sign_in(&self) -> Config {
        self.running
            .iter()
            .try_fold(Config::default(), |config, (vendor, _)| {
                let base_url = self.base_url(*vendor);
                match self.sign_in(*vendor) {
                    Some(sign_in) => config.with(*vendor, Some(&base_url), sign_in),
                    None => config.with(*vendor, Some(&base_url), self.token(*vendor)),
                }
            })
            .expect("loopback http URLs and non-empty credentials are valid")
    }

    /// [`Sandbox::env`], with every vendor that can sign in (VEO) given
    /// `ROSTER_<VENDOR>_USERNAME`, `_PASSWORD`, `_CLIENT_ID` and `_TOKEN_URL` instead of
    /// `ROSTER_<VENDOR>_TOKEN`.
    pub fn env_with_sign_in(&self) -> Vec<(String, String)> {
        self.running
            .iter()
            .flat_map(|(vendor, _)| {
                let mut vars = vec![(roster::base_url_var(*vendor), self.base_url(*vendor))];
                match self.sign_in(*vendor) {
                    Some(sign_in) => vars.extend([
                        (roster::username_var(*vendor), sign_in.username().to_owned()),
                        (
                            roster::password_var(*vendor),
                            sign_in.password().expose().to_owned(),
                        ),
                        (
                            roster::client_id_var(*vendor),
                            sign_in.client_id().to_owned(),
                        ),
                        (
                            roster::token_url_var(*vendor),
                            sign_in.token_url().unwrap_or_default().to_owned(),
                        ),
                    ]),
                    None => vars.push((roster::token_var(*vendor), self.token(*vendor).to_owned())),
                }
                vars
            })
            .collect()
    }

    /// Makes every token the sandbox's token servers issue from now on follow `policy`
    /// (tokens already issued keep theirs).
    pub fn set_token_policy(&self, policy: TokenPolicy) {
        for (_, running) in &self.running {
            if let Some(issuer) = &running.issuer {
                issuer.set_policy(policy);
            }
        }
    }

    /// The policy new tokens are issued with.
    pub fn token_policy(&self) -> TokenPolicy {
        self.running
            .iter()
            .find_map(|(_, running)| running.issuer.as_ref().map(|i| i.policy()))
            .unwrap_or_default()
    }

    /// Every token the vendor's token server issued so far (none for a vendor without one):
    /// for tests asserting that none is ever shown.
    pub fn issued_tokens(&self, vendor: Vendor) -> Vec<String> {
        self.get(vendor)
            .issuer
            .as_ref()
            .map(|i| i.issued())
            .unwrap_or_default()
    }

    /// The vendor's fault injector.
    pub fn faults(&self, vendor: Vendor) -> &Faults {
        &self.get(vendor).faults
    }

    /// Switches the vendor's fake to answer in `dialect`'s alternative shapes (see [`Dialect`]);
    /// [`Dialect::DOCUMENTED`] switches back.
    pub fn set_dialect(&self, vendor: Vendor, dialect: Dialect) {
        *self.get(vendor).dialect.lock().expect("dialect lock") = dialect;
    }

    /// The shapes the vendor's fake answers in now.
    pub fn dialect(&self, vendor: Vendor) -> Dialect {
        *self.get(vendor).dialect.lock().expect("dialect lock")
    }

    /// How many requests reached `route` — `"METHOD /path/{template}"` as in the spec, e.g.
    /// `"POST /v2/users/batch"` — faults and 401s included.
    pub fn calls(&self, vendor: Vendor, route: &str) -> usize {
        let calls = self.get(vendor).calls.lock().expect("calls lock");
        calls.get(route).copied().unwrap_or(0)
    }

    /// Every route called so far with its count, sorted.
    pub fn all_calls(&self, vendor: Vendor) -> Vec<(String, usize)> {
        let calls = self.get(vendor).calls.lock().expect("calls lock");
        let mut all: Vec<_> = calls.iter().map(|(k, v)| (k.clone(), *v)).collect();
        all.sort();
        all
    }

    /// How many users the vendor's fake holds.
    pub fn user_count(&self, vendor: Vendor) -> usize {
        (self.get(vendor).users)()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        for (_, running) in &mut self.running {
            if let Some(stop) = running.shutdown.take() {
                let _ = stop.send(());
            }
        }
    }
}

/// The secret each fake accepts.
pub fn default_token(vendor: Vendor) -> &'static str {
    VENDORS
        .iter()
        .find(|fake| fake.vendor == vendor)
        .map_or("", |fake| fake.token)
}
