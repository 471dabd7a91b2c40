//! One error type for every vendor call: vendor, operation, HTTP status and the vendor's
//! error body — and never a secret.

use std::fmt;
use std::time::{Duration, SystemTime};

use progenitor_client::Error as ClientError;

/// The vendors Roster talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Vendor {
    /// Vectera (meeting rooms).
    Vectera,
    /// Vyte (scheduling).
    Vyte,
    /// VEO (video coaching).
    Veo,
}

impl Vendor {
    /// Every vendor, in a stable order.
    pub const ALL: [Vendor; 3] = [Vendor::Vectera, Vendor::Vyte, Vendor::Veo];

    /// The lower-case name (`vectera`), as in crate names and environment variables.
    pub const fn name(self) -> &'static str {
        match self {
            Vendor::Vectera => "vectera",
            Vendor::Vyte => "vyte",
            Vendor::Veo => "veo",
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The vendor answered with an error status (see [`Error::status`] and [`Error::body`]).
    Status,
    /// No answer in time.
    Timeout,
    /// The connection could not be made (the request was not sent).
    Connect,
    /// Another transport failure after the request may have been sent.
    Transport,
    /// An answer whose body is not what the spec says (wrong shape, truncated, not JSON).
    InvalidResponse,
    /// The request could not be built from the input (a missing required field, ...).
    InvalidRequest,
}

/// Bytes of a vendor's error body kept in an [`Error`].
pub const MAX_BODY: usize = 2048;

/// A failed vendor call.
///
/// Display reads `vyte create_user: HTTP 400 Bad Request: {"message":"Invalid email"}`. It
/// carries no request URL (query strings may hold search terms), no request headers and no
/// secret; the response body is the vendor's own error text, cut at [`MAX_BODY`] bytes.
///
/// One pointer wide: an [`Outcome`](crate::Outcome) holding it stays two words, so reports of
/// a 100,000-member run stay small.
#[derive(Debug, Clone)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Debug, Clone)]
struct Inner {
    vendor: Vendor,
    operation: &'static str,
    kind: ErrorKind,
    status: Option<reqwest::StatusCode>,
    body: Option<String>,
    retry_after: Option<Duration>,
    message: String,
    attempts: u32,
}

impl Error {
    /// The vendor called.
    pub fn vendor(&self) -> Vendor {
        self.inner.vendor
    }

    /// The operation (the spec's operationId, e.g. `create_user`).
    pub fn operation(&self) -> &'static str {
        self.inner.operation
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The HTTP status, when the vendor answered.
    pub fn status(&self) -> Option<reqwest::StatusCode> {
        self.inner.status
    }

    /// The vendor's error body (JSON text when it sent JSON), when it sent one.
    pub fn body(&self) -> Option<&str> {
        self.inner.body.as_deref()
    }

    /// How long the vendor asked to wait (`Retry-After`), when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// How many attempts were made before giving up.
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }

    /// Whether trying again could succeed: connection failures, timeouts, 408, 429 and 5xx, and
    /// bodies that do not parse (progenitor reports an HTML 5xx page that way, without its
    /// status).
    pub fn is_transient(&self) -> bool {
        match self.inner.kind {
            ErrorKind::Timeout | ErrorKind::Connect | ErrorKind::Transport => true,
            ErrorKind::InvalidResponse => self.inner.status.is_none_or(|s| s.is_server_error()),
            ErrorKind::Status => self.inner.status.is_some_and(|s| {
                s == reqwest::StatusCode::REQUEST_TIMEOUT
                    || s == reqwest::StatusCode::TOO_MANY_REQUESTS
                    || s.is_server_error()
            }),
            ErrorKind::InvalidRequest => false,
        }
    }

