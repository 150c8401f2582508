//! The contract as a response validator: every response a test receives must have a status the
//! contract documents for its operation, and a body that validates against the schema the
//! contract gives for that status, with the mock's own reading of the contract
//! (`crayon_tenants_contract`, OpenAPI 3.0 schemas turned into JSON Schema).

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use crayon_tenants_contract as contract;
use reqwest::Method;
use serde_json::Value;

use super::Reply;

pub struct Contract {
    spec: &'static Value,
}

impl Contract {
    pub fn shared() -> Arc<Contract> {
        static CONTRACT: OnceLock<Arc<Contract>> = OnceLock::new();
        CONTRACT.get_or_init(|| Arc::new(Contract::load())).clone()
    }

    fn load() -> Self {
        Self {
            spec: contract::document(),
        }
    }

    /// The operation object for a request path, matched as the server matches routes.
    pub fn operation(&self, method: &Method, path: &str) -> Option<(&str, &Value)> {
        let wanted: Vec<String> = path
            .trim_end_matches('/')
            .split('/')
            .map(str::to_ascii_lowercase)
            .collect();
        self.spec["paths"]
            .as_object()?
            .iter()
            .find_map(|(template, item)| {
                let segments: Vec<&str> = template.trim_end_matches('/').split('/').collect();
                let matches = segments.len() == wanted.len()
                    && segments.iter().zip(&wanted).all(|(segment, actual)| {
                        segment.starts_with('{') || segment.eq_ignore_ascii_case(actual)
                    });
                let operation = item.get(method.as_str().to_ascii_lowercase())?;
                matches.then_some((template.as_str(), operation))
            })
    }

    /// The response object of an operation for a status, `$ref` resolved.
    fn response<'a>(&'a self, operation: &'a Value, status: u16) -> Option<&'a Value> {
        let response = operation["responses"].get(status.to_string())?;
        match response.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let name = reference.rsplit('/').next().unwrap();
                self.spec["components"]["responses"].get(name)
            }
            None => Some(response),
        }
    }

    /// Every `(operationId, status)` the contract documents with an exact status.
    pub fn documented(&self) -> BTreeSet<(String, u16)> {
        let mut documented = BTreeSet::new();
        for item in self.spec["paths"].as_object().unwrap().values() {
            for operation in item
                .as_object()
                .unwrap()
                .values()
                .filter(|operation| operation.get("operationId").is_some())
            {
                // The `4XX` and `5XX` ranges are catch-alls, not responses the mock must produce.
                let statuses = operation["responses"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .filter_map(|key| key.parse().ok());
                for status in statuses {
                    documented.insert((
                        operation["operationId"].as_str().unwrap().to_owned(),
                        status,
                    ));
                }
            }
        }
        documented
    }

    /// Panics unless the reply is one the contract allows for this request; returns the
    /// `(operationId, status)` it checked, or `None` for a path that is no operation.
    pub fn check_response(
        &self,
        method: &Method,
        path: &str,
        reply: &Reply,
    ) -> Option<(String, u16)> {
        let (template, operation) = self.operation(method, path)?;
        let status = reply.status.as_u16();
        let id = operation["operationId"].as_str().unwrap();
        let response = self.response(operation, status).unwrap_or_else(|| {
            panic!(
                "{id} ({method} {template}) answered {status}, which the contract does not document"
            )
        });
        let checked = Some((id.to_owned(), status));
        let Some(content) = response.get("content") else {
            assert!(
                reply.bytes.is_empty(),
                "{id} {status} must have no body, got {:?}",
                reply.bytes
            );
            return checked;
        };
        let media = reply
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            media.starts_with("application/json"),
            "{id} {status}: content-type {media:?}"
        );
        let schema = &content["application/json"]["schema"];
        let instance: Value = serde_json::from_slice(&reply.bytes)
            .unwrap_or_else(|e| panic!("{id} {status}: body is not JSON ({e})"));
        let validator = contract::validator(schema);
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{id} {status}: the body does not match the contract: {errors:#?}\n{instance:#}"
        );
        checked
    }
}
