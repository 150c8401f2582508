//! The one place every request goes through (the generated code calls `ClientHooks::exec`):
//! authentication, retries, the 401 refresh, the tracing span, and error bodies made typed.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use reqwest::{Response, StatusCode};
use tracing::Instrument as _;
use tracing::field::Empty;

use crate::auth::TokenFailure;
use crate::client::{Authentication, ClientState};
use crate::error::{AUTHENTICATION_FAILURE_HEADER, RAW_BODY_HEADER, snippet};
use crate::retry::{is_idempotent, is_retryable_error, is_retryable_status, retry_after};
use crate::types::{ApiError, TokenRequest};
use crate::{Client, GeneratedError};

/// A token request in flight: the access token and its lifetime, or why there is none.
type TokenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<(String, Duration), TokenFailure>> + Send + 'a>>;

/// The token operation's id as the generated code names it.
const TOKEN_OPERATION: &str = "get_user_token";

impl ClientHooks<ClientState> for Client {
    /// Sends a request as the client's state says: with its `Authorization`, retried when the
    /// policy allows, repeated once with a new token after a 401 on a cached one, inside a
    /// `crayon_tenants.request` span (operation, method, path, status, attempt, elapsed_ms; never
    /// a header or a body). An error answer whose body is not an `ApiError` comes back with an
    /// `ApiError` holding a snippet of it, so that the generated code keeps its status.
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<Response> {
        let span = tracing::info_span!(
            "crayon_tenants.request",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
            status = Empty,
            attempt = Empty,
            elapsed_ms = Empty,
        );
        self.send_as_configured(request, info)
            .instrument(span)
            .await
    }
}

impl Client {
    async fn send_as_configured(
        &self,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<Response> {
        let span = tracing::Span::current();
        let started = Instant::now();
        let state = self.inner();
        // progenitor sends the contract's version in a header the real API does not use.
        request.headers_mut().remove("api-version");
        let is_token_operation = info.operation_id == TOKEN_OPERATION;
        let retryable = is_idempotent(request.method()) && !is_token_operation;
        // A copy is kept only when the request may be sent again: a retry, or the repeat after
        // a refreshed token.
        let may_repeat = retryable || matches!(state.authentication, Authentication::Password(_));
        let mut template = Some(request);
        let (mut attempt, mut refreshed) = (0, false);
        loop {
            attempt += 1;
            // Bodies here are bytes, so a request clones; one that does not is sent once.
            let copy = if may_repeat {
                template.as_ref().and_then(reqwest::Request::try_clone)
            } else {
                None
            };
            let Some(mut this) = copy.or_else(|| template.take()) else {
                unreachable!("the request is sent again only when it could be cloned");
            };
            let used_token = match self.authorize(&mut this, is_token_operation).await {
                Ok(used_token) => used_token,
                Err(TokenFailure::Transport(error)) => return Err(error),
                Err(TokenFailure::Refused {
                    status,
                    error,
                    raw_body,
                }) => {
                    span.record("status", status.as_u16());
                    tracing::debug!("no token: the token operation refused the credentials");
                    return Ok(authentication_failure(status, &error, raw_body));
                }
            };
            span.record("attempt", attempt);
            let outcome = self.client().execute(this).await;
            let retry = match &outcome {
                Ok(response) if response.status() == StatusCode::UNAUTHORIZED => {
                    // Repeated only when a copy is left (a body that cannot be cloned is sent once).
                    if let (Authentication::Password(cache), Some((token, false)), false, true) = (
                        &state.authentication,
                        &used_token,
                        refreshed,
                        template.is_some(),
                    ) {
                        tracing::debug!(
                            "401 with a cached token: refreshing it and repeating the request once"
                        );
                        cache.invalidate(token).await;
                        refreshed = true;
                        attempt -= 1;
                        continue;
                    }
                    None
                }
                Ok(response) if retryable && is_retryable_status(response.status()) => {
                    Some(retry_after(response.headers()))
                }
                Err(error) if retryable && is_retryable_error(error) => Some(None),
                _ => None,
            };
            let can_repeat = template.is_some();
            if let Some(delay) = retry
                .filter(|_| can_repeat)
                .and_then(|after| state.retry.next_delay(attempt, started.elapsed(), after))
            {
                tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, "retrying");
                tokio::time::sleep(delay).await;
                continue;
            }
            span.record("elapsed_ms", started.elapsed().as_millis() as u64);
            return match outcome {
                Ok(response) => {
                    span.record("status", response.status().as_u16());
                    tracing::debug!("answered");
                    with_typed_error_body(response).await
                }
                Err(error) => {
                    tracing::debug!(%error, "failed");
                    Err(error)
                }
            };
        }
    }

