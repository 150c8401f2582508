//! The contract of the `crayon-tenants` crates, read once: `openapi/crayon-tenants.yaml` turned
//! into JSON Schema, which a real validator (the `jsonschema` crate) applies.
//!
//! This is the one place that reads the contract's schemas. The mock server binds every request
//! with it, its tests validate every response with it, the client's property tests generate
//! values from it, and the command-line tool checks body files and names CSV columns with it.
//! [`check`] holds a request or an answer of the real API against it (the command-line tool's
//! `contract check`, the mock's recording proxy), [`report`] gathers what that found, and
//! [`redact`] replaces what the contract marks personal (`x-personal`) or secret (`x-secret`).
//! It has no HTTP and no Rust models, so the client library stays free of it. OpenAPI 3.0
//! schemas become JSON Schema here:
//! - `$ref: "#/components/schemas/X"` points into the document's `definitions`;
//! - `nullable: true` beside a `type`, and `anyOf: [X, {enum: [null]}]` for a reference, admit
//!   `null`; both become `if null then accept, else validate`, so that a validator reports the
//!   problem inside a nullable object at its own path rather than "not valid under any schema";
//! - `format: int32` and `format: int64` bound the integer to its range, as a server's typed
//!   binding does;
//! - `example`s and `x-` extensions are dropped.
//!
//! ```
//! use crayon_tenants_contract::{schema_ref, validator};
//! use serde_json::json;
//!
//! let update = validator(&schema_ref("CustomerTenantDetailedInput"));
//! assert!(update.is_valid(&json!({"Tenant": {"Reference": "PO-7", "DefaultSubscriptionPriceType": 0}})));
//! assert!(!update.is_valid(&json!({"Tenant": {"CustomerTenantType": 9}})));
//! ```

#![warn(missing_docs)]

pub mod check;
pub mod redact;
pub mod report;

use std::sync::OnceLock;

use serde_json::{Map, Value, json};

/// The contract's text, as the client is generated from it: `cargo xtask codegen` copies
/// `openapi/crayon-tenants.yaml` here (so that the packaged crate has it) and its `--check`
/// fails when the copy is stale.
pub const CONTRACT_YAML: &str = include_str!("../contract/crayon-tenants.yaml");

/// The contract as JSON.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| serde_yaml::from_str(CONTRACT_YAML).expect("the contract is YAML"))
}

/// Every `components/schemas` entry as a JSON Schema definition.
pub fn definitions() -> &'static Value {
    static DEFINITIONS: OnceLock<Value> = OnceLock::new();
    DEFINITIONS.get_or_init(|| {
        let schemas = document()["components"]["schemas"]
            .as_object()
            .expect("the contract has components/schemas");
        Value::Object(
            schemas
                .iter()
                .map(|(name, schema)| (name.clone(), to_json_schema(schema)))
                .collect(),
        )
    })
}

/// A self-contained JSON Schema document for an OpenAPI schema of the contract (a `$ref` or an
/// inline schema): the schema converted, with every definition beside it.
pub fn json_schema(schema: &Value) -> Value {
    let mut document = match to_json_schema(schema) {
        Value::Object(object) => object,
        // `true`/`false` schemas do not occur in the contract; wrap them all the same.
        other => Map::from_iter([("allOf".to_owned(), json!([other]))]),
    };
    document.insert("definitions".to_owned(), definitions().clone());
    Value::Object(document)
}

/// A validator for an OpenAPI schema of the contract.
pub fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::validator_for(&json_schema(schema))
        .expect("every schema of the contract is a valid JSON Schema")
}

/// The schema of `components/schemas/{name}`, as a reference.
pub fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The operation object of an `operationId`.
pub fn operation(operation_id: &str) -> Option<&'static Value> {
    operations().find_map(|(_, _, operation)| {
        (operation["operationId"] == operation_id).then_some(operation)
    })
}

/// Every operation: its path template, its method (upper case) and its object.
pub fn operations() -> impl Iterator<Item = (&'static str, String, &'static Value)> {
    document()["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flatten()
                .filter(|(_, operation)| operation.get("operationId").is_some())
                .map(move |(method, operation)| (path.as_str(), method.to_uppercase(), operation))
        })
}

