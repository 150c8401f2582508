//! The one error type users match on, and its conversion from what the generated code returns.
//!
//! Every generated `send()` returns `progenitor_client::Error<ApiError>` (re-exported as
//! [`crate::GeneratedError`]); `?` converts it into [`Error`], which keeps what matters: the HTTP
//! status, the parsed `ApiError` or a snippet of a body that was not one, the JSON path of a body
//! that did not decode, and whether the failure was authentication, a timeout or the network.

use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::types::ApiError;

/// Header `hooks` puts on an error response whose body was not an `ApiError` (empty, HTML, ...):
/// its `Message` then holds a snippet of that body.
pub(crate) const RAW_BODY_HEADER: &str = "x-crayon-tenants-raw-body";
/// Header `hooks` puts on the response it makes when no token could be had.
pub(crate) const AUTHENTICATION_FAILURE_HEADER: &str = "x-crayon-tenants-authentication-failure";
/// Longest body snippet kept in an error.
pub(crate) const SNIPPET_CHARS: usize = 200;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status.
    #[error("{0}")]
    Api(ApiFailure),
    /// No token could be had: the token operation refused the credentials (or failed).
    #[error("authentication failed: {0}")]
    Authentication(ApiFailure),
    /// The request, or reading its answer, took longer than the client's timeout.
    #[error("timed out: {0}")]
    Timeout(#[source] reqwest::Error),
    /// The server could not be reached, or the connection broke before the answer was complete.
    #[error("connection failed: {0}")]
    Connection(#[source] reqwest::Error),
    /// A success answer whose body does not match the contract.
    #[error("the response body does not decode at {path}: {message} (body starts: {snippet})")]
    Decode {
        /// JSON path of the value that failed, for example `Items[3].CustomerTenantType`.
        path: String,
        /// What was wrong with it.
        message: String,
        /// The first characters of the body.
        snippet: String,
    },
    /// The request was not sent: a required parameter is missing or a value is invalid.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// Any other failure of the HTTP stack.
    #[error("HTTP failure: {0}")]
    Http(#[source] reqwest::Error),
}

/// An error answer: its status, and its `ApiError` or a snippet of the body when it had none.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    /// The HTTP status.
    pub status: StatusCode,
    /// The parsed error body, when the body was an `ApiError`.
    pub error: Option<Box<ApiError>>,
    /// The first characters of the body when it was not an `ApiError` (an HTML page from a
    /// gateway); `None` when it was an `ApiError` or empty.
    pub body: Option<String>,
}

impl Error {
    /// The HTTP status of an error answer (including a refused token request).
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api(failure) | Self::Authentication(failure) => Some(failure.status),
            Self::Timeout(error) | Self::Connection(error) | Self::Http(error) => error.status(),
            Self::Decode { .. } | Self::InvalidRequest(_) => None,
        }
    }

    /// The parsed `ApiError` of an error answer.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Api(failure) | Self::Authentication(failure) => failure.error.as_deref(),
            _ => None,
        }
    }

    /// Whether the error was a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout(_))
    }

    fn from_transport(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            Self::Timeout(error)
        } else if error.is_connect() || error.is_request() || error.is_body() || error.is_decode() {
            Self::Connection(error)
        } else {
            Self::Http(error)
        }
    }
}

impl ApiFailure {
    pub(crate) fn new(status: StatusCode, headers: &HeaderMap, error: ApiError) -> Self {
        if headers.contains_key(RAW_BODY_HEADER) {
            Self {
                status,
                body: error.message.filter(|body| !body.is_empty()),
                error: None,
            }
        } else {
            Self {
                status,
                error: Some(Box::new(error)),
                body: None,
            }
        }
    }
}

impl fmt::Display for ApiFailure {
    /// `400 Bad Request: DomainPrefixTaken: The domain prefix is already in use`, then each
    /// object error; for a body that was no `ApiError`, the status and a snippet of it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        match (&self.error, &self.body) {
            (Some(error), _) => {
                let status_code = self.status.as_str();
                // `ErrorCode` often repeats the status ("400 BadRequest"); show it only when it
                // says more.
                if let Some(code) = error
                    .error_code
                    .as_deref()
                    .filter(|code| !code.starts_with(status_code))
                {
                    write!(f, ": {code}")?;
                }
                if let Some(oauth) = error.error.as_deref() {
                    write!(f, ": {oauth}")?;
                }
                if let Some(message) = error
                    .message
                    .as_deref()
                    .or(error.error_description.as_deref())
                {
                    write!(f, ": {message}")?;
                }
                for object_error in error.object_errors.iter().flatten() {
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
            (None, Some(body)) => write!(f, " (body: {body})"),
            (None, None) => write!(f, " (empty body)"),
        }
    }
}

impl From<progenitor_client::Error<ApiError>> for Error {
    fn from(error: progenitor_client::Error<ApiError>) -> Self {
        use progenitor_client::Error as Generated;
        match error {
            Generated::InvalidRequest(message) | Generated::Custom(message) => {
                Self::InvalidRequest(message)
            }
            Generated::CommunicationError(error)
            | Generated::InvalidUpgrade(error)
            | Generated::ResponseBodyError(error) => Self::from_transport(error),
            Generated::ErrorResponse(response) => {
                let (status, headers) = (response.status(), response.headers().clone());
                let failure = ApiFailure::new(status, &headers, response.into_inner());
                if headers.contains_key(AUTHENTICATION_FAILURE_HEADER) {
                    Self::Authentication(failure)
                } else {
                    Self::Api(failure)
                }
            }
            Generated::InvalidResponsePayload(body, error) => Self::Decode {
                path: json_path_at(&body, error.line(), error.column()),
                message: error.to_string(),
                snippet: snippet(&body),
            },
            // Every 4xx and 5xx is documented, so only a 1xx or 3xx the HTTP stack did not
            // follow gets here; its body is not read.
            Generated::UnexpectedResponse(response) => Self::Api(ApiFailure {
                status: response.status(),
                error: None,
                body: None,
            }),
        }
    }
}

