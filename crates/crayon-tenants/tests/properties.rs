//! Property tests of the models against the contract:
//! - any value the contract's schema allows decodes, re-encodes without loss, and decodes to an
//!   equal value;
//! - any JSON shaped like a response but damaged (fields removed or nulled, extra fields, values
//!   replaced by other JSON, unknown enumeration values, huge numbers, deep nesting) never panics
//!   the decoder: it yields a value or a typed error, and that error renders.
//!
//! Values are generated from the contract itself (`openapi/crayon-tenants.yaml`, in the JSON
//! Schema form the mock reads it in: `crayon_tenants_contract`), not from the Rust types,
//! so the two are held to each other.

mod support;

use crayon_tenants::reqwest::header::HeaderMap;
use crayon_tenants::types;
use crayon_tenants::{Error, RawAnswer, StatusCode};
use crayon_tenants_contract as contract;
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use support::without_nulls;

/// The schema behind `$ref`s and `allOf`s, and whether any level admits `null` (the contract's
/// nullable properties are `if null then accept else ...` in its JSON Schema form).
fn resolve(schema: &Value) -> (&Value, bool) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap();
        return resolve(&contract::definitions()[name]);
    }
    if schema["if"] == json!({"type": "null"}) {
        return (resolve(&schema["else"]).0, true);
    }
    if let Some(branches) = schema.get("allOf").and_then(Value::as_array) {
        // A reference and its description: the branch with substance is the schema.
        let substantial = branches.iter().map(resolve).find(|(inner, _)| {
            ["type", "enum", "anyOf", "properties"]
                .iter()
                .any(|key| inner.get(*key).is_some())
        });
        if let Some(found) = substantial {
            return found;
        }
    }
    (schema, false)
}

fn text(min: usize) -> BoxedStrategy<String> {
    proptest::collection::vec(any::<char>(), min..12.max(min + 1))
        .prop_map(String::from_iter)
        .boxed()
}

fn bound(schema: &Value, key: &str, default: i64) -> i64 {
    schema.get(key).and_then(Value::as_i64).unwrap_or(default)
}

/// Values the schema allows.
fn valid(schema: &Value) -> BoxedStrategy<Value> {
    let (schema, nullable) = resolve(schema);
    let strategy = if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        proptest::sample::select(values.clone()).boxed()
    } else if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
        // An open enumeration: one of its values or any integer.
        proptest::strategy::Union::new(branches.iter().map(valid)).boxed()
    } else {
        match schema
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("object")
        {
            "string" if schema.get("format").and_then(Value::as_str) == Some("date-time") => (
                2000..2030u32,
                1..=12u32,
                1..=28u32,
                0..24u32,
                0..60u32,
                0..60u32,
            )
                .prop_map(|(y, mo, d, h, mi, s)| {
                    json!(format!("{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"))
                })
                .boxed(),
            "string" => text(bound(schema, "minLength", 0) as usize)
                .prop_map(Value::from)
                .boxed(),
            "integer" => (bound(schema, "minimum", i64::MIN)..=bound(schema, "maximum", i64::MAX))
                .prop_map(Value::from)
                .boxed(),
            "number" => (-1.0e9..1.0e9f64).prop_map(Value::from).boxed(),
            "boolean" => any::<bool>().prop_map(Value::from).boxed(),
            "array" => proptest::collection::vec(valid(&schema["items"]), 0..4)
                .prop_map(Value::Array)
                .boxed(),
            _ => object(schema),
        }
    };
    if nullable {
        prop_oneof![1 => Just(Value::Null), 4 => strategy].boxed()
    } else {
        strategy
    }
}

fn object(schema: &Value) -> BoxedStrategy<Value> {
    if let Some(values) = schema
        .get("additionalProperties")
        .filter(|values| values.is_object())
    {
        return proptest::collection::btree_map(text(0), valid(values), 0..3)
            .prop_map(|map| Value::Object(map.into_iter().collect()))
            .boxed();
    }
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, property)| {
            let is_required = required.contains(&name.as_str());
            let name = name.clone();
            let present = valid(property).prop_map(move |value| Some((name.clone(), value)));
            if is_required {
                present.boxed()
            } else {
                prop_oneof![Just(None), present].boxed()
            }
        })
        .collect();
    fields
        .prop_map(|fields| Value::Object(fields.into_iter().flatten().collect()))
        .boxed()
}

fn valid_for(name: &str) -> BoxedStrategy<Value> {
    valid(&json!({ "$ref": format!("#/definitions/{name}") }))
}

fn round_trips<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(
    value: Value,
) -> Result<(), TestCaseError> {
    let decoded: T = serde_json::from_value(value.clone())
        .map_err(|e| TestCaseError::fail(format!("a valid value did not decode: {e}\n{value}")))?;
    let encoded = serde_json::to_value(&decoded).unwrap();
    prop_assert_eq!(without_nulls(encoded.clone()), without_nulls(value));
    let again: T = serde_json::from_value(encoded).unwrap();
    prop_assert_eq!(again, decoded);
    Ok(())
}