    /// Reads a generated client's error into this type (reading the body of an undocumented
    /// answer, which is why it is async).
    pub async fn from_client<E: serde::Serialize>(
        vendor: Vendor,
        operation: &'static str,
        error: ClientError<E>,
    ) -> Self {
        let mut out = Inner {
            vendor,
            operation,
            kind: ErrorKind::InvalidResponse,
            status: None,
            body: None,
            retry_after: None,
            message: String::new(),
            attempts: 1,
        };
        match error {
            ClientError::ErrorResponse(response) => {
                out.kind = ErrorKind::Status;
                out.status = Some(response.status());
                out.retry_after =
                    roster_runtime::retry_after(response.headers(), SystemTime::now());
                out.body = serde_json::to_string(&response.into_inner())
                    .ok()
                    .map(truncate);
            }
            ClientError::UnexpectedResponse(response) => {
                out.kind = ErrorKind::Status;
                out.status = Some(response.status());
                out.retry_after =
                    roster_runtime::retry_after(response.headers(), SystemTime::now());
                out.message = "an answer the spec does not document".into();
                out.body = read_capped(response).await;
            }
            ClientError::CommunicationError(e) | ClientError::ResponseBodyError(e) => {
                out.kind = if e.is_timeout() {
                    ErrorKind::Timeout
                } else if e.is_connect() {
                    ErrorKind::Connect
                } else if e.is_decode() || e.is_body() {
                    ErrorKind::InvalidResponse
                } else {
                    ErrorKind::Transport
                };
                out.status = e.status();
                out.message = e.without_url().to_string();
            }
            ClientError::InvalidResponsePayload(bytes, e) => {
                out.message = format!("the body does not match the spec: {e}");
                out.body = Some(truncate(String::from_utf8_lossy(&bytes).into_owned()));
            }
            ClientError::InvalidUpgrade(e) => out.message = e.without_url().to_string(),
            ClientError::InvalidRequest(message) => {
                out.kind = ErrorKind::InvalidRequest;
                out.message = message;
            }
            ClientError::Custom(message) => out.message = message,
        }
        Error {
            inner: Box::new(out),
        }
    }
}

/// Reads at most [`MAX_BODY`] bytes (plus one, to know it was cut) of an undocumented answer's
/// body: a vendor's HTML error page of any size costs at most that much memory. `None` when
/// the body is empty or cannot be read.
async fn read_capped(mut response: reqwest::Response) -> Option<String> {
    let mut bytes = Vec::new();
    while bytes.len() <= MAX_BODY {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_BODY + 1 - bytes.len();
                bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) => break,
            Err(_) if !bytes.is_empty() => break,
            Err(_) => return None,
        }
    }
    Some(truncate(String::from_utf8_lossy(&bytes).into_owned())).filter(|b| !b.is_empty())
}

fn truncate(mut text: String) -> String {
    if text.len() > MAX_BODY {
        let mut cut = MAX_BODY;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: ", self.inner.vendor, self.inner.operation)?;
        match (self.inner.kind, self.inner.status) {
            (_, Some(status)) => write!(f, "HTTP {status}")?,
            (ErrorKind::Timeout, None) => f.write_str("timed out")?,
            (ErrorKind::Connect, None) => f.write_str("cannot connect")?,
            (ErrorKind::Transport, None) => f.write_str("transport error")?,
            (ErrorKind::InvalidResponse, None) => f.write_str("invalid response")?,
            (ErrorKind::InvalidRequest, None) => f.write_str("invalid request")?,
            (ErrorKind::Status, None) => f.write_str("error status")?,
        }
        if !self.inner.message.is_empty() {
            write!(f, " ({})", self.inner.message)?;
        }
        if let Some(body) = &self.inner.body {
            write!(f, ": {body}")?;
        }
        if self.inner.attempts > 1 {
            write!(f, " [after {} attempts]", self.inner.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl Error {
    /// An input Roster refused before sending anything (nothing reached the vendor).
    pub(crate) fn invalid_request(
        vendor: Vendor,
        operation: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Error {
            inner: Box::new(Inner {
                vendor,
                operation,
                kind: ErrorKind::InvalidRequest,
                status: None,
                body: None,
                retry_after: None,
                message: message.into(),
                attempts: 0,
            }),
        }
    }

    /// A vendor answer that succeeded but cannot be used (a missing id, an email in VEO's
    /// error list).
    pub(crate) fn unusable_answer(
        vendor: Vendor,
        operation: &'static str,
        message: impl Into<String>,
    ) -> Self {
        let mut error = Error::invalid_request(vendor, operation, message);
        error.inner.kind = ErrorKind::InvalidResponse;
        error.inner.attempts = 1;
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_is_one_pointer_and_an_outcome_two() {
        // Reports of big runs hold one Outcome per member and vendor: keep them small.
        assert_eq!(size_of::<Error>(), size_of::<usize>());
        assert!(size_of::<crate::Outcome>() <= 2 * size_of::<usize>());
    }

    #[test]
    fn a_refused_request_reads_well_and_an_unusable_answer_counts_one_attempt() {
        let e = Error::invalid_request(Vendor::Vyte, "create_user", "bad language");
        assert_eq!(
            e.to_string(),
            "vyte create_user: invalid request (bad language)"
        );
        assert_eq!((e.kind(), e.attempts()), (ErrorKind::InvalidRequest, 0));
        let e = Error::unusable_answer(Vendor::Veo, "invite_users", "no id");
        assert_eq!((e.kind(), e.attempts()), (ErrorKind::InvalidResponse, 1));
        assert!(e.is_transient());
    }
}