/// The first characters of a body, on one line.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut snippet: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(SNIPPET_CHARS)
        .collect();
    if text.chars().count() > SNIPPET_CHARS {
        snippet.push('…');
    }
    snippet
}

/// The JSON path (`Items[3].CustomerTenantType`) of the value at a 1-based line and column of
/// `body`, where serde_json reports a failure. `$` is the whole document.
fn json_path_at(body: &[u8], line: usize, column: usize) -> String {
    // Byte offset of the position.
    let mut offset = 0;
    for _ in 1..line {
        match body[offset..].iter().position(|byte| *byte == b'\n') {
            Some(newline) => offset += newline + 1,
            None => break,
        }
    }
    let end = (offset + column).min(body.len());

    enum Frame {
        Object {
            key: Option<String>,
            expecting_key: bool,
        },
        Array {
            index: usize,
        },
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut position = 0;
    while position < end {
        match body[position] {
            b'"' => {
                let start = position + 1;
                position = start;
                while position < body.len() && body[position] != b'"' {
                    position += if body[position] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object {
                    key,
                    expecting_key: expecting @ true,
                }) = stack.last_mut()
                {
                    *key = Some(
                        String::from_utf8_lossy(&body[start..position.min(body.len())])
                            .into_owned(),
                    );
                    *expecting = false;
                }
            }
            b'{' => stack.push(Frame::Object {
                key: None,
                expecting_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { expecting_key, .. }) => *expecting_key = true,
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            _ => {}
        }
        position += 1;
    }
    let mut path = String::from("$");
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                path.push('.');
                path.push_str(key);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{CustomerTenantCollection, ObjectError};

    fn decode_error(body: &str) -> Error {
        let error = serde_json::from_str::<CustomerTenantCollection>(body).unwrap_err();
        Error::from(progenitor_client::Error::InvalidResponsePayload(
            body.as_bytes().to_vec().into(),
            error,
        ))
    }

    #[test]
    fn a_body_that_does_not_decode_names_the_path_that_failed() {
        let error = decode_error(
            r#"{"Items": [{"Id": 1}, {"Id": 2, "Publisher": {"Id": "two"}}], "TotalHits": 2}"#,
        );
        let Error::Decode {
            path,
            message,
            snippet,
        } = &error
        else {
            panic!("{error:?}")
        };
        assert_eq!(path, "$.Items[1].Publisher.Id");
        assert!(message.contains("invalid type"), "{message}");
        assert!(snippet.starts_with("{\"Items\""));

        let error = decode_error("{\n  \"Items\": [\n    {\"Id\": 1},\n    {\"Id\": 1.5}\n  ]\n}");
        assert!(
            matches!(&error, Error::Decode { path, .. } if path == "$.Items[1].Id"),
            "{error:?}"
        );
        let error = decode_error(r#"{"Items": [{"Name": "a\"b", "Id": 1}], "TotalHits": "many"}"#);
        assert!(
            matches!(&error, Error::Decode { path, .. } if path == "$.TotalHits"),
            "{error:?}"
        );
        let error = decode_error(r#"{"Items": [{"Id": 1}, {"Id": 2"#);
        assert!(
            matches!(&error, Error::Decode { path, .. } if path.starts_with("$.Items[1]")),
            "{error:?}"
        );
    }

    #[test]
    fn display_reads_status_code_message_and_object_errors() {
        let failure = ApiFailure {
            status: StatusCode::BAD_REQUEST,
            error: Some(Box::new(ApiError {
                error_code: Some("DomainPrefixTaken".into()),
                message: Some("The domain prefix is already in use".into()),
                ..Default::default()
            })),
            body: None,
        };
        assert_eq!(
            Error::Api(failure).to_string(),
            "400 Bad Request: DomainPrefixTaken: The domain prefix is already in use"
        );

        let failure = ApiFailure {
            status: StatusCode::BAD_REQUEST,
            error: Some(Box::new(ApiError {
                error_code: Some("400 BadRequest".into()),
                message: Some("The request is invalid.".into()),
                object_errors: Some(vec![ObjectError {
                    message: Some("The Name field is required.".into()),
                    parameters: Some([("Field".to_owned(), Some("Tenant.Name".to_owned()))].into()),
                    ..Default::default()
                }]),
                ..Default::default()
            })),
            body: None,
        };
        assert_eq!(
            Error::Api(failure).to_string(),
            "400 Bad Request: The request is invalid.; Tenant.Name: The Name field is required."
        );

        let html = ApiFailure {
            status: StatusCode::BAD_GATEWAY,
            error: None,
            body: Some("<html>".into()),
        };
        assert_eq!(
            Error::Api(html).to_string(),
            "502 Bad Gateway (body: <html>)"
        );
        let empty = ApiFailure {
            status: StatusCode::UNAUTHORIZED,
            error: None,
            body: None,
        };
        assert_eq!(
            Error::Authentication(empty).to_string(),
            "authentication failed: 401 Unauthorized (empty body)"
        );
    }

    #[test]
    fn snippets_are_one_line_and_bounded() {
        assert_eq!(
            snippet(b"<html>\r\n  <body>\n</html>"),
            "<html> <body> </html>"
        );
        let long = snippet("x".repeat(1000).as_bytes());
        assert_eq!(long.chars().count(), SNIPPET_CHARS + 1);
    }
}
