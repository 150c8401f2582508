//! Drift guard: every JSON example of Crayon's documentation, parsed into the generated type of
//! its operation, re-serialized, and held against the source and a reviewed insta snapshot.
//!
//! A change of the contract that drops a documented field, renames one, or makes a documented
//! request invalid fails here; a change of how a model serializes shows up as a snapshot diff.

mod support;

use crayon_tenants::types;
use serde::Serialize;
use serde::de::DeserializeOwned;
use support::{fixture, without_nulls};

/// Parses a fixture into `T`, asserts that re-serializing loses nothing, and returns the value.
fn parse_losslessly<T: DeserializeOwned + Serialize>(name: &str) -> T {
    let source = fixture(name);
    let parsed: T = serde_json::from_value(source.clone()).unwrap_or_else(|e| {
        panic!(
            "{name} does not parse as {}: {e}",
            std::any::type_name::<T>()
        )
    });
    let reserialized = serde_json::to_value(&parsed).unwrap();
    assert_eq!(
        without_nulls(reserialized),
        without_nulls(source),
        "{name}: re-serialized JSON differs from the documented example"
    );
    parsed
}

#[test]
fn create_request_example_builds_the_strict_create_body() {
    let body: types::NewCustomerTenantDetailed =
        parse_losslessly("create_customer_tenant.request.json");
    assert_eq!(
        body.tenant.customer_tenant_type,
        types::CustomerTenantType::T2
    );
    assert_eq!(body.tenant.organization.id, 1);
    insta::assert_json_snapshot!("create_customer_tenant.request", body);
}

#[test]
fn create_response_example_parses_with_the_generated_admin_user() {
    let created: types::CustomerTenantDetailed =
        parse_losslessly("create_customer_tenant.response.json");
    let user = created
        .user
        .as_ref()
        .expect("the create response carries the admin user");
    assert_eq!(user.user_name.as_deref(), Some("username"));
    assert_eq!(created.tenant.as_ref().and_then(|t| t.id), Some(1));
    insta::assert_json_snapshot!("create_customer_tenant.response", created);
}

#[test]
fn existing_request_example_is_a_valid_partial_body() {
    let body: types::CustomerTenantDetailed =
        parse_losslessly("create_existing_customer_tenant.request.json");
    let tenant = body.tenant.as_ref().unwrap();
    assert!(tenant.name.is_none() && body.profile.is_none() && body.company.is_none());
    assert_eq!(
        tenant.external_publisher_customer_id.as_deref(),
        Some("f1a2c9c4-81f2-4a3a-b2a3-0f38bd236952")
    );
    insta::assert_json_snapshot!("create_existing_customer_tenant.request", body);
}

#[test]
fn existing_response_example_parses_with_its_empty_email() {
    let added: types::CustomerTenantDetailed =
        parse_losslessly("create_existing_customer_tenant.response.json");
    let contact = added
        .profile
        .as_ref()
        .and_then(|p| p.contact.as_ref())
        .unwrap();
    assert_eq!(contact.email.as_deref(), Some(""));
    insta::assert_json_snapshot!("create_existing_customer_tenant.response", added);
}

#[test]
fn list_response_example_parses_with_organization_tenant_and_total_hits() {
    let page: types::CustomerTenantCollection =
        parse_losslessly("list_customer_tenants.response.json");
    assert_eq!(page.total_hits, Some(2));
    let items = page.items.as_ref().unwrap();
    assert_eq!(items.len(), 2);
    let organization = items[0].organization.as_ref().unwrap();
    assert_eq!(organization.tenant.as_ref().and_then(|t| t.id), Some(1));
    insta::assert_json_snapshot!("list_customer_tenants.response", page);
}

#[test]
fn update_request_example_is_a_valid_body_without_tenant_id() {
    let body: types::CustomerTenantDetailed =
        parse_losslessly("update_customer_tenant.request.json");
    assert_eq!(body.tenant.as_ref().unwrap().id, None);
    insta::assert_json_snapshot!("update_customer_tenant.request", body);
}

