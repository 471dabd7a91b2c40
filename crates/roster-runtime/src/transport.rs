//! Safe transport defaults: the HTTP client (rustls, no redirects, timeouts), base-URL
//! checks, and `Retry-After`.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How long establishing a connection (TCP + TLS) may take. Close to the AWS SDK's 3.1 s,
/// rounded up for slow links.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long one request may take from start to the end of its body.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A client could not be configured. Never carries a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The base URL does not parse or has parts a base URL must not have.
    #[error("invalid base URL {url:?}: {reason}")]
    InvalidBaseUrl {
        /// The URL as shown: scheme, host, port and path only (userinfo, a query and a
        /// fragment, which could hold a secret, are never echoed).
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The base URL is plain http to a host that is not loopback: the secret would travel in
    /// clear text.
    #[error(
        "refusing insecure base URL {url:?}: use https (plain http is allowed only for loopback hosts such as 127.0.0.1)"
    )]
    InsecureBaseUrl {
        /// The URL as shown (as for [`ConfigError::InvalidBaseUrl`]).
        url: String,
    },
    /// The secret cannot be used.
    #[error("invalid secret: {reason}")]
    InvalidSecret {
        /// Why (never the secret itself).
        reason: &'static str,
    },
    /// Sign-in credentials cannot be used (a username, password or client id is empty).
    #[error("invalid sign-in credentials: {reason}")]
    InvalidCredentials {
        /// What is wrong (never a value).
        reason: &'static str,
    },
    /// The HTTP client could not be built (e.g. TLS initialisation failed).
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
    /// TLS could not be set up (the platform's trust roots or the crypto provider).
    #[error("cannot set up TLS: {reason}")]
    Tls {
        /// What rustls or the platform verifier said.
        reason: String,
    },
}

/// The HTTP client every Roster vendor client uses unless given its own.
///
/// - TLS by rustls with the `ring` crypto provider and the platform's trust roots
///   (`rustls-platform-verifier`, as reqwest's own rustls default), enabled here on purpose:
///   progenitor's client crate turns reqwest's default features off, and the workspace builds
///   reqwest with `rustls-no-provider` so that no crate compiles aws-lc-rs (its C build was the
///   largest unit of a cold build). The provider is handed to this client only: no
///   process-wide default is installed.
/// - Redirects are not followed: a vendor API answering a redirect is an error to surface, and
///   following one could carry a secret header to another host.
/// - [`CONNECT_TIMEOUT`] and [`REQUEST_TIMEOUT`].
/// - `user_agent` names the calling crate and version.
///
/// # Errors
/// [`ConfigError::HttpClient`] when the TLS backend cannot be initialised.
pub fn http_client(user_agent: &str) -> Result<reqwest::Client, ConfigError> {
    http_client_with(user_agent, Some(CONNECT_TIMEOUT), Some(REQUEST_TIMEOUT))
}

/// [`http_client`] with other timeouts: `connect` bounds establishing a connection, `request`
/// one attempt from start to the end of its body; `None` leaves that bound off (tests on
/// tokio's paused clock, where a transport timer would fire while the socket is read).
///
/// # Errors
/// As [`http_client`].
pub fn http_client_with(
    user_agent: &str,
    connect: Option<Duration>,
    request: Option<Duration>,
) -> Result<reqwest::Client, ConfigError> {
    let mut builder = reqwest::Client::builder()
        .tls_backend_preconfigured(tls_config()?)
        .user_agent(user_agent)
        .redirect(reqwest::redirect::Policy::none());
    if let Some(connect) = connect {
        builder = builder.connect_timeout(connect);
    }
    if let Some(request) = request {
        builder = builder.timeout(request);
    }
    builder.build().map_err(ConfigError::HttpClient)
}

