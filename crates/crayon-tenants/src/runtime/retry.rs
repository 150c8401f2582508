//! When a failed request is sent again, and how long to wait first.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};

/// How the client retries a request that failed in a way that may pass on a second try.
///
/// GET, PUT and DELETE are retried: they are idempotent. POST calls (creating a tenant, adding an
/// existing one or an agreement) are retried only after a 429 Too Many Requests, which a rate
/// limit answers before the request runs (an assumption: `openapi/DECISIONS.md`); after anything
/// else (a lost answer, a 503) they are never retried, so a create whose answer was lost can
/// never become two tenants. Retried: connection errors, timeouts, 429 Too Many Requests, 503
/// Service Unavailable and 504 Gateway Timeout. Not retried: 400 and 502, which the
/// documentation calls non-retryable, and every other status. The token request is never
/// retried.
///
/// The wait before attempt `n + 1` is an exponential backoff (`initial_backoff * 2^(n-1)`,
/// capped at `max_backoff`) with full jitter. A server's `Retry-After` is a floor: the client
/// never tries again sooner than it asked, and when it asks for longer than `max_backoff`, the
/// call gives up at once and returns the error with that wait (`Error::retry_after`). No retry
/// starts after `max_elapsed` since the first attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, backoff from 200 ms up to 5 s, at most 30 s in all.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Never retry: every request is attempted once.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff before the first retry.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest wait between two attempts. A `Retry-After` longer than this ends the call at
    /// once (the error says how long the server asked to wait).
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// No retry starts later than this after the first attempt.
    pub fn max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// The longest wait between two attempts, which is also the longest a call waits for a
    /// pause another call of the client started.
    pub(crate) fn longest_wait(&self) -> Duration {
        self.max_backoff
    }

    /// The configured number of attempts.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before the attempt after `attempt` (1-based), or `None` when the policy allows
    /// no further attempt (count, time spent, or a `Retry-After` longer than `max_backoff`).
    pub(crate) fn next_delay(
        &self,
        attempt: u32,
        elapsed: Duration,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let ceiling = self
            .initial_backoff
            .saturating_mul(1 << (attempt - 1).min(16))
            .min(self.max_backoff);
        let backoff = ceiling.mul_f64(jitter());
        let delay = match retry_after {
            Some(wait) if wait > self.max_backoff => return None,
            Some(wait) => wait.max(backoff),
            None => backoff,
        };
        (elapsed + delay <= self.max_elapsed).then_some(delay)
    }
}

/// Whether requests of this method may be sent twice.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::PUT | Method::DELETE | Method::HEAD
    )
}

/// Whether an answer with this status may pass on a second try.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
}

/// Whether a transport failure may pass on a second try: the request timed out, could not
/// connect, the connection closed before an answer, or the answer's body broke off half-way.
pub(crate) fn is_retryable_error(error: &reqwest::Error) -> bool {
    // A body that breaks off while the generated code reads it comes as a decode error of
    // reqwest (the JSON is decoded by the generated code, never by reqwest).
    error.is_timeout()
        || error.is_connect()
        || error.is_request()
        || error.is_body()
        || error.is_decode()
}

/// The `Retry-After` header: delay-seconds, or an HTTP date (RFC 9110, section 10.2.3) read by
/// the `httpdate` crate, as the wait from now (none for a date in the past).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(
        date.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// A number in `[0, 1)` that differs from call to call, for full jitter. Each `RandomState` has
/// fresh keys (seeded from the OS once per thread, then stepped), so hashing nothing with a new
/// one gives a new value; jitter needs spread, not cryptographic quality.
fn jitter() -> f64 {
    use std::hash::BuildHasher as _;
    let bits = std::collections::hash_map::RandomState::new().hash_one(()) >> 11;
    bits as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let header = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(RETRY_AFTER, value.parse().unwrap());
            retry_after(&headers)
        };
        assert_eq!(header("120"), Some(Duration::from_secs(120)));
        let in_a_minute = std::time::SystemTime::now() + Duration::from_secs(61);
        let wait = header(&httpdate::fmt_http_date(in_a_minute)).unwrap();
        assert!(
            (Duration::from_secs(59)..=Duration::from_secs(61)).contains(&wait),
            "{wait:?}"
        );
        assert_eq!(
            header("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(header("soon"), None);
    }

    #[test]
    fn jitter_spreads_over_the_unit_interval() {
        let draws: Vec<f64> = (0..1000).map(|_| jitter()).collect();
        assert!(draws.iter().all(|draw| (0.0..1.0).contains(draw)));
        // Full jitter needs spread: each tenth of the interval gets some of 1000 draws.
        for tenth in 0..10 {
            let low = f64::from(tenth) / 10.0;
            assert!(
                draws.iter().any(|draw| (low..low + 0.1).contains(draw)),
                "no draw in [{low}, {})",
                low + 0.1
            );
        }
    }

    #[test]
    fn backoff_grows_is_jittered_and_capped() {
        let policy = RetryPolicy::default()
            .max_attempts(10)
            .max_backoff(Duration::from_secs(1));
        for attempt in 1..10 {
            let ceiling = Duration::from_millis(200)
                .saturating_mul(1 << (attempt - 1))
                .min(Duration::from_secs(1));
            let delay = policy.next_delay(attempt, Duration::ZERO, None).unwrap();
            assert!(
                delay <= ceiling,
                "attempt {attempt}: {delay:?} > {ceiling:?}"
            );
        }
    }

    #[test]
    fn retry_after_is_a_floor_and_a_longer_one_gives_up() {
        let policy = RetryPolicy::default().initial_backoff(Duration::from_secs(4));
        for _ in 0..50 {
            let delay = policy
                .next_delay(1, Duration::ZERO, Some(Duration::from_secs(2)))
                .unwrap();
            assert!(delay >= Duration::from_secs(2), "{delay:?}");
        }
        assert_eq!(
            policy.next_delay(1, Duration::ZERO, Some(Duration::from_secs(60))),
            None,
            "60 s is longer than max_backoff: give up, never retry sooner"
        );
    }

    #[test]
    fn attempts_and_elapsed_time_are_bounded() {
        let policy = RetryPolicy::default();
        assert!(policy.next_delay(2, Duration::ZERO, None).is_some());
        assert_eq!(
            policy.next_delay(3, Duration::ZERO, None),
            None,
            "three attempts in all"
        );
        assert_eq!(
            policy.next_delay(1, Duration::from_secs(29), Some(Duration::from_secs(2))),
            None
        );
        assert_eq!(
            RetryPolicy::none().next_delay(1, Duration::ZERO, None),
            None
        );
    }

    #[test]
    fn only_idempotent_methods_and_transient_statuses_are_retried() {
        assert!(
            is_idempotent(&Method::GET)
                && is_idempotent(&Method::PUT)
                && is_idempotent(&Method::DELETE)
        );
        assert!(!is_idempotent(&Method::POST));
        for status in [429, 503, 504] {
            assert!(
                is_retryable_status(StatusCode::from_u16(status).unwrap()),
                "{status}"
            );
        }
        for status in [400, 401, 403, 404, 500, 502] {
            assert!(
                !is_retryable_status(StatusCode::from_u16(status).unwrap()),
                "{status}"
            );
        }
    }
}
