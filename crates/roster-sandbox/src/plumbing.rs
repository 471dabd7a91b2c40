//! What every vendor's fake is built from, written once: its state behind a lock, the
//! request-body limit, the authentication middleware (a vendor gives only its scheme check and
//! its 401 answer) and JSON answers.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

/// The largest request body a fake reads (a batch of a few thousand users).
pub(crate) const BODY_LIMIT: usize = 16 << 20;

/// A vendor's state (its store), shared by its handlers.
pub(crate) struct Shared<S>(Mutex<S>);

impl<S> Shared<S> {
    pub(crate) fn new(store: S) -> Arc<Self> {
        Arc::new(Self(Mutex::new(store)))
    }

    /// The store; a panic elsewhere never makes it unusable.
    pub(crate) fn lock(&self) -> MutexGuard<'_, S> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Why a request's credentials were refused: the message of the vendor's 401.
pub(crate) type Refusal = &'static str;

/// A vendor's authentication: the secret it accepts, its scheme and its 401 answer.
pub(crate) struct Auth {
    /// The secret the fake accepts.
    pub token: String,
    /// The vendor's scheme: `Ok` when the `Authorization` header (if any) carries `token`.
    pub check: fn(Option<&HeaderValue>, &str) -> Result<(), Refusal>,
    /// The vendor's 401 answer for a refusal.
    pub refuse: fn(Refusal) -> Response,
}

impl Auth {
    /// `router` with every route it has so far behind this authentication (fallbacks added
    /// afterwards are not).
    pub(crate) fn guard<St: Clone + Send + Sync + 'static>(self, router: Router<St>) -> Router<St> {
        router.route_layer(middleware::from_fn_with_state(Arc::new(self), authenticate))
    }
}

async fn authenticate(State(auth): State<Arc<Auth>>, request: Request, next: Next) -> Response {
    match (auth.check)(request.headers().get(header::AUTHORIZATION), &auth.token) {
        Ok(()) => next.run(request).await,
        Err(refusal) => (auth.refuse)(refusal),
    }
}

/// A request body, up to [`BODY_LIMIT`] bytes.
pub(crate) async fn read_body(body: Body) -> Result<Bytes, axum::Error> {
    axum::body::to_bytes(body, BODY_LIMIT).await
}

/// A JSON answer as Vyte's and VEO's servers send it (`application/json; charset=utf-8`); a
/// body that cannot be encoded is a bare 500.
pub(crate) fn json<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    encoded(status, body, "application/json; charset=utf-8")
}

/// A JSON answer as Django REST Framework sends it (`application/json`, no charset).
pub(crate) fn json_plain<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    encoded(status, body, "application/json")
}

fn encoded<T: serde::Serialize>(
    status: StatusCode,
    body: &T,
    content_type: &'static str,
) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
