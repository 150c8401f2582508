//! The one call path: what [`CallFuture`] documents.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use reqwest::{Method, Request, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use tracing::Instrument as _;
use tracing::field::Empty;

use super::answer::{RawAnswer, decode};
use super::auth::CachedToken;
use super::client::{Authentication, ClientState};
use super::error::{ApiFailure, ResponseBody};
use super::retry::{is_idempotent, is_retryable_error, is_retryable_status, retry_after};
use crate::types::TokenRequest;
use crate::{Client, Error};

/// What awaiting a builder gives, and what the call does.
///
/// Awaiting a builder (`client.get_customer_tenant().id(42).await`) is the one way to send a
/// call: the builder builds the `reqwest::Request` once. For each attempt this takes a token
/// from the cache (HTTP Basic client credentials for the token operation), waits its turn (the
/// pause every clone of the client shares after a 429 or 503, and the rate cap), sends a copy
/// of the request, reads the body within the client's limit, and decodes it or turns it into
/// [`Error`], the real status and `Retry-After` kept. Around the attempts: one repeat with a new
/// token after a 401 on a cached one, the retries [`RetryPolicy`](crate::RetryPolicy) allows, and
/// the overall deadline.
///
/// Tracing, with OpenTelemetry's names for HTTP clients: a `crayon_tenants.call` span per call
/// (`operation`, `http.request.method`, `server.address`, `server.port`, and when it ends
/// `attempts`, `http.response.status_code`, `error.type`), a child `crayon_tenants.attempt` per
/// attempt (`http.request.resend_count`, `url.full`, `http.response.status_code`,
/// `error.type`), a `crayon_tenants.token` span per token request; a DEBUG event `call finished`
/// when a call ends (operation, status, attempts, duration, error), which the ordinary
/// `tracing_subscriber::fmt()` prints, and a WARN event `retrying` per retry. No field holds a
/// secret: `url.full` carries only the operation's filters.
///
/// Boxed, so that every builder's `IntoFuture` names one type.
pub type CallFuture<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

/// The token operation's `operationId`: sent with the client's Basic credentials, never with a
/// bearer token.
pub(crate) const TOKEN_OPERATION: &str = "getUserToken";

/// Runs a call: `request` is what the builder made of its parameters (or why it could not).
pub(crate) fn call<T: DeserializeOwned + Send + 'static>(
    operation: &'static str,
    request: (Client, Result<RequestBuilder, String>),
) -> CallFuture<T> {
    run(operation, request, |answer, secret| {
        if !answer.status().is_success() {
            return Err(api_failure(&answer));
        }
        decode(answer.status(), answer.response_body(), secret)
    })
}

/// Runs a call that gives the answer undecoded: an error status too, unless it is one the call
/// path acts on (a 401 refreshes the token; a 429 and a 5xx are retried), which ends as the
/// [`Error`] it is once nothing more is tried.
pub(crate) fn call_raw(
    operation: &'static str,
    request: (Client, Result<RequestBuilder, String>),
) -> CallFuture<RawAnswer> {
    run(operation, request, |answer, _| {
        let status = answer.status();
        if status == StatusCode::UNAUTHORIZED || is_retryable_status(status) {
            Err(api_failure(&answer))
        } else {
            Ok(answer)
        }
    })
}

/// What an attempt's answer becomes: the call's value, or the error that may be retried.
/// `secret`: the answer may hold a token.
type Finish<T> = fn(RawAnswer, bool) -> Result<T, Error>;

fn api_failure(answer: &RawAnswer) -> Error {
    Error::Api(ApiFailure::from_body(
        answer.status(),
        answer.body(),
        retry_after(answer.headers()),
    ))
}

