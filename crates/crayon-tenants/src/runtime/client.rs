//! `Client` and `Client::builder()`: base URL, authentication, timeouts, user agent, retry policy,
//! rate cap; what a client and its clones share.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;

use super::auth::{Credentials, TokenCache};
use super::pacing::Pacer;
use crate::{Error, RetryPolicy};

/// The production address of the API, as the documentation gives it.
pub const DEFAULT_BASE_URL: &str = "https://api.crayon.com";

/// How requests authenticate.
#[derive(Clone, Debug)]
pub(crate) enum Authentication {
    /// Tokens fetched and refreshed from credentials, shared by the client's clones.
    Password(Arc<TokenCache>),
    /// A fixed bearer token given by the caller (never refreshed).
    Bearer(HeaderValue),
    /// None: every operation but the token one answers 401.
    None,
}

impl Authentication {
    /// The `Authorization` of a resource call: the cached (or fetched) token, the fixed one, or
    /// none.
    pub(crate) async fn authorization(
        &self,
        client: &Client,
    ) -> Result<Option<HeaderValue>, Error> {
        match self {
            Self::Password(cache) => cache.authorization(client).await.map(Some),
            Self::Bearer(value) => Ok(Some(value.clone())),
            Self::None => Ok(None),
        }
    }

    /// The `Authorization` of the token operation: the client's Basic credentials, if any.
    pub(crate) fn basic(&self) -> Option<HeaderValue> {
        match self {
            Self::Password(cache) => Some(cache.basic().clone()),
            _ => None,
        }
    }
}

/// The largest response body read into memory unless set (32 MiB: a page of 1000 tenants is
/// about 0.5 MiB).
pub const DEFAULT_MAX_BODY_SIZE: usize = 32 * 1024 * 1024;

/// A client of the API, made by [`Client::builder`]: one method per operation of the contract,
/// each returning a builder (`builder`) that sends the call when it is awaited. Cheap to clone:
/// the clones share the token cache, the pause after a 429 and the HTTP connections.
#[derive(Clone)]
pub struct Client {
    state: Arc<ClientState>,
}

/// What a client and its clones share.
pub(crate) struct ClientState {
    pub(crate) base_url: String,
    /// The base URL's host and port, as the spans name the server (parsed once).
    pub(crate) server: (String, Option<u16>),
    pub(crate) http: reqwest::Client,
    pub(crate) authentication: Authentication,
    pub(crate) retry: RetryPolicy,
    pub(crate) deadline: Option<Duration>,
    pub(crate) body_limit: usize,
    /// The pause and the rate cap every clone shares.
    pub(crate) pacer: Pacer,
}

impl Client {
    /// The API's address, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.state.base_url
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.state.http
    }

    pub(crate) fn state(&self) -> &ClientState {
        &self.state
    }
}

impl fmt::Debug for Client {
    /// Names the kind of authentication and the client id; never a secret or a token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = &self.state;
        let authentication = match &state.authentication {
            Authentication::Password(cache) => format!(
                "password grant for client {}",
                cache.credentials().client_id()
            ),
            Authentication::Bearer(_) => "bearer token <redacted>".to_owned(),
            Authentication::None => "none".to_owned(),
        };
        f.debug_struct("Client")
            .field("base_url", &state.base_url)
            .field("authentication", &authentication)
            .field("retry", &state.retry)
            .field("deadline", &state.deadline)
            .field("body_limit", &state.body_limit)
            .field("pacer", &state.pacer)
            .finish()
    }
}

/// Builds a [`Client`]. Every setting has a default: production base URL, 30 s timeout per
/// attempt, 10 s connect timeout, no overall deadline beyond the retry policy's, a 32 MiB body
/// limit, user agent `crayon-tenants/VERSION`, [`RetryPolicy::default`], and no authentication
/// until [`credentials`](Self::credentials) or [`bearer_token`](Self::bearer_token).
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    credentials: Option<Credentials>,
    bearer_token: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: Option<String>,
    retry: Option<RetryPolicy>,
    deadline: Option<Duration>,
    max_body_size: Option<usize>,
    reqwest_client: Option<reqwest::Client>,
    max_requests_per_second: Option<f64>,
}