#[test]
fn update_csharp_sample_is_a_valid_partial_body_with_reseller_markup() {
    let body: types::CustomerTenantDetailed =
        parse_losslessly("update_customer_tenant.request.csharp_sample.json");
    let tenant = body.tenant.as_ref().unwrap();
    assert_eq!(tenant.reseller_markup, Some(10.5));
    assert!(tenant.publisher.is_none() && body.profile.is_none());
    insta::assert_json_snapshot!("update_customer_tenant.request.csharp_sample", body);
}

#[test]
fn update_response_example_parses() {
    let updated: types::CustomerTenantDetailed =
        parse_losslessly("update_customer_tenant.response.json");
    insta::assert_json_snapshot!("update_customer_tenant.response", updated);
}

#[test]
fn create_body_missing_any_required_field_is_rejected() {
    let required = [
        "/Tenant",
        "/Profile",
        "/Company",
        "/Tenant/Name",
        "/Tenant/Publisher",
        "/Tenant/DomainPrefix",
        "/Tenant/Organization",
        "/Tenant/InvoiceProfile",
        "/Tenant/CustomerTenantType",
        "/Tenant/Publisher/Id",
        "/Profile/Contact",
        "/Profile/Address",
        "/Profile/Contact/FirstName",
        "/Profile/Contact/LastName",
        "/Profile/Contact/Email",
        "/Profile/Contact/PhoneNumber",
        "/Profile/Address/FirstName",
        "/Profile/Address/LastName",
        "/Profile/Address/AddressLine1",
        "/Profile/Address/City",
        "/Profile/Address/Region",
        "/Profile/Address/PostalCode",
        "/Profile/Address/CountryCode",
        "/Company/OrganizationRegistrationNumber",
    ];
    for pointer in required {
        let mut body = fixture("create_customer_tenant.request.json");
        let (parent, field) = pointer.rsplit_once('/').unwrap();
        let removed = body
            .pointer_mut(parent)
            .and_then(|p| p.as_object_mut())
            .and_then(|p| p.remove(field));
        assert!(
            removed.is_some(),
            "{pointer} is not in the documented example"
        );
        let error = serde_json::from_value::<types::NewCustomerTenantDetailed>(body)
            .expect_err(&format!("a create body without {pointer} was accepted"));
        assert!(
            error
                .to_string()
                .contains(&format!("missing field `{field}`")),
            "{pointer}: {error}"
        );
    }
}

#[test]
fn responses_accept_nulls_unknown_fields_and_unknown_enum_values() {
    let page: types::CustomerTenantCollection = serde_json::from_value(serde_json::json!({
        "Items": [{
            "Id": 7, "Name": null, "Publisher": null, "Organization": {"Id": 1, "Name": null},
            "CustomerTenantType": 9, "EntityStatus": 1, "DefaultSubscriptionPriceType": 0,
            "SomethingNew": {"Nested": [1, 2, 3]}
        }],
        "TotalHits": 9_000_000_000_i64
    }))
    .expect("a response with nulls, unknown fields and values parses");
    let tenant = &page.items.as_ref().unwrap()[0];
    assert_eq!(
        tenant.customer_tenant_type,
        Some(types::CustomerTenantType::from_value(9))
    );
    assert_eq!(
        tenant.default_subscription_price_type,
        Some(types::SubscriptionPriceType::from_value(0))
    );
    assert_eq!(tenant.entity_status, Some(types::EntityStatus::Removed));
    assert_eq!(page.total_hits, Some(9_000_000_000));
}