/// The rustls configuration of every client: the `ring` provider, TLS 1.2 and 1.3 (rustls'
/// safe defaults), server certificates checked by the platform verifier (the system's trust
/// store, as reqwest does with its default provider), HTTP/1.1 announced by ALPN.
fn tls_config() -> Result<rustls::ClientConfig, ConfigError> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let tls = |e: rustls::Error| ConfigError::Tls {
        reason: e.to_string(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls)?
        .with_platform_verifier()
        .map_err(tls)?
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Checks and normalises a base URL: http(s) only, https unless the host is loopback, no
/// userinfo, query or fragment; the trailing slash is removed (the generated paths start with
/// `/`, so a trailing slash would double it).
///
/// ```
/// assert_eq!(
///     roster_runtime::base_url("https://www.vectera.com/api/v1/").unwrap(),
///     "https://www.vectera.com/api/v1"
/// );
/// assert!(roster_runtime::base_url("http://127.0.0.1:8080").is_ok());
/// assert!(roster_runtime::base_url("http://api.example.com").is_err());
/// ```
///
/// # Errors
/// [`ConfigError::InvalidBaseUrl`] or [`ConfigError::InsecureBaseUrl`].
pub fn base_url(url: &str) -> Result<String, ConfigError> {
    let invalid = |reason| ConfigError::InvalidBaseUrl {
        url: shown(url),
        reason,
    };
    let parsed =
        reqwest::Url::parse(url.trim()).map_err(|_| invalid("it is not an absolute URL"))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid(
            "it must not contain user credentials; pass the secret to Client::new instead",
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("it must not have a query string or fragment"));
    }
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(&parsed) => {}
        "http" => {
            return Err(ConfigError::InsecureBaseUrl { url: shown(url) });
        }
        _ => return Err(invalid("the scheme must be https (or http for loopback)")),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// A base URL as an error may show it: scheme, host, port and path only. A query
/// (`?api_key=...`), a fragment and userinfo (`user:password@`) can hold a secret and are
/// dropped; what is dropped is marked with `…`. At most 200 characters.
fn shown(url: &str) -> String {
    let url = url.trim();
    // Up to the first `?` or `#`: the rest is never shown.
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let (head, cut) = (&url[..end], end < url.len());
    // Userinfo: between `//` and the last `@` of the authority.
    let mut out = match head.split_once("//") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            match authority.rsplit_once('@') {
                Some((_, host)) => format!("{scheme}//…@{host}{path}"),
                None => head.to_owned(),
            }
        }
        None => head.split('@').next_back().unwrap_or_default().to_owned(),
    };
    if cut {
        out.push('…');
    }
    if out.chars().count() > 200 {
        out = out.chars().take(200).chain(['…']).collect();
    }
    out
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Reads `Retry-After` (RFC 9110 §10.2.3) as a delay from `now`: either delay-seconds
/// (`120`) or an HTTP-date (`Wed, 21 Oct 2026 07:28:00 GMT`; a date in the past means no
/// wait). `None` when the header is absent or malformed.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use reqwest::header::{HeaderMap, HeaderValue};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("retry-after", HeaderValue::from_static("7"));
/// assert_eq!(roster_runtime::retry_after(&headers, SystemTime::now()), Some(Duration::from_secs(7)));
/// ```
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn http_client_builds_with_ring_tls() {
        // reqwest is built with `rustls-no-provider`: without the preconfigured ring config,
        // `build()` would fail ("unknown preconfigured TLS") or panic (no provider).
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
        http_client("roster-runtime-test").expect("client with ring TLS");
        http_client_with("roster-runtime-test", None, None).expect("client");
        let config = tls_config().expect("tls config");
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        // No process-wide provider was installed on the way.
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    }

    #[tokio::test]
    async fn https_handshake_reaches_certificate_verification() {
        // A TLS handshake against a loopback listener that is not a TLS server: the client gets
        // as far as sending its ClientHello (ring is doing the crypto) and then fails with a
        // connection error, never a panic about a missing provider.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let (mut stream, _) = listener.accept().expect("accept");
            let mut hello = [0u8; 5];
            stream.read_exact(&mut hello).expect("read ClientHello");
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
            hello
        });
        let client = http_client("roster-runtime-test").expect("client");
        let err = client
            .get(format!("https://localhost:{}/", addr.port()))
            .send()
            .await
            .expect_err("not a TLS server");
        assert!(err.is_connect() || err.is_request(), "{err:?}");
        let hello = server.join().expect("server");
        // A TLS record of type handshake (22), version 3.x.
        assert_eq!(hello[0], 22, "{hello:?}");
        assert_eq!(hello[1], 3, "{hello:?}");
    }

    #[test]
    fn base_url_normalises_and_guards() {
        assert_eq!(
            base_url("https://api.vyte.in/").expect("ok"),
            "https://api.vyte.in"
        );
        assert_eq!(
            base_url("http://localhost:9/api").expect("ok"),
            "http://localhost:9/api"
        );
        assert_eq!(base_url("http://[::1]:80/").expect("ok"), "http://[::1]");
        assert!(matches!(
            base_url("http://10.0.0.1/"),
            Err(ConfigError::InsecureBaseUrl { .. })
        ));
        for bad in [
            "api.vyte.in",
            "ftp://x.example",
            "https://x.example/?a=1",
            "https://x.example/#f",
            "",
        ] {
            assert!(
                matches!(base_url(bad), Err(ConfigError::InvalidBaseUrl { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn base_url_errors_never_echo_userinfo() {
        let err = base_url("https://user:hunter2@x.example/").expect_err("userinfo refused");
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn base_url_errors_never_echo_a_query_or_fragment() {
        for url in [
            "https://x.example/api?api_key=hunter2",
            "https://x.example/api?a=1&token=hunter2#x",
            "https://x.example/api#hunter2",
            "http://10.0.0.1/api?api_key=hunter2",
            "https://user:hunter2@x.example/api?api_key=hunter2",
            "x.example/api?api_key=hunter2",
            "https://x.example/a@b?k=hunter2",
        ] {
            let err = base_url(url).expect_err(url);
            let text = format!("{err} {err:?}");
            assert!(!text.contains("hunter2"), "{url}: {text}");
            assert!(
                text.contains("x.example") || text.contains("10.0.0.1"),
                "{text}"
            );
        }
        let err = base_url("https://x.example/api?api_key=hunter2").expect_err("query");
        assert_eq!(
            err.to_string(),
            "invalid base URL \"https://x.example/api…\": it must not have a query string or fragment"
        );
    }

    #[test]
    fn retry_after_reads_both_forms() {
        let now = httpdate::parse_http_date("Sun, 22 Nov 2026 10:00:00 GMT").expect("date");
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h, now), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static(" 3 "));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(3)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Sun, 22 Nov 2026 10:00:42 GMT"),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(42)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Sun, 22 Nov 2026 09:00:00 GMT"),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("-1"));
        assert_eq!(retry_after(&h, now), None);
    }
}