/// Resolves a `$ref` to `#/components/...` (a response, a parameter, a schema).
pub fn resolve(value: &Value) -> &Value {
    resolve_in(document(), value)
}

/// Resolves a `$ref` within `document` (an OpenAPI document as JSON: the contract being
/// changed, before it is embedded here), following references to references.
pub fn resolve_in<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference
            .strip_prefix('#')
            .and_then(|pointer| document.pointer(pointer))
            .map_or(value, |target| resolve_in(document, target)),
        None => value,
    }
}

/// The schema a value of `schema` is read by: references followed, and through an `allOf` or
/// `anyOf` to its first branch that is not the `null` of a nullable reference (for an open
/// enumeration, `anyOf: [X, integer]`, that is the enumeration `X`).
pub fn effective(schema: &Value) -> &Value {
    let schema = resolve(schema);
    let inner = ["allOf", "anyOf"].iter().find_map(|key| {
        schema[*key]
            .as_array()?
            .iter()
            .find(|branch| !is_null_only(branch))
    });
    match inner {
        Some(inner) => effective(inner),
        None => schema,
    }
}

/// Whether an OpenAPI schema is the `null` branch of a nullable reference (`enum: [null]`).
fn is_null_only(schema: &Value) -> bool {
    schema.get("enum") == Some(&json!([null]))
}

/// "`null`, or else `schema`", with errors reported from inside `schema`.
fn null_or(schema: Value) -> Value {
    json!({ "if": { "type": "null" }, "then": true, "else": schema })
}

fn to_json_schema(schema: &Value) -> Value {
    let Value::Object(object) = schema else {
        return schema.clone();
    };
    // `anyOf: [X, {enum: [null]}]`: a nullable reference.
    if let Some(branches) = object.get("anyOf").and_then(Value::as_array)
        && branches.len() == 2
        && let Some(other) = branches.iter().find(|branch| !is_null_only(branch))
        && branches.iter().any(is_null_only)
    {
        let mut rest = object.clone();
        rest.remove("anyOf");
        let converted = to_json_schema(&Value::Object(rest));
        return null_or(json!({ "allOf": [to_json_schema(other), converted] }));
    }
    let mut out = Map::new();
    for (key, value) in object {
        let converted = match key.as_str() {
            "nullable" | "example" | "examples" | "discriminator" | "xml" | "externalDocs" => {
                continue;
            }
            key if key.starts_with("x-") => continue,
            "$ref" => Value::String(
                value
                    .as_str()
                    .unwrap_or_default()
                    .replace("#/components/schemas/", "#/definitions/"),
            ),
            "properties" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, property)| (name.clone(), to_json_schema(property)))
                    .collect(),
            ),
            "enum" | "required" | "default" | "type" | "format" | "pattern" | "description" => {
                value.clone()
            }
            _ => match value {
                Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
                Value::Object(_) => to_json_schema(value),
                other => other.clone(),
            },
        };
        out.insert(key.clone(), converted);
    }
    if out.get("type") == Some(&json!("integer")) {
        let range = match out.get("format").and_then(Value::as_str) {
            Some("int32") => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
            Some("int64") => Some((i64::MIN, i64::MAX)),
            _ => None,
        };
        if let Some((low, high)) = range {
            out.entry("minimum").or_insert(json!(low));
            out.entry("maximum").or_insert(json!(high));
        }
    }
    let converted = Value::Object(out);
    if object.get("nullable") == Some(&Value::Bool(true)) {
        null_or(converted)
    } else {
        converted
    }
}

/// Renames the members of `value` to the contract's spelling where they differ only in case,
/// following `schema` (an OpenAPI schema) into nested objects and arrays, as the real API's
/// case-insensitive binding reads them. A member that matches no property is left as it is.
pub fn fold_case(value: &mut Value, schema: &Value) {
    let mut properties = Map::new();
    let mut items = None;
    collect_shape(schema, &mut properties, &mut items);
    match value {
        Value::Object(map) => {
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
            for (name, member) in map.iter_mut() {
                if let Some(property) = properties.get(name) {
                    fold_case(member, property);
                }
            }
        }
        Value::Array(elements) => {
            if let Some(item) = items {
                elements
                    .iter_mut()
                    .for_each(|element| fold_case(element, &item));
            }
        }
        _ => {}
    }
}

