//! Per-vendor base URL and credential (a ready token, or a username and password to sign in
//! with: see [`crate::signin`]), from code or from the environment.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use roster_runtime::{Limits, Secret, SecretLog};

use crate::error::Vendor;
use crate::signin::{self, Credential, Names, SignIn};

/// Where one vendor is and how to authenticate there.
#[derive(Clone, PartialEq, Eq)]
pub struct VendorConfig {
    vendor: Vendor,
    base_url: String,
    credential: Credential,
}

impl VendorConfig {
    /// The checked base URL (https, or http on loopback; no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// How the vendor's client authenticates: a token, or a sign-in.
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// The API token or key, when the vendor is configured with one (`None` for a sign-in).
    pub fn secret(&self) -> Option<&Secret> {
        match &self.credential {
            Credential::Token(secret) => Some(secret),
            Credential::SignIn(_) => None,
        }
    }

    /// What the redactor must hide that the configuration holds: the token, or the password.
    pub(crate) fn known_secret(&self) -> &Secret {
        match &self.credential {
            Credential::Token(secret) => secret,
            Credential::SignIn(sign_in) => sign_in.password(),
        }
    }

    /// The tokens a sign-in obtains (recorded as they come), for the redactor.
    pub(crate) fn issued(&self) -> Option<&SecretLog> {
        match &self.credential {
            Credential::Token(_) => None,
            Credential::SignIn(sign_in) => Some(sign_in.issued()),
        }
    }

    /// The credential the vendor's client is built with; a sign-in signs in through `http`.
    pub(crate) fn client_credential(
        &self,
        http: &reqwest::Client,
    ) -> Result<roster_runtime::Credential, roster_runtime::ConfigError> {
        Ok(match &self.credential {
            Credential::Token(secret) => roster_runtime::Credential::Secret(secret.clone()),
            Credential::SignIn(sign_in) => {
                roster_runtime::Credential::SignIn(sign_in.token_source(self.vendor, http)?)
            }
        })
    }
}

impl fmt::Debug for VendorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VendorConfig")
            .field("base_url", &self.base_url)
            .field("credential", &self.credential)
            .finish()
    }
}

/// Transport timeouts of every vendor client a [`Provisioner`](crate::Provisioner) builds.
///
/// `attempt` bounds one HTTP attempt, from sending to the end of the answer's body; the retry
/// layer may make several attempts ([`RetryPolicy`](crate::RetryPolicy)). `None` leaves a bound
/// off — only for tests on tokio's paused clock, where a transport timer would fire while a
/// real socket is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing a connection (TCP and TLS). Default 5 s (the AWS SDK uses 3.1 s).
    pub connect: Option<Duration>,
    /// One attempt, start to end of body. Default 30 s.
    pub attempt: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Some(roster_runtime::CONNECT_TIMEOUT),
            attempt: Some(roster_runtime::REQUEST_TIMEOUT),
        }
    }
}

impl Timeouts {
    /// No transport timeouts at all (tests on a paused clock).
    pub const NONE: Timeouts = Timeouts {
        connect: None,
        attempt: None,
    };
}

