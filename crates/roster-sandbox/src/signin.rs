//! Tokens a fake issues at its sign-in endpoint (VEO's `/oauth2/token`), on demand short-lived
//! — by time, by number of requests, or both — so that a test can watch a client renew its
//! token; and the layer that lets an issued token stand for the fake's account.
//!
//! An issued token is accepted by every route of the fake's API until it expires; after that
//! it is answered 401 like any refused credential. The fake's fixed token keeps working
//! beside the issued ones (schemathesis and the token-based tests use it).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// How the sign-in endpoint issues tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenPolicy {
    /// How long a token is valid (its `expires_in`, rounded up to whole seconds).
    pub lifetime: Duration,
    /// How many API requests a token answers before it expires (`None`: no limit) — a renewal
    /// a test can count on without waiting for a clock.
    pub uses: Option<u32>,
}

impl TokenPolicy {
    /// VEO's: 1,209,599 seconds (about 14 days), any number of requests.
    pub const VEO: TokenPolicy = TokenPolicy {
        lifetime: Duration::from_secs(1_209_599),
        uses: None,
    };
}

impl Default for TokenPolicy {
    fn default() -> Self {
        Self::VEO
    }
}

/// The tokens one fake issued, and its policy.
#[derive(Debug)]
pub(crate) struct Issuer {
    policy: Mutex<TokenPolicy>,
    tokens: Mutex<HashMap<String, Issued>>,
    /// Every token issued, in order (for tests asserting none is shown).
    all: Mutex<Vec<String>>,
    next: AtomicU64,
    /// Makes tokens differ from one sandbox process to another.
    seed: u64,
}

#[derive(Debug)]
struct Issued {
    expires: Instant,
    uses_left: Option<u32>,
}

/// What the fake makes of a bearer token.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Issued and not expired: one use counted.
    Valid,
    /// Issued, but expired (by time or by uses).
    Expired,
    /// Not one the fake issued.
    Unknown,
}

impl Issuer {
    pub(crate) fn new() -> Arc<Self> {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Arc::new(Self {
            policy: Mutex::new(TokenPolicy::default()),
            tokens: Mutex::default(),
            all: Mutex::default(),
            next: AtomicU64::new(1),
            seed,
        })
    }

    pub(crate) fn policy(&self) -> TokenPolicy {
        *self.policy.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn set_policy(&self, policy: TokenPolicy) {
        *self.policy.lock().unwrap_or_else(PoisonError::into_inner) = policy;
    }

    /// A new token and its `expires_in` (whole seconds, at least 1).
    pub(crate) fn issue(&self) -> (String, u64) {
        let policy = self.policy();
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let token = format!(
            "sandbox-issued-{n}-{:012x}",
            self.seed.wrapping_mul(n) & 0xffff_ffff_ffff
        );
        let now = Instant::now();
        let expires = now.checked_add(policy.lifetime).unwrap_or(now);
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                token.clone(),
                Issued {
                    expires,
                    uses_left: policy.uses,
                },
            );
        self.all
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(token.clone());
        let seconds = policy.lifetime.as_secs() + u64::from(policy.lifetime.subsec_nanos() > 0);
        (token, seconds.max(1))
    }

    /// Checks `token` for one API request, counting the use.
    pub(crate) fn check(&self, token: &str) -> Verdict {
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(issued) = tokens.get_mut(token) else {
            return Verdict::Unknown;
        };
        if Instant::now() >= issued.expires || issued.uses_left == Some(0) {
            return Verdict::Expired;
        }
        if let Some(left) = &mut issued.uses_left {
            *left -= 1;
        }
        Verdict::Valid
    }

    /// Every token issued so far.
    pub(crate) fn issued(&self) -> Vec<String> {
        self.all
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// What [`accept_issued`] needs: the issuer, the fake's own token, and its 401 answer.
#[derive(Clone)]
pub(crate) struct Acceptance {
    pub issuer: Arc<Issuer>,
    pub token: String,
    pub refuse: fn() -> Response,
}

/// Runs before the fake's own bearer check: an issued token that is still valid stands for the
/// fake's account (the request goes on with the fake's token); an expired one is refused with
/// the fake's 401; anything else is left to the fake's check.
pub(crate) async fn accept_issued(
    State(acceptance): State<Acceptance>,
    mut request: Request,
    next: Next,
) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned());
    let Some(given) = given.filter(|t| *t != acceptance.token) else {
        return next.run(request).await;
    };
    match acceptance.issuer.check(&given) {
        Verdict::Valid => {
            if let Ok(value) = HeaderValue::from_str(&format!("Bearer {}", acceptance.token)) {
                request.headers_mut().insert(header::AUTHORIZATION, value);
            }
            next.run(request).await
        }
        Verdict::Expired => (acceptance.refuse)(),
        Verdict::Unknown => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_expires_after_its_uses_or_its_lifetime() {
        let issuer = Issuer::new();
        issuer.set_policy(TokenPolicy {
            lifetime: Duration::from_secs(60),
            uses: Some(2),
        });
        let (token, expires_in) = issuer.issue();
        assert_eq!(expires_in, 60);
        assert_eq!(issuer.check(&token), Verdict::Valid);
        assert_eq!(issuer.check(&token), Verdict::Valid);
        assert_eq!(issuer.check(&token), Verdict::Expired);
        assert_eq!(issuer.check("sandbox-veo-token"), Verdict::Unknown);

        issuer.set_policy(TokenPolicy {
            lifetime: Duration::ZERO,
            uses: None,
        });
        let (token, expires_in) = issuer.issue();
        assert_eq!(expires_in, 1, "at least one second is announced");
        assert_eq!(issuer.check(&token), Verdict::Expired);
        assert_eq!(issuer.issued().len(), 2);
    }
}
