//! One-time login links with a safe `next` page.
//!
//! `POST /users/{id}/loginTokens/` answers a URL that logs the user in once, within a minute.
//! Vectera forwards the user to `next` after login when it is appended to that URL. A `next`
//! taken from elsewhere is an open-redirect risk, so only a same-site absolute path is
//! accepted: `/scheduling/`, `/room/team-name/meeting-1/`.

use std::future::Future;

use crate::{Client, ClientUsersExt, Error, Secret, types};

/// The longest `next` accepted, in bytes, checked before any decoding.
const MAX_NEXT_LEN: usize = 2_000;

/// How many rounds of percent-decoding `next` may need to reach a fixed point; more is
/// refused (no real page is encoded that deeply).
const MAX_DECODE_ROUNDS: usize = 8;

/// Why a `next` page was refused. The value is echoed (it is not a secret), escaped, except
/// when it is too long.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NextPathError {
    /// It does not start with `/` (an absolute URL, `javascript:`, a relative path).
    #[error("`next` must be an absolute path on Vectera's own site starting with '/', got {0:?}")]
    NotAnAbsolutePath(String),
    /// It starts with `//` or `/\` (also after percent-decoding or resolving `.` and `..`
    /// segments), which browsers read as another host.
    #[error("`next` must not start with '//' or '/\\' (that names another host), got {0:?}")]
    OtherHost(String),
    /// It holds a backslash, whitespace, a control or a non-ASCII character (also after
    /// percent-decoding).
    #[error(
        "`next` must be printable ASCII without backslashes, whitespace or control characters (CR/LF), got {0:?}"
    )]
    ForbiddenCharacter(String),
    /// Percent-decoded, it is not UTF-8 (an overlong form such as `%C0%AF`), or it is still
    /// changing after 8 rounds of decoding.
    #[error("`next` is not a plainly percent-encoded path, got {0:?}")]
    BadEncoding(String),
    /// It is longer than 2,000 bytes (the value is not echoed).
    #[error("`next` must be at most {max} bytes long, got {0} bytes", max = MAX_NEXT_LEN)]
    TooLong(usize),
}

/// Why a login link could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoginLinkError {
    /// The `next` page was refused; nothing was sent.
    #[error(transparent)]
    UnsafeNext(#[from] NextPathError),
    /// Vectera's answer held no usable login URL: none at all, or one that is not an absolute
    /// URL (the URL itself is not shown: it is a secret).
    #[error("Vectera answered a login token without a valid absolute login URL")]
    InvalidLoginUrl,
    /// The API call failed (boxed: the generated error is large).
    #[error("creating the login token failed: {0}")]
    Api(#[source] Box<Error<types::Error>>),
}

/// Checks that `next` is a same-site absolute path.
///
/// ```
/// use roster_vectera::login_url_with_next;
/// # use roster_vectera::Secret;
/// let url = Secret::from("https://www.vectera.com/login/?token=abc");
/// assert_eq!(
///     login_url_with_next(&url, "/scheduling/").unwrap().expose(),
///     "https://www.vectera.com/login/?token=abc&next=/scheduling/"
/// );
/// assert!(login_url_with_next(&url, "//evil.example").is_err());
/// assert!(login_url_with_next(&url, "https://evil.example/").is_err());
/// ```
///
/// # Errors
/// [`NextPathError`] naming what is wrong.
pub fn check_next(next: &str) -> Result<(), NextPathError> {
    if next.len() > MAX_NEXT_LEN {
        return Err(NextPathError::TooLong(next.len()));
    }
    if !next.starts_with('/') {
        return Err(NextPathError::NotAnAbsolutePath(next.to_owned()));
    }
    // Check the text as given, then every form a server or browser may decode it to
    // (repeatedly, so `%252F` cannot smuggle a `/` past one round), each also with its dot
    // segments resolved (`/..//host` is `//host`), until decoding changes nothing.
    let mut text = next.to_owned();
    for _ in 0..=MAX_DECODE_ROUNDS {
        for form in [text.as_str(), &resolve_dot_segments(&text)] {
            if form.starts_with("//") || form.starts_with("/\\") {
                return Err(NextPathError::OtherHost(next.to_owned()));
            }
            if !form.starts_with('/') {
                return Err(NextPathError::NotAnAbsolutePath(next.to_owned()));
            }
        }
        if !text.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') {
            return Err(NextPathError::ForbiddenCharacter(next.to_owned()));
        }
        let decoded =
            percent_decode(&text).ok_or_else(|| NextPathError::BadEncoding(next.to_owned()))?;
        if decoded == text {
            return Ok(());
        }
        text = decoded;
    }
    Err(NextPathError::BadEncoding(next.to_owned()))
}

/// The path part of `text` (before `?` or `#`) with `.` and `..` segments resolved as
/// RFC 3986 §5.2.4 does, then the rest unchanged.
fn resolve_dot_segments(text: &str) -> String {
    let end = text.find(['?', '#']).unwrap_or(text.len());
    let (path, rest) = text.split_at(end);
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *segment {
            "." | ".." => {
                if *segment == ".." {
                    out.pop();
                }
                // A trailing `.` or `..` leaves the directory: `/a/..` is `/`.
                if last {
                    out.push("");
                }
            }
            other => out.push(other),
        }
    }
    format!("/{}{rest}", out.join("/"))
}