/// Why a [`Config`] could not be made or does not cover what was asked. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Vendors were asked for that have no credentials.
    #[error("no credentials for {}: set {}", list(.0), vars(.0))]
    Missing(Vec<Vendor>),
    /// A vendor is given both a token and a sign-in: which one is meant is not guessed.
    #[error(
        "{} is set and so is a sign-in ({}, {}, {}, {}): set one or the other",
        token_var(*.0),
        signin::username_var(*.0),
        signin::password_var(*.0),
        signin::client_id_var(*.0),
        signin::token_url_var(*.0)
    )]
    TwoCredentials(Vendor),
    /// Part of a sign-in is set, not all of it.
    #[error(
        "signing in to {vendor} takes a username, a password and a client id: set {}",
        missing.join(" and ")
    )]
    IncompleteSignIn {
        /// The vendor.
        vendor: Vendor,
        /// The variables (or values) missing.
        missing: Vec<String>,
    },
    /// The vendor takes a ready token only.
    #[error("{0} does not sign in with a username and password: give its token ({var})", var = token_var(*.0))]
    SignInNotSupported(Vendor),
    /// A base URL (named by where it came from) is not acceptable.
    #[error("{source_name}: {reason}")]
    BaseUrl {
        /// `ROSTER_VYTE_BASE_URL`, or `vyte base URL` when given in code.
        source_name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A secret is empty.
    #[error("{0} is set but empty")]
    EmptySecret(String),
    /// A secret holds what an HTTP header cannot carry (a line break, a control or non-ASCII
    /// character). Names where it came from, never the secret.
    #[error("{source_name}: invalid secret: {reason}")]
    InvalidSecret {
        /// `ROSTER_VYTE_TOKEN`, or `the vyte secret` when given in code.
        source_name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The vendor's client crate is not compiled in (its cargo feature is off).
    #[error("{0} support is not compiled in: enable the `{0}` feature of the `roster` crate")]
    NotCompiledIn(Vendor),
    /// A vendor client could not be built from the configuration (TLS initialisation, a base
    /// URL or a secret the client refuses): what [`Provisioner::new`](crate::Provisioner::new)
    /// reports, so a facade user meets one configuration error type.
    #[error(transparent)]
    Client(ClientConfigError),
}

/// A vendor client's own configuration error ([`roster_runtime::ConfigError`]), shared so that
/// [`ConfigError`] stays `Clone` and comparable (two are equal when they read the same).
#[derive(Debug, Clone)]
pub struct ClientConfigError(std::sync::Arc<roster_runtime::ConfigError>);

impl ClientConfigError {
    /// The client's error.
    pub fn get(&self) -> &roster_runtime::ConfigError {
        &self.0
    }
}

impl std::fmt::Display for ClientConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for ClientConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&*self.0)
    }
}

impl PartialEq for ClientConfigError {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0) || self.0.to_string() == other.0.to_string()
    }
}

impl Eq for ClientConfigError {}

impl From<roster_runtime::ConfigError> for ConfigError {
    fn from(error: roster_runtime::ConfigError) -> Self {
        ConfigError::Client(ClientConfigError(std::sync::Arc::new(error)))
    }
}

