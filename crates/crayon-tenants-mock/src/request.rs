//! Reading requests the way the real API's ASP.NET binding does: query parameter names and JSON
//! property names case-insensitively, `null` for any optional field, unknown fields ignored, and
//! every problem reported as a 400 `ApiError` that names the field, never a 500 or a panic.
//!
//! What is valid is the contract's to say, for the operation the request was routed to (the
//! router puts its [`Operation`] into the request's extensions): the query against the
//! operation's parameters, the body against its request body's schema, both with a JSON Schema
//! validator (the `crayon-tenants-contract` crate). No rule is kept here that the contract does not state.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use jsonschema::error::ValidationErrorKind;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::error::{FieldProblem, MockError};
use crate::operation::Operation;
use crayon_tenants_contract as contract;

/// Largest request body the mock reads; a larger one is refused with 400.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The query string, with names matched case-insensitively, checked against the operation's
/// query parameters in the contract before a handler sees it.
#[derive(Debug, Default)]
pub(crate) struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    /// The first value of a parameter; an empty value counts as absent (a string filter sent
    /// empty filters nothing; an empty integer or boolean was refused by the contract check).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
    }

    /// The first value of a parameter as sent, empty or not.
    fn raw(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Every non-empty value of a parameter that may repeat (`names=a&names=b`), in order.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(key, value)| key.eq_ignore_ascii_case(name) && !value.is_empty())
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// An integer parameter; the contract check has already refused a value that is none.
    pub(crate) fn int(&self, name: &str) -> Option<i32> {
        self.get(name).and_then(|value| value.trim().parse().ok())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = MockError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, MockError> {
        let query = parts.uri.query().unwrap_or_default();
        let params = Self(
            form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        );
        if let Some(operation) = parts.extensions.get::<Operation>() {
            check_query(*operation, &params)?;
        }
        Ok(params)
    }
}

/// The query parameters of an operation, as the contract declares them.
struct QueryContract {
    /// Name, and the `type` of its schema (`integer`, `boolean`, `string`, `array` of strings).
    parameters: Vec<(String, String)>,
    /// Validates an object of the parameters that are present, typed.
    validator: jsonschema::Validator,
}

fn query_contract(operation: Operation) -> &'static QueryContract {
    static CONTRACTS: OnceLock<HashMap<Operation, QueryContract>> = OnceLock::new();
    let contracts = CONTRACTS.get_or_init(|| {
        Operation::ALL
            .into_iter()
            .map(|operation| {
                let declared = contract::operation(operation.operation_id())
                    .and_then(|op| op["parameters"].as_array())
                    .into_iter()
                    .flatten()
                    .map(contract::resolve)
                    .filter(|parameter| parameter["in"] == "query");
                let (mut properties, mut required, mut parameters) =
                    (Map::new(), Vec::new(), Vec::new());
                for parameter in declared {
                    let name = parameter["name"].as_str().unwrap_or_default().to_owned();
                    let schema = &parameter["schema"];
                    let kind = contract::resolve(schema)["type"]
                        .as_str()
                        .unwrap_or("string");
                    parameters.push((name.clone(), kind.to_owned()));
                    properties.insert(name.clone(), schema.clone());
                    if parameter["required"] == true {
                        required.push(Value::String(name));
                    }
                }
                let schema =
                    json!({"type": "object", "properties": properties, "required": required});
                let validator = contract::validator(&schema);
                (
                    operation,
                    QueryContract {
                        parameters,
                        validator,
                    },
                )
            })
            .collect()
    });
    &contracts[&operation]
}

/// Refuses, with a 400 naming the parameter, a query that breaks the operation's contract: a
/// required parameter missing, a value of the wrong type, out of bounds or not in its `enum`.
fn check_query(operation: Operation, params: &QueryParams) -> Result<(), MockError> {
    let contract = query_contract(operation);
    let mut typed = Map::new();
    for (name, kind) in &contract.parameters {
        if kind == "array" {
            let values = params.all(name);
            if !values.is_empty() {
                typed.insert(name.clone(), Value::from(values));
            }
            continue;
        }
        // An empty value is no value for a string (no filter), but it is no integer or boolean
        // either: `page=` is refused as `page=x` is.
        let raw = match kind.as_str() {
            "integer" | "boolean" => params.raw(name),
            _ => params.get(name),
        };
        let Some(raw) = raw else {
            continue;
        };
        let value = match kind.as_str() {
            "integer" => raw.trim().parse::<i64>().map(Value::from).ok(),
            "boolean" => raw
                .trim()
                .to_ascii_lowercase()
                .parse::<bool>()
                .map(Value::from)
                .ok(),
            _ => Some(Value::from(raw)),
        };
        let value = value.ok_or_else(|| {
            MockError::bad_parameter(
                name,
                format!(
                    "The value '{raw}' is not valid for {name}: it must be {}.",
                    article(kind)
                ),
            )
        })?;
        typed.insert(name.clone(), value);
    }
    let typed = Value::Object(typed);
    match contract.validator.iter_errors(&typed).next() {
        None => Ok(()),
        Some(error) => {
            let name = match error.kind() {
                ValidationErrorKind::Required { property } => {
                    property.as_str().unwrap_or_default().to_owned()
                }
                _ => error
                    .instance_path()
                    .as_str()
                    .trim_start_matches('/')
                    .to_owned(),
            };
            let message = match error.kind() {
                ValidationErrorKind::Required { .. } => {
                    format!("The {name} query parameter is required.")
                }
                _ => format!("The value of {name} is not valid: {error}."),
            };
            Err(MockError::bad_parameter(&name, message))
        }
    }
}

