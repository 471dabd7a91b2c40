//! Serving one vendor's [`App`] on a loopback port: its routes nested under its base path, its
//! site at the root, every call counted, faults injected before the vendor sees the request,
//! the store saved after every write when the sandbox is persistent ([`StateFile`]), and every
//! answer turned into the switched-on [`Dialect`].

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;

use crate::dialect::{self, Dialect};
use crate::faults::{Fault, Faults};
use crate::state::{StateFile, StateIo};

/// What a vendor module hands to the server: one call from the vendor list, [`crate::VENDORS`].
pub(crate) struct App {
    /// Every route of the vendor, authentication included, relative to [`App::base_path`].
    pub router: Router,
    /// The path prefix of the vendor's production base URL (`/api/v1` for Vectera).
    pub base_path: &'static str,
    /// How many users the fake holds now.
    pub users: Box<dyn Fn() -> usize + Send + Sync>,
    /// The store, as a persistent sandbox loads and saves it.
    pub state: Arc<dyn StateIo>,
    /// The vendor's error body for an injected fault (status, message).
    pub error: fn(axum::http::StatusCode, &str) -> Response,
    /// Pages outside the API, served at the site's root (Vectera's login page).
    pub site: Option<Router>,
    /// The tokens its sign-in endpoint issues, for a vendor that has one (VEO).
    pub issuer: Option<Arc<crate::signin::Issuer>>,
}

/// One vendor's fake, listening.
pub(crate) struct Running {
    pub addr: SocketAddr,
    pub token: String,
    pub base_path: &'static str,
    pub faults: Faults,
    pub calls: Arc<Mutex<HashMap<String, usize>>>,
    pub dialect: Arc<Mutex<Dialect>>,
    pub users: Box<dyn Fn() -> usize + Send + Sync>,
    pub issuer: Option<Arc<crate::signin::Issuer>>,
    pub shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// What the counting-and-faults middleware of one fake holds.
#[derive(Clone)]
struct Counter {
    base_path: &'static str,
    faults: Faults,
    calls: Arc<Mutex<HashMap<String, usize>>>,
    error: fn(axum::http::StatusCode, &str) -> Response,
}

/// What the saving middleware of a persistent fake holds.
#[derive(Clone)]
struct Saver {
    file: Arc<StateFile>,
    error: fn(axum::http::StatusCode, &str) -> Response,
}

/// Serves `app` under its base path, and its site (pages outside the API) at the root; with a
/// `state` file, saves the store to it after every request that may have changed it.
pub(crate) async fn serve(
    app: App,
    token: String,
    port: u16,
    state: Option<Arc<StateFile>>,
) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let counter = Counter {
        base_path: app.base_path,
        faults: Faults::default(),
        calls: Arc::default(),
        error: app.error,
    };
    // Inside the counting layer: an injected fault never reaches the vendor, so saves nothing.
    let router = match state {
        Some(file) => app.router.route_layer(middleware::from_fn_with_state(
            Saver {
                file,
                error: app.error,
            },
            save_after_write,
        )),
        None => app.router,
    };
    // `route_layer`: runs after routing, so the matched route template is known.
    let router = router.route_layer(middleware::from_fn_with_state(
        counter.clone(),
        count_and_fault,
    ));
    let router = if app.base_path.is_empty() {
        router
    } else {
        Router::new().nest(app.base_path, router)
    };
    let router = match app.site {
        Some(site) => router.merge(site),
        None => router,
    };
    // Outermost: every answer, injected faults included, in the switched-on dialect.
    let dialect = Arc::new(Mutex::new(Dialect::DOCUMENTED));
    let router = router.layer(middleware::from_fn_with_state(
        dialect.clone(),
        answer_in_dialect,
    ));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    Ok(Running {
        addr,
        token,
        base_path: counter.base_path,
        faults: counter.faults,
        calls: counter.calls,
        dialect,
        users: app.users,
        issuer: app.issuer,
        shutdown: Some(stop),
    })
}

/// Write-through: after a request that may have changed the store (any unsafe method), the
/// store is saved before the answer leaves; a save that fails turns the answer into the
/// vendor's 500, naming the file, so no caller believes a write was kept when it was not.
async fn save_after_write(State(saver): State<Saver>, request: Request, next: Next) -> Response {
    let writes = !request.method().is_safe();
    let response = next.run(request).await;
    if !writes {
        return response;
    }
    let file = saver.file.clone();
    let why = match tokio::task::spawn_blocking(move || file.save()).await {
        Ok(Ok(())) => return response,
        Ok(Err(e)) => e.to_string(),
        Err(e) => format!("the save did not finish ({e})"),
    };
    (saver.error)(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        &format!("roster sandbox: {why}"),
    )
}

async fn answer_in_dialect(
    State(dialect): State<Arc<Mutex<Dialect>>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let dialect = *dialect.lock().expect("dialect lock");
    let response = next.run(request).await;
    dialect::apply(dialect, &method, response).await
}

async fn count_and_fault(State(counter): State<Counter>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| request.uri().path().to_owned());
    let route = route
        .strip_prefix(counter.base_path)
        .map(str::to_owned)
        .unwrap_or(route);
    let key = format!("{} {}", request.method(), route);
    *counter
        .calls
        .lock()
        .expect("calls lock")
        .entry(key.clone())
        .or_default() += 1;
    match counter.faults.take(request.method(), &route) {
        Some(Fault::Status {
            status,
            retry_after,
        }) => {
            let mut response = (counter.error)(status, "injected fault");
            if let Some(value) = retry_after
                && let Ok(value) = value.header_value().parse()
            {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, value);
            }
            response
        }
        Some(Fault::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        None => next.run(request).await,
    }
}
