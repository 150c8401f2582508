//! Reading requests the way the real API's ASP.NET binding does: query parameter names and JSON
//! property names case-insensitively, `null` for any optional field, unknown fields ignored, and
//! every problem reported as a 400 `ApiError` that names the field, never a 500 or a panic.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use schemars::JsonSchema;
use schemars::schema::{RootSchema, Schema, SchemaObject, SingleOrVec};
use serde::de::DeserializeOwned;
use serde_json::Value;

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

impl<S: Send + Sync, T: DeserializeOwned + JsonSchema + 'static> FromRequest<S> for JsonBody<T> {
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

/// Binds a JSON value to `T` as the real API does: property names are matched to the contract's
/// case-insensitively, every required property that is missing or `null` is reported (all of
/// them, not only the first), and a value of the wrong type is reported with its path.
pub(crate) fn bind<T: DeserializeOwned + JsonSchema + 'static>(
    mut value: Value,
) -> Result<T, MockError> {
    if !value.is_object() {
        let problem = FieldProblem::invalid(
            "(body)".into(),
            "The request body must be a JSON object.".into(),
        );
        return Err(MockError::invalid_body(vec![problem]));
    }
    let root = schema_of::<T>();
    let mut problems = Vec::new();
    let top = Schema::Object(root.schema.clone());
    Binder {
        root: &root,
        problems: &mut problems,
    }
    .visit(&mut value, &top, "");
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

/// The JSON Schema of `T`, generated once per type.
fn schema_of<T: JsonSchema + 'static>() -> Arc<RootSchema> {
    static CACHE: OnceLock<Mutex<HashMap<TypeId, Arc<RootSchema>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    cache
        .entry(TypeId::of::<T>())
        .or_insert_with(|| Arc::new(schemars::schema_for!(T)))
        .clone()
}

struct Binder<'a> {
    root: &'a RootSchema,
    problems: &'a mut Vec<FieldProblem>,
}

/// The object or array schema behind references, `allOf` and `anyOf` (`Option<T>`).
fn resolve<'s>(root: &'s RootSchema, schema: &'s Schema) -> Option<&'s SchemaObject> {
    let Schema::Object(object) = schema else {
        return None;
    };
    if let Some(reference) = &object.reference {
        let name = reference.rsplit('/').next()?;
        return resolve(root, root.definitions.get(name)?);
    }
    if object.object.is_some() || object.array.is_some() {
        return Some(object);
    }
    let subschemas = object.subschemas.as_ref()?;
    [&subschemas.all_of, &subschemas.any_of, &subschemas.one_of]
        .into_iter()
        .flatten()
        .flatten()
        .find_map(|schema| resolve(root, schema))
}

impl<'a> Binder<'a> {
    fn visit(&mut self, value: &mut Value, schema: &'a Schema, path: &str) {
        let Some(schema) = resolve(self.root, schema) else {
            return;
        };
        match value {
            Value::Object(map) => {
                let Some(object) = &schema.object else { return };
                // Rename each key to the contract's spelling when it differs only in case.
                let renames: Vec<(String, String)> = map
                    .keys()
                    .filter(|key| !object.properties.contains_key(*key))
                    .filter_map(|key| {
                        object
                            .properties
                            .keys()
                            .find(|name| name.eq_ignore_ascii_case(key) && !map.contains_key(*name))
                            .map(|name| (key.clone(), name.clone()))
                    })
                    .collect();
                for (from, to) in renames {
                    if let Some(moved) = map.remove(&from) {
                        map.insert(to, moved);
                    }
                }
                for required in &object.required {
                    if map.get(required).is_none_or(Value::is_null) {
                        self.problems
                            .push(FieldProblem::required(join(path, required)));
                    }
                }
                for (name, property) in &object.properties {
                    if let Some(inner) = map.get_mut(name) {
                        self.visit(inner, property, &join(path, name));
                    }
                }
            }
            Value::Array(items) => {
                let Some(SingleOrVec::Single(item)) =
                    schema.array.as_ref().and_then(|array| array.items.as_ref())
                else {
                    return;
                };
                for (index, inner) in items.iter_mut().enumerate() {
                    self.visit(inner, item, &format!("{path}[{index}]"));
                }
            }
            _ => {}
        }
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
        let body = serde_json::to_value(error.into_body()).unwrap();
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
    fn a_wrong_type_is_reported_with_its_path() {
        let error = bind::<CustomerTenantDetailed>(json!({"Tenant": {"Publisher": {"Id": "two"}}}))
            .unwrap_err();
        assert_eq!(problems(error), ["Tenant.Publisher.Id"]);
        let error = bind::<CustomerTenantDetailed>(json!([1, 2])).unwrap_err();
        assert_eq!(problems(error), ["(body)"]);
    }
}
