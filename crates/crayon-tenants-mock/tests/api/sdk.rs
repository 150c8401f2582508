//! Every request Crayon's .NET SDK sends with its defaults (`crayon-tenants/tests/fixtures/sdk/`)
//! is accepted, and what its defaults mean is what the contract says: the `0`s of properties its
//! caller did not set keep the stored values.

use reqwest::{Method, StatusCode};

use crate::support::{Api, fixture};

/// The path of each list operation the SDK's queries are sent to.
fn list_path(operation_id: &str) -> &'static str {
    match operation_id {
        "listCustomerTenants" => "/api/v1/customertenants/",
        "listCustomerTenantAgreements" => "/api/v1/customertenants/1/agreements/",
        "listOrganizations" => "/api/v1/organizations/",
        "listInvoiceProfiles" => "/api/v1/invoiceprofiles/",
        "listPublishers" => "/api/v1/publishers/",
        other => panic!("queries.json names {other}, which this test does not know"),
    }
}

#[tokio::test]
async fn every_list_query_the_sdk_sends_is_accepted() {
    let api = Api::default().await;
    let queries = fixture("sdk/queries.json");
    let mut sent = 0;
    for (operation_id, queries) in queries.as_object().unwrap() {
        for query in queries.as_array().unwrap() {
            let query = query.as_str().unwrap();
            // The SDK's agreements call appends `?` and the query, an empty one included.
            let reply = api
                .get(&format!("{}?{query}", list_path(operation_id)))
                .await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{operation_id}?{query}: {:?}",
                reply.json()
            );
            assert!(reply.json()["Items"].is_array(), "{operation_id}?{query}");
            sent += 1;
        }
    }
    assert_eq!(sent, 12);
}

#[tokio::test]
async fn the_sdks_list_filters_of_0_filter_nothing() {
    let api = Api::default().await;
    let all = api.get("/api/v1/invoiceprofiles/").await.json();
    let zero = api
        .get("/api/v1/invoiceprofiles/?OrganizationId=0&Page=1&PageSize=50")
        .await
        .json();
    assert_eq!(all, zero);
    assert_eq!(
        all["TotalHits"], 3,
        "the profiles of organizations 1 and 2: {all}"
    );
    let publishers = api
        .get("/api/v1/publishers/?Page=1&PageSize=1000&ProgramType=0")
        .await
        .json();
    assert_eq!(publishers["TotalHits"], 2);
    let named = api
        .get("/api/v1/publishers/?Names=microsoft&Names=Nobody&Page=1&PageSize=1000&ProgramType=0")
        .await
        .json();
    assert_eq!(named["Items"][0]["Name"], "Microsoft");
    assert_eq!(named["TotalHits"], 1);
}

#[tokio::test]
async fn the_sdks_create_and_add_existing_bodies_are_accepted_as_sent() {
    let api = Api::default().await;
    let created = api
        .call(
            Method::POST,
            "/api/v1/customertenants/",
            Some(fixture("sdk/createCustomerTenant.defaults.json")),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{:?}", created.json());
    let tenant = &created.json()["Tenant"];
    assert_eq!(tenant["DomainPrefix"], "sdkcustomer");
    assert_ne!(tenant["Id"], 0, "the server assigns the id");
    assert_eq!(tenant["InvoiceProfile"]["Name"], "My invoice profile");
    let added = api
        .call(
            Method::POST,
            "/api/v1/customertenants/existing/",
            Some(fixture("sdk/createExistingCustomerTenant.defaults.json")),
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{:?}", added.json());
    assert_eq!(
        added.json()["Tenant"]["CustomerTenantType"],
        2,
        "type taken from the publisher"
    );
    let agreement = api
        .call(
            Method::POST,
            "/api/v1/customertenants/1/agreements/",
            Some(fixture("sdk/createCustomerTenantAgreement.defaults.json")),
        )
        .await;
    assert_eq!(agreement.status, StatusCode::OK, "{:?}", agreement.json());
}

#[tokio::test]
async fn the_sdks_updates_are_accepted_and_its_zeros_keep_the_stored_values() {
    let api = Api::default().await;
    // A price basis and a removed status the SDK's defaults must not overwrite.
    let mut seeded = api.get("/api/v1/customertenants/1/detailed/").await.json();
    seeded["Tenant"]["DefaultSubscriptionPriceType"] = 3.into();
    let set = api
        .call(Method::PUT, "/api/v1/customertenants/1/", Some(seeded))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.json());
    let before = api.get("/api/v1/customertenants/1/").await.json();
    assert_eq!(before["DefaultSubscriptionPriceType"], 3);

    let partial = api
        .call(
            Method::PUT,
            "/api/v1/customertenants/1/",
            Some(fixture("sdk/updateCustomerTenant.partial.json")),
        )
        .await;
    assert_eq!(partial.status, StatusCode::OK, "{:?}", partial.json());
    let after = api.get("/api/v1/customertenants/1/").await.json();
    assert_eq!(after["Reference"], "Changed by the SDK");
    assert_eq!(after["ResellerMarkup"], 10.5);
    assert_eq!(
        after["DefaultSubscriptionPriceType"], 3,
        "0 is \"not set\": kept"
    );
    assert_eq!(
        after["CustomerTenantType"], before["CustomerTenantType"],
        "0 is \"not specified\": kept"
    );
    assert_eq!(after["Name"], before["Name"], "null keeps the value");
    assert_eq!(after["EntityStatus"], before["EntityStatus"]);

    let whole = api
        .call(
            Method::PUT,
            "/api/v1/customertenants/1/",
            Some(fixture("sdk/updateCustomerTenant.read_modify_write.json")),
        )
        .await;
    assert_eq!(whole.status, StatusCode::OK, "{:?}", whole.json());
    let after = api.get("/api/v1/customertenants/1/").await.json();
    assert_eq!(after["Reference"], "REF-1-0000 (renewed)");
    assert_eq!(
        after["ResellerMarkup"], 0.0,
        "the SDK's 0.0 markup is a value, not \"unset\""
    );
    assert_eq!(after["DefaultSubscriptionPriceType"], 3);
    assert_eq!(
        after["PublisherCustomerId"], before["PublisherCustomerId"],
        "never changed by an update"
    );
}