/// A member of a JSON value that its schema has no property for (matched ignoring case, as the
/// API binds names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownProperty {
    /// Where it is, as the contract spells the path (`Tenant.Referense`, `Items[0].X`).
    pub path: String,
    /// The properties the schema has at that place, in the contract's spelling.
    pub known: Vec<String>,
}

/// Every member of `value` that `schema` (an OpenAPI schema of the contract) has no property
/// for, all the way down. An object schema without `properties` (a map, such as
/// `ApiError.Parameters`) takes any member.
pub fn unknown_properties(value: &Value, schema: &Value) -> Vec<UnknownProperty> {
    let mut found = Vec::new();
    walk_beside(value, schema, "", &mut |met| {
        if let Met::Unknown { path, known, .. } = met {
            found.push(UnknownProperty {
                path: path.to_owned(),
                known: known.keys().cloned().collect(),
            });
        }
    });
    found
}

/// What a walk of a value beside its schema meets ([`walk_beside`]).
pub(crate) enum Met<'w> {
    /// A member the schema has, spelled in another case than the contract's.
    OtherCase {
        path: &'w str,
        spelled: &'w str,
        sent: &'w str,
    },
    /// A member the schema has no property for, and the properties it has there.
    Unknown {
        path: &'w str,
        value: &'w Value,
        known: &'w Map<String, Value>,
    },
    /// A value that is neither an object of properties nor an array, with its schema.
    Leaf {
        path: &'w str,
        value: &'w Value,
        schema: &'w Value,
    },
}

/// Walks `value` beside `schema` (an OpenAPI schema of the contract), through `$ref`s and
/// combinators, into the members and items the schema describes, telling `meet` what it finds.
/// A member binds to its property by the contract's spelling, else ignoring case, as the API
/// binds names. An object schema without `properties` (a map, such as `ApiError.Parameters`)
/// is a leaf.
pub(crate) fn walk_beside(
    value: &Value,
    schema: &Value,
    path: &str,
    meet: &mut dyn FnMut(Met<'_>),
) {
    let mut properties = Map::new();
    let mut items = None;
    collect_shape(schema, &mut properties, &mut items);
    match value {
        Value::Object(members) if !properties.is_empty() => {
            for (name, member) in members {
                let here = join(path, name);
                let property = properties.get_key_value(name).or_else(|| {
                    properties
                        .iter()
                        .find(|(known, _)| known.eq_ignore_ascii_case(name))
                });
                match property {
                    Some((spelled, property)) => {
                        if spelled != name {
                            meet(Met::OtherCase {
                                path: &here,
                                spelled,
                                sent: name,
                            });
                        }
                        walk_beside(member, property, &here, meet);
                    }
                    None => meet(Met::Unknown {
                        path: &here,
                        value: member,
                        known: &properties,
                    }),
                }
            }
        }
        Value::Array(elements) => {
            if let Some(item) = &items {
                for (index, element) in elements.iter().enumerate() {
                    walk_beside(element, item, &format!("{path}[{index}]"), meet);
                }
            }
        }
        _ => meet(Met::Leaf {
            path,
            value,
            schema,
        }),
    }
}

/// The query parameters of an operation (its `operationId`), references resolved.
pub fn query_parameters(operation: &str) -> Vec<&'static Value> {
    self::operation(operation)
        .and_then(|operation| operation["parameters"].as_array())
        .into_iter()
        .flatten()
        .map(resolve)
        .filter(|parameter| parameter["in"] == "query")
        .collect()
}

/// The parameter among `parameters` that `name` binds to: the one of that spelling, else the
/// one of that name in another case (the API binds names ignoring case; Crayon's SDK sends
/// `OrganizationId`).
pub fn parameter_named<'p>(parameters: &[&'p Value], name: &str) -> Option<&'p Value> {
    let named = |exact: bool| {
        parameters.iter().copied().find(|parameter| {
            parameter["name"].as_str().is_some_and(|known| {
                if exact {
                    known == name
                } else {
                    known.eq_ignore_ascii_case(name)
                }
            })
        })
    };
    named(true).or_else(|| named(false))
}

