//! Reading requests the way the real API's ASP.NET binding does: query parameter names and JSON
//! property names case-insensitively, `null` for any optional field, unknown fields ignored, and
//! every problem reported as a 400 `ApiError` that names the field, never a 500 or a panic.

use std::sync::OnceLock;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{FieldProblem, MockError};

/// Largest request body the mock reads; a larger one is refused with 400.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The query string, with names matched case-insensitively.
#[derive(Debug, Default)]
pub(crate) struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    /// The first value of a parameter; an empty value counts as absent.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
    }

    pub(crate) fn int(&self, name: &str) -> Result<Option<i32>, MockError> {
        self.get(name)
            .map(|value| {
                value.trim().parse::<i32>().map_err(|_| {
                    MockError::bad_parameter(
                        name,
                        format!(
                            "The value '{value}' is not valid for {name}: it must be an integer."
                        ),
                    )
                })
            })
            .transpose()
    }

    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>, MockError> {
        self.get(name)
            .map(|value| match value.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(MockError::bad_parameter(
                    name,
                    format!(
                        "The value '{value}' is not valid for {name}: it must be true or false."
                    ),
                )),
            })
            .transpose()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        Ok(Self(
            form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        ))
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

/// A JSON request body bound to the contract's type `T`.
pub(crate) struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + 'static> FromRequest<S> for JsonBody<T> {
    type Rejection = MockError;

    async fn from_request(request: Request, _: &S) -> Result<Self, MockError> {
        if !has_content_type(&request, "application/json") {
            return Err(MockError::bad_request(
                "The request body must be JSON, sent with Content-Type: application/json.",
            ));
        }
        let bytes = read_body(request).await?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|error| {
            MockError::bad_request(format!("The request body is not valid JSON: {error}."))
        })?;
        bind(value).map(JsonBody)
    }
}

/// Binds a request body of `operation` as the mock would, without a server: `Ok` when the mock
/// would accept it, otherwise the 400 `ApiError` it would answer, as JSON. For fuzzing and tests
/// of the binding rules; the token operation's form body is not JSON and is not covered.
pub fn bind_request_body(operation: crate::Operation, body: &[u8]) -> Result<(), String> {
    use crate::Operation::*;
    use crayon_tenants::types::{
        CustomerTenantDetailed, NewCustomerTenantDetailed, ServiceAccountAgreement,
    };
    let refused =
        |error: MockError| Err(serde_json::to_string(&error.into_api_error()).unwrap_or_default());
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            return refused(MockError::bad_request(format!(
                "The request body is not valid JSON: {error}."
            )));
        }
    };
    let bound = match operation {
        CreateCustomerTenant => bind::<NewCustomerTenantDetailed>(value).map(drop),
        CreateExistingCustomerTenant | UpdateCustomerTenant => {
            bind::<CustomerTenantDetailed>(value).map(drop)
        }
        CreateCustomerTenantAgreement => bind::<ServiceAccountAgreement>(value).map(drop),
        _ => Ok(()),
    };
    bound.or_else(refused)
}

/// The contract's `components/schemas`, read once from the document the client is generated from.
fn contract_schemas() -> &'static Map<String, Value> {
    static SCHEMAS: OnceLock<Map<String, Value>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let contract: Value =
            serde_yaml::from_str(include_str!("../../../openapi/crayon-tenants.yaml"))
                .expect("the contract is valid YAML");
        contract["components"]["schemas"]
            .as_object()
            .cloned()
            .expect("the contract has components/schemas")
    })
}

/// Binds a JSON value to the contract's schema of the same name as `T`, as the real API does:
/// property names are matched case-insensitively, every required property that is missing or
/// `null` is reported (all of them, not only the first), `null` is refused where the contract
/// does not allow it, an enumeration value the contract does not name is refused, and a value
/// of the wrong type is reported with its path.
pub(crate) fn bind<T: DeserializeOwned + 'static>(mut value: Value) -> Result<T, MockError> {
    if !value.is_object() {
        let problem = FieldProblem::invalid(
            "(body)".into(),
            "The request body must be a JSON object.".into(),
        );
        return Err(MockError::invalid_body(vec![problem]));
    }
    let name = std::any::type_name::<T>()
        .rsplit("::")
        .next()
        .unwrap_or_default();
    let root = serde_json::json!({ "$ref": format!("#/components/schemas/{name}") });
    let mut problems = Vec::new();
    visit(&mut value, &root, "", &mut problems);
    if !problems.is_empty() {
        return Err(MockError::invalid_body(problems));
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let field = if path == "." {
            "(body)".to_owned()
        } else {
            path
        };
        MockError::invalid_body(vec![FieldProblem::invalid(
            field,
            error.inner().to_string(),
        )])
    })
}

