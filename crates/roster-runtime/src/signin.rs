//! Tokens a client obtains for itself: [`TokenSource`] signs in, keeps the token, renews it
//! shortly before it expires, and is told by the client when a server refused it.
//!
//! A vendor that issues short-lived tokens (VEO: an OAuth2 password grant, 14 days) would
//! otherwise make every operator fetch a token by hand and every long-running service fail on
//! the day it expires. The renewal is written once, here, the way `aws-smithy` caches
//! identities for every AWS service crate; a vendor crate gives only the call that signs in
//! (VEO's generated `request_token` operation), and every generated client applies the token
//! in its `pre` hook (see [`crate::Auth`]) and renews it once after a 401 in its `exec` hook
//! (see [`crate::ClientState::send`]).
//!
//! - **Cached**: one sign-in serves every request until the token is due for renewal.
//! - **Renewed before it expires**: when less than a tenth of its lifetime (at most
//!   [`MAX_RENEWAL_MARGIN`]) is left, the next request signs in again first. A token whose
//!   lifetime the server did not say is kept until a server refuses it.
//! - **One renewal in flight**: concurrent callers that find the token due wait for the one
//!   sign-in under way and share its token (or its failure) — no thundering herd on the token
//!   server. A refused sign-in (HTTP 400, 401 or 403: wrong credentials) is remembered for
//!   [`REFUSAL_HOLD`], so callers meanwhile fail at once instead of asking again.
//! - **Invalidated by a 401**: [`TokenSource::invalidate`] drops the token a refused request
//!   carried (and only that one: a token already renewed by another caller is kept).
//! - **Secret**: tokens are [`Secret`]s, and every token obtained is recorded in a
//!   [`SecretLog`], so a redactor can hide renewed tokens as well as the first.
//!
//! Time is tokio's (`tokio::time::Instant`), so tests run the renewal on a paused clock.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;

use tokio::time::Instant;

use crate::{ConfigError, Secret};

/// The most time before expiry at which a token is renewed (a tenth of its lifetime when that
/// is less): a 14-day VEO token is renewed 5 minutes before it expires.
pub const MAX_RENEWAL_MARGIN: Duration = Duration::from_secs(5 * 60);

/// How long a refused sign-in (wrong credentials) is remembered: meanwhile every caller gets
/// the same error at once, and the token server is not asked again.
pub const REFUSAL_HOLD: Duration = Duration::from_secs(60);

/// How many tokens a [`SecretLog`] keeps (the most recent ones).
pub const SECRET_LOG_CAPACITY: usize = 256;

/// What every [`SignInError`]'s text starts with, so that a layer above can tell a failed
/// sign-in from other failures of a request.
pub const SIGN_IN_FAILED: &str = "sign-in failed";

/// What an OAuth2 password grant takes: the account's username and password, and the client id
/// the vendor gave the integration (VEO's `roster_veo::Credentials`, and what the facade's
/// `SignIn` holds). `Debug` shows the username and client id, never the password.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordGrant {
    /// The user name of the account that signs in (an organisation administrator, to manage
    /// its users).
    pub username: String,
    /// Its password.
    pub password: Secret,
    /// The client id the vendor gave your integration.
    pub client_id: String,
}

impl PasswordGrant {
    /// The three values a password grant takes.
    pub fn new(
        username: impl Into<String>,
        password: impl Into<Secret>,
        client_id: impl Into<String>,
    ) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
            client_id: client_id.into(),
        }
    }

    /// Refuses a grant with an empty username, password or client id (it could never sign in).
    ///
    /// # Errors
    /// [`ConfigError::InvalidCredentials`], naming the empty value (never the password).
    pub fn check(&self) -> Result<(), ConfigError> {
        let empty = |reason| Err(ConfigError::InvalidCredentials { reason });
        if self.username.trim().is_empty() {
            return empty("the username is empty");
        }
        if self.password.expose().is_empty() {
            return empty("the password is empty");
        }
        if self.client_id.trim().is_empty() {
            return empty("the client id is empty");
        }
        Ok(())
    }
}

