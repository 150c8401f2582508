//! Shared helpers of the mock's HTTP tests: a started server with a token, raw requests, and
//! the check that every response conforms to the contract.

#![allow(dead_code)] // each test file uses a different part of it

pub mod contract;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use crayon_tenants_mock::{MockConfig, MockServer};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A response as the tests look at it.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: bytes::Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| {
            panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.bytes))
        })
    }

    /// The `Field` of every `ObjectErrors` entry.
    pub fn object_error_fields(&self) -> Vec<String> {
        self.json()["ObjectErrors"]
            .as_array()
            .unwrap_or_else(|| panic!("no ObjectErrors in {}", self.json()))
            .iter()
            .map(|entry| entry["Parameters"]["Field"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// A mock server with a valid token, and a client that checks every answer against the contract.
pub struct Api {
    pub server: MockServer,
    pub http: reqwest::Client,
    pub token: String,
    pub contract: Arc<contract::Contract>,
    checked: Mutex<BTreeSet<(String, u16)>>,
}

impl Api {
    pub async fn start(config: MockConfig) -> Self {
        let server = MockServer::start(config).await.expect("the mock starts");
        let http = http_client();
        let mut api = Self {
            server,
            http,
            token: String::new(),
            contract: contract::Contract::shared(),
            checked: Mutex::default(),
        };
        api.token = api.fetch_token().await;
        api.server.reset_requests();
        api
    }

    pub async fn default() -> Self {
        Self::start(MockConfig::default()).await
    }

    /// Every `(operationId, status)` whose response this `Api` has checked against the contract.
    pub fn checked(&self) -> BTreeSet<(String, u16)> {
        self.checked.lock().unwrap().clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    /// A fresh token with the demo credentials.
    pub async fn fetch_token(&self) -> String {
        let credentials = self.server.credentials().clone();
        let reply = self
            .send(
                self.http
                    .post(self.url("/api/v1/connect/token/"))
                    .basic_auth(&credentials.client_id, Some(&credentials.client_secret))
                    .form(&[
                        ("grant_type", "password"),
                        ("username", credentials.username.as_str()),
                        ("password", credentials.password.as_str()),
                        ("scope", "CustomerApi"),
                    ]),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "token: {:?}", reply.bytes);
        reply.json()["AccessToken"].as_str().unwrap().to_owned()
    }

    /// Sends a request as built, and checks the answer against the contract.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let request = request.build().expect("a valid request");
        let (method, path) = (request.method().clone(), request.url().path().to_owned());
        let response = self.http.execute(request).await.expect("the mock answers");
        let reply = Reply {
            status: response.status(),
            headers: response.headers().clone(),
            bytes: response.bytes().await.expect("a whole body"),
        };
        if let Some(checked) = self.contract.check_response(&method, &path, &reply) {
            self.checked.lock().unwrap().insert(checked);
        }
        reply
    }

    /// An authenticated request with an optional JSON body.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }
}

/// The `Id` of every item of a list page.
pub fn ids(page: &Value) -> Vec<i64> {
    page["Items"]
        .as_array()
        .unwrap_or_else(|| panic!("no Items in {page}"))
        .iter()
        .map(|item| item["Id"].as_i64().unwrap())
        .collect()
}

/// A JSON fixture of the client crate (the documentation's examples).
pub fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crayon-tenants/tests/fixtures")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// A client of the mock (or of a proxy in front of it) at `base_url`, signed in with the demo
/// credentials.
pub fn demo_client(base_url: &str) -> crayon_tenants::Client {
    let demo = crayon_tenants_mock::MockCredentials::demo();
    crayon_tenants::Client::builder()
        .base_url(base_url)
        .credentials(crayon_tenants::Credentials::password(
            demo.client_id,
            demo.client_secret,
            demo.username,
            demo.password,
        ))
        .build()
        .expect("a client")
}

/// The documented create request with another domain prefix.
pub fn create_body(domain_prefix: &str) -> Value {
    let mut body = fixture("create_customer_tenant.request.json");
    body["Tenant"]["DomainPrefix"] = domain_prefix.into();
    body
}

/// A plain reqwest client.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::new()
}
