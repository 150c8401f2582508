//! Credentials, and the token cache that fetches, reuses and refreshes bearer tokens by itself.

use std::fmt;
use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;
use tokio::sync::Mutex;

use crate::types::{ApiError, TokenRequest};

/// What `Debug` prints in place of a secret.
const REDACTED: &str = "<redacted>";

/// The API client and API user of the password grant: the client id and secret from Cloud-iQ's
/// "API Management" page, and an API user whose authentication type is "Resource Flow".
///
/// `Debug` shows the client id and the user name, never the secret or the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    client_id: String,
    client_secret: String,
    username: String,
    password: String,
    scope: String,
}

impl Credentials {
    /// Credentials for the resource owner password grant, with the `CustomerApi` scope.
    pub fn password(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            username: username.into(),
            password: password.into(),
            scope: TokenRequest::DEFAULT_SCOPE.to_owned(),
        }
    }

    /// Replaces the requested scopes (space-separated).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// The API client's id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The API user's name.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The `Authorization: Basic` value of the token operation.
    pub(crate) fn basic_authorization(&self) -> HeaderValue {
        let request = reqwest::Client::new()
            .get("http://localhost/")
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .build()
            .expect("a request to a fixed URL builds");
        let mut value = request.headers()[reqwest::header::AUTHORIZATION].clone();
        value.set_sensitive(true);
        value
    }

    /// The form of the token operation.
    pub(crate) fn token_request(&self) -> TokenRequest {
        TokenRequest {
            scope: Some(self.scope.clone()),
            ..TokenRequest::password(&self.username, &self.password)
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &REDACTED)
            .field("username", &self.username)
            .field("password", &REDACTED)
            .field("scope", &self.scope)
            .finish()
    }
}

/// A bearer header value and when to stop using it.
struct CachedToken {
    authorization: HeaderValue,
    refresh_at: Instant,
}

/// Why no token could be had.
#[derive(Debug)]
pub(crate) enum TokenFailure {
    /// The token operation answered with an error (or a token without `AccessToken`).
    Refused {
        status: reqwest::StatusCode,
        error: ApiError,
        raw_body: bool,
    },
    /// The token operation could not be reached.
    Transport(reqwest::Error),
}

/// The token of a [`Credentials`], fetched on first use and shared by every clone of the client.
///
/// One mutex guards the cached token and is held while fetching, so that any number of calls
/// racing at expiry make a single token request and all use its result.
pub(crate) struct TokenCache {
    credentials: Credentials,
    cached: Mutex<Option<CachedToken>>,
}

impl TokenCache {
    pub(crate) fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            cached: Mutex::new(None),
        }
    }

    pub(crate) fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The margin before `ExpiresIn` at which a token is refreshed: a minute, or half the
    /// lifetime of a short-lived one.
    fn refresh_margin(lifetime: Duration) -> Duration {
        Duration::from_secs(60).min(lifetime / 2)
    }

    /// A valid bearer value, and whether it was fetched by this call (`false`: from the cache).
    pub(crate) async fn authorization<F, Fut>(
        &self,
        fetch: F,
    ) -> Result<(HeaderValue, bool), TokenFailure>
    where
        F: FnOnce(TokenRequest) -> Fut,
        Fut: Future<Output = Result<(String, Duration), TokenFailure>>,
    {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached
            .as_ref()
            .filter(|token| Instant::now() < token.refresh_at)
        {
            return Ok((token.authorization.clone(), false));
        }
        let fetched_at = Instant::now();
        let (access_token, lifetime) = fetch(self.credentials.token_request()).await?;
        let mut authorization = HeaderValue::try_from(format!("Bearer {access_token}")).map_err(|_| TokenFailure::Refused {
            status: reqwest::StatusCode::BAD_GATEWAY,
            error: ApiError {
                error_code: Some("InvalidToken".to_owned()),
                message: Some("The token operation returned an access token that is not a valid header value.".to_owned()),
                ..Default::default()
            },
            raw_body: false,
        })?;
        authorization.set_sensitive(true);
        let refresh_at = fetched_at + lifetime - Self::refresh_margin(lifetime);
        *cached = Some(CachedToken {
            authorization: authorization.clone(),
            refresh_at,
        });
        Ok((authorization, true))
    }

    /// Forgets the cached token if it is still `used` (the server refused it); a token another
    /// call has refreshed meanwhile is kept.
    pub(crate) async fn invalidate(&self, used: &HeaderValue) {
        let mut cached = self.cached.lock().await;
        if cached
            .as_ref()
            .is_some_and(|token| token.authorization == *used)
        {
            *cached = None;
        }
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_debug_hides_the_secret_and_password() {
        let credentials = Credentials::password(
            "client",
            "s3cret-value",
            "user@example.com",
            "pa55word-value",
        );
        let printed = format!("{credentials:?} {credentials:#?}");
        assert!(
            !printed.contains("s3cret-value") && !printed.contains("pa55word-value"),
            "{printed}"
        );
        assert!(printed.contains("client") && printed.contains("user@example.com"));
    }

    #[test]
    fn basic_authorization_encodes_client_id_and_secret_and_is_sensitive() {
        let value =
            Credentials::password("demo-client", "demo-secret", "u", "p").basic_authorization();
        assert_eq!(value, "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=");
        assert!(value.is_sensitive());
    }

    #[test]
    fn short_lifetimes_refresh_at_half_and_long_ones_a_minute_early() {
        assert_eq!(
            TokenCache::refresh_margin(Duration::from_secs(3600)),
            Duration::from_secs(60)
        );
        assert_eq!(
            TokenCache::refresh_margin(Duration::from_secs(2)),
            Duration::from_secs(1)
        );
    }
}