    /// Puts the `Authorization` header on a request; returns the bearer value used and whether
    /// it was fetched by this call, when it came from the token cache.
    async fn authorize(
        &self,
        request: &mut reqwest::Request,
        is_token_operation: bool,
    ) -> Result<Option<(HeaderValue, bool)>, TokenFailure> {
        let headers = request.headers_mut();
        match &self.inner().authentication {
            Authentication::Password(cache) if is_token_operation => {
                headers.insert(AUTHORIZATION, cache.credentials().basic_authorization());
                Ok(None)
            }
            Authentication::Password(cache) => {
                let (value, fresh) = cache.authorization(|form| self.fetch_token(form)).await?;
                request.headers_mut().insert(AUTHORIZATION, value.clone());
                Ok(Some((value, fresh)))
            }
            Authentication::Bearer(value) if !is_token_operation => {
                headers.insert(AUTHORIZATION, value.clone());
                Ok(None)
            }
            Authentication::Bearer(_) | Authentication::None => Ok(None),
        }
    }

    /// Calls the token operation. Boxed: it runs inside `exec`, which it calls again.
    fn fetch_token(&self, form: TokenRequest) -> TokenFuture<'_> {
        Box::pin(async move {
            let refused = |status, code: &str, message: String| TokenFailure::Refused {
                status,
                error: ApiError {
                    error_code: Some(code.to_owned()),
                    message: Some(message),
                    ..Default::default()
                },
                raw_body: false,
            };
            match self.get_user_token().body(form).send().await {
                Ok(response) => {
                    let token = response.into_inner();
                    match token.access_token.filter(|token| !token.is_empty()) {
                        Some(access_token) => {
                            let lifetime = token
                                .expires_in
                                .and_then(|seconds| u64::try_from(seconds).ok())
                                .unwrap_or(3600);
                            Ok((access_token, Duration::from_secs(lifetime.max(1))))
                        }
                        None => Err(refused(
                            StatusCode::UNAUTHORIZED,
                            "NoAccessToken",
                            format!(
                                "the token operation issued no access token: {}",
                                token.error.as_deref().unwrap_or("no reason given")
                            ),
                        )),
                    }
                }
                Err(GeneratedError::ErrorResponse(response)) => Err(TokenFailure::Refused {
                    status: response.status(),
                    raw_body: response.headers().contains_key(RAW_BODY_HEADER),
                    error: response.into_inner(),
                }),
                Err(
                    GeneratedError::CommunicationError(error)
                    | GeneratedError::ResponseBodyError(error)
                    | GeneratedError::InvalidUpgrade(error),
                ) => Err(TokenFailure::Transport(error)),
                Err(other) => Err(refused(
                    StatusCode::BAD_GATEWAY,
                    "InvalidTokenResponse",
                    other.to_string(),
                )),
            }
        })
    }
}

/// The answer `exec` gives when no token could be had: the token operation's status and error,
/// marked so that [`crate::Error`] makes it [`crate::Error::Authentication`].
fn authentication_failure(status: StatusCode, error: &ApiError, raw_body: bool) -> Response {
    let mut response = http::Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .header(AUTHENTICATION_FAILURE_HEADER, "1");
    if raw_body {
        response = response.header(RAW_BODY_HEADER, "1");
    }
    response
        .body(serde_json::to_vec(error).unwrap_or_default())
        .expect("a status and fixed headers make a response")
        .into()
}

/// An error answer whose body is not an `ApiError` (empty, HTML, truncated JSON) is given one
/// with a snippet of the body as its `Message`, marked with [`RAW_BODY_HEADER`]; the generated
/// code would otherwise fail to decode it and lose the status.
async fn with_typed_error_body(response: Response) -> reqwest::Result<Response> {
    if !(response.status().is_client_error() || response.status().is_server_error()) {
        return Ok(response);
    }
    let (status, version, mut headers) = (
        response.status(),
        response.version(),
        response.headers().clone(),
    );
    let body = response.bytes().await?;
    let body = if serde_json::from_slice::<ApiError>(&body).is_ok() {
        body.to_vec()
    } else {
        headers.insert(RAW_BODY_HEADER, HeaderValue::from_static("1"));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        serde_json::to_vec(&ApiError {
            message: Some(snippet(&body)),
            ..Default::default()
        })
        .unwrap_or_default()
    };
    headers.remove(CONTENT_LENGTH);
    let mut rebuilt = http::Response::builder().status(status).version(version);
    if let Some(rebuilt_headers) = rebuilt.headers_mut() {
        *rebuilt_headers = headers;
    }
    Ok(rebuilt
        .body(body)
        .expect("parts of a valid response make a response")
        .into())
}

#[cfg(test)]
mod tests {
    use super::TOKEN_OPERATION;

    /// The contract's token operation is the one that takes the client's HTTP Basic credentials;
    /// progenitor names operations by their `operationId` in snake case.
    #[test]
    fn the_token_operation_is_the_contracts() {
        let token_operations: Vec<String> = crayon_tenants_mock::contract::operations()
            .filter(|(_, _, operation)| operation["security"][0].get("basicAuth").is_some())
            .map(|(_, _, operation)| {
                let id = operation["operationId"].as_str().unwrap_or_default();
                id.chars().fold(String::new(), |mut snake, c| {
                    if c.is_ascii_uppercase() {
                        snake.push('_');
                    }
                    snake.push(c.to_ascii_lowercase());
                    snake
                })
            })
            .collect();
        assert_eq!(token_operations, [TOKEN_OPERATION]);
    }
}
