//! Fault injection: make chosen operations fail the way real networks and gateways fail, so that
//! a client's retries, timeouts and error handling can be tested against something real.
//!
//! Which requests a fault hits is deterministic: a fault with `rate` 1 hits every request (up to
//! `times`), and one with a lower rate draws from a generator seeded with
//! [`MockConfig::fault_seed`](crate::MockConfig::fault_seed), so the same seed and the same
//! sequence of requests give the same failures.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt as _;

use crate::error::MockError;
use crate::operation::{Operation, UnknownOperation};
use crate::state::WorldChange;

/// What happens to a request a fault hits.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Answer this status with an `ApiError` body, and a `Retry-After` header (seconds) when
    /// given, without running the operation (for example 502 on create, 503 or 429 on list).
    Status {
        /// The HTTP status to answer.
        status: u16,
        /// Seconds for the `Retry-After` header.
        retry_after: Option<u64>,
    },
    /// Wait this long before handling the request (added to the server's latency).
    Latency(Duration),
    /// Run the operation, then replace its body with JSON that does not parse.
    MalformedJson,
    /// Run the operation, then send half of its body and close the connection.
    TruncatedBody,
    /// Answer this status with an HTML page, as a gateway in front of the API does, without
    /// running the operation.
    HtmlPage {
        /// The HTTP status to answer.
        status: u16,
    },
    /// Answer 401 with an empty body, without running the operation.
    EmptyUnauthorized,
    /// Close the connection without answering, without running the operation.
    DropConnection,
    /// Run the operation, then close the connection without answering: the work is done and
    /// the answer is lost (a delete that worked, whose client never hears so).
    DropAfterRunning,
    /// Run the operation, then answer with this `ExpiresIn` in its JSON body (for the token
    /// operation: a server that announces lifetimes that are huge, zero or negative).
    ExpiresIn(i64),
    /// Run the operation, then make this change to the tenants of the request's
    /// `organizationId` (on `listCustomerTenants` with `times=1`: the world changes after page 1
    /// is answered, before the next page is read).
    Change(WorldChange),
}

/// A fault, the requests it applies to, and how often it hits.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultRule {
    /// The operation it applies to; `None` for every operation.
    pub operation: Option<Operation>,
    /// What it does.
    pub fault: Fault,
    /// Share of matching requests it hits, from 0 to 1. Default 1.
    pub rate: f64,
    /// How many requests it hits at most; `None` for no limit.
    pub times: Option<u32>,
}

impl FaultRule {
    /// A fault that hits every request of `operation`.
    pub fn new(operation: Operation, fault: Fault) -> Self {
        Self {
            operation: Some(operation),
            fault,
            rate: 1.0,
            times: None,
        }
    }

    /// A fault that hits every request of every operation.
    pub fn everywhere(fault: Fault) -> Self {
        Self {
            operation: None,
            fault,
            rate: 1.0,
            times: None,
        }
    }

    /// Hits only this share of matching requests (0 to 1).
    pub fn rate(mut self, rate: f64) -> Self {
        self.rate = rate;
        self
    }

    /// Hits at most this many requests, then stops.
    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }
}

/// Why a `--fault` argument did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultParseError(String);

impl fmt::Display for FaultParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}; expected OPERATION:KIND[:OPTION...] with OPERATION an operationId or `*`, KIND one \
             of status=CODE, latency=MS, malformed-json, truncated-body, html-page=CODE, \
             empty-unauthorized, drop-connection, drop-after-running, expires-in=SECS, change=delete-first|insert-first|rename-last-first|\
             replace|repeat, and OPTION one of rate=0..1, times=N, retry-after=SECS",
            self.0
        )
    }
}

impl std::error::Error for FaultParseError {}

impl From<UnknownOperation> for FaultParseError {
    fn from(error: UnknownOperation) -> Self {
        Self(error.to_string())
    }
}

fn parse_number<T: FromStr>(what: &str, value: &str) -> Result<T, FaultParseError> {
    value
        .parse()
        .map_err(|_| FaultParseError(format!("`{value}` is not a valid {what}")))
}

fn parse_status(value: &str) -> Result<u16, FaultParseError> {
    let status: u16 = parse_number("status", value)?;
    if !(100..=599).contains(&status) {
        return Err(FaultParseError(format!("{status} is not an HTTP status")));
    }
    Ok(status)
}

