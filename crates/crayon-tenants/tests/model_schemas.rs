//! Drift guard: the JSON Schema of every public model is a reviewed insta snapshot.
//!
//! Any change of a model's shape (a field added, renamed, made required, retyped) shows up as a
//! snapshot diff that someone has to accept with `cargo insta review`.

#![cfg(feature = "schemars")]

mod support;

use std::collections::BTreeSet;

use crayon_tenants::types;
use schemars::r#gen::{SchemaGenerator, SchemaSettings};
use schemars::schema::Schema;

/// Collects the schema of each listed model, keyed by the name it has in the contract.
macro_rules! model_schemas {
    ($($model:ident),+ $(,)?) => {{
        let mut generator = SchemaGenerator::new(SchemaSettings::openapi3());
        $( generator.subschema_for::<types::$model>(); )+
        let listed = [$(stringify!($model)),+];
        (listed, generator.take_definitions())
    }};
}

fn all_model_schemas() -> ([&'static str; 46], schemars::Map<String, Schema>) {
    model_schemas!(
        AgreementTypeConsent,
        ApiError,
        AzurePlan,
        CustomerTenant,
        CustomerTenantAddress,
        CustomerTenantAgreement,
        CustomerTenantAgreementInput,
        CustomerTenantCollection,
        CustomerTenantCompany,
        CustomerTenantContact,
        CustomerTenantDetailed,
        CustomerTenantDetailedInput,
        CustomerTenantInput,
        CustomerTenantProfile,
        CustomerTenantProfileInput,
        CustomerTenantReference,
        CustomerTenantType,
        CustomerTenantUser,
        EntityStatus,
        ExistingCustomerTenant,
        ExistingCustomerTenantDetailed,
        NewCustomerTenant,
        NewCustomerTenantAddress,
        NewCustomerTenantCompany,
        NewCustomerTenantContact,
        NewCustomerTenantDetailed,
        NewCustomerTenantProfile,
        ObjectError,
        ObjectReference,
        ObjectReferenceById,
        Organization,
        OrganizationCollection,
        OrganizationReferenceById,
        InvoiceProfile,
        InvoiceProfileCollection,
        AddressData,
        Publisher,
        PublisherCollection,
        ProgramType,
        ServiceAccountAgreement,
        ServiceAccountAgreementCollection,
        ServiceAccountAgreementInput,
        SubscriptionPriceType,
        SubscriptionStatus,
        Token,
        TokenRequest,
    )
}

/// The contract's schemas, but for the open enumerations (`XOrUnknown`), which are the same Rust
/// type as their closed `X`: each is checked to be exactly `anyOf: [X, any int32]`.
fn contract_schema_names() -> BTreeSet<String> {
    let contract = support::contract();
    let schemas = contract["components"]["schemas"]
        .as_object()
        .expect("the contract has components/schemas");
    let mut names = BTreeSet::new();
    for (name, schema) in schemas {
        match name.strip_suffix("OrUnknown") {
            Some(closed) => assert_eq!(
                schema["anyOf"],
                serde_json::json!([
                    {"$ref": format!("#/components/schemas/{closed}")},
                    {"type": "integer", "format": "int32"}
                ]),
                "{name} is not the open form of {closed}"
            ),
            None => {
                names.insert(name.clone());
            }
        }
    }
    names
}

#[test]
fn every_contract_schema_has_a_model_and_a_snapshot() {
    let (listed, definitions) = all_model_schemas();
    let listed: BTreeSet<String> = listed.iter().map(|name| (*name).to_owned()).collect();
    assert_eq!(
        listed,
        contract_schema_names(),
        "the models snapshotted here and the contract's schemas differ"
    );
    let defined: BTreeSet<String> = definitions.keys().cloned().collect();
    assert_eq!(
        defined, listed,
        "a model's schema name differs from its contract name"
    );
}

#[test]
fn model_schemas_match_their_reviewed_snapshots() {
    let (_, definitions) = all_model_schemas();
    for (name, schema) in definitions {
        insta::assert_json_snapshot!(name, schema);
    }
}
