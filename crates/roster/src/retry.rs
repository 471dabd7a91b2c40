//! Resilience, written once, around every generated call.
//!
//! progenitor never retries, and reqwest-middleware cannot wrap its client (its request hook
//! must return `reqwest::Error`; upstream closed the middleware proposals), so this small layer
//! does, in the AWS SDK's "standard" way:
//!
//! - up to [`RetryPolicy::max_attempts`] attempts, with full-jitter exponential backoff;
//! - only for [`Idempotency::Idempotent`] calls, on transient failures (connection errors,
//!   timeouts, 408, 429, 5xx); a non-idempotent call (a create) is retried only when the
//!   connection was never made, so it can never run twice — the provisioner looks up before it
//!   creates instead;
//! - `Retry-After` (seconds or HTTP-date) is honoured: the wait is at least what the vendor
//!   asked, and a vendor asking for more than [`RetryPolicy::max_retry_after`] is not retried;
//! - a [`RetryBudget`] shared by all calls stops retry storms when a vendor is down;
//! - waiting goes through a [`Sleeper`], so tests record the delays instead of sleeping.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use progenitor_client::{Error as ClientError, ResponseValue};
use roster_runtime::Operation;

use crate::circuit::Circuits;
use crate::error::{Error, ErrorKind, Vendor};
use crate::redact::Redactor;

/// Whether running a call twice is harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Reads, updates to a given state, deletes: retried on transient failures.
    Idempotent,
    /// Creates: retried only when the request was never sent (connection failure).
    NotIdempotent,
}

/// How often and how patiently to retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (AWS standard mode: 3).
    pub max_attempts: u32,
    /// The backoff before the first retry; doubled for each further one.
    pub base_delay: Duration,
    /// The longest backoff.
    pub max_delay: Duration,
    /// The longest `Retry-After` that is waited for; a vendor asking for more is not retried.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

/// A retry budget shared by every call of a provisioner (the AWS SDK's retry quota): each
/// retry spends tokens (more after a timeout), each success gives one back; with the budget
/// spent, failures are returned at once instead of retried.
#[derive(Debug)]
pub struct RetryBudget {
    tokens: AtomicU32,
    capacity: u32,
}

impl RetryBudget {
    /// Tokens a retry costs.
    pub const RETRY_COST: u32 = 5;
    /// Tokens a retry after a timeout costs.
    pub const TIMEOUT_COST: u32 = 10;

    /// A full budget of `capacity` tokens (AWS: 500).
    pub fn new(capacity: u32) -> Self {
        Self {
            tokens: AtomicU32::new(capacity),
            capacity,
        }
    }

    /// Tokens left.
    pub fn available(&self) -> u32 {
        self.tokens.load(Ordering::Relaxed)
    }

    fn try_spend(&self, cost: u32) -> bool {
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .is_ok()
    }

    fn refund(&self, amount: u32) {
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                Some(t.saturating_add(amount).min(self.capacity))
            });
    }
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self::new(500)
    }
}

/// Waits between attempts. The default is tokio's timer; tests pass one that records the
/// delays and returns at once.
pub trait Sleeper: Send + Sync + fmt::Debug {
    /// Waits `delay`.
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// [`Sleeper`] on tokio's timer.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(delay))
    }
}

/// The retry layer: a policy, a shared budget and a sleeper. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Resilience {
    policy: RetryPolicy,
    budget: Arc<RetryBudget>,
    sleeper: Arc<dyn Sleeper>,
    jitter: Arc<AtomicU64>,
    redactor: Redactor,
    circuits: Option<Arc<Circuits>>,
}

impl Default for Resilience {
    fn default() -> Self {
        Self::new(RetryPolicy::default(), Arc::new(RetryBudget::default()))
    }
}

