//! The look-ups serve one consistent world: the organizations the user may see, each with its own
//! invoice profiles, and the publishers every seeded tenant refers to.

use crate::support::{Api, ids};
use reqwest::StatusCode;

#[tokio::test]
async fn the_user_sees_organizations_1_and_2_and_gets_403_for_3() {
    let api = Api::default().await;
    let page = api.get("/api/v1/organizations/").await.json();
    assert_eq!(ids(&page), [1, 2]);
    assert_eq!(page["TotalHits"], 2);
    assert_eq!(
        page["Items"][1]["ParentId"], 1,
        "organization 2 is a subsidiary of 1"
    );
    assert_eq!(
        ids(&api
            .get("/api/v1/organizations/?search=SUBSIDIARY")
            .await
            .json()),
        [2]
    );
    assert_eq!(
        api.get("/api/v1/organizations/3/").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api.get("/api/v1/organizations/42/").await.status,
        StatusCode::NOT_FOUND
    );
    let one = api.get("/api/v1/Organizations/1").await.json();
    assert_eq!(
        one, page["Items"][0],
        "the same object in the list and the get"
    );
}

#[tokio::test]
async fn each_organization_has_its_own_invoice_profiles() {
    let api = Api::default().await;
    for (organization, expected) in [(1, vec![7, 10]), (2, vec![8])] {
        let page = api
            .get(&format!(
                "/api/v1/invoiceprofiles/?organizationId={organization}"
            ))
            .await
            .json();
        assert_eq!(ids(&page), expected, "organization {organization}");
        for profile in page["Items"].as_array().unwrap() {
            assert_eq!(profile["Organization"]["Id"], organization);
        }
    }
    assert_eq!(
        api.get("/api/v1/invoiceprofiles/?organizationId=3")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api.get("/api/v1/invoiceprofiles/9/").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api.get("/api/v1/invoiceprofiles/77/").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.get("/api/v1/invoiceprofiles/7/").await.json()["Name"],
        "My invoice profile"
    );
}

#[tokio::test]
async fn publishers_filter_by_name_search_and_program_type() {
    let api = Api::default().await;
    assert_eq!(ids(&api.get("/api/v1/publishers/").await.json()), [2, 3]);
    assert_eq!(
        ids(&api.get("/api/v1/publishers/?names=adobe").await.json()),
        [3]
    );
    assert_eq!(
        ids(&api
            .get("/api/v1/publishers/?names=Adobe&names=Microsoft")
            .await
            .json()),
        [2, 3]
    );
    assert_eq!(
        ids(&api.get("/api/v1/publishers/?search=soft").await.json()),
        [2]
    );
    assert_eq!(
        ids(&api.get("/api/v1/publishers/?programType=4").await.json()),
        [2],
        "cloud"
    );
    assert_eq!(
        ids(&api.get("/api/v1/publishers/?programType=1").await.json()),
        [2, 3],
        "license"
    );
    assert_eq!(
        ids(&api
            .get("/api/v1/publishers/?pageSize=1&page=2")
            .await
            .json()),
        [3]
    );
    assert_eq!(
        api.get("/api/v1/publishers/5/").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.get("/api/v1/publishers/3/").await.json()["Name"],
        "Adobe"
    );
}

#[tokio::test]
async fn every_seeded_tenant_refers_to_what_the_look_ups_list() {
    let api = Api::default().await;
    let publishers = ids(&api.get("/api/v1/publishers/").await.json());
    for organization in [1, 2] {
        let profiles = ids(&api
            .get(&format!(
                "/api/v1/invoiceprofiles/?organizationId={organization}"
            ))
            .await
            .json());
        let tenants = api
            .get(&format!(
                "/api/v1/customertenants/?organizationId={organization}&pageSize=1000"
            ))
            .await
            .json();
        for tenant in tenants["Items"].as_array().unwrap() {
            let profile = tenant["InvoiceProfile"]["Id"].as_i64().unwrap();
            assert!(profiles.contains(&profile), "{tenant}");
            assert!(tenant["InvoiceProfile"]["Name"].is_string(), "{tenant}");
            assert!(
                publishers.contains(&tenant["Publisher"]["Id"].as_i64().unwrap()),
                "{tenant}"
            );
            assert_eq!(tenant["Organization"]["Id"], organization);
        }
    }
}
