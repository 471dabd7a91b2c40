//! What every command starts from: the configuration (the environment, or the sandbox with
//! its state directory), the provisioner for the vendors a command uses, and how each vendor
//! is named in reports (its base URL, or `sandbox`).

use std::path::PathBuf;

use roster::{Config, Provisioner, Vendor};

use crate::out::{Failure, warn};

/// The vendors a command reaches, and where.
pub struct Context {
    pub config: Config,
    /// The running sandbox (its servers live as long as the command), when `--sandbox`.
    pub sandbox: Option<roster_sandbox::Sandbox>,
}

impl Context {
    /// From the environment, or the sandbox kept in `state` (resolved and announced).
    pub async fn new(sandbox: bool, state: Option<PathBuf>) -> Result<Self, Failure> {
        if !sandbox {
            let config = Config::from_env().map_err(|e| Failure::usage(e.to_string()))?;
            return Ok(Self {
                config,
                sandbox: None,
            });
        }
        let dir = state_dir(state);
        let sandbox = roster_sandbox::Sandbox::start_persistent(&dir)
            .await
            .map_err(|e| Failure::usage(format!("cannot start the sandbox: {e}")))?;
        warn("roster: using the built-in sandbox (fake vendors on 127.0.0.1)");
        warn(&format!(
            "roster: sandbox state kept in {} (`roster sandbox reset` clears it)",
            sandbox.state_dir().unwrap_or(&dir).display()
        ));
        Ok(Self {
            config: sandbox.config(),
            sandbox: Some(sandbox),
        })
    }

    /// Where `vendor` is, for reports: `sandbox`, or its base URL (no query, no user info).
    pub fn target(&self, vendor: Vendor) -> String {
        if self.sandbox.is_some() {
            return "sandbox".to_owned();
        }
        self.config
            .vendor(vendor)
            .map(|v| shown_url(v.base_url()))
            .unwrap_or_default()
    }

    /// [`Context::target`] of each of `vendors`.
    pub fn targets(&self, vendors: &[Vendor]) -> Vec<(Vendor, String)> {
        vendors.iter().map(|v| (*v, self.target(*v))).collect()
    }

    /// The configuration's redactor (every token and password it holds), for what a command
    /// reports beyond the facade's own errors.
    pub fn redactor(&self) -> roster::redact::Redactor {
        self.config.redactor()
    }

    /// The provisioner for `vendors`, or an error saying exactly what to set.
    pub fn provisioner(&self, vendors: &[Vendor]) -> Result<Provisioner, Failure> {
        self.config.require(vendors).map_err(|e| {
            Failure::usage(format!(
                "{e}\n(or pass --sandbox to try roster against the built-in fake vendors)"
            ))
        })?;
        let only = self.config.only(vendors);
        Provisioner::new(&only)
            .map_err(|e| Failure::usage(format!("cannot build the clients: {e}")))
    }

    /// The configured vendors among `wanted` (every configured one when `wanted` is empty),
    /// in [`Vendor::ALL`] order.
    pub fn configured(&self, wanted: &[Vendor]) -> Vec<Vendor> {
        Vendor::ALL
            .into_iter()
            .filter(|v| wanted.is_empty() || wanted.contains(v))
            .filter(|v| self.config.vendor(*v).is_some())
            .collect()
    }
}

/// The sandbox's state directory: `--sandbox-dir`, else `ROSTER_SANDBOX_DIR`, else
/// [`roster_sandbox::DEFAULT_STATE_DIR`] under the current directory.
pub fn state_dir(given: Option<PathBuf>) -> PathBuf {
    let dir = given.unwrap_or_else(roster_sandbox::state_dir_from_env);
    std::path::absolute(&dir).unwrap_or(dir)
}

/// A URL as a report shows it: scheme, host, port and path only.
fn shown_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            parsed.set_query(None);
            parsed.set_fragment(None);
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        Err(_) => "(unparsable URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn shown_urls_keep_no_query_or_user_info() {
        assert_eq!(
            super::shown_url("https://user:pw@api.example.com/v2?key=abc#x"),
            "https://api.example.com/v2"
        );
    }
}
