//! Credentials, and the token cache that fetches, reuses and refreshes bearer tokens by itself.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Shared};
use reqwest::header::HeaderValue;

use crate::types::TokenRequest;
use tracing::Instrument as _;

use crate::{Client, Error};

/// What `Debug` prints in place of a secret.
use crate::types::sensitive::REDACTED;

/// The API client and API user of the password grant: the client id and secret from Cloud-iQ's
/// "API Management" page, and an API user whose authentication type is "Resource Flow".
///
/// `Debug` shows the client id and the user name, never the secret or the password.
///
/// The token is fetched on first use and shared by every clone of the client. A call that
/// finds a valid token never waits: when the token is due (a minute before `ExpiresIn`, or half
/// way through a short lifetime), one refresh starts in the background and the old token is
/// used meanwhile. Calls without a valid token wait for the one token request in flight and all
/// get its outcome, success or failure; it runs in a task of its own, so a cancelled call does
/// not cancel it for the others. Any `ExpiresIn` works (missing: an hour; zero or negative: not
/// kept; above a day: a day). A 401 on a cached token refreshes it and repeats the call once.
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

    /// The `Authorization: Basic` value of the token operation (RFC 7617), marked sensitive.
    pub(crate) fn basic_authorization(&self) -> HeaderValue {
        use base64::Engine as _;
        let pair = format!("{}:{}", self.client_id, self.client_secret);
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
        let mut value = HeaderValue::try_from(format!("Basic {encoded}"))
            .expect("base64 is a valid header value");
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

/// The longest lifetime a token is trusted for, whatever `ExpiresIn` says (a day).
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// The lifetime of a token whose answer has no `ExpiresIn` (the documented 3600 s).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// A bearer header value and when it expires.
#[derive(Clone)]
pub(crate) struct CachedToken {
    pub(crate) authorization: HeaderValue,
    refresh_at: Instant,
    expires_at: Instant,
}

impl CachedToken {
    /// A token fetched at `fetched_at` that lives `expires_in` seconds: missing means the
    /// documented hour, zero or negative means it is used by the calls waiting for it and not
    /// kept, and anything above a day is trusted for a day.
    pub(crate) fn new(
        authorization: HeaderValue,
        fetched_at: Instant,
        expires_in: Option<i64>,
    ) -> Self {
        let lifetime = match expires_in {
            None => DEFAULT_LIFETIME,
            Some(seconds) => {
                Duration::from_secs(u64::try_from(seconds).unwrap_or(0)).min(MAX_LIFETIME)
            }
        };
        Self {
            authorization,
            refresh_at: fetched_at + lifetime - TokenCache::refresh_margin(lifetime),
            expires_at: fetched_at + lifetime,
        }
    }
}

/// The outcome of a token request, shared by every call that waits for it.
type Refresh = Shared<BoxFuture<'static, Result<CachedToken, Arc<Error>>>>;

/// What the cache holds: the current token, and the token request in flight.
#[derive(Default)]
struct CacheState {
    token: Option<CachedToken>,
    refresh: Option<Refresh>,
}

/// The token of a [`Credentials`], as its documentation says. The lock is held for a few
/// instructions, never across the network.
pub(crate) struct TokenCache {
    credentials: Credentials,
    /// The token operation's `Authorization`, encoded once.
    basic: HeaderValue,
    state: Arc<Mutex<CacheState>>,
}

impl TokenCache {
    pub(crate) fn new(credentials: Credentials) -> Self {
        Self {
            basic: credentials.basic_authorization(),
            credentials,
            state: Arc::default(),
        }
    }

    /// The `Authorization` of the token operation: the client's Basic credentials.
    pub(crate) fn basic(&self) -> &HeaderValue {
        &self.basic
    }

    pub(crate) fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The margin before `ExpiresIn` at which a token is refreshed: a minute, or half the
    /// lifetime of a short-lived one.
    fn refresh_margin(lifetime: Duration) -> Duration {
        Duration::from_secs(60).min(lifetime / 2)
    }

    /// A bearer value for a request of `client` (whose token operation fetches new tokens).
    pub(crate) async fn authorization(&self, client: &Client) -> Result<HeaderValue, Error> {
        let refresh = {
            let mut state = self.lock();
            let now = Instant::now();
            match state.token.clone().filter(|token| now < token.expires_at) {
                Some(token) => {
                    if now >= token.refresh_at {
                        // The request runs in a task of its own; this call does not wait for it.
                        drop(self.start_refresh(&mut state, client));
                    }
                    return Ok(token.authorization);
                }
                None => self.start_refresh(&mut state, client),
            }
        };
        // The token request's failure, as it was classified (`call::token_failure`), for this
        // call as for every other that waited for it.
        refresh
            .await
            .map(|token| token.authorization)
            .map_err(|failure| (*failure).clone())
    }

    /// The token request in flight, started now if there is none.
    fn start_refresh(&self, state: &mut CacheState, client: &Client) -> Refresh {
        if let Some(refresh) = &state.refresh {
            return refresh.clone();
        }
        let (client, form, cache) = (
            client.clone(),
            self.credentials.token_request(),
            self.state.clone(),
        );
        // The token request's span, a child of the span of the call that started it.
        let (host, port) = &client.state().server;
        let span = tracing::info_span!(
            "crayon_tenants.token",
            operation = "getUserToken",
            http.request.method = "POST",
            server.address = host.as_str(),
            server.port = *port,
            url.full = tracing::field::Empty,
            http.response.status_code = tracing::field::Empty,
            error.type = tracing::field::Empty,
        );
        let fetch = async move { super::call::fetch_token(&client, form).await };
        let task = tokio::spawn(async move {
            let outcome = fetch.instrument(span).await.map_err(Arc::new);
            let mut state = cache.lock().unwrap_or_else(PoisonError::into_inner);
            if let Ok(token) = &outcome {
                state.token = Some(token.clone());
            }
            state.refresh = None;
            outcome
        });
        let refresh = async move {
            task.await.unwrap_or_else(|joined| {
                Err(Arc::new(Error::InvalidRequest(format!(
                    "the token request did not finish: {joined}"
                ))))
            })
        }
        .boxed()
        .shared();
        state.refresh = Some(refresh.clone());
        refresh
    }

    /// Forgets the cached token if it is still `used` (the server refused it); a token that
    /// another call has refreshed meanwhile is kept.
    pub(crate) fn invalidate(&self, used: &HeaderValue) {
        let mut state = self.lock();
        if state
            .token
            .as_ref()
            .is_some_and(|token| token.authorization == *used)
        {
            state.token = None;
        }
    }

    fn lock(&self) -> MutexGuard<'_, CacheState> {
        // Nothing panics while holding the lock; a poisoned one still holds a consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
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
    fn any_expires_in_gives_a_lifetime_without_overflow() {
        let now = Instant::now();
        let value = HeaderValue::from_static("Bearer t");
        for (expires_in, lifetime) in [
            (None, DEFAULT_LIFETIME),
            (Some(0), Duration::ZERO),
            (Some(-5), Duration::ZERO),
            (Some(i64::MIN), Duration::ZERO),
            (Some(i64::MAX), MAX_LIFETIME),
            (Some(3600), Duration::from_secs(3600)),
        ] {
            let token = CachedToken::new(value.clone(), now, expires_in);
            assert_eq!(token.expires_at - now, lifetime, "{expires_in:?}");
            assert!(token.refresh_at <= token.expires_at);
        }
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
