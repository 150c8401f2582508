//! The one error type users match on.
//!
//! Every call (`client.get_customer_tenant().id(42).await`) returns [`Error`], built by the call
//! path (`call.rs`) from the answer itself: its real status, whether the body was too large.
//!
//! The kind says what happened, whichever request it happened to: an API that cannot be reached
//! is [`Error::Connection`] on the first call of a process (which fetches a token first) as on
//! any other, and only credentials the token operation refused are [`Error::Authentication`].
//! A failure of the token request says so in its message ("while requesting a token") and in
//! [`Error::while_requesting_token`]. Each error follows the Rust API guidelines' rule for the
//! chain: it shows its cause in its message or returns it from `source()`, never both, and the
//! root cause (`Connection refused (os error 111)`) is always reachable through `source()`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

use crate::types::ApiError;

/// Longest body snippet kept in an error, in characters.
pub(crate) const SNIPPET_CHARS: usize = 200;

/// Why a call failed.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status (the token operation too, for a status that does
    /// not refuse the credentials: a 5xx, a 429).
    Api(ApiFailure),
    /// The credentials were refused: the token operation answered 400 (`invalid_grant`, a wrong
    /// user name or password) or 401 (`invalid_client`, a wrong client id or secret), or its
    /// answer held no usable token. The token operation's own error is the `source()`. Every
    /// call that waited for that token request gets the same failure.
    Authentication(Arc<Error>),
    /// One attempt (connecting, sending, reading the answer) took longer than the client's
    /// per-attempt timeout.
    Timeout(TransportError),
    /// The call, retries included, took longer than the client's overall deadline.
    DeadlineExceeded(Duration),
    /// The server could not be reached, or the connection broke before the answer was complete.
    Connection(TransportError),
    /// The server answered with a redirect that the client does not follow: to another origin
    /// than the base URL's (no credential leaves the API's origin), or any redirect of the token
    /// operation (its form holds the password).
    Redirect {
        /// Where the redirect pointed (its `Location`), as the server sent it.
        location: String,
        /// Whether it answered the token request.
        while_requesting_token: bool,
    },
    /// An answer whose body is larger than the client's limit; it was not read further.
    BodyTooLarge {
        /// The answer's status.
        status: StatusCode,
        /// The configured limit, in bytes.
        limit: usize,
    },
    /// A success answer whose body does not match the contract. Its message says where and
    /// what kind of value (`Items[3].Id: expected i32, found string of 2 characters`), never the
    /// value: a tenant's body holds its customer's name, e-mail address and phone number, and a
    /// create's answer the administrator's password. The body itself is kept, for a caller who
    /// chooses to look: [`Error::body`].
    Decode {
        /// The answer's status.
        status: StatusCode,
        /// JSON path of the value that failed, for example `Items[3].CustomerTenantType`, or
        /// `$` for the body itself.
        path: String,
        /// What was wrong there, without the value: what the model expects (`expected i32`),
        /// a missing field, or where the JSON breaks off.
        message: String,
        /// What was there, redacted to its JSON type and size (`string of 7 characters`); empty
        /// where the body is no JSON.
        found: String,
        /// The body as it came; empty for the token operation's answer, which may hold a token.
        body: ResponseBody,
    },
    /// A DELETE whose first answer was lost (a dropped connection or a timeout) was sent again
    /// and answered 404: the first attempt most likely deleted the tenant. The 404 is kept here,
    /// so that a caller who only wants the tenant gone can treat this as success.
    NotFoundAfterRetry(ApiFailure),
    /// A listing's pages ran out before `TotalHits` items arrived (a page came back empty, or
    /// short pages did not add up), the same in two reads: the server's pages do not add up to
    /// its `TotalHits`, and the items yielded may not be all there are.
    IncompleteListing {
        /// Tenants received.
        received: u64,
        /// `TotalHits` of the first page.
        total: u64,
    },
    /// A listing changed while it was read, and reading it again did not give a read that
    /// holds (see [`Paging`](crate::Paging)): the items already yielded are each real and
    /// yielded once, but others may be missing. Reading it again later may succeed.
    ListingChanged {
        /// The last sign of change seen.
        change: crate::ListingChange,
        /// The reads made.
        reads: u32,
    },
    /// A listing without `TotalHits` filled every page up to its bound (`Paging::max_pages`):
    /// there may be more tenants than were yielded.
    PageBoundReached {
        /// The bound.
        pages: i32,
    },
    /// The request was not sent: a required parameter is missing or a value is invalid.
    InvalidRequest(String),
    /// Any other failure of the HTTP stack.
    Http(TransportError),
}

