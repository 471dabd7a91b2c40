//! Signing in with a username and password instead of a ready token: [`SignIn`], the
//! [`Credential`] a [`VendorConfig`](crate::VendorConfig) holds, and the variables
//! `ROSTER_<VENDOR>_USERNAME`, `_PASSWORD`, `_CLIENT_ID` and `_TOKEN_URL`.
//!
//! VEO issues its bearer tokens through an OAuth2 password grant and they expire after about
//! 14 days: configured with [`SignIn`], the VEO client obtains the token itself and renews it
//! (`roster_veo::Client::with_password`), so an operator never pastes a token and a
//! long-running service keeps working. Every token a sign-in obtains is recorded in the
//! credential's [`SecretLog`], which the provisioner's redactor reads: renewed tokens are
//! hidden like the first. The other vendors take a ready token only.

use std::fmt;

use roster_runtime::{Secret, SecretLog};

use crate::config::ConfigError;
use crate::error::Vendor;

/// What a vendor is configured to authenticate with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credential {
    /// A ready API token or key (`ROSTER_<VENDOR>_TOKEN`).
    Token(Secret),
    /// A username and password the client signs in with, obtaining and renewing its token
    /// itself (VEO only: see [`supports_sign_in`]).
    SignIn(SignIn),
}

impl From<Secret> for Credential {
    fn from(secret: Secret) -> Self {
        Credential::Token(secret)
    }
}

impl From<&Secret> for Credential {
    fn from(secret: &Secret) -> Self {
        Credential::Token(secret.clone())
    }
}

impl From<&str> for Credential {
    fn from(secret: &str) -> Self {
        Credential::Token(Secret::from(secret))
    }
}

impl From<String> for Credential {
    fn from(secret: String) -> Self {
        Credential::Token(Secret::from(secret))
    }
}

impl From<&String> for Credential {
    fn from(secret: &String) -> Self {
        Credential::Token(Secret::from(secret))
    }
}

impl From<SignIn> for Credential {
    fn from(sign_in: SignIn) -> Self {
        Credential::SignIn(sign_in)
    }
}

/// A username, password and client id to sign in with (VEO's OAuth2 password grant), and the
/// token endpoint to sign in at (the vendor's production one unless given).
///
/// `Debug` never shows the password or a token; clones share the record of the tokens
/// obtained ([`SignIn::issued`]).
///
/// ```
/// use roster::{Config, SignIn, Vendor};
///
/// let sign_in = SignIn::new("ada@example.com", "password", "client-id")
///     .with_token_url("https://tokenapiuat.veo.co.uk/oauth2/token");
/// let config = Config::default().with(Vendor::Veo, Some("https://apiuat.veo.co.uk"), sign_in)?;
/// assert!(!format!("{config:?}").contains("password\""));
/// # Ok::<(), roster::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct SignIn {
    grant: roster_runtime::PasswordGrant,
    token_url: Option<String>,
    issued: SecretLog,
}

impl SignIn {
    /// The credentials of the vendor's password grant.
    pub fn new(
        username: impl Into<String>,
        password: impl Into<Secret>,
        client_id: impl Into<String>,
    ) -> Self {
        Self {
            grant: roster_runtime::PasswordGrant::new(username, password, client_id),
            token_url: None,
            issued: SecretLog::new(),
        }
    }

    /// Signs in at `token_url` instead of the vendor's production token endpoint (VEO's UAT:
    /// `https://tokenapiuat.veo.co.uk/oauth2/token`).
    pub fn with_token_url(mut self, token_url: impl Into<String>) -> Self {
        self.token_url = Some(token_url.into());
        self
    }

    /// The username.
    pub fn username(&self) -> &str {
        &self.grant.username
    }

    /// The password.
    pub fn password(&self) -> &Secret {
        &self.grant.password
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.grant.client_id
    }

    /// The token endpoint: the one given, or (once in a [`Config`](crate::Config)) the
    /// vendor's production one, checked.
    pub fn token_url(&self) -> Option<&str> {
        self.token_url.as_deref()
    }

    /// Every token obtained with these credentials so far, shared with their clones.
    pub fn issued(&self) -> &SecretLog {
        &self.issued
    }
}

impl PartialEq for SignIn {
    fn eq(&self, other: &Self) -> bool {
        (&self.grant, &self.token_url) == (&other.grant, &other.token_url)
    }
}

impl Eq for SignIn {}

impl fmt::Debug for SignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignIn")
            .field("username", &self.grant.username)
            .field("password", &self.grant.password)
            .field("client_id", &self.grant.client_id)
            .field("token_url", &self.token_url)
            .field("issued", &self.issued)
            .finish()
    }
}

