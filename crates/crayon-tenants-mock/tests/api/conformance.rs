//! Every documented response of every operation, produced by the mock and validated against the
//! contract (status documented, body valid against the status's schema). Errors the mock cannot
//! be led into by a request (500, 502) are produced by status faults, whose bodies are the mock's
//! own `ApiError`s.

use crayon_tenants_mock::{Fault, FaultRule, Operation};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Api, create_body, fixture};

#[tokio::test]
async fn every_documented_response_of_every_operation_conforms_to_the_contract() {
    let api = Api::default().await;
    let token_request = |secret: &str, password: &str| {
        api.http
            .post(api.url("/api/v1/connect/token/"))
            .basic_auth("demo-client", Some(secret))
            .form(&[
                ("grant_type", "password"),
                ("username", "demo@example.com"),
                ("password", password),
            ])
    };
    api.send(token_request("demo-secret", "demo-password"))
        .await;
    api.send(token_request("demo-secret", "wrong")).await;
    api.send(token_request("wrong", "demo-password")).await;

    let unauthenticated =
        |method: Method, path: &str| api.http.request(method, api.url(path)).json(&json!({}));
    let agreement =
        json!({"FirstName": "A", "DateAgreed": "2019-10-01T00:00:00Z", "AgreementType": 1});
    let tenant_paths = ["", "detailed/", "azurePlan/", "agreements/"];

    // Lists.
    api.get("/api/v1/customertenants/?organizationId=1&search=a&customerTenantType=2")
        .await;
    api.get("/api/v1/customertenants/?organizationId=x").await;
    api.get("/api/v1/customertenants/?organizationId=3").await;
    api.send(unauthenticated(
        Method::GET,
        "/api/v1/customertenants/?organizationId=1",
    ))
    .await;
    // The look-ups: lists (200, 400, 401, 403), reads of one (200, 400, 401, 403, 404).
    let lookups = [
        (
            "/api/v1/organizations/?search=demo",
            "/api/v1/organizations/?page=0",
            "organizations",
            ["1", "abc", "3", "999"],
        ),
        (
            "/api/v1/invoiceprofiles/?organizationId=1",
            "/api/v1/invoiceprofiles/?organizationId=x",
            "invoiceprofiles",
            ["7", "abc", "9", "999"],
        ),
        (
            "/api/v1/publishers/?names=Microsoft&programType=4",
            "/api/v1/publishers/?pageSize=5000",
            "publishers",
            ["2", "abc", "999", "0"],
        ),
    ];
    for (list, bad_list, resource, targets) in lookups {
        api.get(list).await;
        api.get(bad_list).await;
        api.send(unauthenticated(Method::GET, list)).await;
        for target in targets {
            api.get(&format!("/api/v1/{resource}/{target}/")).await;
        }
        api.send(unauthenticated(
            Method::GET,
            &format!("/api/v1/{resource}/1/"),
        ))
        .await;
    }
    api.get("/api/v1/invoiceprofiles/?organizationId=3").await;
    // Writes.
    let created = api
        .call(
            Method::POST,
            "/api/v1/customertenants/",
            Some(create_body("conform")),
        )
        .await;
    let id = created.json()["Tenant"]["Id"].as_i64().unwrap();
    api.call(
        Method::POST,
        "/api/v1/customertenants/",
        Some(json!({"Tenant": {}})),
    )
    .await;
    let mut elsewhere = create_body("conform3");
    elsewhere["Tenant"]["Organization"]["Id"] = 3.into();
    api.call(Method::POST, "/api/v1/customertenants/", Some(elsewhere))
        .await;
    api.send(unauthenticated(Method::POST, "/api/v1/customertenants/"))
        .await;
    let existing = fixture("create_existing_customer_tenant.request.json");
    api.call(
        Method::POST,
        "/api/v1/customertenants/existing/",
        Some(existing.clone()),
    )
    .await;
    api.call(
        Method::POST,
        "/api/v1/customertenants/existing/",
        Some(existing),
    )
    .await;
    api.call(
        Method::POST,
        "/api/v1/customertenants/existing/",
        Some(json!({"Tenant": {"ExternalPublisherCustomerId": "x", "Organization": {"Id": 3}}})),
    )
    .await;
    api.send(unauthenticated(
        Method::POST,
        "/api/v1/customertenants/existing/",
    ))
    .await;
    api.call(
        Method::PUT,
        &format!("/api/v1/customertenants/{id}/"),
        Some(fixture("update_customer_tenant.request.json")),
    )
    .await;
    for (target, body) in [
        ("1", json!({"Tenant": {"CustomerTenantType": 7}})),
        ("30", json!({})),
        ("999", json!({})),
    ] {
        api.call(
            Method::PUT,
            &format!("/api/v1/customertenants/{target}/"),
            Some(body),
        )
        .await;
    }
    api.send(unauthenticated(Method::PUT, "/api/v1/customertenants/1/"))
        .await;
    api.call(
        Method::POST,
        "/api/v1/customertenants/1/agreements/",
        Some(agreement.clone()),
    )
    .await;
    api.call(
        Method::POST,
        "/api/v1/customertenants/1/agreements/",
        Some(json!({"AgreementType": "MCA"})),
    )
    .await;
    for target in ["30", "999"] {
        api.call(
            Method::POST,
            &format!("/api/v1/customertenants/{target}/agreements/"),
            Some(agreement.clone()),
        )
        .await;
    }
    api.send(unauthenticated(
        Method::POST,
        "/api/v1/customertenants/1/agreements/",
    ))
    .await;
    // Reads of one tenant: 200, 400, 401, 403, 404.
    for suffix in tenant_paths {
        for target in ["1", "abc", "30", "999"] {
            api.get(&format!("/api/v1/customertenants/{target}/{suffix}"))
                .await;
        }
        api.send(unauthenticated(
            Method::GET,
            &format!("/api/v1/customertenants/1/{suffix}"),
        ))
        .await;
    }
    // Deletes.
    for target in ["abc", "30", "999", &id.to_string()] {
        api.call(
            Method::DELETE,
            &format!("/api/v1/customertenants/{target}/"),
            None,
        )
        .await;
    }
    api.send(unauthenticated(
        Method::DELETE,
        "/api/v1/customertenants/1/",
    ))
    .await;

    // 500 on every operation, 502 on create: the statuses only a failing server answers.
    api.server.add_fault(
        FaultRule::everywhere(Fault::Status {
            status: 500,
            retry_after: None,
        })
        .times(Operation::ALL.len() as u32),
    );
    api.server.add_fault(FaultRule::new(
        Operation::CreateCustomerTenant,
        Fault::Status {
            status: 502,
            retry_after: None,
        },
    ));
    api.send(token_request("demo-secret", "demo-password"))
        .await;
    api.get("/api/v1/customertenants/?organizationId=1").await;
    api.call(
        Method::POST,
        "/api/v1/customertenants/",
        Some(create_body("x")),
    )
    .await;
    api.call(
        Method::POST,
        "/api/v1/customertenants/existing/",
        Some(json!({})),
    )
    .await;
    api.call(Method::PUT, "/api/v1/customertenants/1/", Some(json!({})))
        .await;
    api.call(Method::DELETE, "/api/v1/customertenants/1/", None)
        .await;
    api.call(
        Method::POST,
        "/api/v1/customertenants/1/agreements/",
        Some(json!({})),
    )
    .await;
    for suffix in tenant_paths {
        api.get(&format!("/api/v1/customertenants/1/{suffix}"))
            .await;
    }
    for path in [
        "organizations/",
        "organizations/1/",
        "invoiceprofiles/",
        "invoiceprofiles/7/",
        "publishers/",
        "publishers/2/",
    ] {
        api.get(&format!("/api/v1/{path}")).await;
    }
    let reply = api
        .call(
            Method::POST,
            "/api/v1/customertenants/",
            Some(create_body("y")),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_GATEWAY);

    let documented = api.contract.documented();
    let checked = api.checked();
    let missing: Vec<_> = documented.difference(&checked).collect();
    assert!(
        missing.is_empty(),
        "documented responses never produced and checked: {missing:?}"
    );
    assert_eq!(checked.len(), documented.len());
}