/// A failure of the HTTP stack, with the request it happened to. The `reqwest::Error` is the
/// `source()` of the [`Error`] that holds this; it is shared, so that every call waiting for one
/// token request can be given the same failure.
#[derive(Clone, Debug)]
pub struct TransportError {
    error: Arc<reqwest::Error>,
    while_requesting_token: bool,
}

impl TransportError {
    /// The HTTP stack's own error.
    pub fn reqwest_error(&self) -> &reqwest::Error {
        &self.error
    }

    /// Whether it happened while requesting a token.
    pub fn while_requesting_token(&self) -> bool {
        self.while_requesting_token
    }

    /// Whether no connection could be made (nothing was sent).
    pub fn is_connect(&self) -> bool {
        self.error.is_connect()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the HTTP request failed{}",
            token_suffix(self.while_requesting_token)
        )
    }
}

impl std::error::Error for TransportError {
    /// The HTTP stack's own error.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.error)
    }
}

/// ` while requesting a token`, or nothing.
fn token_suffix(while_requesting_token: bool) -> &'static str {
    if while_requesting_token {
        " while requesting a token"
    } else {
        ""
    }
}

// Written out rather than derived: a derive crate would add two crates to every build of the
// library for a dozen messages (BENCHMARKS.md, "Build cost").
impl fmt::Display for Error {
    /// The message; with `{:#}`, followed by each cause of the chain (`: cause`), on one line, as
    /// `anyhow` prints an error.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message(f)?;
        if f.alternate() {
            let mut cause = std::error::Error::source(self);
            while let Some(error) = cause {
                write!(f, ": {error}")?;
                cause = error.source();
            }
        }
        Ok(())
    }
}

impl Error {
    fn message(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api(failure) => write!(f, "{failure}"),
            Self::Authentication(cause) => match **cause {
                Self::Api(_) => f.write_str(
                    "authentication failed: the token operation refused the credentials",
                ),
                _ => f.write_str(
                    "authentication failed: the token operation's answer held no usable token",
                ),
            },
            Self::Timeout(error) => {
                write!(f, "timed out{}", token_suffix(error.while_requesting_token))
            }
            Self::DeadlineExceeded(deadline) => write!(
                f,
                "the call did not finish within its deadline of {deadline:?}"
            ),
            Self::Connection(error) => write!(
                f,
                "connection failed{}",
                token_suffix(error.while_requesting_token)
            ),
            Self::Redirect {
                location,
                while_requesting_token,
            } => write!(
                f,
                "redirected to {location}{}, which the client does not follow: {}",
                token_suffix(*while_requesting_token),
                if *while_requesting_token {
                    "the token request is never redirected"
                } else {
                    "it leaves the API's origin"
                }
            ),
            Self::BodyTooLarge { status, limit } => write!(
                f,
                "{status}: the response body is larger than the limit of {limit} bytes"
            ),
            Self::Decode {
                status,
                path,
                message,
                found,
                ..
            } => {
                write!(
                    f,
                    "{status}: the response body does not decode at {path}: {message}"
                )?;
                if !found.is_empty() {
                    write!(f, ", found {found}")?;
                }
                Ok(())
            }
            Self::NotFoundAfterRetry(failure) => write!(
                f,
                "{failure} (after a retry whose first attempt may have deleted it)"
            ),
            Self::IncompleteListing { received, total } => write!(
                f,
                "the listing ended after {received} of its {total} items (TotalHits)"
            ),
            Self::ListingChanged { change, reads } => write!(
                f,
                "the listing changed while it was read ({change}; {reads} reads); read it again"
            ),
            Self::PageBoundReached { pages } => write!(
                f,
                "the listing filled all {pages} pages its bound allows and may hold more"
            ),
            Self::InvalidRequest(message) => write!(f, "invalid request: {message}"),
            Self::Http(error) => write!(
                f,
                "HTTP failure{}",
                token_suffix(error.while_requesting_token)
            ),
        }
    }
}