/// Appends `next` to a one-time login URL (replacing any `next` already there).
///
/// The result is still a secret: whoever opens it is logged in.
///
/// # Errors
/// [`LoginLinkError::UnsafeNext`] for a `next` that is not a same-site absolute path,
/// [`LoginLinkError::InvalidLoginUrl`] when `login_url` is not an absolute URL.
pub fn login_url_with_next(login_url: &Secret, next: &str) -> Result<Secret, LoginLinkError> {
    check_next(next)?;
    let mut url =
        url::Url::parse(login_url.expose()).map_err(|_| LoginLinkError::InvalidLoginUrl)?;
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in url.query_pairs().filter(|(k, _)| k != "next") {
        query.append_pair(&key, &value);
    }
    let mut query = query.finish();
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str("next=");
    query.push_str(&encode_query_value(next));
    url.set_query(Some(&query));
    Ok(Secret::new(String::from(url)))
}

/// Vectera login links as a client method.
///
/// Named `Client<Area>ExtraExt` so it never collides with the generated `Client<Tag>Ext`
/// traits.
pub trait ClientLoginExtraExt {
    /// Creates a one-time login link for `user` (a user id, or `me`), optionally forwarding
    /// to `next` after login. `next` is checked before anything is sent.
    ///
    /// The link works once, within one minute; a user already logged in is logged out and
    /// logged in as `user`.
    fn login_link(
        &self,
        user: &str,
        next: Option<&str>,
    ) -> impl Future<Output = Result<Secret, LoginLinkError>> + Send;
}

impl ClientLoginExtraExt for Client {
    async fn login_link(&self, user: &str, next: Option<&str>) -> Result<Secret, LoginLinkError> {
        if let Some(next) = next {
            check_next(next)?;
        }
        let token = self
            .create_login_token()
            .id(user)
            .send()
            .await
            .map_err(|e| LoginLinkError::Api(Box::new(e)))?
            .into_inner();
        // The field name is not documented: an answer without `url` has no link to give.
        let url = token.url.ok_or(LoginLinkError::InvalidLoginUrl)?;
        if url::Url::parse(url.expose()).is_err() {
            return Err(LoginLinkError::InvalidLoginUrl);
        }
        match next {
            Some(next) => login_url_with_next(&url, next),
            None => Ok(url),
        }
    }
}