fn list(vendors: &[Vendor]) -> String {
    vendors
        .iter()
        .map(|v| v.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn vars(vendors: &[Vendor]) -> String {
    vendors
        .iter()
        .map(|v| signin::what_to_set(*v))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// `ROSTER_<VENDOR>_TOKEN`: the vendor's API token (Vyte: the API key).
pub fn token_var(vendor: Vendor) -> String {
    format!("ROSTER_{}_TOKEN", vendor.name().to_uppercase())
}

/// `ROSTER_<VENDOR>_BASE_URL`: overrides the vendor's production base URL.
pub fn base_url_var(vendor: Vendor) -> String {
    format!("ROSTER_{}_BASE_URL", vendor.name().to_uppercase())
}

/// The vendor's production base URL, when its client is compiled in.
pub fn default_base_url(vendor: Vendor) -> Option<&'static str> {
    crate::vendors::default_base_url(vendor)
}

/// Credentials and endpoints for the vendors to work with.
///
/// ```
/// use roster::{Config, Vendor};
///
/// let config = Config::default()
///     .with(Vendor::Vyte, None, "vyte-api-key")?
///     .with(Vendor::Vectera, Some("http://127.0.0.1:8080/api/v1"), "token")?;
/// assert_eq!(config.vendors().collect::<Vec<_>>(), [Vendor::Vectera, Vendor::Vyte]);
/// assert!(config.require(&[Vendor::Veo]).is_err());
/// # Ok::<(), roster::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    vendors: BTreeMap<Vendor, VendorConfig>,
    timeouts: Timeouts,
    limits: Limits,
}

impl Config {
    /// The redactor for everything this configuration reaches: it hides every token and
    /// password configured, and the tokens a sign-in obtains (renewed ones too) as they come.
    /// The [`Provisioner`](crate::Provisioner) redacts every error with it; use it for any
    /// other text that may hold a secret (a command line, a log line).
    pub fn redactor(&self) -> crate::redact::Redactor {
        let configured = || Vendor::ALL.into_iter().filter_map(|v| self.vendor(v));
        crate::redact::Redactor::new(configured().map(|c| c.known_secret().expose()))
            .watching(configured().filter_map(|c| c.issued().cloned()))
    }

    /// The same configuration with only `vendors` (those of them it configures): what a
    /// command that uses some vendors builds its [`Provisioner`](crate::Provisioner) from.
    /// Every other setting — timeouts, limits, each vendor's credentials as given — is kept.
    pub fn only(&self, vendors: &[Vendor]) -> Self {
        let mut only = self.clone();
        only.vendors.retain(|vendor, _| vendors.contains(vendor));
        only
    }

    /// The same configuration reading answers within other size limits (the default,
    /// [`Limits::DEFAULT`], reads a 2xx body of at most 32 MiB and keeps 64 KiB of an error
    /// body: a hostile answer cannot take the process's memory).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The answer size limits.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The same configuration with other transport timeouts.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The transport timeouts.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// Adds (or replaces) a vendor: its base URL (`None`: the production one) and its
    /// credential — a token (anything that converts into a [`Secret`]) or a [`SignIn`]
    /// (VEO: a username and password the client signs in with, renewing its token itself).
    ///
    /// # Errors
    /// [`ConfigError`] for an unacceptable base URL or token URL, an empty secret or sign-in
    /// part, a sign-in for a vendor that takes tokens only, or a vendor whose feature is off.
    pub fn with(
        self,
        vendor: Vendor,
        base_url: Option<&str>,
        credential: impl Into<Credential>,
    ) -> Result<Self, ConfigError> {
        self.insert(
            vendor,
            base_url,
            credential.into(),
            &format!("{vendor} base URL"),
            &format!("the {vendor} secret"),
            &Names::code(vendor),
        )
    }

    fn insert(
        mut self,
        vendor: Vendor,
        base_url: Option<&str>,
        credential: Credential,
        url_source: &str,
        secret_source: &str,
        sign_in_names: &Names,
    ) -> Result<Self, ConfigError> {
        let default = default_base_url(vendor).ok_or(ConfigError::NotCompiledIn(vendor))?;
        let credential = match credential {
            Credential::Token(secret) => {
                let raw = secret.expose().trim();
                if raw.is_empty() {
                    return Err(ConfigError::EmptySecret(secret_source.to_owned()));
                }
                // What an HTTP header value carries: visible ASCII and spaces. Checked here so
                // the error names the variable (the client's own check cannot know it).
                if !raw.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
                    return Err(ConfigError::InvalidSecret {
                        source_name: secret_source.to_owned(),
                        reason: "it contains characters that cannot be sent in an HTTP header \
                                 (line breaks, control or non-ASCII characters)",
                    });
                }
                Credential::Token(secret)
            }
            Credential::SignIn(sign_in) => {
                Credential::SignIn(sign_in.checked(vendor, sign_in_names)?)
            }
        };
        let base_url = roster_runtime::base_url(base_url.unwrap_or(default)).map_err(|e| {
            ConfigError::BaseUrl {
                source_name: url_source.to_owned(),
                reason: e.to_string(),
            }
        })?;
        self.vendors.insert(
            vendor,
            VendorConfig {
                vendor,
                base_url,
                credential,
            },
        );
        Ok(self)
    }

    /// Reads `ROSTER_<VENDOR>_TOKEN` and `ROSTER_<VENDOR>_BASE_URL` for every vendor compiled
    /// in, and for VEO, instead of a token, a sign-in: `ROSTER_VEO_USERNAME`,
    /// `ROSTER_VEO_PASSWORD` and `ROSTER_VEO_CLIENT_ID` (all three), with
    /// `ROSTER_VEO_TOKEN_URL` for another token endpoint than production (UAT). A vendor with
    /// neither is left out ([`Config::require`] says what to set).
    ///
    /// # Errors
    /// [`ConfigError`] naming the variable that holds a bad value; a token and a sign-in both
    /// set ([`ConfigError::TwoCredentials`]: which one is meant is not guessed); part of a
    /// sign-in set ([`ConfigError::IncompleteSignIn`], naming what is missing).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Config::from_env`] over any variable source (tests, a config file).
    ///
    /// # Errors
    /// As [`Config::from_env`].
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut config = Self::default();
        for vendor in Vendor::ALL {
            if default_base_url(vendor).is_none() {
                continue;
            }
            let token = lookup(&token_var(vendor));
            if token.is_some() && SignIn::begun(vendor, &lookup) {
                return Err(ConfigError::TwoCredentials(vendor));
            }
            let sign_in = SignIn::from_lookup(vendor, &lookup)?;
            let credential = match (token, sign_in) {
                (Some(_), Some(_)) => return Err(ConfigError::TwoCredentials(vendor)),
                (Some(token), None) => Credential::Token(Secret::new(token)),
                (None, Some(sign_in)) => Credential::SignIn(sign_in),
                (None, None) => continue,
            };
            let url_var = base_url_var(vendor);
            let base_url = lookup(&url_var);
            // Set but empty is a mistake (a script's unset value), not a wish for production.
            if base_url.as_deref().is_some_and(|u| u.trim().is_empty()) {
                return Err(ConfigError::BaseUrl {
                    source_name: url_var,
                    reason: "is set but empty; unset it to use the vendor's production URL"
                        .to_owned(),
                });
            }
            config = config.insert(
                vendor,
                base_url.as_deref(),
                credential,
                &url_var,
                &token_var(vendor),
                &Names::env(vendor),
            )?;
        }
        Ok(config)
    }

    /// The configured vendors, in a stable order.
    pub fn vendors(&self) -> impl Iterator<Item = Vendor> + '_ {
        self.vendors.keys().copied()
    }

    /// One vendor's configuration.
    pub fn vendor(&self, vendor: Vendor) -> Option<&VendorConfig> {
        self.vendors.get(&vendor)
    }

    /// Checks that every vendor in `vendors` is configured.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] listing the others and the variables to set.
    pub fn require(&self, vendors: &[Vendor]) -> Result<(), ConfigError> {
        let missing: Vec<Vendor> = vendors
            .iter()
            .copied()
            .filter(|v| !self.vendors.contains_key(v))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Missing(missing))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keeps_the_vendors_asked_for_and_everything_else() {
        let timeouts = Timeouts {
            connect: Some(std::time::Duration::from_secs(3)),
            ..Timeouts::default()
        };
        let config = Config::default()
            .with_timeouts(timeouts)
            .with(Vendor::Vyte, None, "vyte-key")
            .and_then(|c| c.with(Vendor::Veo, Some("https://apiuat.veo.co.uk"), "veo-token"))
            .expect("valid");
        let only = config.only(&[Vendor::Veo, Vendor::Vectera]);
        assert_eq!(only.vendors().collect::<Vec<_>>(), [Vendor::Veo]);
        assert_eq!(only.vendor(Vendor::Veo), config.vendor(Vendor::Veo));
        assert_eq!(only.timeouts(), timeouts);
        assert!(config.only(&[]).vendors().next().is_none());
    }

    #[test]
    fn a_client_configuration_error_is_a_facade_config_error() {
        let refused = || {
            roster_runtime::base_url("http://vendor.example/api").expect_err("plain http refused")
        };
        let error = ConfigError::from(refused());
        let ConfigError::Client(client) = &error else {
            panic!("a Client variant: {error:?}");
        };
        assert!(matches!(
            client.get(),
            roster_runtime::ConfigError::InsecureBaseUrl { .. }
        ));
        assert_eq!(
            error.to_string(),
            refused().to_string(),
            "shown as the client's"
        );
        assert_eq!(error.clone(), ConfigError::from(refused()));
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn reads_tokens_and_base_urls_from_the_environment() {
        let config = Config::from_lookup(env(&[
            ("ROSTER_VECTERA_TOKEN", "vt"),
            ("ROSTER_VYTE_TOKEN", "vy"),
            ("ROSTER_VYTE_BASE_URL", "http://127.0.0.1:4010/"),
        ]))
        .expect("valid");
        assert_eq!(
            config.vendors().collect::<Vec<_>>(),
            [Vendor::Vectera, Vendor::Vyte]
        );
        let vectera = config.vendor(Vendor::Vectera).expect("configured");
        assert_eq!(vectera.base_url(), "https://www.vectera.com/api/v1");
        assert_eq!(vectera.secret().map(Secret::expose), Some("vt"));
        assert_eq!(
            config.vendor(Vendor::Vyte).expect("configured").base_url(),
            "http://127.0.0.1:4010"
        );
        assert!(!format!("{config:?}").contains("vt\""), "{config:?}");
    }

    #[test]
    fn says_exactly_what_to_set() {
        let config = Config::from_lookup(env(&[("ROSTER_VYTE_TOKEN", "vy")])).expect("valid");
        let err = config
            .require(&[Vendor::Vectera, Vendor::Vyte, Vendor::Veo])
            .expect_err("two missing");
        assert_eq!(
            err.to_string(),
            "no credentials for vectera, veo: set ROSTER_VECTERA_TOKEN and ROSTER_VEO_TOKEN \
             (or ROSTER_VEO_USERNAME, ROSTER_VEO_PASSWORD and ROSTER_VEO_CLIENT_ID to sign in)"
        );
    }

    #[test]
    fn bad_values_name_their_variable_without_the_secret() {
        let err = Config::from_lookup(env(&[
            ("ROSTER_VEO_TOKEN", "s3cret-token"),
            ("ROSTER_VEO_BASE_URL", "http://veo.example.com"),
        ]))
        .expect_err("cleartext to a remote host");
        let text = err.to_string();
        assert!(
            text.starts_with("ROSTER_VEO_BASE_URL: refusing insecure base URL"),
            "{text}"
        );
        assert!(!text.contains("s3cret"), "{text}");
        let err = Config::from_lookup(env(&[("ROSTER_VEO_TOKEN", "  ")])).expect_err("empty");
        assert_eq!(err.to_string(), "ROSTER_VEO_TOKEN is set but empty");
    }

    #[test]
    fn an_empty_base_url_is_an_error_not_production() {
        for empty in ["", "  "] {
            let err = Config::from_lookup(env(&[
                ("ROSTER_VYTE_TOKEN", "vy-key"),
                ("ROSTER_VYTE_BASE_URL", empty),
            ]))
            .expect_err("set but empty");
            assert_eq!(
                err.to_string(),
                "ROSTER_VYTE_BASE_URL: is set but empty; unset it to use the vendor's production URL"
            );
        }
    }

    #[test]
    fn a_base_url_query_or_userinfo_is_never_echoed() {
        for url in [
            "https://api.example.com/v2?api_key=KEY-0123456789",
            "https://api.example.com/v2#KEY-0123456789",
            "https://ann:KEY-0123456789@api.example.com/v2",
            "http://ann:KEY-0123456789@10.0.0.1/v2?x=KEY-0123456789",
            "http://10.0.0.1/v2?api_key=KEY-0123456789",
            "not a url?api_key=KEY-0123456789",
        ] {
            let err = Config::from_lookup(env(&[
                ("ROSTER_VECTERA_TOKEN", "vt-token"),
                ("ROSTER_VECTERA_BASE_URL", url),
            ]))
            .expect_err(url);
            let text = format!("{err} {err:?}");
            assert!(text.starts_with("ROSTER_VECTERA_BASE_URL: "), "{text}");
            assert!(!text.contains("KEY-0123456789"), "{url}: {text}");
        }
    }

    #[test]
    fn an_invalid_secret_names_its_variable_and_not_the_secret() {
        for secret in [
            "abc\ndef-SECRET",
            "abc\u{1b}[31m-SECRET",
            "abcé-SECRET",
            "ab\x7f-SECRET",
        ] {
            let err = Config::from_lookup(env(&[("ROSTER_VYTE_TOKEN", secret)]))
                .expect_err("not sendable");
            let text = format!("{err} {err:?}");
            assert!(
                text.starts_with("ROSTER_VYTE_TOKEN: invalid secret: "),
                "{text}"
            );
            assert!(!text.contains("SECRET"), "{text}");
        }
        let err = Config::default()
            .with(Vendor::Veo, None, "tok\r\nen")
            .expect_err("not sendable");
        assert!(
            err.to_string()
                .starts_with("the veo secret: invalid secret:"),
            "{err}"
        );
    }
}