impl fmt::Debug for PasswordGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordGrant")
            .field("username", &self.username)
            .field("password", &self.password)
            .field("client_id", &self.client_id)
            .finish()
    }
}

/// Whether `text` is a [`SignInError`]'s (as a layer above receives it, through the generated
/// client's error) for a refusal of the credentials — the token endpoint answered 400, 401 or
/// 403 ([`SignInError::is_refusal`]) — rather than a failure that may pass (a 5xx, no
/// connection). Written beside the `Display` it reads.
pub fn sign_in_refused(text: &str) -> bool {
    let Some(rest) = text.strip_prefix(SIGN_IN_FAILED) else {
        return false;
    };
    // `sign-in failed at <endpoint>: HTTP <status>: <reason>`; the endpoint holds no spaces.
    let status = rest
        .strip_prefix(" at ")
        .and_then(|rest| rest.split_once(": HTTP "))
        .and_then(|(_, rest)| rest.get(..3))
        .and_then(|status| status.parse::<u16>().ok());
    matches!(status, Some(400 | 401 | 403))
}

/// A token as a sign-in answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The token.
    pub token: Secret,
    /// How long it is valid from when it was asked for; `None` when the server did not say.
    pub lifetime: Option<Duration>,
}

/// Why a sign-in failed: the token endpoint, its HTTP status when it answered, and the reason.
/// Never holds the password or a token (whoever builds one leaves them out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInError {
    endpoint: String,
    status: Option<u16>,
    reason: String,
}

impl SignInError {
    /// A failed sign-in at `endpoint` (`POST https://host/oauth2/token`), with the HTTP status
    /// when the server answered one, and the reason in words.
    pub fn new(
        endpoint: impl Into<String>,
        status: Option<u16>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            endpoint: endpoint.into(),
            status,
            reason: reason.into(),
        }
    }

    /// The token endpoint.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The token endpoint's HTTP status, when it answered with an error.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// What went wrong.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// Whether the server refused the credentials (HTTP 400, 401 or 403): asking again with
    /// the same ones would be refused again.
    pub fn is_refusal(&self) -> bool {
        matches!(self.status, Some(400 | 401 | 403))
    }
}

