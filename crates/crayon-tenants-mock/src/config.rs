//! How a mock server is set up: address, credentials, demo data, token lifetime, latency, faults.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::faults::FaultRule;

/// The API client and API user the mock accepts at its token operation.
#[derive(Clone, PartialEq, Eq)]
pub struct MockCredentials {
    /// The API client's id (HTTP Basic user name of the token operation).
    pub client_id: String,
    /// The API client's secret (HTTP Basic password of the token operation).
    pub client_secret: String,
    /// The API user's name (`username` of the password grant).
    pub username: String,
    /// The API user's password (`password` of the password grant).
    pub password: String,
}

impl MockCredentials {
    /// The demo client id.
    pub const DEMO_CLIENT_ID: &'static str = "demo-client";
    /// The demo client secret.
    pub const DEMO_CLIENT_SECRET: &'static str = "demo-secret";
    /// The demo API user.
    pub const DEMO_USERNAME: &'static str = "demo@example.com";
    /// The demo API user's password.
    pub const DEMO_PASSWORD: &'static str = "demo-password";

    /// The credentials the mock accepts by default, printed by `--help` and in the README.
    pub fn demo() -> Self {
        Self {
            client_id: Self::DEMO_CLIENT_ID.to_owned(),
            client_secret: Self::DEMO_CLIENT_SECRET.to_owned(),
            username: Self::DEMO_USERNAME.to_owned(),
            password: Self::DEMO_PASSWORD.to_owned(),
        }
    }
}

impl Default for MockCredentials {
    fn default() -> Self {
        Self::demo()
    }
}

impl fmt::Debug for MockCredentials {
    /// Names the client and the user; never prints the secret or the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Configuration of [`MockServer::start`](crate::MockServer::start).
#[derive(Clone, Debug)]
pub struct MockConfig {
    /// Address to listen on; port 0 picks a free port. Default `127.0.0.1:0`.
    pub listen: SocketAddr,
    /// Credentials accepted by the token operation. Default: [`MockCredentials::demo`].
    pub credentials: MockCredentials,
    /// Number of demo tenants seeded into organization 1. Default 25.
    pub seed_tenants: usize,
    /// Lifetime of issued tokens (`ExpiresIn`). Default one hour, as the real API.
    pub token_ttl: Duration,
    /// Latency added to every response. Default none.
    pub latency: Duration,
    /// Faults injected into matching requests (see [`FaultRule`]). Default none.
    pub faults: Vec<FaultRule>,
    /// Seed of the generator that decides which requests a fault with a rate below 1 hits.
    pub fault_seed: u64,
    /// The most items a list page holds (tenants and look-ups), whatever page size was asked
    /// for, as a server that caps page sizes does (pages then hold fewer than asked while
    /// `TotalHits` says there are more). Default none.
    pub page_size_cap: Option<i32>,
    /// A rate limit like an API gateway's: at most this many requests a second on average
    /// (bursts of one second's worth); a request over it is answered 429 with a `Retry-After`
    /// and not run. Default none.
    pub rate_limit_rps: Option<f64>,
    /// A file that keeps the world (tenants and their agreements) across runs: read at start
    /// when it exists (a file that is not one is refused, never overwritten), else created with
    /// the seeded world; written back by [`MockServer::save_state`](crate::MockServer::save_state)
    /// and when the binary stops. Default none: a fresh world every start.
    pub state_file: Option<std::path::PathBuf>,
    /// A directory the recording proxy recorded into ([`Proxy`](crate::Proxy)): the world is
    /// built from the answers in its `recording.har` instead of the demo world, so that tests
    /// run against the shapes of your own organization. Organizations, invoice profiles,
    /// publishers and tenants (with their profiles and agreements) keep their recorded ids;
    /// personal values are the placeholders the recording put in their place, which still
    /// satisfy the contract. Not with [`state_file`](Self::state_file). Default none.
    pub seed_from: Option<std::path::PathBuf>,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            credentials: MockCredentials::demo(),
            seed_tenants: 25,
            token_ttl: Duration::from_secs(3600),
            latency: Duration::ZERO,
            faults: Vec::new(),
            fault_seed: 0,
            page_size_cap: None,
            rate_limit_rps: None,
            state_file: None,
            seed_from: None,
        }
    }
}

impl MockConfig {
    /// Sets the number of demo tenants seeded into organization 1.
    pub fn seed_tenants(mut self, count: usize) -> Self {
        self.seed_tenants = count;
        self
    }

    /// Sets the lifetime of issued tokens.
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Sets the latency added to every response.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Adds a fault.
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }

    /// Caps list pages at this many tenants, whatever page size is asked for.
    pub fn page_size_cap(mut self, cap: i32) -> Self {
        self.page_size_cap = Some(cap.max(1));
        self
    }

    /// Answers requests over this many a second 429 with a `Retry-After`.
    pub fn rate_limit_rps(mut self, per_second: f64) -> Self {
        self.rate_limit_rps = Some(per_second);
        self
    }

    /// Keeps the world in this file across runs (see [`state_file`](Self::state_file)).
    pub fn state_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Builds the world from a recording (see [`seed_from`](Self::seed_from)).
    pub fn seed_from(mut self, directory: impl Into<std::path::PathBuf>) -> Self {
        self.seed_from = Some(directory.into());
        self
    }

    /// Sets the credentials the token operation accepts.
    pub fn credentials(mut self, credentials: MockCredentials) -> Self {
        self.credentials = credentials;
        self
    }
}
