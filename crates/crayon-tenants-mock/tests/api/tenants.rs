use std::collections::BTreeSet;

use crayon_tenants_mock::{MockConfig, Operation};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Api, create_body, fixture, ids};

#[tokio::test]
async fn list_requires_an_integer_organization_id_and_names_it() {
    let api = Api::default().await;
    for query in ["", "?organizationId=", "?organizationId=abc", "?search=x"] {
        let reply = api.get(&format!("/api/v1/customertenants/{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(
            reply.json()["Parameters"]["Parameter"],
            "organizationId",
            "{query}"
        );
        assert!(
            reply.json()["Message"]
                .as_str()
                .unwrap()
                .contains("organizationId")
        );
    }
}

#[tokio::test]
async fn list_of_an_organization_the_user_may_not_see_is_403() {
    let api = Api::default().await;
    for organization in [3, 99] {
        let reply = api
            .get(&format!(
                "/api/v1/customertenants/?organizationId={organization}"
            ))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "organization {organization}"
        );
        assert_eq!(reply.json()["ErrorCode"], "403 Forbidden");
    }
    let reply = api.get("/api/v1/customertenants/?organizationId=2").await;
    assert_eq!(reply.json()["TotalHits"], 3);
}

#[tokio::test]
async fn list_pages_are_stable_complete_and_count_every_match() {
    let api = Api::start(MockConfig::default().seed_tenants(120)).await;
    let mut seen = Vec::new();
    for (page, expected) in [(1, 50), (2, 50), (3, 20), (4, 0)] {
        let reply = api
            .get(&format!(
                "/api/v1/customertenants/?organizationId=1&page={page}&pageSize=50"
            ))
            .await;
        assert_eq!(reply.json()["TotalHits"], 120);
        let page_ids = ids(&reply.json());
        assert_eq!(page_ids.len(), expected, "page {page}");
        seen.extend(page_ids);
    }
    assert_eq!(
        seen,
        (1..=120).collect::<Vec<_>>(),
        "in id order, no gap, no duplicate"
    );
    let again = api
        .get("/api/v1/customertenants/?organizationId=1&page=2&pageSize=50")
        .await;
    assert_eq!(
        ids(&again.json()),
        seen[50..100],
        "the same page twice is the same"
    );
}

#[tokio::test]
async fn list_page_size_defaults_to_50_and_has_a_maximum() {
    let api = Api::start(MockConfig::default().seed_tenants(1001)).await;
    let reply = api.get("/api/v1/customertenants/?organizationId=1").await;
    assert_eq!(ids(&reply.json()).len(), 50);
    let reply = api
        .get("/api/v1/customertenants/?organizationId=1&pageSize=1000")
        .await;
    assert_eq!(ids(&reply.json()).len(), 1000);
    for query in [
        "pageSize=1001",
        "pageSize=0",
        "page=0",
        "page=-1",
        "pageSize=x",
    ] {
        let reply = api
            .get(&format!(
                "/api/v1/customertenants/?organizationId=1&{query}"
            ))
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
    }
}

