//! When the next request may go out: one pause that every clone of a client shares (a 429 or
//! 503 holds back all of its workers, not only the request that got it), and an optional cap on
//! the rate of requests.
//!
//! Twenty lines of state behind a mutex that is never held across an await; a rate-limiting
//! crate (governor) would bring its clock, hashing and atomics crates into every build for the
//! one thing needed here: the instant of the next free slot.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::{ApiFailure, Error};

/// The pace of one client and its clones.
#[derive(Debug, Default)]
pub(crate) struct Pacer {
    /// The time between two requests when the rate is capped.
    interval: Option<Duration>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Until when every request waits, and the answer that asked for it.
    paused: Option<(Instant, ApiFailure)>,
    /// The earliest instant the next request may go out at the capped rate.
    next_slot: Option<Instant>,
}

impl Pacer {
    /// A pacer that lets at most `per_second` requests out per second (none: no cap).
    pub(crate) fn new(per_second: Option<f64>) -> Self {
        let interval = per_second
            .filter(|rate| rate.is_finite() && *rate > 0.0)
            .map(|rate| Duration::from_secs_f64(1.0 / rate));
        Self {
            interval,
            state: Mutex::default(),
        }
    }

    /// Waits until a request may go out: the shared pause has passed and, when the rate is
    /// capped, the request's slot has come. A pause longer than `longest_wait` is not waited
    /// out: the call fails at once with the answer that asked for it, its `Retry-After` being
    /// what is left of the pause.
    pub(crate) async fn wait_turn(&self, longest_wait: Duration) -> Result<(), Error> {
        loop {
            let now = Instant::now();
            let wait = {
                let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                match &state.paused {
                    Some((until, failure)) if *until > now => {
                        let left = *until - now;
                        if left > longest_wait {
                            let mut failure = failure.clone();
                            failure.retry_after = Some(left);
                            return Err(Error::Api(failure));
                        }
                        Some(left)
                    }
                    _ => {
                        state.paused = None;
                        None
                    }
                }
            };
            if let Some(wait) = wait {
                tokio::time::sleep(wait).await;
                continue;
            }
            let Some(interval) = self.interval else {
                return Ok(());
            };
            let slot = {
                let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                let slot = state.next_slot.map_or(now, |next| next.max(now));
                state.next_slot = Some(slot + interval);
                slot
            };
            tokio::time::sleep_until(slot).await;
            // A pause that began while this request waited for its slot holds it back too.
            let paused = self
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .paused
                .as_ref()
                .is_some_and(|(until, _)| *until > Instant::now());
            if !paused {
                return Ok(());
            }
        }
    }

    /// Holds back every request for `wait` (a pause already longer stays).
    pub(crate) fn pause(&self, wait: Duration, failure: &ApiFailure) {
        let until = Instant::now() + wait;
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.paused.as_ref().is_none_or(|(old, _)| *old < until) {
            state.paused = Some((until, failure.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    fn too_many() -> ApiFailure {
        ApiFailure {
            status: StatusCode::TOO_MANY_REQUESTS,
            error: None,
            body: None,
            retry_after: Some(Duration::from_secs(1)),
            while_requesting_token: false,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_back_every_request_until_it_passes() {
        let pacer = Pacer::new(None);
        let started = tokio::time::Instant::now();
        pacer.pause(Duration::from_millis(300), &too_many());
        pacer.wait_turn(Duration::from_secs(5)).await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(300));
        // A shorter pause does not shorten a longer one.
        pacer.pause(Duration::from_secs(2), &too_many());
        pacer.pause(Duration::from_millis(10), &too_many());
        let error = pacer.wait_turn(Duration::from_secs(1)).await.unwrap_err();
        assert!(error.is_rate_limited(), "{error}");
        assert!(error.retry_after().unwrap() > Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_capped_rate_spaces_requests() {
        let pacer = Pacer::new(Some(10.0));
        let started = tokio::time::Instant::now();
        for _ in 0..21 {
            pacer.wait_turn(Duration::from_secs(5)).await.unwrap();
        }
        // The first goes at once, the 21st two seconds later.
        assert_eq!(started.elapsed().as_millis(), 2000);
    }
}