/// `ROSTER_<VENDOR>_USERNAME`: the username to sign in with (VEO).
pub fn username_var(vendor: Vendor) -> String {
    var(vendor, "USERNAME")
}

/// `ROSTER_<VENDOR>_PASSWORD`: the password to sign in with (VEO).
pub fn password_var(vendor: Vendor) -> String {
    var(vendor, "PASSWORD")
}

/// `ROSTER_<VENDOR>_CLIENT_ID`: the client id to sign in with (VEO).
pub fn client_id_var(vendor: Vendor) -> String {
    var(vendor, "CLIENT_ID")
}

/// `ROSTER_<VENDOR>_TOKEN_URL`: the token endpoint to sign in at, when not the vendor's
/// production one (VEO's UAT).
pub fn token_url_var(vendor: Vendor) -> String {
    var(vendor, "TOKEN_URL")
}

fn var(vendor: Vendor, what: &str) -> String {
    format!("ROSTER_{}_{what}", vendor.name().to_uppercase())
}

/// Whether `vendor` can sign in with a username and password (its client is compiled in and
/// its spec has a token endpoint): VEO.
pub fn supports_sign_in(vendor: Vendor) -> bool {
    default_token_url(vendor).is_some()
}

/// The vendor's production token endpoint, when it can sign in.
pub(crate) fn default_token_url(vendor: Vendor) -> Option<&'static str> {
    match vendor {
        #[cfg(feature = "veo")]
        Vendor::Veo => Some(roster_veo::TOKEN_URL),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// What the missing-credentials error asks for: the token variable, and the sign-in ones where
/// the vendor can sign in.
pub(crate) fn what_to_set(vendor: Vendor) -> String {
    let token = crate::config::token_var(vendor);
    if supports_sign_in(vendor) {
        format!(
            "{token} (or {}, {} and {} to sign in)",
            username_var(vendor),
            password_var(vendor),
            client_id_var(vendor)
        )
    } else {
        token
    }
}

/// Where each part of a sign-in came from, for error messages.
pub(crate) struct Names {
    pub username: String,
    pub password: String,
    pub client_id: String,
    pub token_url: String,
}

impl Names {
    /// The variables of [`SignIn::from_lookup`].
    pub fn env(vendor: Vendor) -> Self {
        Self {
            username: username_var(vendor),
            password: password_var(vendor),
            client_id: client_id_var(vendor),
            token_url: token_url_var(vendor),
        }
    }

    /// The words for credentials given in code.
    pub fn code(vendor: Vendor) -> Self {
        Self {
            username: format!("the {vendor} username"),
            password: format!("the {vendor} password"),
            client_id: format!("the {vendor} client id"),
            token_url: format!("{vendor} token URL"),
        }
    }
}

impl SignIn {
    /// Whether the environment sets any of `vendor`'s sign-in variables.
    pub(crate) fn begun(vendor: Vendor, lookup: &impl Fn(&str) -> Option<String>) -> bool {
        let names = Names::env(vendor);
        supports_sign_in(vendor)
            && [
                &names.username,
                &names.password,
                &names.client_id,
                &names.token_url,
            ]
            .iter()
            .any(|name| lookup(name).is_some())
    }

    /// The sign-in the environment gives `vendor` (`None` when it sets none of the variables,
    /// or the vendor cannot sign in).
    ///
    /// # Errors
    /// [`ConfigError::IncompleteSignIn`] when some of username, password and client id are set
    /// but not all (or only the token URL is).
    pub(crate) fn from_lookup(
        vendor: Vendor,
        lookup: &impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, ConfigError> {
        if !supports_sign_in(vendor) {
            return Ok(None);
        }
        let names = Names::env(vendor);
        let [username, password, client_id, token_url] = [
            &names.username,
            &names.password,
            &names.client_id,
            &names.token_url,
        ]
        .map(|name| lookup(name));
        let required = [
            (&names.username, &username),
            (&names.password, &password),
            (&names.client_id, &client_id),
        ];
        if required.iter().all(|(_, v)| v.is_none()) && token_url.is_none() {
            return Ok(None);
        }
        let missing: Vec<String> = required
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(name, _)| (*name).clone())
            .collect();
        if !missing.is_empty() {
            return Err(ConfigError::IncompleteSignIn { vendor, missing });
        }
        let mut sign_in = SignIn::new(
            username.unwrap_or_default(),
            password.unwrap_or_default(),
            client_id.unwrap_or_default(),
        );
        sign_in.token_url = token_url;
        Ok(Some(sign_in))
    }

    /// The same sign-in, checked for `vendor` and with its token URL resolved; `names` say
    /// where each part came from.
    ///
    /// # Errors
    /// [`ConfigError::SignInNotSupported`], [`ConfigError::EmptySecret`] for an empty part,
    /// [`ConfigError::BaseUrl`] for a token URL the client refuses.
    pub(crate) fn checked(mut self, vendor: Vendor, names: &Names) -> Result<Self, ConfigError> {
        let default = default_token_url(vendor).ok_or(ConfigError::SignInNotSupported(vendor))?;
        for (value, name) in [
            (self.grant.username.as_str(), &names.username),
            (self.grant.password.expose(), &names.password),
            (self.grant.client_id.as_str(), &names.client_id),
        ] {
            if value.trim().is_empty() {
                return Err(ConfigError::EmptySecret(name.clone()));
            }
        }
        let url = match self.token_url.as_deref() {
            Some(url) if url.trim().is_empty() => {
                return Err(ConfigError::BaseUrl {
                    source_name: names.token_url.clone(),
                    reason: "is set but empty; unset it to use the vendor's production token URL"
                        .to_owned(),
                });
            }
            Some(url) => url,
            None => default,
        };
        let checked = check_token_url(vendor, url).map_err(|e| ConfigError::BaseUrl {
            source_name: names.token_url.clone(),
            reason: e.to_string(),
        })?;
        self.token_url = Some(checked);
        Ok(self)
    }

    /// The runtime credential of `vendor`'s client: a token source that signs in through
    /// `http` and records its tokens in [`SignIn::issued`].
    pub(crate) fn token_source(
        &self,
        vendor: Vendor,
        http: &reqwest::Client,
    ) -> Result<roster_runtime::TokenSource, roster_runtime::ConfigError> {
        let url = self
            .token_url
            .as_deref()
            .or(default_token_url(vendor))
            .unwrap_or_default();
        match vendor {
            #[cfg(feature = "veo")]
            Vendor::Veo => {
                roster_veo::sign_in(url, self.grant.clone(), http.clone(), self.issued.clone())
            }
            #[allow(unreachable_patterns)]
            _ => {
                let _ = (url, http);
                Err(roster_runtime::ConfigError::InvalidCredentials {
                    reason: "this vendor does not sign in with a username and password",
                })
            }
        }
    }
}

/// The checked token URL (as the vendor's client reads it), or why it is refused.
fn check_token_url(vendor: Vendor, url: &str) -> Result<String, roster_runtime::ConfigError> {
    let normalised = roster_runtime::base_url(url)?;
    match vendor {
        #[cfg(feature = "veo")]
        Vendor::Veo => roster_veo::token_server(&normalised).map(|_| normalised),
        #[allow(unreachable_patterns)]
        _ => Ok(normalised),
    }
}

#[cfg(all(test, feature = "veo"))]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::Config;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    const SIGN_IN: [(&str, &str); 3] = [
        ("ROSTER_VEO_USERNAME", "ada@example.com"),
        ("ROSTER_VEO_PASSWORD", "pa55-SECRET-word"),
        ("ROSTER_VEO_CLIENT_ID", "roster-client"),
    ];

    fn sign_in_of(config: &Config) -> &SignIn {
        match config.vendor(Vendor::Veo).expect("configured").credential() {
            Credential::SignIn(sign_in) => sign_in,
            other => panic!("a sign-in: {other:?}"),
        }
    }

    #[test]
    fn veo_signs_in_with_username_password_and_client_id_from_the_environment() {
        let config = Config::from_lookup(env(&SIGN_IN)).expect("valid");
        let veo = config.vendor(Vendor::Veo).expect("configured");
        assert_eq!(veo.base_url(), roster_veo::DEFAULT_BASE_URL);
        assert_eq!(veo.secret(), None, "no ready token");
        let sign_in = sign_in_of(&config);
        assert_eq!(sign_in.username(), "ada@example.com");
        assert_eq!(sign_in.password().expose(), "pa55-SECRET-word");
        assert_eq!(sign_in.client_id(), "roster-client");
        assert_eq!(sign_in.token_url(), Some(roster_veo::TOKEN_URL));
        let shown = format!("{config:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("ada@example.com"), "{shown}");

        let mut uat = SIGN_IN.to_vec();
        uat.push(("ROSTER_VEO_TOKEN_URL", roster_veo::UAT_TOKEN_URL));
        uat.push(("ROSTER_VEO_BASE_URL", "https://apiuat.veo.co.uk"));
        let config = Config::from_lookup(env(&uat)).expect("valid");
        assert_eq!(
            sign_in_of(&config).token_url(),
            Some(roster_veo::UAT_TOKEN_URL)
        );
        assert_eq!(
            config.vendor(Vendor::Veo).expect("configured").base_url(),
            "https://apiuat.veo.co.uk"
        );
    }

    #[test]
    fn a_token_and_a_sign_in_together_are_refused() {
        let mut both = SIGN_IN.to_vec();
        both.push(("ROSTER_VEO_TOKEN", "tok-SECRET-123"));
        let err = Config::from_lookup(env(&both)).expect_err("which one?");
        assert_eq!(err, ConfigError::TwoCredentials(Vendor::Veo));
        let text = err.to_string();
        assert_eq!(
            text,
            "ROSTER_VEO_TOKEN is set and so is a sign-in (ROSTER_VEO_USERNAME, \
             ROSTER_VEO_PASSWORD, ROSTER_VEO_CLIENT_ID, ROSTER_VEO_TOKEN_URL): set one or the other"
        );
        // The token URL alone counts as a sign-in begun.
        let err = Config::from_lookup(env(&[
            ("ROSTER_VEO_TOKEN", "tok-SECRET-123"),
            ("ROSTER_VEO_TOKEN_URL", roster_veo::UAT_TOKEN_URL),
        ]))
        .expect_err("which one?");
        assert_eq!(err, ConfigError::TwoCredentials(Vendor::Veo));
    }

    #[test]
    fn a_partial_sign_in_names_what_is_missing() {
        let err = Config::from_lookup(env(&SIGN_IN[..1])).expect_err("partial");
        assert_eq!(
            err.to_string(),
            "signing in to veo takes a username, a password and a client id: set \
             ROSTER_VEO_PASSWORD and ROSTER_VEO_CLIENT_ID"
        );
        let err = Config::from_lookup(env(&[("ROSTER_VEO_TOKEN_URL", roster_veo::TOKEN_URL)]))
            .expect_err("only the URL");
        assert_eq!(
            err,
            ConfigError::IncompleteSignIn {
                vendor: Vendor::Veo,
                missing: vec![
                    "ROSTER_VEO_USERNAME".into(),
                    "ROSTER_VEO_PASSWORD".into(),
                    "ROSTER_VEO_CLIENT_ID".into()
                ],
            }
        );
    }

    #[test]
    fn bad_sign_in_values_name_their_variable_and_never_the_password() {
        let with = |extra: (&'static str, &'static str)| {
            let mut vars: Vec<(&str, &str)> = SIGN_IN
                .iter()
                .copied()
                .filter(|(k, _)| *k != extra.0)
                .collect();
            vars.push(extra);
            Config::from_lookup(env(&vars)).expect_err("refused")
        };
        assert_eq!(
            with(("ROSTER_VEO_PASSWORD", "")).to_string(),
            "ROSTER_VEO_PASSWORD is set but empty"
        );
        assert_eq!(
            with(("ROSTER_VEO_CLIENT_ID", "  ")).to_string(),
            "ROSTER_VEO_CLIENT_ID is set but empty"
        );
        for url in [
            "http://tokenapi.veo.co.uk/oauth2/token",
            "https://tokenapi.veo.co.uk/token",
            "https://tokenapi.veo.co.uk/oauth2/token?pa55-SECRET-word",
            "",
        ] {
            let text = with(("ROSTER_VEO_TOKEN_URL", url)).to_string();
            assert!(text.starts_with("ROSTER_VEO_TOKEN_URL: "), "{url}: {text}");
            assert!(!text.contains("SECRET"), "{text}");
        }
    }

    #[test]
    fn only_veo_signs_in() {
        assert!(supports_sign_in(Vendor::Veo));
        assert!(!supports_sign_in(Vendor::Vyte));
        let err = Config::default()
            .with(Vendor::Vyte, None, SignIn::new("u", "p", "c"))
            .expect_err("Vyte takes a key");
        assert_eq!(err, ConfigError::SignInNotSupported(Vendor::Vyte));
        assert_eq!(
            err.to_string(),
            "vyte does not sign in with a username and password: give its token (ROSTER_VYTE_TOKEN)"
        );
        // In code, the values are named by what they are.
        let err = Config::default()
            .with(Vendor::Veo, None, SignIn::new("u", "", "c"))
            .expect_err("empty password");
        assert_eq!(err.to_string(), "the veo password is set but empty");
    }

    #[test]
    fn a_provisioner_redacts_the_password_and_every_token_the_sign_in_obtains() {
        let sign_in = SignIn::new("ada", "pa55-SECRET-word", "client");
        let config = Config::default()
            .with(Vendor::Veo, Some("http://127.0.0.1:9"), sign_in.clone())
            .expect("valid");
        let provisioner = crate::Provisioner::new(&config).expect("clients");
        let redactor = provisioner.resilience().redactor();
        // The configuration's clone shares the record with the client's token source.
        sign_in_of(&config)
            .issued()
            .record(Secret::from("tok-renewed-SECRET-2"));
        assert_eq!(
            redactor.clean("pa55-SECRET-word tok-renewed-SECRET-2", 100),
            "[redacted] [redacted]"
        );
        assert_eq!(sign_in.issued().len(), 1, "clones share the record");
    }
}
