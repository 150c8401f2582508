//! A rate limit that behaves like an API gateway's: a token bucket of one second's requests,
//! refilled continuously; a request over it is answered 429 with a `Retry-After` (whole
//! seconds, as the header allows) and an `ApiError` body, and is not run.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::MockError;

/// The bucket.
#[derive(Debug)]
pub(crate) struct RateLimit {
    per_second: f64,
    bucket: Mutex<(f64, Instant)>,
}

impl RateLimit {
    /// At most `per_second` requests a second on average, bursts of one second's worth.
    pub(crate) fn new(per_second: f64) -> Self {
        let per_second = per_second.max(0.001);
        Self {
            per_second,
            bucket: Mutex::new((per_second.max(1.0), Instant::now())),
        }
    }

    /// `None` when the request may run; else the 429 to answer.
    pub(crate) fn check(&self) -> Option<Response> {
        let mut bucket = self
            .bucket
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (tokens, refilled) = &mut *bucket;
        let now = Instant::now();
        let capacity = self.per_second.max(1.0);
        *tokens =
            (*tokens + now.duration_since(*refilled).as_secs_f64() * self.per_second).min(capacity);
        *refilled = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            return None;
        }
        let wait = Duration::from_secs_f64((1.0 - *tokens) / self.per_second);
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut response = MockError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Rate limit exceeded: at most {} requests a second.",
                self.per_second
            ),
        )
        .into_response();
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        Some(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_one_second_passes_and_the_next_request_is_told_when_to_come_back() {
        let limit = RateLimit::new(5.0);
        assert!((0..5).all(|_| limit.check().is_none()));
        let refused = limit
            .check()
            .expect("the sixth request in the same instant");
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.headers()[RETRY_AFTER], "1");
    }
}