impl std::error::Error for Error {
    /// The cause, which the message does not repeat: the HTTP stack's error under `Timeout`,
    /// `Connection` and `Http` (with its own causes down to the operating system's), and the
    /// token operation's error under `Authentication`.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Timeout(error) | Self::Connection(error) | Self::Http(error) => {
                Some(&*error.error)
            }
            Self::Authentication(cause) => Some(&**cause),
            _ => None,
        }
    }
}

/// An error answer: its status, its `ApiError` or a snippet of the body when it had none, and
/// the wait its `Retry-After` asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    /// The HTTP status.
    pub status: StatusCode,
    /// The parsed error body, when the body was an `ApiError`.
    pub error: Option<Box<ApiError>>,
    /// The first characters of the body when it was not an `ApiError` (an HTML page from a
    /// gateway), or for JSON that was none its JSON type and size (`JSON array of 2 items`);
    /// `None` when it was an `ApiError` or empty.
    pub body: Option<String>,
    /// The server's `Retry-After` (seconds or an HTTP date), when it sent one.
    pub retry_after: Option<Duration>,
    /// Whether it answered the token request.
    pub while_requesting_token: bool,
}

/// A body kept in an error or an answer. Its `Debug` shows only its length: it may hold
/// customers' personal data.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ResponseBody(bytes::Bytes);

impl ResponseBody {
    pub(crate) fn new(body: impl Into<bytes::Bytes>) -> Self {
        Self(body.into())
    }

    /// The bytes, as they came.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes, not shown>", self.0.len())
    }
}

impl Error {
    /// The body of an answer that did not decode ([`Error::Decode`]), as it came, for a caller
    /// who chooses to look at it (it is not in the message, which may reach a log); `None` for
    /// any other error.
    pub fn body(&self) -> Option<&[u8]> {
        match self {
            Self::Decode { body, .. } => Some(body.as_bytes()),
            _ => None,
        }
    }

    /// The HTTP status of an error answer (of the token operation, for [`Error::Authentication`]).
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api(failure) | Self::NotFoundAfterRetry(failure) => Some(failure.status),
            Self::Authentication(cause) => cause.status(),
            Self::BodyTooLarge { status, .. } | Self::Decode { status, .. } => Some(*status),
            Self::Timeout(error) | Self::Connection(error) | Self::Http(error) => {
                error.error.status()
            }
            Self::Redirect { .. }
            | Self::DeadlineExceeded(_)
            | Self::IncompleteListing { .. }
            | Self::ListingChanged { .. }
            | Self::PageBoundReached { .. }
            | Self::InvalidRequest(_) => None,
        }
    }

    /// The parsed `ApiError` of an error answer.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Api(failure) | Self::NotFoundAfterRetry(failure) => failure.error.as_deref(),
            Self::Authentication(cause) => cause.api_error(),
            _ => None,
        }
    }

    /// The wait the server asked for with `Retry-After` (a 429 or 503): when the call gave up
    /// because that wait was longer than the client's retry policy allows, this is how long to
    /// wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api(failure) => failure.retry_after,
            Self::Authentication(cause) => cause.retry_after(),
            _ => None,
        }
    }

    /// Whether the error was a timeout (of one attempt, or of the whole call).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout(_) | Self::DeadlineExceeded(_))
    }

    /// Whether the API could not be reached, or the connection broke before its answer was
    /// complete (see also [`is_timeout`](Self::is_timeout)).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Connection(_))
    }

    /// Whether the token operation refused the credentials (a wrong client id or secret, user
    /// name or password): repeating the call will not help.
    pub fn is_credentials_rejected(&self) -> bool {
        matches!(self, Self::Authentication(cause) if matches!(**cause, Self::Api(_)))
    }

    /// Whether the API answered 404: nothing has the identifier (after a retry of a DELETE too).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Whether the API answered 429: too many requests. [`retry_after`](Self::retry_after) says
    /// how long the server asked to wait, when it did.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// Whether it happened while requesting a token (a connection, a timeout, an error status or
    /// a redirect of the token request, or refused credentials).
    pub fn while_requesting_token(&self) -> bool {
        match self {
            Self::Authentication(_) => true,
            Self::Api(failure) => failure.while_requesting_token,
            Self::Timeout(error) | Self::Connection(error) | Self::Http(error) => {
                error.while_requesting_token
            }
            Self::Redirect {
                while_requesting_token,
                ..
            } => *while_requesting_token,
            _ => false,
        }
    }

    /// A transport failure, classified.
    pub(crate) fn from_transport(mut error: reqwest::Error) -> Self {
        if let Some(url) = error.url_mut() {
            *url = super::call::shown(url);
        }
        let redirect = super::redirect::refused(&error);
        let kind: fn(TransportError) -> Self = if error.is_timeout() {
            Self::Timeout
        } else if error.is_connect() || error.is_request() || error.is_body() || error.is_decode() {
            Self::Connection
        } else {
            Self::Http
        };
        match redirect {
            Some(location) => Self::Redirect {
                location,
                while_requesting_token: false,
            },
            None => kind(TransportError {
                error: Arc::new(error),
                while_requesting_token: false,
            }),
        }
    }

    /// The same failure, marked as one of the token request.
    pub(crate) fn of_token_request(mut self) -> Self {
        match &mut self {
            Self::Api(ApiFailure {
                while_requesting_token,
                ..
            })
            | Self::Timeout(TransportError {
                while_requesting_token,
                ..
            })
            | Self::Connection(TransportError {
                while_requesting_token,
                ..
            })
            | Self::Http(TransportError {
                while_requesting_token,
                ..
            })
            | Self::Redirect {
                while_requesting_token,
                ..
            } => *while_requesting_token = true,
            _ => {}
        }
        self
    }
}

