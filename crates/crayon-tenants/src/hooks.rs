//! `ClientHooks`: what the generated code calls with the request it built. Only what needs the
//! built request happens here (the Oxide SDK's way): the `Authorization` header, sending, and
//! noting what the answer was. Tokens, retries and errors belong to the call layer (`call.rs`).

use futures_util::StreamExt as _;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::AUTHORIZATION;
use reqwest::{Request, Response};
use tracing::Instrument as _;

use crate::Client;
use crate::call::{CALL, CallContext};
use crate::client::{Authentication, ClientState};
use crate::retry::retry_after;

/// The token operation's id as the generated code names it.
pub(crate) const TOKEN_OPERATION: &str = "get_user_token";

impl ClientHooks<ClientState> for Client {
    /// Puts the `Authorization` on the request: Basic client credentials for the token
    /// operation, the call's bearer token for every other one. A generated `send()` called
    /// directly (outside the call layer) takes its token from the cache here; when none can be
    /// had, it fails with `Error::Custom` naming why.
    async fn pre<E>(
        &self,
        request: &mut Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        // progenitor sends the contract's version in a header the real API does not use.
        request.headers_mut().remove("api-version");
        let authentication = &self.inner().authentication;
        let authorization = if info.operation_id == TOKEN_OPERATION {
            match authentication {
                Authentication::Password(cache) => {
                    Some(cache.credentials().basic_authorization(self.client()))
                }
                _ => None,
            }
        } else {
            match CALL.try_with(|call| call.authorization.clone()) {
                Ok(authorization) => authorization,
                Err(_) => authentication
                    .authorization(self)
                    .await
                    .map_err(|error| progenitor_client::Error::Custom(error.to_string()))?,
            }
        };
        if let Some(authorization) = authorization {
            request.headers_mut().insert(AUTHORIZATION, authorization);
        }
        Ok(())
    }

    /// Sends the request and notes the answer's status and `Retry-After` for the call layer.
    /// The body is handed on as it arrives, cut off at the client's limit (`max_body_size`), so
    /// that a huge answer is never read into memory.
    async fn exec(&self, request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        let call = CALL.try_with(|call| call.clone()).ok();
        // The attempt's span (or the token request's) records the URL and the status; a
        // generated `send()` called directly gets a span of its own with the same fields.
        let span = match &call {
            Some(_) => tracing::Span::current(),
            None => tracing::info_span!(
                "crayon_tenants.attempt",
                operation = info.operation_id,
                http.request.method = %request.method(),
                url.full = tracing::field::Empty,
                http.response.status_code = tracing::field::Empty,
            ),
        };
        span.record("url.full", request.url().as_str());
        let response = self
            .client()
            .execute(request)
            .instrument(span.clone())
            .await?;
        span.record("http.response.status_code", response.status().as_u16());
        let limit = call
            .as_ref()
            .map_or(self.inner().body_limit, |call| call.body_limit);
        if let Some(call) = &call {
            let (status, wait) = (response.status(), retry_after(response.headers()));
            call.see(|seen| {
                seen.status = Some(status);
                seen.retry_after = wait;
            });
        }
        Ok(bounded(response, limit, call))
    }
}

/// The same answer, with a body that fails once more than `limit` bytes arrived (and says so to
/// the call, if any).
fn bounded(
    response: Response,
    limit: usize,
    call: Option<std::sync::Arc<CallContext>>,
) -> Response {
    if response
        .content_length()
        .is_some_and(|length| length <= limit as u64)
    {
        return response;
    }
    // The answer's own status, version and headers, around the bounded body.
    let (status, version, headers) = (
        response.status(),
        response.version(),
        response.headers().clone(),
    );
    let rebuild = move |body: reqwest::Body| -> Response {
        let mut bounded = http::Response::new(body);
        *bounded.status_mut() = status;
        *bounded.version_mut() = version;
        *bounded.headers_mut() = headers;
        bounded.into()
    };
    let too_large = move |call: &Option<std::sync::Arc<CallContext>>| {
        if let Some(call) = call {
            call.see(|seen| seen.body_too_large = true);
        }
        Box::<dyn std::error::Error + Send + Sync>::from(BodyTooLarge(limit))
    };
    // An announced length over the limit fails at once, before any of the body is read.
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        let error = too_large(&call);
        let body = futures_util::stream::once(async move { Err::<Vec<u8>, _>(error) });
        return rebuild(reqwest::Body::wrap_stream(body));
    }
    let mut received = 0usize;
    let body = response.bytes_stream().map(move |chunk| {
        let chunk = chunk?;
        received = received.saturating_add(chunk.len());
        if received > limit {
            return Err(too_large(&call));
        }
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(chunk)
    });
    rebuild(reqwest::Body::wrap_stream(body))
}

/// The error a body stream ends with when it goes over the limit.
#[derive(Debug)]
struct BodyTooLarge(usize);

impl std::fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the response body is larger than {} bytes", self.0)
    }
}

impl std::error::Error for BodyTooLarge {}

#[cfg(test)]
mod tests {
    use super::TOKEN_OPERATION;

    /// The contract's token operation is the one that takes the client's HTTP Basic credentials;
    /// progenitor names operations by their `operationId` in snake case.
    #[test]
    fn the_token_operation_is_the_contracts() {
        let token_operations: Vec<String> = crayon_tenants_contract::operations()
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