/// The properties and the array item schema a value of `schema` may have, through `$ref`s and
/// the branches of `allOf` and `anyOf`.
fn collect_shape(schema: &Value, properties: &mut Map<String, Value>, items: &mut Option<Value>) {
    let schema = resolve(schema);
    if let Some(own) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in own {
            properties.entry(name.clone()).or_insert(property.clone());
        }
    }
    if let Some(item) = schema.get("items") {
        items.get_or_insert(item.clone());
    }
    for combinator in ["allOf", "anyOf", "oneOf"] {
        for branch in schema
            .get(combinator)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect_shape(branch, properties, items);
        }
    }
}

/// The JSON paths of the leaves of `components/schemas/{name}` (`Publisher.Id`, `Name`), in the
/// contract's order, through references and nullable references, four objects deep: the columns
/// of a CSV file of such values.
pub fn columns(name: &str) -> Vec<String> {
    fn walk(schema: &Value, prefix: &str, paths: &mut Vec<String>, depth: usize) {
        let schema = effective(schema);
        match schema.get("properties").and_then(Value::as_object) {
            Some(properties) if depth < 4 => {
                for (name, property) in properties {
                    let path = join(prefix, name);
                    walk(property, &path, paths, depth + 1);
                }
            }
            _ => paths.push(prefix.to_owned()),
        }
    }
    let mut paths = Vec::new();
    walk(&schema_ref(name), "", &mut paths, 0);
    paths
}

/// `Tenant.Publisher` and `Id` as `Tenant.Publisher.Id`: the dotted path of a field inside
/// another (an empty `path` is the value itself).
pub fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// The dotted path of a JSON pointer: `/Tenant/Publisher/Id` is `Tenant.Publisher.Id`, `/Items/0`
/// is `Items[0]`, and the empty pointer is the empty path.
pub fn field_path(pointer: &str) -> String {
    let mut path = String::new();
    for segment in pointer.split('/').filter(|segment| !segment.is_empty()) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.bytes().all(|byte| byte.is_ascii_digit()) && !path.is_empty() {
            path.push_str(&format!("[{segment}]"));
        } else {
            path = join(&path, &segment);
        }
    }
    path
}

/// The JSON pointer of a dotted path: `Publisher.Id` is `/Publisher/Id`.
pub fn pointer(path: &str) -> String {
    let escaped = path.replace('~', "~0").replace('/', "~1");
    format!("/{}", escaped.replace('.', "/"))
}

/// Every leaf of a JSON value (what is not an object) with its dotted path (`InvoiceProfile.Id`),
/// in the value's order.
pub fn leaves(value: &Value) -> Vec<(String, &Value)> {
    fn walk<'v>(value: &'v Value, path: String, out: &mut Vec<(String, &'v Value)>) {
        match value {
            Value::Object(object) => {
                for (name, inner) in object {
                    walk(inner, join(&path, name), out);
                }
            }
            leaf => out.push((path, leaf)),
        }
    }
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}

/// The JSON type of the leaf at `path` (`Tenant.Publisher.Id`) of `schema`: `string`, `integer`
/// (an enumeration too), `number` or `boolean`; none for an object, an array or no such field.
pub fn leaf_type(schema: &Value, path: &str) -> Option<String> {
    let mut schema = effective(schema);
    for name in path.split('.') {
        schema = effective(schema.get("properties")?.get(name)?);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object" | "array") | None if schema.get("enum").is_none() => None,
        Some(kind) => Some(kind.to_owned()),
        None => Some("integer".to_owned()),
    }
}

/// Sets the value at a JSON path (`Tenant.Publisher.Id`), making the objects on the way.
pub fn set(value: &mut Value, path: &str, leaf: Value) {
    let mut current = value;
    let names: Vec<&str> = path.split('.').collect();
    for (index, name) in names.iter().enumerate() {
        let Value::Object(object) = current else {
            return;
        };
        if index + 1 == names.len() {
            object.insert((*name).to_owned(), leaf);
            return;
        }
        current = object
            .entry((*name).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// What is wrong with a value under a schema of the contract, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The field's dotted path (`Tenant.Publisher.Id`, `Items[0]`); empty for the value itself.
    pub path: String,
    /// What is wrong there.
    pub kind: ProblemKind,
}

/// What is wrong with a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The schema requires it and it is absent.
    Required,
    /// It is `null` where the schema takes none.
    Null,
    /// Anything else, in the validator's (or serde's) words.
    Invalid(String),
}

impl std::fmt::Display for Problem {
    /// `Tenant.Name: required`, `Tenant.CustomerTenantType: 9 is not one of ...`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        match &self.kind {
            ProblemKind::Required => f.write_str("required"),
            ProblemKind::Null => f.write_str("null is not allowed here"),
            ProblemKind::Invalid(message) => f.write_str(message),
        }
    }
}