impl Client {
    /// Starts building a client; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }
}

impl ClientBuilder {
    /// The API's address, for example `https://api.crayon.com` (the default),
    /// `https://demoapi.crayon.com`, or a mock server's. A trailing `/` is accepted.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Authenticate with the password grant: tokens are fetched on first use, reused, and
    /// refreshed before they expire.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self.bearer_token = None;
        self
    }

    /// Authenticate with a token obtained elsewhere. It is sent as it is and never refreshed.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer_token = Some(token.into());
        self.credentials = None;
        self
    }

    /// Time limit of one attempt of a request, from connecting to the end of the body (the token
    /// request included). A call that retries may take longer in all; see
    /// [`deadline`](Self::deadline).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Time limit of a whole call, its token, retries and waits included; past it the call fails
    /// with [`Error::DeadlineExceeded`]. None by default (the retry policy bounds the waits).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The largest response body read into memory (default 32 MiB); a larger one fails the call
    /// with [`Error::BodyTooLarge`] without being read further.
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = Some(bytes);
        self
    }

    /// Time limit of connecting.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The most requests the client and its clones send per second, evenly spaced (token
    /// requests included); none by default. Set it at or below your account's rate limit: a
    /// client that keeps under it is never answered 429. Whatever this says, a 429 or 503 with
    /// `Retry-After` holds back every request of the client and its clones until that wait has
    /// passed.
    pub fn max_requests_per_second(mut self, rate: f64) -> Self {
        self.max_requests_per_second = Some(rate);
        self
    }

    /// How failed requests are retried; [`RetryPolicy::none`] turns retries off.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Use this `reqwest::Client` (its own timeouts, user agent, proxy, TLS settings and
    /// redirect policy apply; `timeout`, `connect_timeout` and `user_agent` of this builder are
    /// then not used). Build it with [`redirect_policy`](crate::redirect_policy) of the base URL
    /// to keep the guarantee that no credential leaves the API's origin: reqwest's default
    /// policy follows redirects to other hosts and re-sends a 307/308 body there.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.reqwest_client = Some(client);
        self
    }

    /// Builds the client. Fails on a base URL that is not an absolute `http` or `https` URL, a
    /// bearer token that cannot be a header value, or an HTTP client that cannot be built.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = self.base_url.unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        let parsed = reqwest::Url::parse(&base_url).map_err(|error| {
            Error::InvalidRequest(format!("invalid base URL {base_url:?}: {error}"))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.query().is_some() {
            return Err(Error::InvalidRequest(format!(
                "invalid base URL {base_url:?}: expected http(s)://host[:port][/path]"
            )));
        }
        if parsed.scheme() == "https" && !super::tls::HTTPS {
            return Err(Error::InvalidRequest(format!(
                "invalid base URL {base_url:?}: this build of crayon-tenants has no TLS backend \
                 (enable the feature `rustls`, `rustls-aws-lc` or `native-tls`)"
            )));
        }
        // The generated operations append `/api/v1/...` to the base URL as it is.
        let base_url = base_url.trim_end_matches('/');
        if let Some(rate) = self.max_requests_per_second
            && !(rate.is_finite() && rate > 0.0)
        {
            return Err(Error::InvalidRequest(format!(
                "max_requests_per_second must be a positive number, not {rate}"
            )));
        }
        let authentication = match (self.credentials, self.bearer_token) {
            (Some(credentials), _) => {
                Authentication::Password(Arc::new(TokenCache::new(credentials)))
            }
            (None, Some(token)) => {
                let mut value = HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| {
                    Error::InvalidRequest(
                        "the bearer token contains characters a header cannot carry".to_owned(),
                    )
                })?;
                value.set_sensitive(true);
                Authentication::Bearer(value)
            }
            (None, None) => Authentication::None,
        };
        let http = match self.reqwest_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .timeout(self.timeout.unwrap_or(Duration::from_secs(30)))
                .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
                .user_agent(self.user_agent.unwrap_or_else(|| {
                    concat!("crayon-tenants/", env!("CARGO_PKG_VERSION")).to_owned()
                }))
                .redirect(super::redirect::redirect_policy(&parsed))
                .build()
                .map_err(Error::from_transport)?,
        };
        let state = ClientState {
            base_url: base_url.to_owned(),
            server: (
                parsed.host_str().unwrap_or_default().to_owned(),
                parsed.port_or_known_default(),
            ),
            http,
            authentication,
            retry: self.retry.unwrap_or_default(),
            deadline: self.deadline,
            body_limit: self.max_body_size.unwrap_or(DEFAULT_MAX_BODY_SIZE),
            pacer: Pacer::new(self.max_requests_per_second),
        };
        Ok(Client {
            state: Arc::new(state),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    #[test]
    fn the_default_base_url_is_production_and_a_trailing_slash_is_dropped() {
        assert_eq!(
            Client::builder().build().unwrap().base_url(),
            "https://api.crayon.com"
        );
        let client = Client::builder()
            .base_url("https://demoapi.crayon.com/")
            .build()
            .unwrap();
        assert_eq!(client.base_url(), "https://demoapi.crayon.com");
    }

    #[test]
    fn bad_base_urls_and_tokens_are_typed_errors() {
        for url in [
            "api.crayon.com",
            "ftp://api.crayon.com",
            "https://api.crayon.com/?x=1",
            "",
        ] {
            let error = Client::builder().base_url(url).build().unwrap_err();
            assert!(
                matches!(error, Error::InvalidRequest(_)),
                "{url}: {error:?}"
            );
        }
        let error = Client::builder()
            .bearer_token("line\nbreak-secret")
            .build()
            .unwrap_err();
        assert!(matches!(error, Error::InvalidRequest(_)));
        assert!(!error.to_string().contains("break-secret"));
    }

    #[test]
    fn debug_of_a_client_shows_no_secret() {
        let client = Client::builder()
            .base_url("http://127.0.0.1:8080")
            .credentials(Credentials::password(
                "client",
                "the-secret",
                "user",
                "the-password",
            ))
            .build()
            .unwrap();
        let printed = format!("{client:?}");
        assert!(
            printed.contains("password grant for client client"),
            "{printed}"
        );
        assert!(
            !printed.contains("the-secret") && !printed.contains("the-password"),
            "{printed}"
        );
        let printed = format!(
            "{:?}",
            Client::builder()
                .base_url("http://127.0.0.1:8080")
                .bearer_token("the-token")
                .build()
                .unwrap()
        );
        assert!(!printed.contains("the-token"), "{printed}");
    }

    /// The build's TLS backend is really used: an `https` call opens with a TLS handshake
    /// record (the ring provider set-up, not a missing provider's panic).
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    #[tokio::test]
    async fn an_https_call_starts_a_tls_handshake() {
        use std::io::Read as _;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut record_header = [0u8; 3];
            stream.read_exact(&mut record_header).unwrap();
            record_header
        });
        let client = Client::builder()
            .base_url(format!("https://127.0.0.1:{port}"))
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        let error = client.get_customer_tenant().id(1).await.unwrap_err();
        // A handshake record (22) of TLS 1.x (3), then the server hangs up.
        assert_eq!(&server.join().unwrap()[..2], &[0x16, 0x03]);
        assert!(matches!(error, Error::Connection(_)), "{error:?}");
    }

    #[cfg(not(any(feature = "rustls", feature = "native-tls")))]
    #[test]
    fn without_a_tls_backend_https_is_refused_and_http_works() {
        let error = Client::builder().build().unwrap_err();
        assert!(error.to_string().contains("no TLS backend"), "{error}");
        Client::builder()
            .base_url("http://127.0.0.1:8080")
            .build()
            .unwrap();
    }
}