fn run<T: Send + 'static>(
    operation: &'static str,
    (client, request): (Client, Result<RequestBuilder, String>),
    finish_with: Finish<T>,
) -> CallFuture<T> {
    Box::pin(async move {
        let request = request.and_then(build);
        let method = request.as_ref().map_or(Method::GET, |r| r.method().clone());
        let (host, port) = &client.state().server;
        let span = tracing::info_span!(
            "crayon_tenants.call",
            operation,
            http.request.method = %method,
            server.address = host.as_str(),
            server.port = *port,
            attempts = Empty,
            http.response.status_code = Empty,
            error.type = Empty,
        );
        let started = Instant::now();
        let mut sent = 0;
        let outcome = async {
            let request = request.map_err(Error::InvalidRequest)?;
            let attempts = attempts(&client, operation, request, &mut sent, finish_with);
            match client.state().deadline {
                Some(deadline) => tokio::time::timeout(deadline, attempts)
                    .await
                    .unwrap_or(Err(Error::DeadlineExceeded(deadline))),
                None => attempts.await,
            }
        }
        .instrument(span.clone())
        .await;
        finish(&span, operation, started, sent, outcome)
    })
}

/// The request a builder made, asking for JSON (every answer of the contract is JSON).
fn build(request: RequestBuilder) -> Result<Request, String> {
    let accept = HeaderValue::from_static("application/json");
    let request = request.header(ACCEPT, accept).build();
    request.map_err(|error| error.to_string())
}

/// Records how the call ended on its span and in a DEBUG event.
fn finish<T>(
    span: &tracing::Span,
    operation: &str,
    started: Instant,
    sent: u32,
    outcome: Result<(StatusCode, T), Error>,
) -> Result<T, Error> {
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.record("attempts", sent);
    let _entered = span.enter();
    match outcome {
        Ok((status, value)) => {
            span.record("http.response.status_code", status.as_u16());
            tracing::debug!(
                operation,
                status = status.as_u16(),
                attempts = sent,
                elapsed_ms,
                "call finished"
            );
            Ok(value)
        }
        Err(error) => {
            // The status of the call's own request (not of the token request).
            let status = Some(&error)
                .filter(|error| !error.while_requesting_token())
                .and_then(Error::status);
            if let Some(status) = status {
                span.record("http.response.status_code", status.as_u16());
            }
            let kind = error_type(&error);
            span.record("error.type", kind.as_str());
            tracing::debug!(operation, status = status.map(|s| s.as_u16()), attempts = sent, elapsed_ms, error.type = kind, error = %error, "call finished");
            Err(error)
        }
    }
}

