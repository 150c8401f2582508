//! A recording: the exchanges a [`Proxy`](crate::Proxy) carried, as a HAR 1.2 file
//! (`recording.har`, which browsers' developer tools and HAR tools open) beside the contract
//! report (`report.json`, `report.txt`). After each exchange its entry is appended to the HAR
//! file in place (one line each, before the closing brackets: the file stays a whole HAR log,
//! and a long recording costs each exchange only its own entry), and the report is replaced
//! whole.
//!
//! Nothing secret or personal is written: the `Authorization` header and cookies are
//! `<redacted>`; bodies and query parameters go through the contract crate's
//! [`Redactor`](crayon_tenants_contract::redact::Redactor) (a secret becomes `<redacted>`, a
//! personal value a placeholder of its kind, and so does any string at a place the contract does
//! not describe); a body that is not JSON (or a form) is not kept. So a recording can be shared,
//! and can seed a mock ([`MockConfig::seed_from`](crate::MockConfig::seed_from)).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use axum::http::HeaderMap;
use crayon_tenants_contract::check::{self, Divergence};
use crayon_tenants_contract::redact::{Redactor, SECRET};
use crayon_tenants_contract::report::Report;
use serde_json::{Value, json};

/// The recording's file name in its directory.
pub const HAR_FILE: &str = "recording.har";

/// The report's name for requests that are no operation of the contract.
const NO_OPERATION: &str = "(no operation of the contract)";

/// What closes the HAR file after its last entry.
const HAR_TAIL: &str = "\n]}}\n";

/// One exchange as the proxy saw it (unredacted: it is redacted when recorded).
pub(crate) struct Exchange<'a> {
    /// The contract's operation this request is, when it is one.
    pub(crate) operation: Option<&'static str>,
    pub(crate) started: SystemTime,
    pub(crate) elapsed: Duration,
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) request_headers: &'a HeaderMap,
    pub(crate) request_body: &'a [u8],
    pub(crate) status: u16,
    pub(crate) response_headers: &'a HeaderMap,
    pub(crate) response_body: &'a [u8],
}

/// The exchanges so far, redacted, and what they showed.
pub(crate) struct Recording {
    directory: PathBuf,
    upstream: String,
    entries: usize,
    report: Report,
    redactor: Redactor,
}