impl ApiFailure {
    /// The failure of an error answer with this body: its `ApiError`, or a snippet of a body that
    /// is none (empty, HTML, truncated JSON).
    pub(crate) fn from_body(
        status: StatusCode,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> Self {
        let error = serde_json::from_slice::<ApiError>(body).ok().map(Box::new);
        // A gateway's page is quoted; JSON that is no `ApiError` (a list, a string) may hold a
        // customer's values and is described instead.
        let shown = || match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(json) => format!("JSON {}", super::answer::describe(&json)),
            Err(_) => snippet(body),
        };
        Self {
            status,
            body: error
                .is_none()
                .then(shown)
                .filter(|snippet| !snippet.is_empty()),
            error,
            retry_after,
            while_requesting_token: false,
        }
    }
}

impl fmt::Display for ApiFailure {
    /// `400 Bad Request: DomainPrefixTaken: The domain prefix is already in use`, then each
    /// object error; for a body that was no `ApiError`, the status and a snippet of it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        match (&self.error, &self.body) {
            (Some(error), _) => match error.to_string() {
                said if said.is_empty() || said.starts_with(';') => f.write_str(&said)?,
                said => write!(f, ": {said}")?,
            },
            (None, Some(body)) => write!(f, " (body: {body})")?,
            (None, None) => write!(f, " (empty body)")?,
        }
        if let Some(wait) = self.retry_after {
            write!(f, " (retry after {} s)", wait.as_secs())?;
        }
        f.write_str(token_suffix(self.while_requesting_token))
    }
}

