//! Faults injected on demand: a status (429 with `Retry-After`, 500, …) or a slow answer.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::http::{Method, StatusCode};

/// What a matching request gets instead of (or before) the fake's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and the vendor's error body, optionally with `Retry-After`.
    Status {
        /// The status to answer with.
        status: StatusCode,
        /// The `Retry-After` header to send, if any.
        retry_after: Option<RetryAfter>,
    },
    /// Wait this long, then answer normally.
    Delay(Duration),
}

/// A `Retry-After` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryAfter {
    /// Delay-seconds.
    Seconds(u64),
    /// An HTTP-date.
    Date(SystemTime),
}

impl RetryAfter {
    pub(crate) fn header_value(&self) -> String {
        match self {
            RetryAfter::Seconds(s) => s.to_string(),
            RetryAfter::Date(at) => httpdate::fmt_http_date(*at),
        }
    }
}

/// Which requests a fault applies to, and how many times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// Only requests with this method (`None`: any).
    pub method: Option<Method>,
    /// Only routes starting with this (the spec's path template, e.g. `/v2/users`); `""`: any.
    pub path_prefix: String,
    /// What they get.
    pub fault: Fault,
    /// How many requests it applies to (`None`: every one until cleared).
    pub times: Option<usize>,
}

impl FaultRule {
    /// A rule for every request whose route starts with `path_prefix`, any method, forever.
    pub fn new(path_prefix: impl Into<String>, fault: Fault) -> Self {
        Self {
            method: None,
            path_prefix: path_prefix.into(),
            fault,
            times: None,
        }
    }

    /// Only requests with this method.
    pub fn method(mut self, method: Method) -> Self {
        self.method = Some(method);
        self
    }

    /// Only the next `n` matching requests.
    pub fn times(mut self, n: usize) -> Self {
        self.times = Some(n);
        self
    }
}

impl Fault {
    /// A status fault without `Retry-After`.
    pub fn status(status: u16) -> Self {
        Fault::Status {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            retry_after: None,
        }
    }

    /// A 429 with `Retry-After: <seconds>`.
    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        Fault::Status {
            status: StatusCode::TOO_MANY_REQUESTS,
            retry_after: Some(RetryAfter::Seconds(retry_after_secs)),
        }
    }
}

/// A vendor's active fault rules; the first matching rule applies.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    rules: Arc<Mutex<Vec<FaultRule>>>,
}

impl Faults {
    /// Adds a rule after the existing ones.
    pub fn inject(&self, rule: FaultRule) {
        self.rules.lock().expect("faults lock").push(rule);
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.rules.lock().expect("faults lock").clear();
    }

    /// The fault for a request, counting it against the rule's `times`.
    pub(crate) fn take(&self, method: &Method, route: &str) -> Option<Fault> {
        let mut rules = self.rules.lock().expect("faults lock");
        let index = rules.iter().position(|rule| {
            rule.method.as_ref().is_none_or(|m| m == method)
                && route.starts_with(&rule.path_prefix)
                && rule.times != Some(0)
        })?;
        let rule = &mut rules[index];
        let fault = rule.fault.clone();
        if let Some(times) = rule.times.as_mut() {
            *times -= 1;
            if *times == 0 {
                rules.remove(index);
            }
        }
        Some(fault)
    }
}