impl Recording {
    /// An empty recording in `directory` (created when it does not exist), written at once. A
    /// directory that holds a recording already is refused: it is never overwritten.
    pub(crate) fn create(directory: &Path, upstream: &str) -> std::io::Result<Self> {
        std::fs::create_dir_all(directory)?;
        if directory.join(HAR_FILE).exists() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!(
                    "{} holds a recording already; record into another directory (it is left as it is)",
                    directory.display()
                ),
            ));
        }
        let recording = Self {
            directory: directory.to_owned(),
            upstream: upstream.to_owned(),
            entries: 0,
            report: Report::default(),
            redactor: Redactor::new(),
        };
        let head = json!({"version": "1.2", "creator": {"name": "crayon-tenants-mock", "version": env!("CARGO_PKG_VERSION")}});
        let head = head.to_string();
        // `{"log":{...,"entries":[` then the entries, then the tail.
        let start = format!(
            "{{\"log\":{},\"entries\":[{HAR_TAIL}",
            &head[..head.len() - 1]
        );
        replace(&recording.directory.join(HAR_FILE), start.as_bytes())?;
        recording.write_report()?;
        Ok(recording)
    }

    pub(crate) fn report(&self) -> &Report {
        &self.report
    }

    /// Adds an exchange and what the check found in it, and writes the files again.
    pub(crate) fn add(
        &mut self,
        exchange: &Exchange<'_>,
        divergences: Vec<Divergence>,
    ) -> std::io::Result<()> {
        let operation = exchange.operation;
        let headers = exchange
            .response_headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes()));
        self.report.record(
            operation.unwrap_or(NO_OPERATION),
            exchange.status,
            headers,
            divergences,
        );
        let entry = self.entry(exchange);
        self.append(&entry)?;
        self.write_report()
    }

    /// Adds a request that got no answer from the upstream to the report.
    pub(crate) fn failed(&mut self, operation: Option<&str>, why: String) -> std::io::Result<()> {
        self.report
            .record_failure(operation.unwrap_or(NO_OPERATION), why);
        self.write_report()
    }

    /// Appends an entry to the HAR file in place of its tail, and the tail after it.
    fn append(&mut self, entry: &Value) -> std::io::Result<()> {
        use std::io::{Seek as _, SeekFrom};
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(self.directory.join(HAR_FILE))?;
        file.seek(SeekFrom::End(-(HAR_TAIL.len() as i64)))?;
        let separator = if self.entries == 0 { "\n" } else { ",\n" };
        file.write_all(format!("{separator}{entry}{HAR_TAIL}").as_bytes())?;
        self.entries += 1;
        Ok(())
    }

    /// The HAR entry of an exchange, redacted.
    fn entry(&mut self, exchange: &Exchange<'_>) -> Value {
        let operation = exchange.operation;
        let mut query = exchange.query.clone();
        self.redactor.query(operation, &mut query);
        let encoded: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&query)
            .finish();
        let url = match encoded.as_str() {
            "" => format!("{}{}", self.upstream, exchange.path),
            _ => format!("{}{}?{encoded}", self.upstream, exchange.path),
        };
        let request_schema = operation.and_then(check::request_schema);
        let response_schema = operation.and_then(|id| check::response_schema(id, exchange.status));
        let request_type = content_type(exchange.request_headers).unwrap_or_default();
        let response_type = content_type(exchange.response_headers).unwrap_or_default();
        let mut request = json!({
            "method": exchange.method,
            "url": url,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": har_headers(exchange.request_headers),
            "queryString": query.iter().map(|(name, value)| json!({"name": name, "value": value})).collect::<Vec<_>>(),
            "headersSize": -1,
            "bodySize": exchange.request_body.len(),
        });
        if !exchange.request_body.is_empty() {
            request["postData"] =
                self.post_data(exchange.request_body, request_type, request_schema);
        }
        let (text, comment) =
            self.kept_body(exchange.response_body, response_type, response_schema);
        let mut content = json!({
            "size": exchange.response_body.len(),
            "mimeType": response_type,
        });
        if let Some(text) = text {
            content["text"] = json!(text);
        }
        if let Some(comment) = comment {
            content["comment"] = json!(comment);
        }
        let redirect = exchange
            .response_headers
            .get(axum::http::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        let milliseconds = exchange.elapsed.as_secs_f64() * 1000.0;
        json!({
            "startedDateTime": chrono::DateTime::<chrono::Utc>::from(exchange.started)
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "time": milliseconds,
            "request": request,
            "response": {
                "status": exchange.status,
                "statusText": axum::http::StatusCode::from_u16(exchange.status).ok().and_then(|s| s.canonical_reason()).unwrap_or_default(),
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": har_headers(exchange.response_headers),
                "content": content,
                "redirectURL": redirect,
                "headersSize": -1,
                "bodySize": exchange.response_body.len(),
            },
            "cache": {},
            "timings": {"send": 0, "wait": milliseconds, "receive": 0},
            "_operation": operation,
        })
    }

    /// A request body as HAR's `postData`: a form as its redacted parameters, JSON redacted.
    fn post_data(&mut self, body: &[u8], mime_type: &str, schema: Option<&Value>) -> Value {
        if mime_type.starts_with("application/x-www-form-urlencoded") {
            let mut form = Value::Object(
                form_urlencoded::parse(body)
                    .map(|(name, value)| (name.into_owned(), Value::String(value.into_owned())))
                    .collect(),
            );
            self.redactor.body(&mut form, schema);
            let pairs: Vec<(String, String)> = form
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, value)| (name.clone(), value.as_str().unwrap_or_default().to_owned()))
                .collect();
            let text: String = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&pairs)
                .finish();
            return json!({
                "mimeType": mime_type,
                "params": pairs.iter().map(|(name, value)| json!({"name": name, "value": value})).collect::<Vec<_>>(),
                "text": text,
            });
        }
        let (text, comment) = self.kept_body(body, mime_type, schema);
        let mut post = json!({"mimeType": mime_type, "text": text.unwrap_or_default()});
        if let Some(comment) = comment {
            post["comment"] = json!(comment);
        }
        post
    }

    /// A JSON body redacted, or why a body is not kept.
    fn kept_body(
        &mut self,
        body: &[u8],
        mime_type: &str,
        schema: Option<&Value>,
    ) -> (Option<String>, Option<String>) {
        if body.is_empty() {
            return (None, None);
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(mut value) => {
                self.redactor.body(&mut value, schema);
                (Some(value.to_string()), None)
            }
            Err(_) => (
                None,
                Some(format!(
                    "not kept: {} bytes of {mime_type} that are not JSON",
                    body.len()
                )),
            ),
        }
    }

    /// Writes the report, replaced whole.
    fn write_report(&self) -> std::io::Result<()> {
        let report = serde_json::to_vec_pretty(&self.report).map_err(std::io::Error::other)?;
        replace(&self.directory.join("report.json"), &report)?;
        replace(
            &self.directory.join("report.txt"),
            self.report.table().as_bytes(),
        )
    }
}

/// Writes `path` whole or not at all (a reader never sees half a file).
fn replace(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let directory = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(directory)?;
    file.write_all(contents)?;
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// A message's `Content-Type`, when it has one.
pub(crate) fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
}

/// Whether a header may carry a credential: its value is not recorded.
fn secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "authorization",
        "cookie",
        "token",
        "secret",
        "key",
        "password",
        "session",
    ]
    .iter()
    .any(|part| name.contains(part))
}

fn har_headers(headers: &HeaderMap) -> Vec<Value> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = if secret_header(name.as_str()) {
                SECRET.to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            json!({"name": name.as_str(), "value": value})
        })
        .collect()
}

/// What a recording holds: each success answer's operation, path parameters and JSON body, in
/// order.
pub(crate) type RecordedAnswers = Vec<(String, Vec<(String, String)>, Value)>;

/// The answers a recording in `directory` holds.
pub(crate) fn recorded_answers(directory: &Path) -> std::io::Result<RecordedAnswers> {
    let text = std::fs::read(directory.join(HAR_FILE))?;
    let har: Value = serde_json::from_slice(&text).map_err(|error| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "{} is not a HAR file: {error}",
                directory.join(HAR_FILE).display()
            ),
        )
    })?;
    let entries = har["log"]["entries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Ok(entries
        .iter()
        .filter(|entry| {
            entry["response"]["status"]
                .as_u64()
                .is_some_and(|s| (200..300).contains(&s))
        })
        .filter_map(|entry| {
            let method = entry["request"]["method"].as_str()?;
            let url = reqwest::Url::parse(entry["request"]["url"].as_str()?).ok()?;
            let (operation, parameters) = check::find_operation(method, url.path())?;
            let body = serde_json::from_str(entry["response"]["content"]["text"].as_str()?).ok()?;
            Some((operation.to_owned(), parameters, body))
        })
        .collect())
}