impl fmt::Display for ApiError {
    /// `DomainPrefixTaken: The domain prefix is already in use; Tenant.DomainPrefix: ...`: its
    /// code (unless it only repeats the status, `400 BadRequest`), the OAuth error, the message,
    /// then each object error with its field.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self
            .error_code
            .as_deref()
            .filter(|code| !code.starts_with(|c: char| c.is_ascii_digit()));
        let message = self
            .message
            .as_deref()
            .or(self.error_description.as_deref());
        let said: Vec<&str> = [code, self.error.as_deref(), message]
            .into_iter()
            .flatten()
            .collect();
        f.write_str(&said.join(": "))?;
        for object_error in self.object_errors.iter().flatten() {
            let field = object_error
                .parameters
                .as_ref()
                .and_then(|p| p.get("Field"))
                .and_then(Option::as_deref);
            match (field, object_error.message.as_deref()) {
                (Some(field), Some(message)) => write!(f, "; {field}: {message}")?,
                (None, Some(message)) => write!(f, "; {message}")?,
                _ => {}
            }
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The first characters of a body, on one line. Reads only the first few hundred bytes, so a
/// huge body costs no more than a small one.
pub(crate) fn snippet(body: &[u8]) -> String {
    // A character is at most 4 bytes; whitespace runs collapse, so read a little more.
    let prefix = &body[..body.len().min(SNIPPET_CHARS * 8)];
    let text = String::from_utf8_lossy(prefix);
    let mut snippet = String::with_capacity(SNIPPET_CHARS + 3);
    let mut count = 0;
    let mut words = text.split_whitespace().peekable();
    while let Some(word) = words.next() {
        for c in word.chars() {
            if count == SNIPPET_CHARS {
                snippet.push('…');
                return snippet;
            }
            snippet.push(c);
            count += 1;
        }
        if words.peek().is_some() && count < SNIPPET_CHARS {
            snippet.push(' ');
            count += 1;
        }
    }
    if prefix.len() < body.len() {
        snippet.push('…');
    }
    snippet
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_reads_status_code_message_and_object_errors() {
        let failure = ApiFailure::from_body(
            StatusCode::BAD_REQUEST,
            br#"{"ErrorCode":"DomainPrefixTaken","Message":"The domain prefix is already in use",
                "ObjectErrors":[{"Message":"The Name field is required.","Parameters":{"Field":"Tenant.Name"}}]}"#,
            None,
        );
        assert_eq!(
            Error::Api(failure).to_string(),
            "400 Bad Request: DomainPrefixTaken: The domain prefix is already in use; Tenant.Name: The Name field is required."
        );
        let failure = ApiFailure::from_body(
            StatusCode::UNAUTHORIZED,
            br#"{"ErrorCode":"401 Unauthorized","Message":"Invalid token"}"#,
            None,
        );
        assert_eq!(failure.to_string(), "401 Unauthorized: Invalid token");
        let oauth = ApiFailure::from_body(
            StatusCode::BAD_REQUEST,
            br#"{"error":"invalid_grant","error_description":"invalid_username_or_password"}"#,
            None,
        );
        assert_eq!(
            oauth.to_string(),
            "400 Bad Request: invalid_grant: invalid_username_or_password"
        );
    }

    #[test]
    fn a_body_that_is_no_api_error_keeps_a_snippet_and_the_wait() {
        let failure = ApiFailure::from_body(
            StatusCode::SERVICE_UNAVAILABLE,
            b"<html>\n  <body>Busy</body></html>",
            Some(Duration::from_secs(60)),
        );
        assert!(failure.error.is_none());
        assert_eq!(
            failure.body.as_deref(),
            Some("<html> <body>Busy</body></html>")
        );
        let error = Error::Api(failure);
        assert_eq!(error.retry_after(), Some(Duration::from_secs(60)));
        assert!(error.to_string().ends_with("(retry after 60 s)"), "{error}");
        let empty = ApiFailure::from_body(StatusCode::BAD_GATEWAY, b"", None);
        assert_eq!(empty.to_string(), "502 Bad Gateway (empty body)");
        // JSON that is no `ApiError` is described, not quoted.
        let list = ApiFailure::from_body(
            StatusCode::BAD_REQUEST,
            br#"["Contoso Pharma", "jane.roe@contoso.example"]"#,
            None,
        );
        assert_eq!(
            list.to_string(),
            "400 Bad Request (body: JSON array of 2 items)"
        );
    }

    #[test]
    fn snippets_are_one_line_and_bounded_whatever_the_body() {
        let body = format!("a  b\n\tc {}", "x".repeat(10_000));
        let snippet = snippet(body.as_bytes());
        assert!(snippet.starts_with("a b c xxx"), "{snippet}");
        assert_eq!(snippet.chars().count(), SNIPPET_CHARS + 1);
        assert!(snippet.ends_with('…'));
        assert_eq!(super::snippet(b"short"), "short");
        // Invalid UTF-8 and a multi-byte character cut by the prefix do not panic.
        let mut bytes = vec![0xff; 3];
        bytes.extend("é".repeat(2_000).as_bytes());
        assert!(super::snippet(&bytes).starts_with("\u{fffd}"));
    }

    #[test]
    fn authentication_failures_show_their_cause_and_its_status() {
        let cause = Error::Api(ApiFailure::from_body(
            StatusCode::BAD_REQUEST,
            br#"{"error":"invalid_grant"}"#,
            None,
        ));
        let error = Error::Authentication(Arc::new(cause));
        assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST));
        assert_eq!(
            error.api_error().and_then(|e| e.error.as_deref()),
            Some("invalid_grant")
        );
        assert!(error.is_credentials_rejected() && error.while_requesting_token());
        assert_eq!(
            error.to_string(),
            "authentication failed: the token operation refused the credentials"
        );
        let source = std::error::Error::source(&error).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("400 Bad Request: invalid_grant"));
    }
}