/// A rule in the mock binary's `--fault` syntax, `OPERATION:KIND[:OPTION...]`: each kind is its
/// [`Fault`] variant in kebab case (`drop-after-running` is [`Fault::DropAfterRunning`]), with
/// its value after `=`; the options are `rate=0..1`, `times=N` and, with `status=CODE`,
/// `retry-after=SECS`.
///
/// ```
/// use crayon_tenants_mock::{Fault, FaultRule};
///
/// let rule: FaultRule = "getCustomerTenant:status=503:times=2".parse().unwrap();
/// assert_eq!(rule.fault, Fault::Status { status: 503, retry_after: None });
/// assert!("getCustomerTenant:drop-after-running".parse::<FaultRule>().is_ok());
/// ```
impl FromStr for FaultRule {
    type Err = FaultParseError;

    /// Parses the `--fault` syntax, for example `createCustomerTenant:status=502:rate=0.5`,
    /// `listCustomerTenants:status=503:retry-after=1:times=2` or `*:latency=200`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.split(':');
        let operation = match parts.next().unwrap_or_default() {
            "*" => None,
            name => Some(name.parse::<Operation>()?),
        };
        let kind = parts
            .next()
            .ok_or_else(|| FaultParseError(format!("`{text}` names no fault")))?;
        let (name, value) = kind.split_once('=').unwrap_or((kind, ""));
        let mut retry_after = None;
        let mut rule = FaultRule {
            operation,
            fault: match name {
                "status" => Fault::Status {
                    status: parse_status(value)?,
                    retry_after: None,
                },
                "latency" => {
                    Fault::Latency(Duration::from_millis(parse_number("latency in ms", value)?))
                }
                "malformed-json" => Fault::MalformedJson,
                "truncated-body" => Fault::TruncatedBody,
                "html-page" => Fault::HtmlPage {
                    status: parse_status(value)?,
                },
                "empty-unauthorized" => Fault::EmptyUnauthorized,
                "drop-connection" => Fault::DropConnection,
                "drop-after-running" => Fault::DropAfterRunning,
                "expires-in" => Fault::ExpiresIn(parse_number("number of seconds", value)?),
                "change" => Fault::Change(
                    WorldChange::ALL
                        .iter()
                        .find(|(name, _)| *name == value)
                        .map(|(_, change)| *change)
                        .ok_or_else(|| FaultParseError(format!("unknown change `{value}`")))?,
                ),
                other => return Err(FaultParseError(format!("unknown fault `{other}`"))),
            },
            rate: 1.0,
            times: None,
        };
        for option in parts {
            match option.split_once('=') {
                Some(("rate", value)) => {
                    rule.rate = parse_number("rate", value)?;
                    if !(0.0..=1.0).contains(&rule.rate) {
                        return Err(FaultParseError(format!(
                            "rate {value} is not between 0 and 1"
                        )));
                    }
                }
                Some(("times", value)) => rule.times = Some(parse_number("count", value)?),
                Some(("retry-after", value)) => {
                    retry_after = Some(parse_number("number of seconds", value)?)
                }
                _ => return Err(FaultParseError(format!("unknown option `{option}`"))),
            }
        }
        if let Some(seconds) = retry_after {
            match &mut rule.fault {
                Fault::Status { retry_after, .. } => *retry_after = Some(seconds),
                _ => return Err(FaultParseError("retry-after goes with status=CODE".into())),
            }
        }
        Ok(rule)
    }
}

/// What the faults decided for one request.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Decision {
    /// Latency added by latency faults.
    pub latency: Duration,
    /// The first other fault that hit, if any.
    pub fault: Option<Fault>,
}

/// The active faults, with how often each has hit, and the seeded generator for rates.
pub(crate) struct Faults {
    inner: Mutex<FaultsInner>,
}

struct FaultsInner {
    rules: Vec<(FaultRule, u32)>,
    rng: fastrand::Rng,
}

impl Faults {
    pub(crate) fn new(rules: Vec<FaultRule>, seed: u64) -> Self {
        Self {
            inner: Mutex::new(FaultsInner {
                rules: rules.into_iter().map(|rule| (rule, 0)).collect(),
                rng: fastrand::Rng::with_seed(seed),
            }),
        }
    }