#[tokio::test]
async fn list_filters_by_search_prefix_publisher_and_type() {
    let api = Api::start(MockConfig::default().seed_tenants(50)).await;
    let api = &api;
    let total = |query: &str| {
        let path = format!("/api/v1/customertenants/?organizationId=1&pageSize=100&{query}");
        async move { api.get(&path).await.json() }
    };
    let found = total("search=CONTOSO").await;
    assert_eq!(
        found["TotalHits"], 2,
        "name matches case-insensitively: Contoso AB and Contoso 2 AB"
    );
    assert!(
        found["Items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["Name"].as_str().unwrap().contains("Contoso"))
    );
    assert_eq!(
        total("search=ref-1-0007").await["TotalHits"],
        1,
        "search matches the reference too"
    );
    assert_eq!(total("domainPrefix=fabrikam1").await["TotalHits"], 1);
    let adobe = total("publisherId=3").await;
    assert!(
        adobe["Items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["Publisher"]["Id"] == 3)
    );
    assert_eq!(adobe["TotalHits"], 7, "every 7th demo tenant is Adobe's");
    let t1 = total("customerTenantType=1").await;
    assert_eq!(t1["TotalHits"], 10);
    assert!(
        t1["Items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["CustomerTenantType"] == 1)
    );
    let sdk_style = total(
        "PublisherId=0&CustomerTenantType=0&ProgramId=0&ConsumerId=0&InvoiceProfileId=0&Page=1",
    )
    .await;
    assert_eq!(
        sdk_style["TotalHits"], 50,
        "0 means no filter, as the SDK sends it"
    );
}

#[tokio::test]
async fn create_returns_the_tenant_with_ids_names_and_a_generated_admin() {
    let api = Api::default().await;
    let reply = api
        .call(
            Method::POST,
            "/api/v1/customertenants/",
            Some(fixture("create_customer_tenant.request.json")),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
    let created = reply.json();
    let tenant = &created["Tenant"];
    let id = tenant["Id"].as_i64().unwrap();
    assert_eq!(id, 31, "the next id after the 30 seeded tenants");
    assert_eq!(tenant["Publisher"]["Name"], "Microsoft");
    assert_eq!(tenant["Organization"]["Name"], "Demo Reseller AB");
    assert_eq!(tenant["InvoiceProfile"]["Name"], "My invoice profile");
    assert_eq!(tenant["PublisherCustomerId"].as_str().unwrap().len(), 36);
    assert_eq!(
        created["User"]["UserName"],
        "admin@mycustomerprefix.onmicrosoft.com"
    );
    assert!(created["User"]["Password"].as_str().unwrap().len() >= 12);
    assert_eq!(
        created["Profile"]["Address"]["CountryName"],
        "United States"
    );

    let stored = api
        .get(&format!("/api/v1/customertenants/{id}/detailed/"))
        .await
        .json();
    assert_eq!(stored["Tenant"], created["Tenant"]);
    assert!(
        stored["User"].get("Password").is_none(),
        "the password is shown once, at create"
    );
    assert_eq!(api.server.state().tenant_count(), 31);
}

#[tokio::test]
async fn create_lists_every_missing_required_field() {
    let api = Api::default().await;
    let mut body = fixture("create_customer_tenant.request.json");
    body["Tenant"].as_object_mut().unwrap().remove("Name");
    body["Tenant"]["Publisher"] = json!({});
    body["Profile"]["Contact"]
        .as_object_mut()
        .unwrap()
        .remove("Email");
    body["Profile"]["Address"]["City"] = Value::Null;
    body.as_object_mut().unwrap().remove("Company");
    let reply = api
        .call(Method::POST, "/api/v1/customertenants/", Some(body))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let fields: BTreeSet<String> = reply.object_error_fields().into_iter().collect();
    let expected: BTreeSet<String> = [
        "Company",
        "Tenant.Name",
        "Tenant.Publisher.Id",
        "Profile.Contact.Email",
        "Profile.Address.City",
    ]
    .map(String::from)
    .into();
    assert_eq!(fields, expected);
    assert_eq!(api.server.state().tenant_count(), 30, "nothing was created");
}

#[tokio::test]
async fn create_refuses_a_domain_prefix_in_use() {
    let api = Api::default().await;
    assert_eq!(
        api.call(
            Method::POST,
            "/api/v1/customertenants/",
            Some(create_body("taken"))
        )
        .await
        .status,
        StatusCode::OK
    );
    let reply = api
        .call(
            Method::POST,
            "/api/v1/customertenants/",
            Some(create_body("TAKEN")),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["ErrorCode"], "DomainPrefixTaken");
    assert_eq!(
        reply.json()["Message"],
        "The domain prefix is already in use"
    );
    assert_eq!(api.server.state().tenant_count(), 31);
}

#[tokio::test]
async fn create_accepts_null_optional_fields_and_any_property_casing() {
    let api = Api::default().await;
    let body = json!({
        "tenant": {"name": "Camel AB", "publisher": {"id": 2, "name": null}, "domainPrefix": "camel",
                   "organization": {"id": 2}, "invoiceProfile": {"id": 7}, "customerTenantType": 1,
                   "reference": null, "externalPublisherCustomerId": null, "consumer": null},
        "profile": {"contact": {"firstName": "A", "lastName": "B", "email": "a@b.c", "phoneNumber": "1"},
                    "address": {"firstName": "A", "lastName": "B", "addressLine1": "S 1", "city": "C",
                                "region": "R", "postalCode": "1", "countryCode": "SE", "middleName": null},
                    "cultureCode": null},
        "company": {"organizationRegistrationNumber": "1"},
        "user": null,
        "somethingElse": {"ignored": true}
    });
    let reply = api
        .call(Method::POST, "/api/v1/customertenants/", Some(body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
    assert_eq!(reply.json()["Tenant"]["Organization"]["Id"], 2);
    assert_eq!(reply.json()["Tenant"]["CustomerTenantType"], 1);
    assert_eq!(
        reply.json()["Profile"]["CultureCode"],
        "en-US",
        "null is absent, and the default applies"
    );
}

#[tokio::test]
async fn create_in_an_organization_the_user_may_not_see_is_403() {
    let api = Api::default().await;
    let mut body = create_body("elsewhere");
    body["Tenant"]["Organization"]["Id"] = 3.into();
    let reply = api
        .call(Method::POST, "/api/v1/customertenants/", Some(body))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(api.server.state().tenant_count(), 30);
}

#[tokio::test]
async fn add_existing_adds_once_and_refuses_the_same_tenant_twice() {
    let api = Api::default().await;
    let body = fixture("create_existing_customer_tenant.request.json");
    let reply = api
        .call(
            Method::POST,
            "/api/v1/customertenants/existing/",
            Some(body.clone()),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
    let tenant = &reply.json()["Tenant"];
    assert_eq!(
        tenant["ExternalPublisherCustomerId"],
        "f1a2c9c4-81f2-4a3a-b2a3-0f38bd236952"
    );
    assert_eq!(tenant["DomainPrefix"], "customerdomainprefix");
    assert!(
        tenant["Name"].is_string(),
        "a name is taken from the publisher"
    );
    let again = api
        .call(
            Method::POST,
            "/api/v1/customertenants/existing/?syncFromPublisher=true",
            Some(body),
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.json()["ErrorCode"], "CustomerTenantAlreadyExists");
    assert_eq!(api.server.state().tenant_count(), 31);
}

#[tokio::test]
async fn add_existing_requires_the_external_publisher_customer_id() {
    let api = Api::default().await;
    let reply = api
        .call(
            Method::POST,
            "/api/v1/customertenants/existing/",
            Some(json!({"Tenant": {"Organization": {"Id": 1}}})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.object_error_fields(),
        ["Tenant.ExternalPublisherCustomerId"]
    );
}

#[tokio::test]
async fn update_changes_present_fields_and_keeps_absent_ones() {
    let api = Api::default().await;
    let before = api.get("/api/v1/customertenants/1/detailed/").await.json();
    let mut body = fixture("update_customer_tenant.request.csharp_sample.json");
    body["Tenant"]["Reference"] = Value::Null; // the SDK sends null for what it does not set
    let reply = api
        .call(Method::PUT, "/api/v1/customertenants/1/", Some(body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
    let after = reply.json();
    assert_eq!(after["Tenant"]["Name"], "My customer AB");
    assert_eq!(after["Tenant"]["ResellerMarkup"], 10.5);
    assert_eq!(after["Tenant"]["Reference"], before["Tenant"]["Reference"]);
    assert_eq!(
        after["Tenant"]["DomainPrefix"],
        before["Tenant"]["DomainPrefix"]
    );
    assert_eq!(
        after["Tenant"]["PublisherCustomerId"],
        before["Tenant"]["PublisherCustomerId"]
    );
    assert_eq!(after["Profile"], before["Profile"]);
    assert_eq!(
        api.get("/api/v1/customertenants/1/").await.json()["ResellerMarkup"],
        10.5
    );
}

#[tokio::test]
async fn update_of_the_documented_body_without_tenant_id_applies_to_the_path() {
    let api = Api::default().await;
    let reply = api
        .call(
            Method::PUT,
            "/api/v1/customertenants/2/",
            Some(fixture("update_customer_tenant.request.json")),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
    assert_eq!(reply.json()["Tenant"]["Id"], 2);
    assert_eq!(reply.json()["Tenant"]["DomainPrefix"], "mycustomerprefix");
}

#[tokio::test]
async fn update_refuses_an_unknown_id_and_the_path_decides_which_tenant_changes() {
    let api = Api::default().await;
    let body = fixture("update_customer_tenant.request.csharp_sample.json"); // Tenant.Id 1
    assert_eq!(
        api.call(
            Method::PUT,
            "/api/v1/customertenants/999/",
            Some(body.clone())
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let before = api.server.state().tenant(1).unwrap();
    let reply = api
        .call(
            Method::PUT,
            "/api/v1/customertenants/2/",
            Some(body.clone()),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["Tenant"]["Id"], 2);
    assert_eq!(reply.json()["Tenant"]["Name"], body["Tenant"]["Name"]);
    assert_eq!(
        api.server.state().tenant(1).unwrap(),
        before,
        "tenant 1 is untouched"
    );
}

#[tokio::test]
async fn get_and_detailed_answer_404_403_and_400_as_documented() {
    let api = Api::default().await;
    for suffix in ["", "detailed/", "azurePlan/", "agreements/"] {
        assert_eq!(
            api.get(&format!("/api/v1/customertenants/999/{suffix}"))
                .await
                .status,
            StatusCode::NOT_FOUND,
            "{suffix}"
        );
        // Tenants 29 and 30 belong to organization 3, someone else's.
        assert_eq!(
            api.get(&format!("/api/v1/customertenants/30/{suffix}"))
                .await
                .status,
            StatusCode::FORBIDDEN,
            "{suffix}"
        );
        assert_eq!(
            api.get(&format!("/api/v1/customertenants/abc/{suffix}"))
                .await
                .status,
            StatusCode::BAD_REQUEST,
            "{suffix}"
        );
    }
    let tenant = api.get("/api/v1/customertenants/26/").await.json();
    assert_eq!(tenant["Organization"]["Id"], 2);
}

#[tokio::test]
async fn delete_answers_200_without_a_body_and_then_404() {
    let api = Api::default().await;
    let reply = api
        .call(Method::DELETE, "/api/v1/customertenants/4/", None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.bytes.is_empty());
    assert_eq!(
        api.get("/api/v1/customertenants/4/").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.call(Method::DELETE, "/api/v1/customertenants/4/", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(api.server.requests(Operation::DeleteCustomerTenant), 2);
}

#[tokio::test]
async fn microsoft_tenants_have_an_azure_plan_and_others_do_not() {
    let api = Api::default().await;
    let plan = api.get("/api/v1/customertenants/1/azurePlan/").await;
    assert_eq!(plan.status, StatusCode::OK);
    assert_eq!(plan.json()["CustomerTenant"]["Id"], 1);
    assert_eq!(plan.json()["Status"], 1);
    // Demo tenant 7 (index 6) is Adobe's.
    assert_eq!(
        api.get("/api/v1/customertenants/7/").await.json()["Publisher"]["Id"],
        3
    );
    assert_eq!(
        api.get("/api/v1/customertenants/7/azurePlan/").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn agreements_are_stored_listed_and_filtered_by_type() {
    let api = Api::default().await;
    assert_eq!(
        api.get("/api/v1/customertenants/1/agreements/")
            .await
            .json()["TotalHits"],
        0
    );
    for agreement_type in [1, 0] {
        let body = json!({"FirstName": "A", "LastName": "B", "Email": "a@b.c", "PhoneNumber": "1",
                          "DateAgreed": "2019-10-01T00:00:00Z", "AgreementType": agreement_type});
        let reply = api
            .call(
                Method::POST,
                "/api/v1/customertenants/1/agreements/",
                Some(body),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
        assert_eq!(reply.json()["AgreementType"], agreement_type);
    }
    assert_eq!(
        api.get("/api/v1/customertenants/1/agreements/")
            .await
            .json()["TotalHits"],
        2
    );
    let mca = api
        .get("/api/v1/customertenants/1/agreements/?agreementTypeConsent=1")
        .await
        .json();
    assert_eq!(mca["TotalHits"], 1);
    assert_eq!(mca["Items"][0]["AgreementType"], 1);
}

#[tokio::test]
async fn a_test_can_seed_its_own_tenant_and_read_the_tokens_issued() {
    let api = Api::default().await;
    assert_eq!(
        api.server.state().token_count(),
        1,
        "the token the test client fetched"
    );
    let seeded: crayon_tenants::types::CustomerTenantDetailed = serde_json::from_value(
        json!({"Tenant": {"Name": "Seeded AB", "DomainPrefix": "seeded", "Publisher": {"Id": 2}}}),
    )
    .unwrap();
    let stored = api.server.state().insert_tenant(2, seeded);
    let id = stored.tenant.as_ref().and_then(|tenant| tenant.id).unwrap();
    let tenant = api
        .get(&format!("/api/v1/customertenants/{id}/"))
        .await
        .json();
    assert_eq!(tenant["Name"], "Seeded AB");
    assert_eq!(tenant["Organization"]["Id"], 2);
    assert_eq!(
        tenant["Publisher"]["Name"], "Microsoft",
        "names are filled in as for any tenant"
    );
}