async fn attempts<T>(
    client: &Client,
    operation: &'static str,
    request: Request,
    sent: &mut u32,
    finish_with: Finish<T>,
) -> Result<(StatusCode, T), Error> {
    let state = client.state();
    let started = Instant::now();
    let method = request.method().clone();
    let idempotent = is_idempotent(&method);
    let token_operation = operation == TOKEN_OPERATION;
    let (mut attempt, mut refreshed, mut answer_lost) = (0, false, false);
    loop {
        attempt += 1;
        let authorization = if token_operation {
            state.authentication.basic()
        } else {
            state.authentication.authorization(client).await?
        };
        // The pause every clone shares (after a 429 or 503) and the rate cap.
        state.pacer.wait_turn(state.retry.longest_wait()).await?;
        let mut copy = request.try_clone().ok_or_else(|| {
            Error::InvalidRequest("the request body cannot be sent twice".to_owned())
        })?;
        if let Some(authorization) = &authorization {
            copy.headers_mut()
                .insert(AUTHORIZATION, authorization.clone());
        }
        let attempt_span = tracing::info_span!(
            "crayon_tenants.attempt",
            http.request.resend_count = *sent,
            url.full = shown(copy.url()).as_str(),
            http.response.status_code = Empty,
            error.type = Empty,
        );
        *sent += 1;
        let outcome = send(state, copy).instrument(attempt_span.clone()).await;
        let error = match outcome.and_then(|answer| {
            let status = answer.status();
            Ok((status, finish_with(answer, token_operation)?))
        }) {
            Ok(answer) => return Ok(answer),
            Err(error) => error,
        };
        attempt_span.record("error.type", error_type(&error));
        drop(attempt_span);
        // A cached token the server no longer takes: forget it, fetch one, repeat once. A 401
        // refuses the request before anything is done, so even a create may be repeated.
        if let (Some(StatusCode::UNAUTHORIZED), Authentication::Password(cache), Some(used)) =
            (error.status(), &state.authentication, &authorization)
            && !refreshed
            && !token_operation
        {
            tracing::info!("401 with a cached token: refreshing it and repeating once");
            cache.invalidate(used);
            refreshed = true;
            attempt -= 1;
            continue;
        }
        if let Error::Api(failure) = &error
            && answer_lost
            && method == Method::DELETE
            && failure.status == StatusCode::NOT_FOUND
        {
            return Err(Error::NotFoundAfterRetry(failure.clone()));
        }
        // A 429 refuses a request before it runs (a rate limit answers it, not the operation),
        // so even a create may be sent again after one; nothing else retries a POST.
        let rate_limited = error.status() == Some(StatusCode::TOO_MANY_REQUESTS);
        let delay = ((idempotent || rate_limited) && is_retryable(&error))
            .then(|| {
                state
                    .retry
                    .next_delay(attempt, started.elapsed(), error.retry_after())
            })
            .flatten();
        // Too many requests, or the service is unavailable: every request of the client waits
        // (what the server asked, or this call's backoff), not only this one.
        if let Error::Api(failure) = &error
            && matches!(
                failure.status,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            )
            && let Some(wait) = delay.or(failure.retry_after)
        {
            state.pacer.pause(wait, failure);
        }
        if let Some(delay) = delay {
            answer_lost |= match &error {
                Error::Timeout(_) => true,
                Error::Connection(error) => !error.is_connect(),
                _ => false,
            };
            tracing::warn!(
                attempt,
                wait_ms = delay.as_millis() as u64,
                reason = %error,
                "retrying"
            );
            tokio::time::sleep(delay).await;
            continue;
        }
        return Err(error);
    }
}

/// A request's URL as spans and errors show it: the values of the query parameters the
/// contract marks as personal (a search for a customer's name, a domain prefix) replaced by
/// `REDACTED`, as OpenTelemetry's `url.full` asks for sensitive values.
pub(crate) fn shown(url: &reqwest::Url) -> reqwest::Url {
    let personal = |name: &str| {
        crate::generated::PERSONAL_QUERY_PARAMETERS
            .iter()
            .any(|known| known.eq_ignore_ascii_case(name))
    };
    if !url.query_pairs().any(|(name, _)| personal(&name)) {
        return url.clone();
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(name, value)| {
            let value = if personal(&name) {
                "REDACTED".into()
            } else {
                value
            };
            (name.into_owned(), value.into_owned())
        })
        .collect();
    let mut shown = url.clone();
    shown.query_pairs_mut().clear().extend_pairs(pairs);
    shown
}

/// `error.type` of a span: the HTTP status of an error answer, or the kind of failure.
fn error_type(error: &Error) -> String {
    match error {
        Error::Api(failure) | Error::NotFoundAfterRetry(failure) => {
            failure.status.as_u16().to_string()
        }
        Error::Authentication(_) => "authentication".to_owned(),
        Error::Timeout(_) | Error::DeadlineExceeded(_) => "timeout".to_owned(),
        Error::Connection(_) => "connection".to_owned(),
        Error::Redirect { .. } => "redirect".to_owned(),
        Error::BodyTooLarge { .. } => "body_too_large".to_owned(),
        Error::Decode { .. } => "decode".to_owned(),
        Error::InvalidRequest(_) => "invalid_request".to_owned(),
        _ => "_OTHER".to_owned(),
    }
}

/// Whether another attempt may succeed where this one failed.
fn is_retryable(error: &Error) -> bool {
    match error {
        Error::Api(failure) => is_retryable_status(failure.status),
        Error::Timeout(error) | Error::Connection(error) => {
            is_retryable_error(error.reqwest_error())
        }
        _ => false,
    }
}

