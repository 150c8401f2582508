//! The two kinds of authentication of the API: HTTP Basic for the API client at the token
//! operation, and the bearer token it issues for every other operation.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine as _;

use crate::app::App;
use crate::error::MockError;

/// The credentials of an `Authorization` header with the given scheme (`Basic`, `Bearer`).
fn authorization<'h>(headers: &'h HeaderMap, scheme: &str) -> Option<&'h str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (given, credentials) = value.trim().split_once(' ')?;
    given
        .eq_ignore_ascii_case(scheme)
        .then(|| credentials.trim())
}

/// The `(client id, client secret)` of an HTTP Basic `Authorization` header.
pub(crate) fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let encoded = authorization(headers, "Basic")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// Proof that a request carries a valid, unexpired bearer token: take it as a handler argument
/// and the handler only runs for authenticated requests; others get 401 with an `ApiError`.
pub(crate) struct Authenticated;

impl FromRequestParts<Arc<App>> for Authenticated {
    type Rejection = MockError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, MockError> {
        let token = authorization(&parts.headers, "Bearer").ok_or_else(|| {
            MockError::unauthorized("Authorization has been denied for this request.")
        })?;
        match app.state.token_expiry(token) {
            None => Err(MockError::unauthorized("Invalid token")),
            Some(expiry) if expiry <= Instant::now() => {
                Err(MockError::unauthorized("The token has expired"))
            }
            Some(_) => Ok(Authenticated),
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn basic_credentials_are_decoded_and_other_schemes_ignored() {
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_static("basic ZGVtby1jbGllbnQ6ZGVtbzpzZWNyZXQ="),
        );
        assert_eq!(
            basic_credentials(&headers),
            Some(("demo-client".into(), "demo:secret".into()))
        );
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_static("Bearer ZGVtby1jbGllbnQ6ZGVtbzpzZWNyZXQ="),
        );
        assert_eq!(basic_credentials(&headers), None);
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic !!!"));
        assert_eq!(basic_credentials(&headers), None);
    }
}
