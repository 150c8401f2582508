use reqwest::StatusCode;

use crate::support::{self, Api};

#[tokio::test]
async fn paths_match_case_insensitively_with_or_without_the_trailing_slash() {
    let api = Api::default().await;
    for path in [
        "/api/v1/customertenants/5/",
        "/api/v1/customertenants/5",
        "/api/v1/CustomerTenants/5",
        "/API/V1/CUSTOMERTENANTS/5/",
    ] {
        let reply = api.get(path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.json()["Id"], 5, "{path}");
    }
    for path in [
        "/api/v1/customertenants/5/azurePlan/",
        "/api/v1/customertenants/5/azureplan",
        "/api/v1/CustomerTenants/5/AzurePlan",
    ] {
        assert_eq!(api.get(path).await.status, StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn query_parameter_names_bind_case_insensitively() {
    let api = Api::default().await;
    for query in [
        "organizationId=1&pageSize=3",
        "OrganizationId=1&PageSize=3",
        "ORGANIZATIONID=1&pagesize=3",
    ] {
        let reply = api.get(&format!("/api/v1/customertenants/?{query}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        assert_eq!(
            reply.json()["Items"].as_array().unwrap().len(),
            3,
            "{query}"
        );
        assert_eq!(reply.json()["TotalHits"], 25, "{query}");
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_get_api_errors() {
    let api = Api::default().await;
    let reply = api.get("/api/v1/nothing-here/").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["ErrorCode"], "404 NotFound");
    let reply = api
        .call(reqwest::Method::PATCH, "/api/v1/customertenants/1/", None)
        .await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.json()["ErrorCode"], "405 MethodNotAllowed");
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let server = crayon_tenants_mock::MockServer::start(Default::default())
        .await
        .unwrap();
    let url = format!("{}/api/v1/customertenants/1/", server.base_url());
    assert_eq!(
        support::http_client()
            .get(&url)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    drop(server);
    let _ = support::http_client();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    // The serving task ends at its next turn on the runtime; give it a few.
    let mut outcome = client.get(&url).send().await;
    for _ in 0..100 {
        if outcome.is_err() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        outcome = client.get(&url).send().await;
    }
    let error = outcome.expect_err("nothing listens any more");
    assert!(error.is_connect() || error.is_request(), "{error:?}");
}