/// `text` with every `%XX` decoded; `None` when the bytes decoded are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes a query value, leaving `/` and the other characters RFC 3986 allows in a
/// query as they are, so links read like Vectera's own (`next=/scheduling/`).
fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b':'
            | b'@'
            | b'!'
            | b'$'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b','
            | b';' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(next: &str) -> Result<String, LoginLinkError> {
        login_url_with_next(
            &Secret::from("https://www.vectera.com/login/?token=v8hzo6m42t32gqxbxwwcg1tmywkfinyp"),
            next,
        )
        .map(|s| s.expose().to_owned())
    }

    #[test]
    fn same_site_paths_are_appended() {
        assert_eq!(
            link("/room/team-name/meeting-room-1").expect("safe"),
            "https://www.vectera.com/login/?token=v8hzo6m42t32gqxbxwwcg1tmywkfinyp&next=/room/team-name/meeting-room-1"
        );
        assert_eq!(
            link("/a?b=c&d=e#f").expect("safe"),
            "https://www.vectera.com/login/?token=v8hzo6m42t32gqxbxwwcg1tmywkfinyp&next=/a%3Fb%3Dc%26d%3De%23f"
        );
    }

    #[test]
    fn an_existing_next_is_replaced() {
        let url = Secret::from("https://www.vectera.com/login/?next=/old/&token=t");
        assert_eq!(
            login_url_with_next(&url, "/new/").expect("safe").expose(),
            "https://www.vectera.com/login/?token=t&next=/new/"
        );
    }

    #[test]
    fn unsafe_next_pages_are_refused() {
        let cases = [
            ("//evil.example", "another host"),
            ("/\\evil.example", "another host"),
            ("https://evil.example/", "absolute path"),
            ("javascript:alert(1)", "absolute path"),
            ("scheduling/", "absolute path"),
            ("", "absolute path"),
            ("/ok\r\nSet-Cookie: x=1", "control"),
            ("/ok\n", "control"),
            ("/a b", "whitespace"),
            ("/a\\b", "backslash"),
            ("/%2F%2Fevil.example", "another host"),
            ("/%252F%252Fevil.example", "another host"),
            ("/%5Cevil.example", "another host"),
            ("/x%0d%0aLocation:%20//evil", "control"),
        ];
        for (next, why) in cases {
            let err = link(next).expect_err(next);
            let text = err.to_string();
            assert!(
                matches!(err, LoginLinkError::UnsafeNext(_)),
                "{next}: {text}"
            );
            let expected = match why {
                "another host" => "another host",
                "absolute path" => "absolute path",
                _ => "control characters",
            };
            assert!(text.contains(expected), "{next}: {text}");
            assert!(
                !text.contains("v8hzo6m42t"),
                "the login token never shows: {text}"
            );
        }
    }

    /// Refused, with the error naming `next`, and nothing of the login URL shown.
    fn refused(next: &str) -> NextPathError {
        let err = link(next).expect_err(next);
        let text = err.to_string();
        assert!(text.starts_with("`next` "), "{text}");
        assert!(!text.contains("v8hzo6m42t"), "{text}");
        match err {
            LoginLinkError::UnsafeNext(e) => {
                assert_eq!(check_next(next).expect_err(next), e);
                e
            }
            other => panic!("{next}: {other}"),
        }
    }

    #[test]
    fn dot_segments_that_climb_to_another_host_are_refused() {
        assert!(matches!(
            refused("/..//evil.example"),
            NextPathError::OtherHost(_)
        ));
        assert!(matches!(
            refused("/./..//evil.example/x"),
            NextPathError::OtherHost(_)
        ));
        assert!(matches!(
            refused("/a/../..//evil.example"),
            NextPathError::OtherHost(_)
        ));
    }

    #[test]
    fn encoded_dot_segments_are_resolved_after_decoding() {
        assert!(matches!(
            refused("/.%2e/%2e%2e//evil.example"),
            NextPathError::OtherHost(_)
        ));
        assert!(matches!(
            refused("/%2E%2E/%2F%2Fevil.example"),
            NextPathError::OtherHost(_)
        ));
    }

    #[test]
    fn deeply_percent_encoded_slashes_are_decoded_to_a_fixed_point() {
        // `%2F` encoded 2, 3 and 4 times more (`%25` is `%`).
        for next in [
            "/%252F%252Fevil.example",
            "/%25252F%25252Fevil.example",
            "/%2525252F%2525252Fevil.example",
            "/%252525252F%252525252Fevil.example",
        ] {
            assert!(
                matches!(refused(next), NextPathError::OtherHost(_)),
                "{next}"
            );
        }
        // Deeper than any real page: refused for its encoding alone.
        let deep = format!("/%{}2Fx", "25".repeat(MAX_DECODE_ROUNDS + 1));
        assert!(matches!(refused(&deep), NextPathError::BadEncoding(_)));
    }

    #[test]
    fn unicode_slash_look_alikes_are_refused_raw_or_encoded() {
        for next in [
            "/\u{ff0f}evil.example",
            "/\u{2215}evil.example",
            "/\u{2044}evil.example",
            "/%EF%BC%8Fevil.example",
            "/%E2%88%95evil.example",
            "/%E2%81%84evil.example",
            "/%25EF%25BC%258Fevil.example",
        ] {
            assert!(
                matches!(refused(next), NextPathError::ForbiddenCharacter(_)),
                "{next}"
            );
        }
    }

    #[test]
    fn a_zero_width_space_after_the_slash_is_refused() {
        for next in ["/\u{200b}/evil.example", "/%E2%80%8B/evil.example"] {
            assert!(
                matches!(refused(next), NextPathError::ForbiddenCharacter(_)),
                "{next}"
            );
        }
    }

    #[test]
    fn overlong_utf8_is_refused() {
        for next in ["/%C0%AF%C0%AFevil.example", "/%C0%AE%C0%AE/x", "/%E0%80%AF"] {
            assert!(
                matches!(refused(next), NextPathError::BadEncoding(_)),
                "{next}"
            );
        }
    }

    #[test]
    fn a_huge_next_is_refused_before_decoding_and_not_echoed() {
        let huge = format!("/{}", "a".repeat(99_999));
        let err = refused(&huge);
        assert_eq!(err, NextPathError::TooLong(100_000));
        assert!(err.to_string().len() < 200, "{err}");
        let huge_encoded = format!("/{}", "%25".repeat(1_000));
        assert_eq!(refused(&huge_encoded), NextPathError::TooLong(3_001));
        let at_cap = format!("/{}", "a".repeat(MAX_NEXT_LEN - 1));
        assert!(link(&at_cap).is_ok());
    }

    #[test]
    fn ordinary_paths_with_dots_and_encodings_still_pass() {
        for next in [
            "/scheduling/",
            "/room/team-name/meeting-1/",
            "/a/./b/../c",
            "/a%20b",
            "/search?q=%2F%2Fx",
            "/..",
            "/caf%C3%A9",
        ] {
            // `/a%20b` decodes to a space and `/caf%C3%A9` to a non-ASCII letter: refused.
            let ok = check_next(next);
            match next {
                "/a%20b" | "/caf%C3%A9" => assert!(
                    matches!(ok, Err(NextPathError::ForbiddenCharacter(_))),
                    "{next}: {ok:?}"
                ),
                _ => assert_eq!(ok, Ok(()), "{next}"),
            }
        }
    }

    #[test]
    fn a_bad_login_url_is_not_echoed() {
        let err = login_url_with_next(&Secret::from("not a url token=SECRET"), "/x/")
            .expect_err("refused");
        assert!(matches!(err, LoginLinkError::InvalidLoginUrl));
        assert!(!format!("{err} {err:?}").contains("SECRET"));
    }
}
