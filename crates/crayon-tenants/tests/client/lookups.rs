//! The look-ups a create needs, through the same call path and paging as the tenants, and a
//! read-modify-write that holds for whatever tenant the server returns.

use crayon_tenants::types::{
    CustomerTenantDetailed, CustomerTenantDetailedInput, CustomerTenantInput, ProgramType,
};
use crayon_tenants_mock::{MockConfig, Operation};
use futures::TryStreamExt;
use serde_json::json;

use crate::start;

#[tokio::test]
async fn every_list_operation_streams_with_the_same_paging() {
    let (server, client) = start(MockConfig::default()).await;
    let organizations: Vec<_> = client
        .list_organizations()
        .paging()
        .page_size(1)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        organizations
            .iter()
            .map(|o| o.id.unwrap())
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(
        server.requests(Operation::ListOrganizations),
        2,
        "one request per page"
    );

    let profiles: Vec<_> = client
        .list_invoice_profiles()
        .organization_id(1)
        .paging()
        .page_size(1)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        profiles.iter().map(|p| p.id.unwrap()).collect::<Vec<_>>(),
        [7, 10]
    );

    let stream = client
        .list_publishers()
        .program_type(ProgramType::Cloud)
        .into_stream();
    let cloud: Vec<_> = stream.try_collect().await.unwrap();
    assert_eq!(cloud.len(), 1);
    assert_eq!(cloud[0].name.as_deref(), Some("Microsoft"));

    let named: Vec<_> = client
        .list_publishers()
        .names(vec!["Adobe".to_owned(), "Microsoft".to_owned()])
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(named.len(), 2, "names are sent as one key per name");
}

#[tokio::test]
async fn gets_of_the_look_ups_and_their_errors() {
    let (_server, client) = start(MockConfig::default()).await;
    let organization = client.get_organization().id(2).await.unwrap();
    assert_eq!(organization.parent_id, Some(1));
    let forbidden = client.get_organization().id(3).await.unwrap_err();
    assert_eq!(forbidden.status().map(|s| s.as_u16()), Some(403));
    let profile = client.get_invoice_profile().id(7).await.unwrap();
    assert_eq!(profile.organization.and_then(|o| o.id), Some(1));
    let missing = client.get_publisher().id(99).await.unwrap_err();
    assert_eq!(missing.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn read_modify_write_holds_for_every_tenant_the_server_can_return() {
    let (server, client) = start(MockConfig::default().seed_tenants(3)).await;
    // What a server may return: an unknown type, nulls everywhere, a property nobody names.
    let odd: CustomerTenantDetailed = serde_json::from_value(json!({
        "Tenant": {"Name": "Odd AB", "DomainPrefix": "odd", "CustomerTenantType": 9,
                   "DefaultSubscriptionPriceType": 0, "Publisher": {"Id": 2, "Name": null},
                   "Reference": null, "agreement": null, "Extra": true},
        "Profile": null, "Company": null, "User": null
    }))
    .unwrap();
    let odd_id = server
        .state()
        .insert_tenant(1, odd)
        .tenant
        .unwrap()
        .id
        .unwrap();
    let sparse: CustomerTenantDetailed =
        serde_json::from_value(json!({"Tenant": {"Name": null}})).unwrap();
    let sparse_id = server
        .state()
        .insert_tenant(1, sparse)
        .tenant
        .unwrap()
        .id
        .unwrap();

    let mut accepted = 0;
    for id in [1, 2, 3, sparse_id, odd_id] {
        let read = client.get_customer_tenant_detailed().id(id).await.unwrap();
        match CustomerTenantDetailedInput::try_from(read) {
            Ok(mut body) => {
                body.tenant.get_or_insert_with(Default::default).reference =
                    Some(format!("checked {id}"));
                let updated = client
                    .update_customer_tenant()
                    .id(id)
                    .body(body)
                    .await
                    .unwrap();
                assert_eq!(
                    updated.tenant.unwrap().reference,
                    Some(format!("checked {id}"))
                );
                accepted += 1;
            }
            Err(error) => {
                assert_eq!(
                    id, odd_id,
                    "only the tenant with an unnamed type is refused: {error}"
                );
                assert_eq!(error.field(), "Tenant.CustomerTenantType");
                // The way to change one field of it: a partial body with that field only.
                let partial = CustomerTenantDetailedInput {
                    tenant: Some(CustomerTenantInput {
                        reference: Some("partial".to_owned()),
                        ..Default::default()
                    }),
                    ..Default::default()
                };
                let updated = client
                    .update_customer_tenant()
                    .id(id)
                    .body(partial)
                    .await
                    .unwrap();
                let tenant = updated.tenant.unwrap();
                assert_eq!(tenant.reference.as_deref(), Some("partial"));
                assert_eq!(tenant.customer_tenant_type.map(i32::from), Some(9), "kept");
            }
        }
    }
    assert_eq!(accepted, 4);
}

#[tokio::test]
async fn the_ids_a_create_needs_are_found_by_whole_name_ignoring_case() {
    let (server, client) = start(MockConfig::default()).await;
    let organization = client
        .find_organization_by_name("demo reseller ab")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(organization.id, Some(1));
    let profile = client
        .find_invoice_profile_by_name(1, "PROJECTS")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(profile.id, Some(10));
    let publisher = client
        .find_publisher_by_name("adobe")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(publisher.id, Some(3));
    // Exact: a part of a name, or another organization's profile, is no match.
    assert!(
        client
            .find_organization_by_name("Demo")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        client
            .find_invoice_profile_by_name(2, "Projects")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        client
            .find_publisher_by_name("Micro")
            .await
            .unwrap()
            .is_none()
    );
    assert!(server.requests(Operation::ListPublishers) >= 2);

    // What was found makes a create body in a few typed lines, which the mock accepts.
    use crayon_tenants::types::{
        NewCustomerTenant, NewCustomerTenantAddress, NewCustomerTenantContact,
        NewCustomerTenantDetailed,
    };
    let body = NewCustomerTenantDetailed::new(
        NewCustomerTenant::new(
            "Fabrikam AB",
            "fabrikam",
            organization.id.unwrap(),
            profile.id.unwrap(),
            publisher.id.unwrap(),
        ),
        NewCustomerTenantContact::new("Alex", "Example", "alex@fabrikam.example", "+46 8 000 00"),
        NewCustomerTenantAddress::new(
            "Alex",
            "Example",
            "Main Street 1",
            "Stockholm",
            "Stockholm",
            "111 22",
            "SE",
        ),
        "5560000000",
    );
    let created = client.create_customer_tenant().body(body).await.unwrap();
    let tenant = created.tenant.unwrap();
    assert_eq!(tenant.domain_prefix.as_deref(), Some("fabrikam"));
    assert_eq!(tenant.invoice_profile.unwrap().id, Some(10));
    let found = client
        .find_customer_tenant_by_domain_prefix(1, "FABRIKAM")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, tenant.id);
}
