//! One error type for every vendor call: vendor, operation, HTTP status and the vendor's
//! error body — and never a secret.

use std::fmt;
use std::time::{Duration, SystemTime};

use progenitor_client::Error as ClientError;

use crate::redact::Redactor;
pub use crate::vendors::Vendor;

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
    /// The client could not sign in to get a token (VEO's password grant): the token
    /// endpoint refused the credentials or failed. Nothing was sent to the API; the message
    /// names the token endpoint and its answer, never the password.
    SignIn,
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

    /// Whether the vendor refused the credentials: an API answer of 401 or 403, or a sign-in
    /// the token endpoint refused (400, 401 or 403 there). Not a sign-in that failed otherwise
    /// (the token endpoint down, no connection): that may pass.
    pub fn is_refused_credentials(&self) -> bool {
        matches!(self.inner.status.map(|s| s.as_u16()), Some(401 | 403))
            || (self.inner.kind == ErrorKind::SignIn
                && roster_runtime::sign_in_refused(&self.inner.message))
    }

    /// Whether trying again could succeed: connection failures, timeouts, transport failures
    /// (a body cut off mid-way), 408, 429 and 5xx. An answer that does not decode is not: the
    /// same bytes would come back (error bodies of any content type keep their status, see
    /// `roster_runtime::exec`), and a 4xx other than 408/429 never is, whatever its body.
    pub fn is_transient(&self) -> bool {
        match self.inner.kind {
            ErrorKind::Timeout | ErrorKind::Connect | ErrorKind::Transport => true,
            ErrorKind::Status => self.inner.status.is_some_and(|s| {
                s == reqwest::StatusCode::REQUEST_TIMEOUT
                    || s == reqwest::StatusCode::TOO_MANY_REQUESTS
                    || s.is_server_error()
            }),
            // A sign-in is already retried by the token source for every caller waiting on
            // it; a refusal would be refused again.
            ErrorKind::InvalidResponse | ErrorKind::InvalidRequest | ErrorKind::SignIn => false,
        }
    }

    /// Reads a generated client's error into this type (reading the body of an undocumented
    /// answer, which is why it is async). Every vendor text it keeps passes through
    /// `redactor` first.
    pub async fn from_client<E: serde::Serialize>(
        vendor: Vendor,
        operation: &'static str,
        error: ClientError<E>,
        redactor: &Redactor,
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
                out.body = serde_json::to_value(response.into_inner())
                    .ok()
                    .and_then(body_text);
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
                } else if e.is_decode() {
                    ErrorKind::InvalidResponse
                } else {
                    // Sent, then cut off (mid-body included): worth another try when idempotent.
                    ErrorKind::Transport
                };
                out.status = e.status();
                out.message = transport_message(e);
            }
            ClientError::InvalidResponsePayload(_, e) => {
                // The body is not quoted: it may hold a credential (a login URL, a sign-up link).
                out.message = format!("the answer does not match the spec: {}", describe(&e));
            }
            ClientError::InvalidUpgrade(e) => out.message = transport_message(e),
            ClientError::InvalidRequest(message) => {
                out.kind = ErrorKind::InvalidRequest;
                out.message = message;
            }
            // Only Roster's own hooks make these: an answer over the size cap, a failed sign-in.
            ClientError::Custom(message) => {
                if message.starts_with(roster_runtime::SIGN_IN_FAILED) {
                    out.kind = ErrorKind::SignIn;
                }
                out.message = message;
            }
        }
        out.message = redactor.clean(&out.message, MAX_BODY);
        out.body = out
            .body
            .map(|body| redactor.clean(&body, MAX_BODY))
            .filter(|b| !b.is_empty());
        Error {
            inner: Box::new(out),
        }
    }
}

/// An error body as text: a body that was not JSON reaches the facade as a JSON string of its
/// text (`roster_runtime::exec`), which is shown as that text; `null` (no body) as none.
fn body_text(json: serde_json::Value) -> Option<String> {
    match json {
        serde_json::Value::String(text) => Some(text),
        serde_json::Value::Null => None,
        json => Some(json.to_string()),
    }
}

