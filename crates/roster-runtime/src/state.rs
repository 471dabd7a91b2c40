//! What a generated client carries for its hooks: the credentials and the answer limits, and
//! the two steps its hooks delegate here — preparing a request, and sending it (with one
//! renewal of a signed-in token after a 401).

use crate::{Auth, Limits, SignInError, exec};

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

    /// The `pre` hook's work: [`Auth::apply`] — the credentials for an `authenticated`
    /// operation (every one but those whose spec says `security: []`), never for another.
    ///
    /// # Errors
    /// The [`SignInError`] of a failed sign-in.
    pub async fn prepare(
        &self,
        request: &mut reqwest::Request,
        authenticated: bool,
    ) -> Result<(), SignInError> {
        self.auth.apply(request, authenticated).await
    }

    /// The `exec` hook's work: sends `request` on `http` and reads the answer within the
    /// limits ([`exec`]). When the request carried a signed-in token and the server answers
    /// 401, that token is dropped ([`TokenSource::invalidate`](crate::TokenSource::invalidate)),
    /// a fresh one obtained — one sign-in however many requests were refused at once — and
    /// the request sent once more with it. A request whose body cannot be copied (a stream)
    /// is not sent again, and neither is one whose renewal fails: the caller gets the 401.
    ///
    /// # Errors
    /// The transport's error, as [`exec`].
    pub async fn send(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        let used = self.auth.token_sent(&request);
        let again = used.as_ref().and_then(|_| request.try_clone());
        let response = exec(http, request, &self.limits).await?;
        if response.status() != reqwest::StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let (Some(used), Some(mut again), Some(source)) = (used, again, self.auth.token_source())
        else {
            return Ok(response);
        };
        source.invalidate(&used);
        if self.auth.apply(&mut again, true).await.is_err() {
            return Ok(response);
        }
        exec(http, again, &self.limits).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::{Credential, IssuedToken, Secret, SecretLog, TokenSource};

    /// A loopback HTTP server answering 401 to a request without `authorization` or with a
    /// token in `refused`, and 200 otherwise;
    /// it records each request's `authorization` header and body.
    async fn server(
        refused: &'static [&'static str],
    ) -> (String, Arc<Mutex<Vec<(String, String)>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let log = log.clone();
                tokio::spawn(async move {
                    let mut data = Vec::new();
                    let mut buf = [0u8; 4096];
                    // Headers, then as much body as Content-Length says.
                    let (head, body) = loop {
                        let n = socket.read(&mut buf).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        data.extend_from_slice(&buf[..n]);
                        let text = String::from_utf8_lossy(&data).into_owned();
                        if let Some((head, body)) = text.split_once("\r\n\r\n") {
                            let length = head
                                .lines()
                                .find_map(|l| {
                                    let (k, v) = l.split_once(':')?;
                                    k.eq_ignore_ascii_case("content-length")
                                        .then(|| v.trim().parse::<usize>().ok())?
                                })
                                .unwrap_or(0);
                            if body.len() >= length {
                                break (head.to_owned(), body.to_owned());
                            }
                        }
                    };
                    let auth = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("authorization")
                                .then(|| v.trim().to_owned())
                        })
                        .unwrap_or_default();
                    let refused =
                        auth.is_empty() || refused.iter().any(|t| auth == format!("Bearer {t}"));
                    let status = if refused {
                        "401 Unauthorized"
                    } else {
                        "200 OK"
                    };
                    log.lock().expect("log").push((auth, body));
                    let answer = format!(
                        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{{}}"
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                });
            }
        });
        (format!("http://{addr}"), seen)
    }

    fn http() -> reqwest::Client {
        crate::http_client("roster-runtime-tests").expect("a client")
    }

    fn signed_in() -> (ClientState, Arc<AtomicU32>) {
        let calls = Arc::new(AtomicU32::new(0));
        let counter = calls.clone();
        let source = TokenSource::new("POST test/token", SecretLog::new(), move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            async move {
                Ok(IssuedToken {
                    token: Secret::new(format!("tok-{n}")),
                    lifetime: None,
                })
            }
        });
        let auth =
            Auth::new("authorization", Some("Bearer"), Credential::SignIn(source)).expect("valid");
        (ClientState::new(auth), calls)
    }

    async fn prepared(state: &ClientState, url: &str, authenticated: bool) -> reqwest::Request {
        let mut request = http().post(url).body("the body").build().expect("request");
        state
            .prepare(&mut request, authenticated)
            .await
            .expect("signed in");
        request
    }

    #[tokio::test]
    async fn a_401_renews_the_token_once_and_sends_the_request_once_more() {
        let (url, seen) = server(&["tok-1"]).await;
        let (state, calls) = signed_in();
        let http = http();
        let request = prepared(&state, &url, true).await;
        let response = state.send(&http, request).await.expect("answered");
        assert_eq!(response.status(), 200);
        assert_eq!(calls.load(Ordering::SeqCst), 2, "one renewal");
        let seen = seen.lock().expect("log").clone();
        assert_eq!(
            seen,
            [
                ("Bearer tok-1".to_owned(), "the body".to_owned()),
                ("Bearer tok-2".to_owned(), "the body".to_owned()),
            ]
        );
    }

    #[tokio::test]
    async fn a_401_to_the_renewed_token_is_the_answer_not_a_loop() {
        let (url, seen) = server(&["tok-1", "tok-2", "tok-3"]).await;
        let (state, calls) = signed_in();
        let http = http();
        let request = prepared(&state, &url, true).await;
        let response = state.send(&http, request).await.expect("answered");
        assert_eq!(response.status(), 401);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(seen.lock().expect("log").len(), 2, "sent twice, no more");
    }

    #[tokio::test]
    async fn a_request_without_the_token_is_never_resent() {
        // An operation without credentials (a token endpoint) answered 401: nothing to renew.
        let (url, seen) = server(&[]).await;
        let (state, calls) = signed_in();
        let http = http();
        let request = prepared(&state, &url, false).await;
        let response = state.send(&http, request).await.expect("answered");
        assert_eq!(response.status(), 401);
        assert_eq!(calls.load(Ordering::SeqCst), 0, "no sign-in at all");
        assert_eq!(seen.lock().expect("log").len(), 1);
    }
}
