//! An answer as it came, and how a body becomes a model (or an [`Error::Decode`] that names the
//! place and the kind of value, never the value).

use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::ResponseBody;
use crate::Error;

/// An answer undecoded, as a builder's `raw()` gives it: the status, the headers and the body.
///
/// Its `Debug` shows the status, the headers' names and the body's length: the body may hold
/// customers' personal data, and a header a cookie.
#[derive(Clone)]
pub struct RawAnswer {
    status: StatusCode,
    headers: HeaderMap,
    body: ResponseBody,
}

impl RawAnswer {
    /// An answer from its parts (for a test, or an answer read from a recording).
    pub fn new(status: StatusCode, headers: HeaderMap, body: impl Into<Vec<u8>>) -> Self {
        Self::from_bytes(status, headers, body.into().into())
    }

    pub(crate) fn from_bytes(status: StatusCode, headers: HeaderMap, body: bytes::Bytes) -> Self {
        Self {
            status,
            headers,
            body: ResponseBody::new(body),
        }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body, as it came.
    pub fn body(&self) -> &[u8] {
        self.body.as_bytes()
    }

    pub(crate) fn response_body(&self) -> &ResponseBody {
        &self.body
    }

    /// The body decoded as awaiting the builder decodes it (an empty body is `null`); an error
    /// status is not looked at (see [`Error::Api`] for how the call path reads one).
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode(self.status, &self.body, false)
    }
}

impl fmt::Debug for RawAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawAnswer")
            .field("status", &self.status)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body", &self.body)
            .finish()
    }
}

/// `body` as a `T`, or where and what kind of value it failed at. `secret`: the answer may hold
/// a token, and its body is not kept in the error.
pub(crate) fn decode<T: DeserializeOwned>(
    status: StatusCode,
    body: &ResponseBody,
    secret: bool,
) -> Result<T, Error> {
    let bytes = body.as_bytes();
    let json: &[u8] = if bytes.is_empty() { b"null" } else { bytes };
    serde_json::from_slice(json).map_err(|error| {
        let failed = serde_path_to_error::deserialize::<_, T>(
            &mut serde_json::Deserializer::from_slice(json),
        )
        .err();
        let path = failed
            .as_ref()
            .map(|failed| failed.path().to_string())
            .filter(|path| path != ".")
            .unwrap_or_else(|| "$".to_owned());
        let found = serde_json::from_slice::<Value>(json)
            .ok()
            .and_then(|value| at_path(&value, failed.as_ref()?.path()).map(describe))
            .unwrap_or_default();
        Error::Decode {
            status,
            path,
            message: without_values(&error),
            found,
            body: if secret {
                ResponseBody::default()
            } else {
                body.clone()
            },
        }
    })
}

/// serde's message with the value taken out: what a model expects (`expected i32`), a missing
/// field, or where the JSON breaks off. serde quotes the value it met (`invalid type: string
/// "Contoso"`), which may be a customer's name.
fn without_values(error: &serde_json::Error) -> String {
    let message = error.to_string();
    if !error.is_data() {
        return message;
    }
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or_default()
        .to_owned();
    if let Some(expected) = message.split(", expected ").nth(1) {
        format!("expected {expected}")
    } else if message.starts_with("missing field") {
        message
    } else {
        "the value does not fit its type".to_owned()
    }
}

/// The value at a serde path, when the body is JSON that far.
fn at_path<'v>(value: &'v Value, path: &serde_path_to_error::Path) -> Option<&'v Value> {
    use serde_path_to_error::Segment;
    path.iter().try_fold(value, |value, segment| match segment {
        Segment::Seq { index } => value.get(index),
        Segment::Map { key } => value.get(key),
        Segment::Enum { .. } | Segment::Unknown => Some(value),
    })
}

/// A value by its JSON type and size, never its content: `string of 7 characters`, `integer`,
/// `object with 3 members`. What an error or a report may say about a customer's value.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(_) => "boolean".to_owned(),
        Value::Number(number) if number.is_f64() => "number".to_owned(),
        Value::Number(_) => "integer".to_owned(),
        Value::String(text) => format!("string of {} characters", text.chars().count()),
        Value::Array(items) => format!("array of {} items", items.len()),
        Value::Object(members) => format!("object with {} members", members.len()),
    }
}