impl Resilience {
    /// A layer with `policy`, spending from `budget`, sleeping on tokio's timer.
    pub fn new(policy: RetryPolicy, budget: Arc<RetryBudget>) -> Self {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0x9E37_79B9_7F4A_7C15, |d| d.as_nanos() as u64)
            | 1;
        Self {
            policy,
            budget,
            sleeper: Arc::new(TokioSleeper),
            jitter: Arc::new(AtomicU64::new(seed)),
            redactor: Redactor::default(),
            circuits: None,
        }
    }

    /// The same layer waiting through `sleeper` (tests).
    pub fn with_sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = sleeper;
        self
    }

    /// The same layer redacting every vendor text of its errors through `redactor` (the
    /// provisioner passes one that knows the configured secrets).
    pub fn with_redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = redactor;
        self
    }

    /// The same layer with a vendor-level circuit breaker: once a call to a vendor fails in a
    /// way that concerns the whole vendor ([`Error::is_vendor_wide`]: credentials refused, no
    /// connection), every later call to that vendor through this layer (and its clones) fails
    /// at once with that error, without being sent. The provisioner turns it on: one bad token
    /// then costs one call, not one per member.
    pub fn with_circuit_breaker(mut self) -> Self {
        self.circuits = Some(Arc::new(Circuits::default()));
        self
    }

    /// The error that stopped all calls to `vendor`, when the circuit breaker is on and tripped.
    pub fn tripped(&self, vendor: Vendor) -> Option<Error> {
        self.circuits.as_ref()?.tripped(vendor).cloned()
    }

    /// Trips `vendor`'s circuit with `error` (a call every member depends on failed).
    #[cfg_attr(not(any(feature = "vectera", feature = "veo")), allow(dead_code))]
    pub(crate) fn trip(&self, error: &Error) {
        if let Some(circuits) = &self.circuits {
            circuits.trip(error);
        }
    }

    /// Waits before attempt `attempt + 1` of a call that failed with `error` and that the
    /// caller will make safe to repeat itself (a batch create re-checked by a listing first):
    /// as long as [`Resilience::call`] would for an idempotent call (`Retry-After` honoured,
    /// backoff, the shared budget spent). `false`: do not try again.
    #[cfg_attr(not(feature = "vyte"), allow(dead_code))]
    pub(crate) async fn pause_before_retry(&self, error: &Error, attempt: u32) -> bool {
        let Some(delay) = self.retry_delay(error, Idempotency::Idempotent, attempt) else {
            return false;
        };
        let cost = if error.kind() == ErrorKind::Timeout {
            RetryBudget::TIMEOUT_COST
        } else {
            RetryBudget::RETRY_COST
        };
        if !self.budget.try_spend(cost) {
            return false;
        }
        tracing::info!(
            vendor = %error.vendor(),
            operation = error.operation(),
            attempt,
            status = error.status().map(|s| s.as_u16()),
            delay_ms = delay.as_millis() as u64,
            "retrying a transient failure of a batch after checking what it did"
        );
        self.sleeper.sleep(delay).await;
        true
    }

    /// The redactor every error's vendor text passes through.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The policy in force.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// The shared budget.
    pub fn budget(&self) -> &RetryBudget {
        &self.budget
    }

    /// Runs a generated call (`|| client.get_user().id(..).send()`) with retries, returning its
    /// value or one [`Error`] that names the vendor, the operation and the attempts made.
    ///
    /// # Errors
    /// The last attempt's failure, or the first one that is not worth retrying.
    pub async fn call<T, E, F, Fut>(
        &self,
        vendor: Vendor,
        operation: &'static str,
        idempotency: Idempotency,
        mut send: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, ClientError<E>>>,
        E: serde::Serialize,
    {
        if let Some(error) = self.tripped(vendor) {
            return Err(error);
        }
        let mut attempt = 1;
        let mut spent = 0;
        loop {
            let error = match send().await {
                Ok(value) => {
                    self.budget.refund(spent.max(1));
                    return Ok(value.into_inner());
                }
                Err(e) => Error::from_client(vendor, operation, e, &self.redactor)
                    .await
                    .with_attempts(attempt),
            };
            let Some(delay) = self.retry_delay(&error, idempotency, attempt) else {
                if let Some(circuits) = &self.circuits {
                    circuits.observe(&error);
                }
                return Err(error);
            };
            let cost = if error.kind() == ErrorKind::Timeout {
                RetryBudget::TIMEOUT_COST
            } else {
                RetryBudget::RETRY_COST
            };
            if !self.budget.try_spend(cost) {
                tracing::warn!(%vendor, operation, attempt, "retry budget spent; not retrying");
                if let Some(circuits) = &self.circuits {
                    circuits.observe(&error);
                }
                return Err(error);
            }
            spent += cost;
            tracing::info!(
                %vendor,
                operation,
                attempt,
                status = error.status().map(|s| s.as_u16()),
                delay_ms = delay.as_millis() as u64,
                "retrying a transient failure"
            );
            self.sleeper.sleep(delay).await;
            attempt += 1;
        }
    }

    /// [`Resilience::call`] for an operation the vendor crate describes
    /// (`roster::vyte::operations::LIST_USERS`): its name and whether it is retried come from
    /// the spec (the HTTP method, or the spec's `x-roster-idempotent`), not from the caller.
    ///
    /// # Errors
    /// As [`Resilience::call`].
    pub async fn run<T, E, F, Fut>(
        &self,
        vendor: Vendor,
        operation: Operation,
        send: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, ClientError<E>>>,
        E: serde::Serialize,
    {
        let idempotency = if operation.idempotent {
            Idempotency::Idempotent
        } else {
            Idempotency::NotIdempotent
        };
        self.call(vendor, operation.id, idempotency, send).await
    }

    /// How long to wait before the next attempt, or `None` to give up.
    fn retry_delay(
        &self,
        error: &Error,
        idempotency: Idempotency,
        attempt: u32,
    ) -> Option<Duration> {
        if attempt >= self.policy.max_attempts || !error.is_transient() {
            return None;
        }
        if idempotency == Idempotency::NotIdempotent && error.kind() != ErrorKind::Connect {
            return None;
        }
        let backoff = self.backoff(attempt);
        match error.retry_after() {
            Some(asked) if asked > self.policy.max_retry_after => None,
            Some(asked) => Some(asked.max(backoff)),
            None => Some(backoff),
        }
    }

    /// Full jitter: uniform in `[0, min(max_delay, base * 2^(attempt-1))]`.
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .policy
            .base_delay
            .saturating_mul(1 << (attempt - 1).min(20))
            .min(self.policy.max_delay);
        let nanos = ceiling.as_nanos() as u64;
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(self.next_random() % (nanos + 1))
    }

    /// xorshift64*: jitter needs spread, not cryptographic quality.
    fn next_random(&self) -> u64 {
        let mut x = self.jitter.load(Ordering::Relaxed);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.jitter.store(x, Ordering::Relaxed);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use reqwest::StatusCode;
    use reqwest::header::HeaderMap;

    use super::*;

    /// Waits for nothing.
    #[derive(Debug)]
    struct NoWait;

    impl Sleeper for NoWait {
        fn sleep(&self, _delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
            Box::pin(async {})
        }
    }

    /// Runs `operation` against a vendor that always answers 503; the attempts made and the
    /// error.
    async fn always_503(operation: Operation) -> (usize, Error) {
        let attempts = AtomicUsize::new(0);
        let resilience = Resilience::default().with_sleeper(Arc::new(NoWait));
        let error = resilience
            .run(Vendor::Veo, operation, || {
                attempts.fetch_add(1, Ordering::Relaxed);
                async {
                    Err::<ResponseValue<()>, _>(ClientError::ErrorResponse(ResponseValue::new(
                        serde_json::json!({"Message": "busy"}),
                        StatusCode::SERVICE_UNAVAILABLE,
                        HeaderMap::new(),
                    )))
                }
            })
            .await
            .expect_err("always 503");
        (attempts.into_inner(), error)
    }

    #[tokio::test]
    async fn run_takes_the_name_and_the_retry_decision_from_the_operation() {
        let (attempts, error) = always_503(Operation {
            id: "invite_users",
            idempotent: true,
        })
        .await;
        assert_eq!(attempts, 3, "an idempotent operation is retried");
        assert_eq!(error.operation(), "invite_users");
        assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));

        let (attempts, error) = always_503(Operation {
            id: "create_user",
            idempotent: false,
        })
        .await;
        assert_eq!(attempts, 1, "a 503 on a create is not retried");
        assert_eq!(error.operation(), "create_user");
    }
}