impl fmt::Display for SignInError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SIGN_IN_FAILED} at {}: ", self.endpoint)?;
        match self.status {
            Some(status) => write!(f, "HTTP {status}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

impl std::error::Error for SignInError {}

/// Every token a [`TokenSource`] obtained (the most recent [`SECRET_LOG_CAPACITY`]), shared:
/// what a redactor hides besides the secrets it was configured with. Cheap to clone; clones
/// share the record. `Debug` shows only how many there are.
#[derive(Clone, Default)]
pub struct SecretLog(Arc<RwLock<Vec<Secret>>>);

impl SecretLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `secret` (dropping the oldest beyond [`SECRET_LOG_CAPACITY`]).
    pub fn record(&self, secret: Secret) {
        let mut all = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if all.contains(&secret) {
            return;
        }
        if all.len() == SECRET_LOG_CAPACITY {
            all.remove(0);
        }
        all.push(secret);
    }

    /// The secrets recorded, oldest first.
    pub fn secrets(&self) -> Vec<Secret> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many secrets are recorded.
    pub fn len(&self) -> usize {
        self.0.read().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for SecretLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretLog({} recorded)", self.len())
    }
}

/// The future a sign-in call returns.
pub type SignInFuture = Pin<Box<dyn Future<Output = Result<IssuedToken, SignInError>> + Send>>;

/// A token obtained by signing in, cached and renewed (see the module docs). Cheap to clone;
/// clones share the token and the renewal.
#[derive(Clone)]
pub struct TokenSource {
    inner: Arc<Inner>,
}

struct Inner {
    /// Shown in `Debug`: where the token comes from.
    endpoint: String,
    sign_in: Box<dyn Fn() -> SignInFuture + Send + Sync>,
    /// Held for the whole of a sign-in: the one renewal in flight.
    renewal: tokio::sync::Mutex<()>,
    state: Mutex<State>,
    log: SecretLog,
}

#[derive(Default)]
struct State {
    current: Option<Current>,
    /// Sign-ins started so far.
    attempts: u64,
    failure: Option<Failure>,
}

struct Current {
    token: Secret,
    /// When to sign in again; `None`: until a server refuses the token.
    renew_at: Option<Instant>,
}

struct Failure {
    /// The sign-in (a value of `attempts`) that failed.
    attempt: u64,
    error: SignInError,
    /// Until when the failure is answered without asking again (a refusal).
    hold_until: Option<Instant>,
}

impl State {
    fn fresh(&self, now: Instant) -> Option<Secret> {
        self.current
            .as_ref()
            .filter(|c| c.renew_at.is_none_or(|at| now < at))
            .map(|c| c.token.clone())
    }
}

/// When to renew a token valid for `lifetime` from `asked`: a tenth of the lifetime (at most
/// [`MAX_RENEWAL_MARGIN`]) before it expires; `None` when that instant cannot be represented.
fn renewal_instant(asked: Instant, lifetime: Duration) -> Option<Instant> {
    let margin = (lifetime / 10).min(MAX_RENEWAL_MARGIN);
    asked.checked_add(lifetime - margin)
}

impl TokenSource {
    /// A source that signs in by calling `sign_in` (at most one call in flight), recording
    /// every token it obtains in `log`. `endpoint` names the token endpoint in `Debug` output.
    pub fn new<F, Fut>(endpoint: impl Into<String>, log: SecretLog, sign_in: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<IssuedToken, SignInError>> + Send + 'static,
    {
        Self {
            inner: Arc::new(Inner {
                endpoint: endpoint.into(),
                sign_in: Box::new(move || Box::pin(sign_in()) as SignInFuture),
                renewal: tokio::sync::Mutex::new(()),
                state: Mutex::new(State::default()),
                log,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The token endpoint this source signs in at.
    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint
    }

    /// Every token obtained so far.
    pub fn log(&self) -> &SecretLog {
        &self.inner.log
    }

    /// A token that is not due for renewal: the cached one, or a new one from a sign-in
    /// (shared with every caller waiting meanwhile).
    ///
    /// # Errors
    /// The [`SignInError`] of the sign-in this call waited for or made, or of a refusal less
    /// than [`REFUSAL_HOLD`] old.
    pub async fn token(&self) -> Result<Secret, SignInError> {
        let seen = {
            let state = self.state();
            if let Some(token) = state.fresh(Instant::now()) {
                return Ok(token);
            }
            state.attempts
        };
        let _renewal = self.inner.renewal.lock().await;
        let attempt = {
            let mut state = self.state();
            let now = Instant::now();
            if let Some(token) = state.fresh(now) {
                return Ok(token);
            }
            if let Some(failure) = &state.failure {
                // A sign-in that started while this caller waited failed: its error is the
                // answer (one attempt for every concurrent caller). A refusal holds longer.
                let shared = failure.attempt > seen;
                if shared || failure.hold_until.is_some_and(|until| now < until) {
                    return Err(failure.error.clone());
                }
            }
            state.attempts += 1;
            state.attempts
        };
        let asked = Instant::now();
        let result = (self.inner.sign_in)().await;
        let mut state = self.state();
        match result {
            Ok(issued) => {
                self.inner.log.record(issued.token.clone());
                state.current = Some(Current {
                    token: issued.token.clone(),
                    renew_at: issued
                        .lifetime
                        .and_then(|lifetime| renewal_instant(asked, lifetime)),
                });
                state.failure = None;
                Ok(issued.token)
            }
            Err(error) => {
                let hold_until = error
                    .is_refusal()
                    .then(|| Instant::now().checked_add(REFUSAL_HOLD))
                    .flatten();
                state.failure = Some(Failure {
                    attempt,
                    error: error.clone(),
                    hold_until,
                });
                Err(error)
            }
        }
    }

    /// A server refused `used` (a 401): it is dropped if it is still the cached token, so the
    /// next [`TokenSource::token`] signs in again. A token another caller already renewed is
    /// kept: many requests refused at once cost one sign-in.
    pub fn invalidate(&self, used: &str) {
        let mut state = self.state();
        if state
            .current
            .as_ref()
            .is_some_and(|c| c.token.expose() == used)
        {
            state.current = None;
        }
    }
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("TokenSource")
            .field("endpoint", &self.inner.endpoint)
            .field("token", &state.current.as_ref().map(|_| "<redacted>"))
            .field("sign_ins", &state.attempts)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[test]
    fn a_refusal_is_told_from_a_failure_that_may_pass_by_the_text_alone() {
        let endpoint = "POST https://tokenapi.veo.co.uk/oauth2/token";
        for (status, refused) in [
            (Some(400), true),
            (Some(401), true),
            (Some(403), true),
            (Some(503), false),
            (Some(429), false),
            (None, false),
        ] {
            let error = SignInError::new(endpoint, status, "{\"error\":\"invalid_grant\"}");
            assert_eq!(error.is_refusal(), refused, "{status:?}");
            assert_eq!(sign_in_refused(&error.to_string()), refused, "{error}");
        }
        assert!(!sign_in_refused("vyte list_users: HTTP 401 Unauthorized"));
        assert!(!sign_in_refused("sign-in failed"));
    }

    /// A source whose sign-ins answer `tok-1`, `tok-2`, ... valid for `lifetime`, each after
    /// `delay`; and how many sign-ins it made.
    fn counting(lifetime: Option<Duration>, delay: Duration) -> (TokenSource, Arc<AtomicU32>) {
        let calls = Arc::new(AtomicU32::new(0));
        let counter = calls.clone();
        let source = TokenSource::new("POST test/token", SecretLog::new(), move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            async move {
                tokio::time::sleep(delay).await;
                Ok(IssuedToken {
                    token: Secret::new(format!("tok-{n}")),
                    lifetime,
                })
            }
        });
        (source, calls)
    }

    /// `n` tasks asking `source` for a token at the same time; their answers.
    async fn concurrently(n: usize, source: &TokenSource) -> Vec<Result<Secret, SignInError>> {
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let source = source.clone();
                tokio::spawn(async move { source.token().await })
            })
            .collect();
        let mut out = Vec::new();
        for task in tasks {
            out.push(task.await.expect("the task ran"));
        }
        out
    }

    #[tokio::test(start_paused = true)]
    async fn a_token_is_kept_then_renewed_shortly_before_it_expires() {
        let (source, calls) = counting(Some(Duration::from_secs(100)), Duration::ZERO);
        assert_eq!(source.token().await.expect("signed in").expose(), "tok-1");
        tokio::time::advance(Duration::from_secs(89)).await;
        assert_eq!(source.token().await.expect("cached").expose(), "tok-1");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // 10 s (a tenth of the lifetime) before expiry, the next caller signs in again.
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(source.token().await.expect("renewed").expose(), "tok-2");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(
            source.log().secrets(),
            [Secret::from("tok-1"), Secret::from("tok-2")]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_long_lifetime_is_renewed_five_minutes_early_and_an_unknown_one_never() {
        let fourteen_days = Duration::from_secs(1_209_599);
        let (source, calls) = counting(Some(fourteen_days), Duration::ZERO);
        source.token().await.expect("signed in");
        tokio::time::advance(fourteen_days - MAX_RENEWAL_MARGIN - Duration::from_secs(1)).await;
        source.token().await.expect("cached");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        tokio::time::advance(Duration::from_secs(1)).await;
        source.token().await.expect("renewed");
        assert_eq!(calls.load(Ordering::SeqCst), 2);

        let (source, calls) = counting(None, Duration::ZERO);
        source.token().await.expect("signed in");
        tokio::time::advance(Duration::from_secs(365 * 86_400)).await;
        source.token().await.expect("cached");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn twenty_concurrent_callers_share_one_sign_in() {
        let (source, calls) = counting(Some(Duration::from_secs(100)), Duration::from_secs(1));
        let tokens = concurrently(20, &source).await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(
            tokens
                .iter()
                .all(|t| t.as_ref().expect("ok").expose() == "tok-1")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_refused_token_is_dropped_once_however_many_requests_report_it() {
        let (source, calls) = counting(None, Duration::ZERO);
        let first = source.token().await.expect("signed in");
        source.invalidate(first.expose());
        let second = source.token().await.expect("renewed");
        assert_eq!(second.expose(), "tok-2");
        // Other requests refused with the first token report it late: the new one stays.
        source.invalidate(first.expose());
        source.invalidate("not-a-token-of-ours");
        assert_eq!(source.token().await.expect("cached").expose(), "tok-2");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_is_shared_by_concurrent_callers_and_a_refusal_is_held() {
        let calls = Arc::new(AtomicU32::new(0));
        let counter = calls.clone();
        let source = TokenSource::new("POST test/token", SecretLog::new(), move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async {
                tokio::time::sleep(Duration::from_secs(1)).await;
                Err(SignInError::new(
                    "POST test/token",
                    Some(400),
                    r#"{"error":"invalid_grant"}"#,
                ))
            }
        });
        let results = concurrently(5, &source).await;
        assert_eq!(calls.load(Ordering::SeqCst), 1, "one attempt for all five");
        for result in &results {
            let error = result.as_ref().expect_err("refused");
            assert_eq!(
                error.to_string(),
                r#"sign-in failed at POST test/token: HTTP 400: {"error":"invalid_grant"}"#
            );
            assert!(error.is_refusal());
        }
        // Within the hold: answered without asking; after it: asked again.
        tokio::time::advance(REFUSAL_HOLD - Duration::from_secs(2)).await;
        source.token().await.expect_err("held");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        tokio::time::advance(Duration::from_secs(2)).await;
        source.token().await.expect_err("asked again");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_transient_failure_is_not_held() {
        let calls = Arc::new(AtomicU32::new(0));
        let counter = calls.clone();
        let source = TokenSource::new("POST test/token", SecretLog::new(), move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    Err(SignInError::new("POST test/token", Some(503), "busy"))
                } else {
                    Ok(IssuedToken {
                        token: Secret::from("tok-ok"),
                        lifetime: None,
                    })
                }
            }
        });
        source.token().await.expect_err("503");
        assert_eq!(source.token().await.expect("retried").expose(), "tok-ok");
    }

    #[test]
    fn debug_and_the_log_never_show_a_token() {
        let log = SecretLog::new();
        log.record(Secret::from("tok-secret-1"));
        log.record(Secret::from("tok-secret-1"));
        assert_eq!(log.len(), 1);
        assert_eq!(format!("{log:?}"), "SecretLog(1 recorded)");
        let (source, _) = counting(None, Duration::ZERO);
        let text = format!("{source:?}");
        assert!(text.contains("POST test/token"), "{text}");
        for i in 0..SECRET_LOG_CAPACITY + 3 {
            log.record(Secret::new(format!("t{i}")));
        }
        assert_eq!(log.len(), SECRET_LOG_CAPACITY);
        assert!(!log.secrets().contains(&Secret::from("tok-secret-1")));
    }

    #[test]
    fn a_huge_lifetime_never_overflows() {
        let now = Instant::now();
        assert!(renewal_instant(now, Duration::from_secs(u64::MAX)).is_none());
        assert_eq!(
            renewal_instant(now, Duration::from_secs(100)),
            Some(now + Duration::from_secs(90))
        );
    }
}
