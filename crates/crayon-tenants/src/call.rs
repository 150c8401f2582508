//! The call layer: what happens when a user awaits a generated builder.
//!
//! `client.get_customer_tenant().id(42).await` runs [`call`] (the builders' `IntoFuture`, written
//! by `cargo xtask codegen`). For each attempt it takes a token from the cache, sends a clone of
//! the builder through the generated `send()` (which validates it, builds the request and calls
//! `ClientHooks` in `hooks.rs`), and turns a failure into [`Error`]. Around the attempts: one
//! repeat with a new token after a 401 on a cached one, retries of idempotent calls as the
//! [`RetryPolicy`](crate::RetryPolicy) allows, the overall deadline, and the tracing spans.
//!
//! The spans follow OpenTelemetry's semantic conventions for HTTP clients: one
//! `crayon_tenants.call` span per call (`operation`, `http.request.method`, `server.address`,
//! `server.port`; when it ends, the number of `attempts`, the final
//! `http.response.status_code` and `error.type`), one child `crayon_tenants.attempt` span per
//! attempt (`http.request.resend_count`, `url.full`, `http.response.status_code`,
//! `error.type`), and a `crayon_tenants.token` span for each token request. Every field is
//! recorded once, on the span it belongs to; a retry is a `warn` event with its reason and its
//! wait. No field holds a secret: `url.full` is the request's URL, whose query carries only
//! filters.
//!
//! What the hooks learn about the answer (its real status, its `Retry-After`, whether its body
//! went over the limit) reaches this layer as Rust values in a task-local [`CallContext`],
//! never through the HTTP response: nothing a server sends can change how an error is classified.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use progenitor_client::{ClientInfo as _, ResponseValue};
use reqwest::header::HeaderValue;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tracing::Instrument as _;
use tracing::field::Empty;

use crate::auth::CachedToken;
use crate::client::Authentication;
use crate::error::{ApiFailure, snippet};
use crate::retry::{is_idempotent, is_retryable_error, is_retryable_status};
use crate::types::TokenRequest;
use crate::{Client, Error, GeneratedError};

/// What a call's future is: boxed, so that every builder's `IntoFuture` names one type.
pub type CallFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

tokio::task_local! {
    /// The attempt being sent: set by [`call`] around the generated `send()`, read by the hooks.
    pub(crate) static CALL: Arc<CallContext>;
}

/// One attempt of a call, shared between the call layer and the hooks.
pub(crate) struct CallContext {
    /// The `Authorization` to send (none for the token operation, which sends Basic).
    pub(crate) authorization: Option<HeaderValue>,
    /// The largest body the hooks let the generated code read.
    pub(crate) body_limit: usize,
    seen: Mutex<Seen>,
}

/// What the hooks saw of the answer.
#[derive(Clone, Copy, Default)]
pub(crate) struct Seen {
    pub(crate) status: Option<StatusCode>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body_too_large: bool,
}

impl CallContext {
    fn new(authorization: Option<HeaderValue>, body_limit: usize) -> Arc<Self> {
        Arc::new(Self {
            authorization,
            body_limit,
            seen: Mutex::default(),
        })
    }

    /// Records what the hooks saw.
    pub(crate) fn see(&self, update: impl FnOnce(&mut Seen)) {
        update(&mut self.seen.lock().unwrap_or_else(PoisonError::into_inner));
    }

