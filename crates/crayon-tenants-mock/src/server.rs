//! Starting and stopping the mock: the listener, the connection loop, the handle tests hold.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::Uri;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt as _;

use crate::app::App;
use crate::config::{MockConfig, MockCredentials};
use crate::faults::{DropConnection, FaultRule, Faults};
use crate::operation::{Operation, RequestCounters};
use crate::rate_limit::RateLimit;
use crate::routes;
use crate::state::MockState;
use crate::state_file::StateFile;

/// A running mock Crayon API on loopback. It serves until this handle is dropped.
///
/// ```
/// use crayon_tenants_mock::{MockConfig, MockServer, Operation};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = MockServer::start(MockConfig::default().seed_tenants(3)).await?;
/// let url = format!("{}/api/v1/customertenants/?organizationId=1", server.base_url());
/// // Without a token the API answers 401, as the real one does.
/// let response = reqwest::get(&url).await?;
/// assert_eq!(response.status(), 401);
/// assert_eq!(server.requests(Operation::ListCustomerTenants), 1);
/// assert_eq!(server.state().tenant_count(), 3 + 3 + 2); // organization 1, plus 2 and 3
/// # Ok(())
/// # }
/// ```
pub struct MockServer {
    address: SocketAddr,
    app: Arc<App>,
    serving: JoinHandle<()>,
}

impl MockServer {
    /// Binds `config.listen`, seeds the demo data, and starts serving in the background.
    pub async fn start(config: MockConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind(config.listen).await?;
        let address = listener.local_addr()?;
        if config.seed_from.is_some() && config.state_file.is_some() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a world is built from a recording or kept in a state file, not both",
            ));
        }
        let saved = match &config.state_file {
            Some(path) => StateFile::read(path)?,
            None => None,
        };
        let state = match (saved, &config.seed_from) {
            (_, Some(directory)) => {
                let answers = crate::recording::recorded_answers(directory)?;
                let (world, tenants) = crate::world::World::from_recording(&answers);
                MockState::stored(world, 0, tenants)
            }
            (Some(saved), None) => MockState::from_file(saved),
            (None, None) => {
                let state = MockState::default();
                state.seed_tenants(1, config.seed_tenants);
                state.seed_tenants(2, 3);
                state.seed_tenants(3, 2);
                if let Some(path) = &config.state_file {
                    state.to_file().write(path)?;
                }
                state
            }
        };
        let app = Arc::new(App {
            state,
            credentials: config.credentials,
            token_ttl: config.token_ttl,
            latency: config.latency,
            faults: Faults::new(config.faults, config.fault_seed),
            counters: RequestCounters::default(),
            page_size_cap: config.page_size_cap,
            rate_limit: config.rate_limit_rps.map(RateLimit::new),
            rate_limited: AtomicU64::new(0),
            state_file: config.state_file,
        });
        let serving = tokio::spawn(serve(listener, routes::router(app.clone())));
        Ok(Self {
            address,
            app,
            serving,
        })
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://127.0.0.1:PORT`, to use as a client's base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// A client of this server, signed in with its demo credentials (the password grant), with
    /// the library's defaults otherwise: what a program under test would build, in one line.
    /// Fails only as [`crayon_tenants::ClientBuilder::build`] does.
    pub fn client(&self) -> Result<crayon_tenants::Client, crayon_tenants::Error> {
        self.client_builder().build()
    }

    /// The builder of [`client`](Self::client), to change a setting first (a retry policy, a
    /// timeout).
    pub fn client_builder(&self) -> crayon_tenants::ClientBuilder {
        let demo = self.credentials();
        crayon_tenants::Client::builder()
            .base_url(self.base_url())
            .credentials(crayon_tenants::Credentials::password(
                &demo.client_id,
                &demo.client_secret,
                &demo.username,
                &demo.password,
            ))
    }

    /// The credentials its token operation accepts.
    pub fn credentials(&self) -> &MockCredentials {
        &self.app.credentials
    }

    /// Writes the world to the state file of [`MockConfig::state_file`] (nothing without one),
    /// whole, through a temporary file renamed over it.
    pub fn save_state(&self) -> std::io::Result<()> {
        match &self.app.state_file {
            Some(path) => self.app.state.to_file().write(path),
            None => Ok(()),
        }
    }

    /// Its data: seed and inspect tenants, revoke tokens.
    pub fn state(&self) -> &MockState {
        &self.app.state
    }

    /// How many requests an operation has received, including those a fault hit.
    pub fn requests(&self, operation: Operation) -> u64 {
        self.app.counters.get(operation)
    }

    /// Sets every request counter back to zero (the rate limit's count of refusals too).
    pub fn reset_requests(&self) {
        self.app.counters.reset();
        self.app.rate_limited.store(0, Ordering::Relaxed);
    }

    /// Requests the rate limit ([`MockConfig::rate_limit_rps`]) answered 429, of every
    /// operation; they are counted by [`requests`](Self::requests) too.
    pub fn rate_limited_requests(&self) -> u64 {
        self.app.rate_limited.load(Ordering::Relaxed)
    }

    /// Adds a fault from now on.
    pub fn add_fault(&self, rule: FaultRule) {
        self.app.faults.add(rule);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.app.faults.clear();
    }
}

impl Drop for MockServer {
    /// Stops accepting and closes every open connection.
    fn drop(&mut self) {
        self.serving.abort();
    }
}

/// The error that makes hyper close a connection without answering (a `drop` fault).
#[derive(Debug)]
struct ConnectionDropped;

impl std::fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for ConnectionDropped {}

/// Accepts connections until aborted; aborting drops the set, which aborts every connection.
async fn serve(listener: TcpListener, router: Router) {
    let mut connections = JoinSet::new();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let router = router.clone();
            async move {
                let request = normalize_path(request.map(Body::new));
                let response = router
                    .oneshot(request)
                    .await
                    .unwrap_or_else(|never: Infallible| match never {});
                if response.extensions().get::<DropConnection>().is_some() {
                    return Err(ConnectionDropped);
                }
                Ok(response)
            }
        });
        connections.spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection closed");
            }
        });
        while connections.try_join_next().is_some() {}
    }
}

/// Brings a path to the form the routes are written in, as ASP.NET routing matches: case does
/// not matter and a trailing slash is optional (`/api/v1/CustomerTenants/5/` is
/// `/api/v1/customertenants/5`). The query string is kept as it is.
fn normalize_path<B>(mut request: axum::http::Request<B>) -> axum::http::Request<B> {
    let path = request.uri().path();
    let mut normalized = path.to_ascii_lowercase();
    while normalized.len() > 1 && normalized.ends_with('/') {
        normalized.pop();
    }
    if normalized != path {
        let path_and_query = match request.uri().query() {
            Some(query) => format!("{normalized}?{query}"),
            None => normalized,
        };
        let mut parts = request.uri().clone().into_parts();
        if let Ok(path_and_query) = path_and_query.parse() {
            parts.path_and_query = Some(path_and_query);
            if let Ok(uri) = Uri::from_parts(parts) {
                *request.uri_mut() = uri;
            }
        }
    }
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_lose_case_and_trailing_slashes_but_keep_the_query() {
        let request =
            axum::http::Request::get("/api/v1/CustomerTenants/5/?OrganizationId=1&Search=Foo")
                .body(())
                .unwrap();
        assert_eq!(
            normalize_path(request).uri(),
            "/api/v1/customertenants/5?OrganizationId=1&Search=Foo"
        );
        let request = axum::http::Request::get("/").body(()).unwrap();
        assert_eq!(normalize_path(request).uri(), "/");
    }
}