/// A transport error in words: the host it concerned (never the path or query, which may hold
/// search terms or keys) and its cause chain (refused, DNS, TLS...).
fn transport_message(e: reqwest::Error) -> String {
    use std::error::Error as _;
    let host = e.url().and_then(|u| {
        let host = u.host_str()?;
        Some(match u.port_or_known_default() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        })
    });
    let e = e.without_url();
    let mut message = e.to_string();
    if let Some(host) = host {
        message.push_str(&format!(" ({host})"));
    }
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// A JSON decoding error without the values it quotes (`invalid type: string "...", expected
/// u64` names a value of the answer, which may be a secret): category, what was expected, where.
fn describe(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let mut out = String::with_capacity(text.len());
    let mut in_quotes = false;
    for c in text.chars() {
        match c {
            '"' if !in_quotes => {
                in_quotes = true;
                out.push_str("\"…");
            }
            '"' => in_quotes = false,
            _ if in_quotes => {}
            c => out.push(c),
        }
    }
    out
}

/// Reads an undocumented answer's body — already cut by the client's `exec` hook to the
/// runtime's error-body cap (`roster_runtime::Limits::max_error_bytes`), and turned into JSON
/// there when it was not — with a hard bound of its own. `None` when it is empty or unreadable.
async fn read_capped(mut response: reqwest::Response) -> Option<String> {
    const HARD_CAP: usize = 1 << 20;
    let mut bytes = Vec::new();
    while bytes.len() < HARD_CAP {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = HARD_CAP - bytes.len();
                bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) => break,
            Err(_) if !bytes.is_empty() => break,
            Err(_) => return None,
        }
    }
    match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(json) => body_text(json),
        Err(_) => Some(String::from_utf8_lossy(&bytes).into_owned()),
    }
    .filter(|b| !b.is_empty())
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: ", self.inner.vendor, self.inner.operation)?;
        if self.inner.kind == ErrorKind::SignIn {
            // `sign-in failed at POST <token endpoint>: HTTP 400: ...`, said once.
            f.write_str(&self.inner.message)?;
            if self.inner.attempts > 1 {
                write!(f, " [after {} attempts]", self.inner.attempts)?;
            }
            return Ok(());
        }
        match (self.inner.kind, self.inner.status) {
            (_, Some(status)) => write!(f, "HTTP {status}")?,
            (ErrorKind::Timeout, None) => f.write_str("timed out")?,
            (ErrorKind::Connect, None) => f.write_str("cannot connect")?,
            (ErrorKind::Transport, None) => f.write_str("transport error")?,
            (ErrorKind::InvalidResponse, None) => f.write_str("invalid response")?,
            (ErrorKind::InvalidRequest, None) => f.write_str("invalid request")?,
            (ErrorKind::Status, None) => f.write_str("error status")?,
            (ErrorKind::SignIn, None) => f.write_str("sign-in failed")?,
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
    fn decode_errors_never_quote_the_answer() {
        let e = serde_json::from_str::<u64>(r#""https://x/login/?token=abc""#).expect_err("bad");
        let text = describe(&e);
        assert!(!text.contains("abc"), "{text}");
        assert!(text.contains("invalid type: string"), "{text}");
        assert!(text.contains("line 1 column"), "{text}");
    }

    #[tokio::test]
    async fn a_failed_sign_in_reads_as_one_and_concerns_the_whole_vendor() {
        let redactor = Redactor::new(["pa55word"]);
        let message = roster_runtime::SignInError::new(
            "POST https://tokenapi.veo.co.uk/oauth2/token",
            Some(400),
            r#"{"error":"invalid_grant","password":"pa55word"}"#,
        )
        .to_string();
        let e = Error::from_client::<()>(
            Vendor::Veo,
            "get_me",
            ClientError::Custom(message),
            &redactor,
        )
        .await;
        assert_eq!(e.kind(), ErrorKind::SignIn);
        assert_eq!(
            e.to_string(),
            "veo get_me: sign-in failed at POST https://tokenapi.veo.co.uk/oauth2/token: \
             HTTP 400: {\"error\":\"invalid_grant\",\"password\":\"[redacted]\"}"
        );
        assert!(!e.is_transient());
        assert!(e.is_vendor_wide(), "every member needs the token");
        // Another message of the hooks stays what it was.
        let e = Error::from_client::<()>(
            Vendor::Veo,
            "get_me",
            ClientError::Custom("the answer is too large".into()),
            &redactor,
        )
        .await;
        assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    }

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
        // The same answer would come back: not worth another attempt.
        assert!(!e.is_transient());
    }
}