/// The schema behind `$ref`s and single `allOf`s, and whether any of them allows `null`.
fn resolve(schema: &Value) -> (&Value, bool) {
    let nullable = schema.get("nullable") == Some(&Value::Bool(true));
    let inner = match (
        schema.get("$ref").and_then(Value::as_str),
        schema.get("allOf").and_then(Value::as_array),
    ) {
        (Some(reference), _) => reference
            .rsplit('/')
            .next()
            .and_then(|name| contract_schemas().get(name)),
        (None, Some(all_of)) if all_of.len() == 1 => all_of.first(),
        _ => None,
    };
    match inner {
        Some(inner) => {
            let (resolved, inner_nullable) = resolve(inner);
            (resolved, nullable || inner_nullable)
        }
        None => (schema, nullable),
    }
}

fn visit(value: &mut Value, schema: &Value, path: &str, problems: &mut Vec<FieldProblem>) {
    let (schema, nullable) = resolve(schema);
    if value.is_null() {
        if !nullable {
            problems.push(FieldProblem::invalid(
                path.to_owned(),
                "null is not allowed here; leave the property out instead.".to_owned(),
            ));
        }
        return;
    }
    let expected = schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let matches_type = match expected {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        _ => true,
    };
    if !matches_type {
        problems.push(FieldProblem::invalid(
            path.to_owned(),
            format!("invalid type: {value}, expected {expected}"),
        ));
        return;
    }
    if let Some(allowed) = schema
        .get("enum")
        .and_then(Value::as_array)
        .filter(|allowed| !allowed.contains(value))
    {
        let allowed: Vec<String> = allowed.iter().map(Value::to_string).collect();
        let message = format!(
            "{value} is not a valid value; expected one of {}.",
            allowed.join(", ")
        );
        problems.push(FieldProblem::invalid(path.to_owned(), message));
        return;
    }
    match value {
        Value::Object(map) => {
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            // Rename each key to the contract's spelling when it differs only in case.
            let renames: Vec<(String, String)> = map
                .keys()
                .filter(|key| !properties.contains_key(*key))
                .filter_map(|key| {
                    let name = properties
                        .keys()
                        .find(|name| name.eq_ignore_ascii_case(key) && !map.contains_key(*name))?;
                    Some((key.clone(), name.clone()))
                })
                .collect();
            for (from, to) in renames {
                if let Some(moved) = map.remove(&from) {
                    map.insert(to, moved);
                }
            }
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            for (name, property) in properties {
                let field = join(path, name);
                match map.get_mut(name) {
                    Some(inner) if !(inner.is_null() && required.contains(&name.as_str())) => {
                        visit(inner, property, &field, problems);
                    }
                    _ if required.contains(&name.as_str()) => {
                        problems.push(FieldProblem::required(field))
                    }
                    _ => {}
                }
            }
        }
        Value::Array(items) => {
            let Some(item) = schema.get("items") else {
                return;
            };
            for (index, inner) in items.iter_mut().enumerate() {
                visit(inner, item, &format!("{path}[{index}]"), problems);
            }
        }
        _ => {}
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use crayon_tenants::types::{CustomerTenantDetailed, NewCustomerTenantDetailed};
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
        let bound: CustomerTenantDetailed = bind(json!({
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
        let error = bind::<NewCustomerTenantDetailed>(json!({
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
        let error = bind::<CustomerTenantDetailed>(json!({
            "Tenant": {"CustomerTenantType": 7},
            "Profile": {"Agreement": {"AgreementType": -5}}
        }))
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
        let error = bind::<CustomerTenantDetailed>(json!({
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
        let error = bind::<CustomerTenantDetailed>(json!({"Tenant": {"Publisher": {"Id": "two"}}}))
            .unwrap_err();
        assert_eq!(problems(error), ["Tenant.Publisher.Id"]);
        let error = bind::<CustomerTenantDetailed>(json!([1, 2])).unwrap_err();
        assert_eq!(problems(error), ["(body)"]);
    }
}