    fn seen(&self) -> Seen {
        *self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Runs a call: `send` is the generated `send()` of the builder's type.
pub(crate) fn call<'a, B, T, F, Fut>(
    client: &'a Client,
    method: Method,
    operation: &'static str,
    builder: B,
    send: F,
) -> CallFuture<'a, T>
where
    B: Clone + Send + 'a,
    F: Fn(B) -> Fut + Send + 'a,
    Fut: Future<Output = Result<ResponseValue<T>, GeneratedError>> + Send + 'a,
    T: DeserializeOwned + Send + 'a,
{
    let base = reqwest::Url::parse(client.baseurl()).ok();
    let span = tracing::info_span!(
        "crayon_tenants.call",
        operation,
        http.request.method = %method,
        server.address = base.as_ref().and_then(|url| url.host_str()).unwrap_or_default(),
        server.port = base.as_ref().and_then(reqwest::Url::port_or_known_default),
        attempts = Empty,
        http.response.status_code = Empty,
        error.type = Empty,
    );
    let state = client.inner();
    let attempts = attempts(client, method, builder, send, span.clone());
    Box::pin(
        async move {
            match state.deadline {
                Some(deadline) => tokio::time::timeout(deadline, attempts)
                    .await
                    .unwrap_or(Err(Error::DeadlineExceeded(deadline))),
                None => attempts.await,
            }
        }
        .instrument(span),
    )
}

async fn attempts<B, T, F, Fut>(
    client: &Client,
    method: Method,
    builder: B,
    send: F,
    span: tracing::Span,
) -> Result<T, Error>
where
    B: Clone,
    F: Fn(B) -> Fut,
    Fut: Future<Output = Result<ResponseValue<T>, GeneratedError>>,
    T: DeserializeOwned,
{
    let state = client.inner();
    let started = Instant::now();
    let idempotent = is_idempotent(&method);
    let (mut attempt, mut sent, mut refreshed, mut answer_lost) = (0, 0, false, false);
    // A copy of the builder is kept for each attempt: any call may be sent again after a 429
    // (or a 401 on a cached token), which refuse a request before it runs.
    let template = builder;
    // The call span's outcome, recorded once when the call ends.
    let finish = |sent: u32, status: Option<StatusCode>, result: Result<T, Error>| {
        span.record("attempts", sent);
        // The answer of the call's own request (not of the token request).
        let answered = result
            .as_ref()
            .err()
            .filter(|error| !error.while_requesting_token());
        if let Some(status) = status.or_else(|| answered.and_then(Error::status)) {
            span.record("http.response.status_code", status.as_u16());
        }
        if let Err(error) = &result {
            span.record("error.type", error_type(error));
        }
        result
    };
    loop {
        attempt += 1;
        let request = template.clone();
        let authorization = match state.authentication.authorization(client).await {
            Ok(authorization) => authorization,
            Err(error) => return finish(sent, None, Err(error)),
        };
        // The pause every clone shares (after a 429 or 503) and the rate cap.
        if let Err(error) = state.pacer.wait_turn(state.retry.longest_wait()).await {
            return finish(sent, None, Err(error));
        }
        let context = CallContext::new(authorization.clone(), state.body_limit);
        let attempt_span = tracing::info_span!(
            parent: &span,
            "crayon_tenants.attempt",
            http.request.resend_count = sent,
            url.full = Empty,
            http.response.status_code = Empty,
            error.type = Empty,
        );
        sent += 1;
        let outcome = CALL
            .scope(context.clone(), send(request))
            .instrument(attempt_span.clone())
            .await;
        let seen = context.seen();
        let error = match outcome {
            Ok(value) => return finish(sent, seen.status, Ok(value.into_inner())),
            Err(error) => convert::<T>(error, seen, state.body_limit, false),
        };
        attempt_span.record("error.type", error_type(&error));
        drop(attempt_span);
        // A cached token the server no longer takes: forget it, fetch one, repeat once. A 401
        // refuses the request before anything is done, so even a create may be repeated.
        if let (Some(StatusCode::UNAUTHORIZED), Authentication::Password(cache), Some(used)) =
            (error.status(), &state.authentication, &authorization)
            && !refreshed
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
            return finish(sent, None, Err(Error::NotFoundAfterRetry(failure.clone())));
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
        return finish(sent, None, Err(error));
    }
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

/// The error of an attempt, from what the generated code returned and what the hooks saw.
/// `secret_body`: the body may hold a secret (the token operation's) and is never quoted.
fn convert<T: DeserializeOwned>(
    error: GeneratedError,
    seen: Seen,
    body_limit: usize,
    secret_body: bool,
) -> Error {
    use progenitor_client::Error as Generated;
    match error {
        Generated::ResponseBodyError(_) | Generated::CommunicationError(_)
            if seen.body_too_large =>
        {
            Error::BodyTooLarge {
                status: seen.status,
                limit: body_limit,
            }
        }
        Generated::InvalidResponsePayload(body, error) => match seen.status {
            // An error status whose body is no `ApiError`: the status is what matters.
            Some(status) if !status.is_success() => {
                Error::Api(ApiFailure::from_body(status, &body, seen.retry_after))
            }
            status => {
                let (path, message) = match serde_path_to_error::deserialize::<_, T>(
                    &mut serde_json::Deserializer::from_slice(&body),
                ) {
                    Err(error) => (error.path().to_string(), error.inner().to_string()),
                    Ok(_) => ("$".to_owned(), error.to_string()),
                };
                Error::Decode {
                    status,
                    path: if path == "." { "$".to_owned() } else { path },
                    message,
                    snippet: if secret_body {
                        "<not shown: it may hold a token>".to_owned()
                    } else {
                        snippet(&body)
                    },
                }
            }
        },
        other => Error::from(other),
    }
}

/// Fetches a token with the token operation: the client's HTTP client (its timeouts, proxy and
/// user agent), but none of the retries and token logic of resource calls. Runs inside the
/// token request's span (`auth.rs`), on which a failure records its `error.type`.
pub(crate) async fn fetch_token(client: &Client, form: TokenRequest) -> Result<CachedToken, Error> {
    let outcome = request_token(client, form).await;
    if let Err(error) = &outcome {
        tracing::Span::current().record("error.type", error_type(error));
    }
    outcome
}

async fn request_token(client: &Client, form: TokenRequest) -> Result<CachedToken, Error> {
    let body_limit = client.inner().body_limit;
    let state = client.inner();
    state.pacer.wait_turn(state.retry.longest_wait()).await?;
    let context = CallContext::new(None, body_limit);
    let fetched_at = Instant::now();
    let outcome = CALL
        .scope(context.clone(), client.get_user_token().body(form).send())
        .await;

    let token = outcome
        .map_err(|error| {
            token_failure(convert::<crate::types::Token>(
                error,
                context.seen(),
                body_limit,
                true,
            ))
        })?
        .into_inner();
    let invalid = |message: String| {
        Error::Authentication(Arc::new(Error::Decode {
            status: Some(StatusCode::OK),
            path: "AccessToken".to_owned(),
            message,
            snippet: "<not shown: it may hold a token>".to_owned(),
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