/// One attempt: the request sent and its body read within the client's limit.
async fn send(state: &ClientState, request: Request) -> Result<RawAnswer, Error> {
    let mut response = state
        .http
        .execute(request)
        .await
        .map_err(Error::from_transport)?;
    let status = response.status();
    tracing::Span::current().record("http.response.status_code", status.as_u16());
    // Taken, not copied: the body's length comes from the body, not from these headers.
    let headers = std::mem::take(response.headers_mut());
    let body = read_body(response, state.body_limit)
        .await?
        .ok_or(Error::BodyTooLarge {
            status,
            limit: state.body_limit,
        })?;
    Ok(RawAnswer::from_bytes(status, headers, body))
}

/// The body, or `None` when it is larger than `limit` bytes (not read further: an announced
/// length over the limit fails before any of it is read). A body with an announced length is
/// read whole (HTTP/1.1 reads no more than it announced), without copying it again.
async fn read_body(mut response: Response, limit: usize) -> Result<Option<bytes::Bytes>, Error> {
    match response.content_length() {
        Some(length) if length > limit as u64 => Ok(None),
        Some(_) => Ok(Some(response.bytes().await.map_err(Error::from_transport)?)),
        None => {
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(Error::from_transport)? {
                if body.len() + chunk.len() > limit {
                    return Ok(None);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Some(body.into()))
        }
    }
}

/// Fetches a token with the token operation: one attempt with the client's HTTP client (its
/// timeouts, proxy and user agent), none of the retries and token logic of resource calls. Runs
/// inside the token request's span (`auth.rs`), on which a failure records its `error.type`.
pub(crate) async fn fetch_token(client: &Client, form: TokenRequest) -> Result<CachedToken, Error> {
    let outcome = request_token(client, form).await;
    if let Err(error) = &outcome {
        tracing::Span::current().record("error.type", error_type(error));
    }
    outcome
}

async fn request_token(client: &Client, form: TokenRequest) -> Result<CachedToken, Error> {
    let state = client.state();
    state.pacer.wait_turn(state.retry.longest_wait()).await?;
    let (_, request) = client.get_user_token().body(form).request();
    let mut request = request.and_then(build).map_err(Error::InvalidRequest)?;
    if let Some(basic) = state.authentication.basic() {
        request.headers_mut().insert(AUTHORIZATION, basic);
    }
    tracing::Span::current().record("url.full", request.url().as_str());
    let fetched_at = Instant::now();
    let token = send(state, request)
        .await
        .and_then(|answer| {
            if !answer.status().is_success() {
                return Err(api_failure(&answer));
            }
            decode::<crate::types::Token>(answer.status(), answer.response_body(), true)
        })
        .map_err(token_failure)?;
    let invalid = |message: String| {
        Error::Authentication(Arc::new(Error::Decode {
            status: StatusCode::OK,
            path: "AccessToken".to_owned(),
            message,
            found: String::new(),
            body: ResponseBody::default(),
        }))
    };
    let access_token = token
        .access_token
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            invalid(format!(
                "the token operation issued no access token ({})",
                token.error.as_deref().unwrap_or("no reason given")
            ))
        })?;
    let mut authorization = HeaderValue::try_from(format!("Bearer {access_token}"))
        .map_err(|_| invalid("the access token is not a valid header value".to_owned()))?;
    authorization.set_sensitive(true);
    Ok(CachedToken::new(
        authorization,
        fetched_at,
        token.expires_in,
    ))
}

/// A failure of the token request, classified: credentials refused (400, 401) or an answer that
/// holds no usable token are [`Error::Authentication`]; anything else (no connection, a timeout,
/// a 5xx or 429, a redirect) is the error any call would get, marked as the token request's.
fn token_failure(error: Error) -> Error {
    match error {
        Error::Api(failure)
            if matches!(
                failure.status,
                StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED
            ) =>
        {
            Error::Authentication(Arc::new(Error::Api(failure)))
        }
        error @ (Error::Decode { .. } | Error::BodyTooLarge { .. }) => {
            Error::Authentication(Arc::new(error))
        }
        other => other.of_token_request(),
    }
}