fn article(kind: &str) -> &'static str {
    match kind {
        "integer" => "an integer",
        "boolean" => "true or false",
        _ => "a string",
    }
}

/// The `{id}` of a path (`/customertenants/{id}/`, `/organizations/{id}/`, ...), refused with 400
/// when it is not an integer.
pub(crate) struct PathId(pub(crate) i32);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = MockError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, MockError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| MockError::bad_parameter("id", "The id is missing."))?;
        raw.parse().map(PathId).map_err(|_| {
            MockError::bad_parameter(
                "id",
                format!("The value '{raw}' is not valid for id: it must be an integer."),
            )
        })
    }
}

/// Reads a body of at most [`MAX_BODY_BYTES`], refusing a larger one with 400.
pub(crate) async fn read_body(request: Request) -> Result<bytes::Bytes, MockError> {
    axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            MockError::bad_request(format!(
                "The request body is larger than {MAX_BODY_BYTES} bytes or could not be read."
            ))
        })
}

/// Whether the request's `Content-Type` is `expected` (parameters such as `charset` allowed).
pub(crate) fn has_content_type(request: &Request, expected: &str) -> bool {
    request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media_type| media_type.trim().eq_ignore_ascii_case(expected))
}

/// A JSON request body, bound by the contract's schema for the operation's body and then read
/// as the handler's type `T`.
pub(crate) struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + 'static> FromRequest<S> for JsonBody<T> {
    type Rejection = MockError;

    async fn from_request(request: Request, _: &S) -> Result<Self, MockError> {
        if !has_content_type(&request, "application/json") {
            return Err(MockError::bad_request(
                "The request body must be JSON, sent with Content-Type: application/json.",
            ));
        }
        let operation = request.extensions().get::<Operation>().copied();
        let bytes = read_body(request).await?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|error| {
            MockError::bad_request(format!("The request body is not valid JSON: {error}."))
        })?;
        let operation = operation.ok_or_else(|| {
            MockError::bad_request("The request matches no operation of the contract.")
        })?;
        bind(operation, value).map(JsonBody)
    }
}

/// Binds a request body of `operation` as the mock would, without a server: `Ok` when the mock
/// would accept it, otherwise the 400 `ApiError` it would answer, as JSON. For fuzzing and tests
/// of the binding rules; an operation without a JSON body accepts anything.
pub fn bind_request_body(operation: Operation, body: &[u8]) -> Result<(), String> {
    let refused =
        |error: MockError| Err(serde_json::to_string(&error.into_api_error()).unwrap_or_default());
    if body_validator(operation).is_none() {
        return Ok(());
    }
    match serde_json::from_slice(body) {
        Ok(value) => bind::<Value>(operation, value).map(drop).or_else(refused),
        Err(error) => refused(MockError::bad_request(format!(
            "The request body is not valid JSON: {error}."
        ))),
    }
}

/// The schema of an operation's JSON request body, and its validator.
fn body_validator(operation: Operation) -> Option<&'static (Value, jsonschema::Validator)> {
    static VALIDATORS: OnceLock<HashMap<Operation, (Value, jsonschema::Validator)>> =
        OnceLock::new();
    VALIDATORS
        .get_or_init(|| {
            Operation::ALL
                .into_iter()
                .filter_map(|operation| {
                    let schema = contract::operation(operation.operation_id())?
                        ["requestBody"]["content"]["application/json"]["schema"]
                        .clone();
                    let validator = (!schema.is_null()).then(|| contract::validator(&schema))?;
                    Some((operation, (schema, validator)))
                })
                .collect()
        })
        .get(&operation)
}

