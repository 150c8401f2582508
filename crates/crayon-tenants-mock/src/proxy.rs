//! The recording proxy: a client (Crayon's .NET SDK, the Python SDK, curl, this project's CLI)
//! talks to it as to the API; it forwards each request as it is to the upstream (the real API),
//! but for `Accept-Encoding` (an answer must come uncompressed to be checked), answers with what
//! the upstream answered, checks both against the contract, and records every exchange,
//! redacted ([`crate::recording`]). It never follows a redirect: the client gets it as it came.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use crayon_tenants_contract::check::{self, Direction, Divergence, DivergenceKind, Message};
use crayon_tenants_contract::report::Report;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::recording::{Exchange, Recording, content_type};

/// The largest body the proxy carries either way.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// How a [`Proxy`] is set up.
#[derive(Clone, Debug)]
pub struct ProxyConfig {
    /// The API to forward to (`https://api.crayon.com`).
    pub upstream: String,
    /// The directory the recording (`recording.har`) and the report (`report.json`,
    /// `report.txt`) are written to; created when it does not exist, refused when it holds a
    /// recording already (never overwritten).
    pub record: PathBuf,
    /// The address to listen on; port 0 picks a free port. Default `127.0.0.1:0`.
    pub listen: SocketAddr,
}

impl ProxyConfig {
    /// Forward to `upstream`, record into `record`, listen on a free loopback port.
    pub fn new(upstream: impl Into<String>, record: impl Into<PathBuf>) -> Self {
        Self {
            upstream: upstream.into(),
            record: record.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}

/// A running recording proxy. It serves until this handle is dropped.
pub struct Proxy {
    address: SocketAddr,
    shared: Arc<Shared>,
    serving: JoinHandle<()>,
}

struct Shared {
    upstream: String,
    http: reqwest::Client,
    recording: Mutex<Recording>,
}

impl Proxy {
    /// Binds `config.listen`, creates the directory, and starts forwarding in the background.
    pub async fn start(config: ProxyConfig) -> std::io::Result<Self> {
        let upstream = config.upstream.trim_end_matches('/').to_owned();
        reqwest::Url::parse(&upstream).map_err(|error| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("--upstream {upstream}: {error}"),
            )
        })?;
        let recording = Recording::create(&config.record, &upstream)?;
        let http = reqwest::Client::builder()
            // A redirect goes back to the client as it came: the proxy never carries a
            // request (its credentials) anywhere but the upstream.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(300))
            .build()
            .map_err(std::io::Error::other)?;
        let listener = TcpListener::bind(config.listen).await?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            upstream,
            http,
            recording: Mutex::new(recording),
        });
        let router = Router::new().fallback(forward).with_state(shared.clone());
        let serving = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::error!(%error, "the proxy stopped");
            }
        });
        Ok(Self {
            address,
            shared,
            serving,
        })
    }

    /// `http://127.0.0.1:PORT`, to use as a client's base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// What the exchanges so far showed about the contract.
    pub fn report(&self) -> Report {
        self.shared
            .recording
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .report()
            .clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.serving.abort();
    }
}

/// Headers that belong to one connection, not to the message (RFC 9110, 7.6.1), and the ones
/// reqwest or hyper set themselves.
fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "host"
            | "content-length"
    )
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let started = SystemTime::now();
    let clock = Instant::now();
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(body) => body,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response(),
    };
    let path_and_query = parts.uri.path_and_query().map_or("/", |path| path.as_str());
    let url = format!("{}{path_and_query}", shared.upstream);
    let mut outgoing = shared.http.request(parts.method.clone(), &url);
    for (name, value) in &parts.headers {
        // Without `Accept-Encoding` the upstream answers uncompressed, which the check can
        // read and every client takes (a client that asked for gzip takes identity too).
        if !hop_by_hop(name) && name != axum::http::header::ACCEPT_ENCODING {
            outgoing = outgoing.header(name, value);
        }
    }
    if !body.is_empty() {
        outgoing = outgoing.body(body.clone());
    }
    let answer = outgoing.send().await;
    let operation = check::find_operation(parts.method.as_str(), parts.uri.path())
        .map(|(operation, _)| operation);
    let (status, headers, answer_body) = match answer {
        Ok(mut answer) => {
            let status = answer.status();
            let headers = std::mem::take(answer.headers_mut());
            match answer.bytes().await {
                Ok(bytes) => (status, headers, bytes),
                Err(error) => return upstream_failed(&shared, operation, error),
            }
        }
        Err(error) => return upstream_failed(&shared, operation, error),
    };
    let exchange = Exchange {
        operation,
        started,
        elapsed: clock.elapsed(),
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: query_pairs(parts.uri.query()),
        request_headers: &parts.headers,
        request_body: &body,
        status: status.as_u16(),
        response_headers: &headers,
        response_body: &answer_body,
    };
    let divergences = divergences(&exchange);
    if let Err(error) = shared
        .recording
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .add(&exchange, divergences)
    {
        tracing::error!(%error, "the recording could not be written");
    }
    let mut response = Response::new(Body::from(answer_body));
    *response.status_mut() = status;
    for (name, value) in &headers {
        if !hop_by_hop(name) {
            response.headers_mut().append(name, value.clone());
        }
    }
    response
}

/// An upstream that could not be reached: 502, as a gateway answers, with why (a transport
/// error names no value of the request), and the request in the report as one that got no
/// answer to check.
fn upstream_failed(shared: &Shared, operation: Option<&str>, error: reqwest::Error) -> Response {
    // Without its URL: the query may hold a search for a customer's name.
    let error = error.without_url();
    let why = format!(
        "the upstream {} could not be reached: {error}",
        shared.upstream
    );
    tracing::warn!("{why}");
    let recorded = shared
        .recording
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .failed(operation, why.clone());
    if let Err(error) = recorded {
        tracing::error!(%error, "the report could not be written");
    }
    (StatusCode::BAD_GATEWAY, why).into_response()
}

/// `a=1&b=x` as decoded pairs.
fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// What the contract check finds in an exchange, both ways.
fn divergences(exchange: &Exchange<'_>) -> Vec<Divergence> {
    let Some(operation) = exchange.operation else {
        return vec![Divergence {
            direction: Direction::Request,
            kind: DivergenceKind::UndocumentedOperation,
            path: "operation".to_owned(),
            expected: "an operation of the contract".to_owned(),
            found: exchange.method.to_owned(),
        }];
    };
    let mut found = check::check_request(
        Message {
            operation,
            status: 0,
            content_type: content_type(exchange.request_headers),
            body: exchange.request_body,
        },
        &exchange.query,
    );
    found.extend(check::check_response(Message {
        operation,
        status: exchange.status,
        content_type: content_type(exchange.response_headers),
        body: exchange.response_body,
    }));
    found
}
