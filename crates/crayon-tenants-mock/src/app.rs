//! What every handler shares: the data, the credentials, the faults and the request counters.
//! Below both the handlers and the server, so that neither imports the other.

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use crate::config::MockCredentials;
use crate::faults::Faults;
use crate::operation::RequestCounters;
use crate::rate_limit::RateLimit;
use crate::state::MockState;

/// The state behind every route.
pub(crate) struct App {
    pub(crate) state: MockState,
    pub(crate) credentials: MockCredentials,
    pub(crate) token_ttl: Duration,
    pub(crate) latency: Duration,
    pub(crate) faults: Faults,
    pub(crate) counters: RequestCounters,
    pub(crate) page_size_cap: Option<i32>,
    pub(crate) rate_limit: Option<RateLimit>,
    /// Requests answered 429 by the rate limit.
    pub(crate) rate_limited: AtomicU64,
    /// Where the world is kept across runs.
    pub(crate) state_file: Option<std::path::PathBuf>,
}
