//! What a generated client carries for its hooks: the credentials and the answer limits.

use crate::{Auth, Limits};

/// The state every generated vendor client holds for its hooks (progenitor's `inner`): the
/// credentials its `pre` hook applies and the [`Limits`] its `exec` hook reads answers within.
#[derive(Debug, Clone)]
pub struct ClientState {
    auth: Auth,
    limits: Limits,
}

impl ClientState {
    /// Credentials with the default [`Limits`].
    pub fn new(auth: Auth) -> Self {
        Self {
            auth,
            limits: Limits::DEFAULT,
        }
    }

    /// The credentials.
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// The answer limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Replaces the answer limits.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }
}