/// Binds a JSON body as the real API does: property names are matched case-insensitively
/// (renamed to the contract's spelling), then the body is validated against the contract's
/// schema for the operation, and every problem is reported with its path (all of them, not only
/// the first). Only a valid body reaches `T`.
pub(crate) fn bind<T: DeserializeOwned>(
    operation: Operation,
    mut value: Value,
) -> Result<T, MockError> {
    let Some((schema, validator)) = body_validator(operation) else {
        return Err(MockError::bad_request(format!(
            "{operation} takes no JSON body."
        )));
    };
    if !value.is_object() {
        let problem = FieldProblem::invalid(
            "(body)".into(),
            "The request body must be a JSON object.".into(),
        );
        return Err(MockError::invalid_body(vec![problem]));
    }
    contract::fold_case(&mut value, schema);
    let mut problems: Vec<FieldProblem> = contract::problems(validator, &value)
        .into_iter()
        .map(FieldProblem::from)
        .collect();
    problems.sort_by(|a, b| a.field.cmp(&b.field));
    problems.dedup_by(|a, b| a.field == b.field);
    if !problems.is_empty() {
        return Err(MockError::invalid_body(problems));
    }
    contract::deserialize(value).map_err(|problem| MockError::invalid_body(vec![problem.into()]))
}

#[cfg(test)]
mod tests {
    use Operation::{CreateCustomerTenant, UpdateCustomerTenant};
    use crayon_tenants::types::{CustomerTenantDetailedInput, NewCustomerTenantDetailed};
    use serde_json::json;

    use super::*;

    fn problems(error: MockError) -> Vec<String> {
        let body = serde_json::to_value(error.into_api_error()).unwrap();
        body["ObjectErrors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| entry["Parameters"]["Field"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn property_names_bind_case_insensitively() {
        let bound: CustomerTenantDetailedInput = bind(UpdateCustomerTenant, json!({
            "tenant": {"name": "Contoso", "domainPrefix": "contoso", "PUBLISHER": {"id": 2}, "agreement": null},
            "profile": {"agreement": null}
        }))
        .unwrap();
        let tenant = bound.tenant.unwrap();
        assert_eq!(tenant.name.as_deref(), Some("Contoso"));
        assert_eq!(tenant.domain_prefix.as_deref(), Some("contoso"));
        assert_eq!(tenant.publisher.unwrap().id, Some(2));
    }

    #[test]
    fn every_missing_required_field_is_reported_by_path() {
        let error = bind::<NewCustomerTenantDetailed>(CreateCustomerTenant, json!({
            "Tenant": {"Name": null, "Publisher": {}, "DomainPrefix": "x", "Organization": {"Id": 1},
                       "InvoiceProfile": {"Id": 7}, "CustomerTenantType": 2},
            "Profile": {"Contact": {"FirstName": "a"}, "Address": {}}
        }))
        .unwrap_err();
        let fields = problems(error);
        for field in [
            "Company",
            "Tenant.Name",
            "Tenant.Publisher.Id",
            "Profile.Contact.Email",
            "Profile.Address.City",
        ] {
            assert!(
                fields.contains(&field.to_owned()),
                "{field} missing from {fields:?}"
            );
        }
        assert_eq!(fields.len(), 1 + 2 + 3 + 7, "{fields:?}");
    }

    #[test]
    fn an_unknown_enumeration_value_is_refused() {
        let error = bind::<CustomerTenantDetailedInput>(
            UpdateCustomerTenant,
            json!({
                "Tenant": {"CustomerTenantType": 7},
                "Profile": {"Agreement": {"AgreementType": -5}}
            }),
        )
        .unwrap_err();
        assert_eq!(
            problems(error),
            [
                "Profile.Agreement.AgreementType",
                "Tenant.CustomerTenantType"
            ]
        );
    }

    #[test]
    fn null_is_refused_for_value_types_and_accepted_for_reference_types() {
        let error = bind::<CustomerTenantDetailedInput>(UpdateCustomerTenant, json!({
            "Tenant": {"Id": null, "EntityStatus": null, "ResellerMarkup": null, "Name": null, "Publisher": null},
            "Profile": {"Agreement": {"Accepted": null, "Email": null}},
            "User": null
        }))
        .unwrap_err();
        assert_eq!(
            problems(error),
            [
                "Profile.Agreement.Accepted",
                "Tenant.EntityStatus",
                "Tenant.Id",
                "Tenant.ResellerMarkup"
            ]
        );
    }

    #[test]
    fn a_wrong_type_is_reported_with_its_path() {
        let error = bind::<CustomerTenantDetailedInput>(
            UpdateCustomerTenant,
            json!({"Tenant": {"Publisher": {"Id": "two"}}}),
        )
        .unwrap_err();
        assert_eq!(problems(error), ["Tenant.Publisher.Id"]);
        let error =
            bind::<CustomerTenantDetailedInput>(UpdateCustomerTenant, json!([1, 2])).unwrap_err();
        assert_eq!(problems(error), ["(body)"]);
    }
}