/// Any JSON, including huge numbers and deeply nested arrays.
fn junk() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(json!(u64::MAX)),
        Just(json!(-1.7e308)),
        Just(json!(9_007_199_254_740_993_u64)),
        text(0).prop_map(Value::from),
        (0..300usize).prop_map(|depth| (0..depth).fold(json!(1), |inner, _| json!([inner]))),
    ];
    leaf.prop_recursive(4, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(text(0), inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Damages a value, one decision byte per node: keep, remove a member, null it, replace it with
/// junk, add an extra member, or put an unknown integer where an enumeration was.
fn damage(
    value: Value,
    decisions: &mut impl Iterator<Item = u8>,
    junk: &mut impl Iterator<Item = Value>,
) -> Value {
    match value {
        Value::Object(map) => {
            let mut damaged = Map::new();
            for (key, member) in map {
                match decisions.next().unwrap_or(0) % 8 {
                    0 => {}
                    1 => {
                        damaged.insert(key, Value::Null);
                    }
                    2 => {
                        damaged.insert(key, junk.next().unwrap_or(json!(12_345)));
                    }
                    3 => {
                        damaged.insert(key.clone(), damage(member, decisions, junk));
                        damaged.insert(format!("{key}Extra"), junk.next().unwrap_or(Value::Null));
                    }
                    4 if member.is_i64() => {
                        damaged.insert(key, json!(i64::from(i32::MAX) + 7));
                    }
                    _ => {
                        damaged.insert(key, damage(member, decisions, junk));
                    }
                }
            }
            Value::Object(damaged)
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| damage(item, decisions, junk))
                .collect(),
        ),
        other => other,
    }
}

fn never_panics<T: DeserializeOwned>(value: Value, decisions: Vec<u8>, junk: Vec<Value>) {
    let damaged = damage(value, &mut decisions.into_iter(), &mut junk.into_iter());
    let bytes = serde_json::to_vec(&damaged).unwrap();
    // The body as the client receives it: bytes, decoded as the call path does (and, when that
    // fails, read again for the JSON path). Ok or a typed error, and the error renders.
    if let Err(error) = decode::<T>(&bytes) {
        assert!(matches!(error, Error::Decode { .. }));
        let message = format!("{error:#} {error:?}");
        // No value of the body is quoted: it may be a customer's name or a password.
        for (_, leaf) in contract::leaves(&damaged) {
            if let Value::String(text) = leaf
                && text.chars().filter(|c| c.is_alphanumeric()).count() >= 8
            {
                assert!(!message.contains(text.as_str()), "{text:?} in {message}");
            }
        }
        assert_eq!(error.body(), Some(&bytes[..]), "the body stays reachable");
    }
    // Truncated at every tenth byte too: a body cut short by the network.
    for cut in (0..bytes.len()).step_by(bytes.len() / 10 + 1) {
        if let Err(error) = decode::<T>(&bytes[..cut]) {
            assert!(error.to_string().contains("does not decode at"), "{error}");
        }
    }
}

/// What the call path does with a success answer's body.
fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    RawAnswer::new(StatusCode::OK, HeaderMap::new(), body).decode()
}

macro_rules! properties {
    ($($test:ident: $schema:literal => $model:ty;)+) => {
        proptest! {
            #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
            $(
                #[test]
                fn $test(value in valid_for($schema), decisions in proptest::collection::vec(any::<u8>(), 0..64), junk in proptest::collection::vec(junk(), 0..6)) {
                    round_trips::<$model>(value.clone())?;
                    never_panics::<$model>(value, decisions, junk);
                }
            )+
        }
    };
}

properties! {
    customer_tenant_collection: "CustomerTenantCollection" => types::CustomerTenantCollection;
    customer_tenant_detailed: "CustomerTenantDetailed" => types::CustomerTenantDetailed;
    customer_tenant: "CustomerTenant" => types::CustomerTenant;
    new_customer_tenant_detailed: "NewCustomerTenantDetailed" => types::NewCustomerTenantDetailed;
    existing_customer_tenant_detailed: "ExistingCustomerTenantDetailed" => types::ExistingCustomerTenantDetailed;
    customer_tenant_detailed_input: "CustomerTenantDetailedInput" => types::CustomerTenantDetailedInput;
    service_account_agreement_input: "ServiceAccountAgreementInput" => types::ServiceAccountAgreementInput;
    azure_plan: "AzurePlan" => types::AzurePlan;
    service_account_agreement_collection: "ServiceAccountAgreementCollection" => types::ServiceAccountAgreementCollection;
    service_account_agreement: "ServiceAccountAgreement" => types::ServiceAccountAgreement;
    token: "Token" => types::Token;
    api_error: "ApiError" => types::ApiError;
    organization_collection: "OrganizationCollection" => types::OrganizationCollection;
    organization: "Organization" => types::Organization;
    invoice_profile_collection: "InvoiceProfileCollection" => types::InvoiceProfileCollection;
    invoice_profile: "InvoiceProfile" => types::InvoiceProfile;
    publisher_collection: "PublisherCollection" => types::PublisherCollection;
    publisher: "Publisher" => types::Publisher;
}