    pub(crate) fn add(&self, rule: FaultRule) {
        self.lock().rules.push((rule, 0));
    }

    pub(crate) fn clear(&self) {
        self.lock().rules.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FaultsInner> {
        // A panic elsewhere while holding the lock leaves the rules usable.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Decides what happens to one request of `operation`.
    pub(crate) fn decide(&self, operation: Operation) -> Decision {
        let mut inner = self.lock();
        let FaultsInner { rules, rng } = &mut *inner;
        let mut decision = Decision::default();
        for (rule, hits) in rules.iter_mut() {
            if rule.operation.is_some_and(|op| op != operation)
                || rule.times.is_some_and(|times| *hits >= times)
                || (decision.fault.is_some() && !matches!(rule.fault, Fault::Latency(_)))
            {
                continue;
            }
            if rule.rate < 1.0 && rng.f64() >= rule.rate {
                continue;
            }
            *hits += 1;
            match &rule.fault {
                Fault::Latency(latency) => decision.latency += *latency,
                fault => decision.fault = Some(fault.clone()),
            }
        }
        decision
    }
}

/// Marks a response whose connection the server must close without sending it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DropConnection;

/// The response to a request that `fault` hit; `run` runs the operation when the fault needs its
/// response (malformed and truncated bodies corrupt a real answer).
pub(crate) async fn respond(fault: Fault, run: impl Future<Output = Response>) -> Response {
    match fault {
        // The change is made by the caller, which knows the world, once the answer is ready.
        Fault::Latency(_) | Fault::Change(_) => run.await,
        Fault::Status {
            status,
            retry_after,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response =
                MockError::new(status, format!("Injected fault: {status}.")).into_response();
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
        Fault::HtmlPage { status } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            let reason = status.canonical_reason().unwrap_or("Error");
            let page = format!(
                "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                code = status.as_u16()
            );
            (status, [(CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
        }
        Fault::EmptyUnauthorized => {
            (StatusCode::UNAUTHORIZED, [(WWW_AUTHENTICATE, "Bearer")]).into_response()
        }
        Fault::DropConnection => {
            let mut response = StatusCode::SERVICE_UNAVAILABLE.into_response();
            response.extensions_mut().insert(DropConnection);
            response
        }
        Fault::DropAfterRunning => {
            let mut response = run.await;
            response.extensions_mut().insert(DropConnection);
            response
        }
        Fault::ExpiresIn(seconds) => {
            let (mut parts, body) = run.await.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
                Ok(serde_json::Value::Object(mut token)) => {
                    token.insert("ExpiresIn".to_owned(), seconds.into());
                    parts.headers.remove(CONTENT_LENGTH);
                    serde_json::to_vec(&token).unwrap_or_default().into()
                }
                _ => bytes,
            };
            Response::from_parts(parts, Body::from(body))
        }
        Fault::MalformedJson => {
            let (mut parts, body) = run.await.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            // Half of the real body: an unterminated document with the real status.
            let mut corrupted = bytes[..bytes.len() / 2].to_vec();
            corrupted.extend_from_slice(b"{\"");
            parts.headers.remove(CONTENT_LENGTH);
            parts.headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            Response::from_parts(parts, Body::from(corrupted))
        }
        Fault::TruncatedBody => {
            let (mut parts, body) = run.await.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            // Announce the whole length, send half, then fail the body: the connection is closed
            // mid-body, as when a proxy or the network gives up.
            parts
                .headers
                .insert(CONTENT_LENGTH, HeaderValue::from(bytes.len().max(2)));
            let half = bytes.slice(..bytes.len() / 2);
            // The pause lets the server flush the headers and the half before the failure.
            let failure = futures::stream::once(async {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "injected truncation",
                ))
            });
            let chunks = futures::stream::iter([Ok::<_, std::io::Error>(half)]).chain(failure);
            Response::from_parts(parts, Body::from_stream(chunks))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_fault_kind_and_option() {
        let rule: FaultRule = "listCustomerTenants:status=503:retry-after=2:times=3:rate=0.5"
            .parse()
            .unwrap();
        assert_eq!(
            rule,
            FaultRule {
                operation: Some(Operation::ListCustomerTenants),
                fault: Fault::Status {
                    status: 503,
                    retry_after: Some(2)
                },
                rate: 0.5,
                times: Some(3),
            }
        );
        assert_eq!(
            "*:latency=20".parse::<FaultRule>().unwrap().fault,
            Fault::Latency(Duration::from_millis(20))
        );
        assert_eq!(
            "getCustomerTenant:html-page=502"
                .parse::<FaultRule>()
                .unwrap()
                .fault,
            Fault::HtmlPage { status: 502 }
        );
        for (text, fault) in [
            ("createCustomerTenant:malformed-json", Fault::MalformedJson),
            ("createcustomertenant:truncated-body", Fault::TruncatedBody),
            ("getUserToken:empty-unauthorized", Fault::EmptyUnauthorized),
            (
                "deleteCustomerTenant:drop-connection",
                Fault::DropConnection,
            ),
            (
                "deleteCustomerTenant:drop-after-running",
                Fault::DropAfterRunning,
            ),
            (
                "getUserToken:expires-in=-9223372036854775808",
                Fault::ExpiresIn(i64::MIN),
            ),
            (
                "listCustomerTenants:change=rename-last-first",
                Fault::Change(WorldChange::RenameLastFirst),
            ),
            (
                "listCustomerTenants:change=repeat",
                Fault::Change(WorldChange::Repeat),
            ),
        ] {
            assert_eq!(text.parse::<FaultRule>().unwrap().fault, fault, "{text}");
        }
    }

    #[test]
    fn rejects_bad_fault_arguments_with_a_reason() {
        for (text, reason) in [
            ("nope:drop-connection", "unknown operation `nope`"),
            ("*:explode", "unknown fault `explode`"),
            ("*:status=700", "700 is not an HTTP status"),
            ("*:status=abc", "`abc` is not a valid status"),
            ("*:change=shuffle", "unknown change `shuffle`"),
            ("*:drop-connection:rate=2", "rate 2 is not between 0 and 1"),
            (
                "*:drop-connection:retry-after=1",
                "retry-after goes with status=CODE",
            ),
            ("*", "names no fault"),
        ] {
            let error = text.parse::<FaultRule>().unwrap_err().to_string();
            assert!(error.contains(reason), "{text}: {error}");
        }
    }

    #[test]
    fn times_limits_hits_and_other_operations_are_untouched() {
        let faults = Faults::new(
            vec![
                FaultRule::new(
                    Operation::GetCustomerTenant,
                    Fault::Status {
                        status: 503,
                        retry_after: None,
                    },
                )
                .times(2),
            ],
            0,
        );
        let hits: Vec<bool> = (0..4)
            .map(|_| faults.decide(Operation::GetCustomerTenant).fault.is_some())
            .collect();
        assert_eq!(hits, [true, true, false, false]);
        assert_eq!(
            faults.decide(Operation::ListCustomerTenants),
            Decision::default()
        );
    }

    #[test]
    fn a_rate_is_deterministic_for_a_seed_and_close_to_its_share() {
        let pattern = |seed| {
            let faults = Faults::new(
                vec![FaultRule::everywhere(Fault::DropConnection).rate(0.3)],
                seed,
            );
            (0..1000)
                .map(|_| {
                    faults
                        .decide(Operation::ListCustomerTenants)
                        .fault
                        .is_some()
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(pattern(7), pattern(7));
        assert_ne!(pattern(7), pattern(8));
        let hits = pattern(7).into_iter().filter(|hit| *hit).count();
        assert!(
            (200..400).contains(&hits),
            "{hits} hits of 1000 at rate 0.3"
        );
    }

    #[test]
    fn latency_adds_up_beside_another_fault() {
        let faults = Faults::new(
            vec![
                FaultRule::everywhere(Fault::Latency(Duration::from_millis(5))),
                FaultRule::everywhere(Fault::MalformedJson),
                FaultRule::everywhere(Fault::Latency(Duration::from_millis(7))),
            ],
            0,
        );
        let decision = faults.decide(Operation::GetUserToken);
        assert_eq!(decision.latency, Duration::from_millis(12));
        assert_eq!(decision.fault, Some(Fault::MalformedJson));
    }
}