/// Every problem `validator` (of a schema of the contract) finds in `value`, at its field path;
/// a required property is named by its own path.
pub fn problems(validator: &jsonschema::Validator, value: &Value) -> Vec<Problem> {
    use jsonschema::error::ValidationErrorKind;
    validator
        .iter_errors(value)
        .map(|error| {
            let path = field_path(error.instance_path().as_str());
            match error.kind() {
                ValidationErrorKind::Required { property } => Problem {
                    path: join(&path, property.as_str().unwrap_or_default()),
                    kind: ProblemKind::Required,
                },
                _ if error.instance().is_null() => Problem {
                    path,
                    kind: ProblemKind::Null,
                },
                _ => Problem {
                    path,
                    kind: ProblemKind::Invalid(error.to_string()),
                },
            }
        })
        .collect()
}

/// `value` as its Rust type, or the first problem serde met, at its field path (a missing
/// field named by its own path, as [`problems`] names it).
pub fn deserialize<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, Problem> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = match error.path().to_string() {
            root if root == "." => String::new(),
            path => path,
        };
        let message = error.into_inner().to_string();
        match message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            Some(field) => Problem {
                path: join(&path, field),
                kind: ProblemKind::Required,
            },
            None => Problem {
                path,
                kind: ProblemKind::Invalid(message),
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_pointers_and_leaves_agree() {
        assert_eq!(field_path("/Tenant/Publisher/Id"), "Tenant.Publisher.Id");
        assert_eq!(field_path("/Items/0/Name"), "Items[0].Name");
        assert_eq!(field_path(""), "");
        assert_eq!(pointer("Tenant.Publisher.Id"), "/Tenant/Publisher/Id");
        let mut value = json!({});
        set(&mut value, "Tenant.Publisher.Id", json!(2));
        set(&mut value, "Tenant.Name", json!("Contoso"));
        assert_eq!(
            value.pointer(&pointer("Tenant.Publisher.Id")),
            Some(&json!(2))
        );
        let leaves: Vec<(String, Value)> = leaves(&value)
            .into_iter()
            .map(|(path, leaf)| (path, leaf.clone()))
            .collect();
        assert_eq!(
            leaves,
            [
                ("Tenant.Name".to_owned(), json!("Contoso")),
                ("Tenant.Publisher.Id".to_owned(), json!(2))
            ]
        );
        let schema = schema_ref("NewCustomerTenantDetailed");
        assert_eq!(
            leaf_type(&schema, "Tenant.Publisher.Id").as_deref(),
            Some("integer")
        );
        assert_eq!(
            leaf_type(&schema, "Tenant.CustomerTenantType").as_deref(),
            Some("integer")
        );
        assert_eq!(leaf_type(&schema, "Tenant.Name").as_deref(), Some("string"));
        assert_eq!(leaf_type(&schema, "Tenant"), None);
    }

    #[test]
    fn problems_are_named_by_their_field_path() {
        let validator = validator(&schema_ref("NewCustomerTenantDetailed"));
        let problems = problems(&validator, &json!({"Tenant": {"Name": null}}));
        assert!(
            problems.contains(&Problem {
                path: "Profile".to_owned(),
                kind: ProblemKind::Required
            }),
            "{problems:?}"
        );
        assert!(
            problems.contains(&Problem {
                path: "Tenant.DomainPrefix".to_owned(),
                kind: ProblemKind::Required
            }),
            "{problems:?}"
        );
        assert!(
            problems.contains(&Problem {
                path: "Tenant.Name".to_owned(),
                kind: ProblemKind::Null
            }),
            "{problems:?}"
        );
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Outer {
            #[serde(rename = "Inner")]
            inner: Inner,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            #[serde(rename = "Id")]
            id: i32,
        }
        let missing = deserialize::<Outer>(json!({"Inner": {}})).unwrap_err();
        assert_eq!(
            missing,
            Problem {
                path: "Inner.Id".to_owned(),
                kind: ProblemKind::Required
            }
        );
        assert_eq!(missing.to_string(), "Inner.Id: required");
        let wrong = deserialize::<Outer>(json!({"Inner": {"Id": "x"}})).unwrap_err();
        assert_eq!(wrong.path, "Inner.Id");
        assert!(matches!(wrong.kind, ProblemKind::Invalid(_)));
    }

    #[test]
    fn nullable_references_admit_null_and_report_problems_inside_at_their_path() {
        let validator = validator(&schema_ref("CustomerTenantDetailed"));
        assert!(validator.is_valid(&json!({"User": null, "Tenant": {"Publisher": null}})));
        let errors: Vec<String> = validator
            .iter_errors(&json!({"Tenant": {"Publisher": {"Id": "two"}}}))
            .map(|error| error.instance_path().to_string())
            .collect();
        assert_eq!(errors, ["/Tenant/Publisher/Id"]);
    }

    #[test]
    fn value_types_refuse_null_and_int32_is_bounded() {
        let validator = validator(&schema_ref("CustomerTenantInput"));
        assert!(!validator.is_valid(&json!({"Id": null})));
        assert!(!validator.is_valid(&json!({"Id": 2_147_483_648_i64})));
        assert!(validator.is_valid(&json!({"Id": 2_147_483_647, "Name": null})));
    }

    #[test]
    fn responses_take_any_integer_for_an_enumeration_and_requests_only_listed_ones() {
        let response = validator(&schema_ref("CustomerTenant"));
        assert!(
            response.is_valid(&json!({"CustomerTenantType": 7, "DefaultSubscriptionPriceType": 0}))
        );
        let request = validator(&schema_ref("CustomerTenantInput"));
        assert!(!request.is_valid(&json!({"CustomerTenantType": 7})));
        assert!(request.is_valid(&json!({"CustomerTenantType": 2})));
    }

    #[test]
    fn names_fold_to_the_contracts_spelling_through_references_and_nullable_branches() {
        let mut value = json!({"tenant": {"PUBLISHER": {"id": 2}, "AGREEMENT": {"accepted": true}},
                               "profile": {"contact": {"email": "a@b"}}, "extra": 1});
        fold_case(&mut value, &schema_ref("CustomerTenantDetailedInput"));
        assert_eq!(
            value,
            json!({"Tenant": {"Publisher": {"Id": 2}, "agreement": {"Accepted": true}},
                   "Profile": {"Contact": {"Email": "a@b"}}, "extra": 1})
        );
    }

    #[test]
    fn columns_are_the_leaves_of_a_schema_through_references() {
        let tenant = columns("CustomerTenant");
        for expected in [
            "Id",
            "Publisher.Id",
            "Publisher.Name",
            "Organization.ParentId",
            "agreement.AgreementType",
        ] {
            assert!(
                tenant.contains(&expected.to_owned()),
                "{expected} missing from {tenant:?}"
            );
        }
        assert!(!tenant.contains(&"Publisher".to_owned()));
        assert_eq!(columns("Publisher"), ["Id", "Name"]);
    }

    #[test]
    fn unknown_properties_are_found_all_the_way_down_ignoring_case() {
        let body = json!({"tenant": {"Referense": "x", "PUBLISHER": {"Id": 2, "Nme": "y"}},
                          "Profile": {"Contact": {"Email": "a@b"}}, "Extra": 1});
        let unknown = unknown_properties(&body, &schema_ref("CustomerTenantDetailedInput"));
        let paths: Vec<&str> = unknown.iter().map(|u| u.path.as_str()).collect();
        assert_eq!(paths, ["Extra", "tenant.PUBLISHER.Nme", "tenant.Referense"]);
        assert!(unknown[2].known.contains(&"Reference".to_owned()));
        let agreement = json!({"AgreementType": 1, "DateAgreed": "2019-10-01T00:00:00Z"});
        assert_eq!(
            unknown_properties(&agreement, &schema_ref("ServiceAccountAgreementInput")),
            []
        );
    }
}
