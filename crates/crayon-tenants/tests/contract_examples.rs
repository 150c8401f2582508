//! Drift guard: the examples attached to the contract are the documentation's examples, and every
//! example the contract carries parses into the generated type of the place it is attached.

use std::collections::BTreeSet;

mod support;

use crayon_tenants::types;
use serde_json::Value;
use support::{contract, fixture};

fn contract_example(contract: &Value, name: &str) -> Value {
    contract["components"]["examples"][name]["value"].clone()
}

/// Each documented example, by the name the contract gives it and its fixture file.
const DOCUMENTED: &[(&str, &str)] = &[
    (
        "CreateCustomerTenantRequest",
        "create_customer_tenant.request.json",
    ),
    (
        "CustomerTenantDetailed",
        "create_customer_tenant.response.json",
    ),
    (
        "CustomerTenantDetailed",
        "update_customer_tenant.response.json",
    ),
    (
        "ExistingCustomerTenantRequest",
        "create_existing_customer_tenant.request.json",
    ),
    (
        "ExistingCustomerTenantResponse",
        "create_existing_customer_tenant.response.json",
    ),
    (
        "CustomerTenantCollection",
        "list_customer_tenants.response.json",
    ),
    (
        "UpdateCustomerTenantRequest",
        "update_customer_tenant.request.json",
    ),
    (
        "UpdateCustomerTenantMarkupRequest",
        "update_customer_tenant.request.csharp_sample.json",
    ),
    ("OrganizationCollection", "list_organizations.response.json"),
    ("InvoiceProfile", "get_invoice_profile.response.json"),
];

#[test]
fn contract_examples_equal_the_documented_examples() {
    let contract = contract();
    for (example, fixture_name) in DOCUMENTED {
        assert_eq!(
            contract_example(&contract, example),
            fixture(fixture_name),
            "components/examples/{example} differs from the documentation's {fixture_name}"
        );
    }
}

/// Parses `value` as `T`, naming the example when it does not parse.
fn parses_as<T: serde::de::DeserializeOwned>(name: &str, value: Value) {
    if let Err(error) = serde_json::from_value::<T>(value) {
        panic!(
            "example {name} does not parse as {}: {error}",
            std::any::type_name::<T>()
        );
    }
}

#[test]
fn every_contract_example_parses_into_its_generated_type() {
    let contract = contract();
    let examples = contract["components"]["examples"].as_object().unwrap();
    let mut checked = BTreeSet::new();
    for (name, example) in examples {
        let value = example["value"].clone();
        match name.as_str() {
            "Token" => parses_as::<types::Token>(name, value),
            "CustomerTenantCollection" => parses_as::<types::CustomerTenantCollection>(name, value),
            "CreateCustomerTenantRequest" => {
                parses_as::<types::NewCustomerTenantDetailed>(name, value)
            }
            "UpdateCustomerTenantRequest"
            | "UpdateCustomerTenantMarkupRequest"
            | "ExistingCustomerTenantRequest"
            | "ExistingCustomerTenantResponse"
            | "CustomerTenantDetailed" => parses_as::<types::CustomerTenantDetailed>(name, value),
            "CustomerTenant" => parses_as::<types::CustomerTenant>(name, value),
            "AzurePlan" => parses_as::<types::AzurePlan>(name, value),
            "ServiceAccountAgreement" => parses_as::<types::ServiceAccountAgreement>(name, value),
            "ServiceAccountAgreementCollection" => {
                parses_as::<types::ServiceAccountAgreementCollection>(name, value)
            }
            "OrganizationCollection" => parses_as::<types::OrganizationCollection>(name, value),
            "Organization" => parses_as::<types::Organization>(name, value),
            "InvoiceProfile" => parses_as::<types::InvoiceProfile>(name, value),
            "InvoiceProfileCollection" => parses_as::<types::InvoiceProfileCollection>(name, value),
            "Publisher" => parses_as::<types::Publisher>(name, value),
            "PublisherCollection" => parses_as::<types::PublisherCollection>(name, value),
            error if error.ends_with("Error") => parses_as::<types::ApiError>(name, value),
            other => panic!("example {other} has no generated type to parse into: add it here"),
        }
        checked.insert(name.clone());
    }
    for (documented, _) in DOCUMENTED {
        assert!(
            checked.contains(*documented),
            "the contract lost example {documented}"
        );
    }
}

#[test]
fn token_request_example_is_the_form_the_client_sends() {
    let contract = contract();
    let example = &contract["paths"]["/api/v1/connect/token/"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
        ["example"];
    let request: types::TokenRequest = serde_json::from_value(example.clone()).unwrap();
    assert_eq!(
        request,
        types::TokenRequest::password("api.user@example.com", "<API user password>")
    );
}