#[test]
fn create_body_built_with_the_generated_builders_matches_the_documented_request() {
    let body: types::NewCustomerTenantDetailed = types::NewCustomerTenantDetailed::builder()
        .tenant(
            types::NewCustomerTenant::builder()
                .name("My customer AB")
                .publisher(types::ObjectReferenceById::builder().id(2))
                .domain_prefix("mycustomerprefix")
                .customer_tenant_type(types::CustomerTenantType::T2)
                .organization(types::OrganizationReferenceById::builder().id(1))
                .invoice_profile(types::ObjectReferenceById::builder().id(7)),
        )
        .profile(
            types::NewCustomerTenantProfile::builder()
                .contact(
                    types::NewCustomerTenantContact::builder()
                        .first_name("Firstname")
                        .last_name("Lastname")
                        .email("firstname.lastname@email.com")
                        .phone_number("000-12345689"),
                )
                .address(
                    types::NewCustomerTenantAddress::builder()
                        .first_name("Firstname")
                        .last_name("Lastname")
                        .address_line1("Streetaddress 4")
                        .city("City")
                        .region("Region")
                        .postal_code("123456")
                        .country_code("US"),
                ),
        )
        .company(
            types::NewCustomerTenantCompany::builder().organization_registration_number("12345678"),
        )
        .try_into()
        .expect("every required field is set");
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        fixture("create_customer_tenant.request.json")
    );

    let incomplete: Result<types::NewCustomerTenantDetailed, _> =
        types::NewCustomerTenantDetailed::builder()
            .company(body.company.clone())
            .try_into();
    let error = incomplete.expect_err("a builder without Tenant and Profile is rejected");
    assert!(
        error.to_string().contains("no value supplied for"),
        "{error}"
    );
}

#[test]
fn organizations_list_example_parses_with_its_two_organizations() {
    let page: types::OrganizationCollection = parse_losslessly("list_organizations.response.json");
    assert_eq!(page.total_hits, Some(2));
    assert_eq!(page.items.as_ref().map(Vec::len), Some(2));
    insta::assert_json_snapshot!("list_organizations.response", page);
}

#[test]
fn invoice_profile_example_parses_with_both_addresses() {
    let profile: types::InvoiceProfile = parse_losslessly("get_invoice_profile.response.json");
    assert_eq!(profile.invoice_address_id, Some(352_345_345));
    let delivery = profile.delivery_address.as_ref().unwrap();
    assert_eq!(delivery.country_code.as_deref(), Some("SE"));
    insta::assert_json_snapshot!("get_invoice_profile.response", profile);
}

/// A request of Crayon's SDK (`fixtures/sdk/`), parsed into the Rust request type of its
/// operation: a body file written by the SDK is one this crate and its command-line tool read.
fn sdk_request<T: DeserializeOwned + Serialize>(name: &str) -> T {
    let source = fixture(&format!("sdk/{name}"));
    serde_json::from_value(source).unwrap_or_else(|e| {
        panic!(
            "sdk/{name} does not parse as {}: {e}",
            std::any::type_name::<T>()
        )
    })
}

#[test]
fn every_request_body_of_crayons_sdk_parses_into_its_request_type() {
    let create: types::NewCustomerTenantDetailed =
        sdk_request("createCustomerTenant.defaults.json");
    assert_eq!(
        create.tenant.default_subscription_price_type,
        Some(types::SubscriptionPriceType::NotSet)
    );
    assert_eq!(create.tenant.reseller_markup, Some(0.0));
    let existing: types::ExistingCustomerTenantDetailed =
        sdk_request("createExistingCustomerTenant.defaults.json");
    assert_eq!(
        existing.tenant.customer_tenant_type,
        Some(types::CustomerTenantType::None)
    );
    for update in [
        "updateCustomerTenant.partial.json",
        "updateCustomerTenant.read_modify_write.json",
    ] {
        let body: types::CustomerTenantDetailedInput = sdk_request(update);
        assert_eq!(body.tenant.unwrap().id, Some(1), "{update}");
    }
    let agreement: types::ServiceAccountAgreementInput =
        sdk_request("createCustomerTenantAgreement.defaults.json");
    assert_eq!(
        agreement.agreement_type,
        Some(types::AgreementTypeConsent::MicrosoftCloudAgreement)
    );
}
