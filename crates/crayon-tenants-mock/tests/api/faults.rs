use std::time::{Duration, Instant};

use crayon_tenants_mock::{Fault, FaultRule, MockConfig, Operation};
use reqwest::{Method, StatusCode};

use crate::support::{Api, create_body};

#[tokio::test]
async fn a_status_fault_answers_an_api_error_with_retry_after_for_its_count() {
    let api = Api::default().await;
    api.server.add_fault(
        FaultRule::new(
            Operation::ListCustomerTenants,
            Fault::Status {
                status: 503,
                retry_after: Some(2),
            },
        )
        .times(2),
    );
    let path = "/api/v1/customertenants/?organizationId=1";
    for _ in 0..2 {
        let reply = api
            .http
            .get(api.url(path))
            .bearer_auth(&api.token)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(reply.headers()["retry-after"], "2");
        let body: serde_json::Value = reply.json().await.unwrap();
        assert_eq!(body["ErrorCode"], "503 ServiceUnavailable");
    }
    assert_eq!(
        api.get(path).await.status,
        StatusCode::OK,
        "the third request gets through"
    );
    assert_eq!(
        api.server.requests(Operation::ListCustomerTenants),
        3,
        "faulted requests are counted"
    );
}

#[tokio::test]
async fn a_502_on_create_creates_nothing() {
    let api = Api::start(MockConfig::default().fault(FaultRule::new(
        Operation::CreateCustomerTenant,
        Fault::Status {
            status: 502,
            retry_after: None,
        },
    )))
    .await;
    let reply = api
        .call(
            Method::POST,
            "/api/v1/customertenants/",
            Some(create_body("gateway")),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_GATEWAY);
    assert_eq!(reply.json()["ErrorCode"], "502 BadGateway");
    assert_eq!(api.server.state().tenant_count(), 30);
    assert_eq!(
        api.get("/api/v1/customertenants/1/").await.status,
        StatusCode::OK,
        "other operations are untouched"
    );
}

#[tokio::test]
async fn an_html_page_and_an_empty_401_look_like_a_gateway() {
    let api = Api::default().await;
    api.server.add_fault(
        FaultRule::new(
            Operation::GetCustomerTenant,
            Fault::HtmlPage { status: 502 },
        )
        .times(1),
    );
    api.server.add_fault(
        FaultRule::new(
            Operation::GetCustomerTenantDetailed,
            Fault::EmptyUnauthorized,
        )
        .times(1),
    );
    let html = api
        .http
        .get(api.url("/api/v1/customertenants/1/"))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), StatusCode::BAD_GATEWAY);
    assert!(
        html.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        html.text()
            .await
            .unwrap()
            .contains("<h1>502 Bad Gateway</h1>")
    );
    let empty = api
        .http
        .get(api.url("/api/v1/customertenants/1/detailed/"))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), StatusCode::UNAUTHORIZED);
    assert!(empty.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_malformed_body_keeps_the_status_and_does_not_parse() {
    let api = Api::default().await;
    api.server.add_fault(FaultRule::new(
        Operation::ListCustomerTenants,
        Fault::MalformedJson,
    ));
    let reply = api
        .http
        .get(api.url("/api/v1/customertenants/?organizationId=1"))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::OK);
    let text = reply.text().await.unwrap();
    assert!(text.starts_with("{\"Items\""), "{text}");
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
}

#[tokio::test]
async fn a_truncated_body_fails_while_reading_it() {
    let api = Api::default().await;
    api.server.add_fault(FaultRule::new(
        Operation::GetCustomerTenant,
        Fault::TruncatedBody,
    ));
    let reply = api
        .http
        .get(api.url("/api/v1/customertenants/1/"))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::OK, "the headers arrive");
    let error = reply.bytes().await.expect_err("the body is cut off");
    assert!(error.is_body() || error.is_decode(), "{error:?}");
}

#[tokio::test]
async fn a_dropped_connection_gives_no_response_and_runs_nothing() {
    let api = Api::default().await;
    api.server
        .add_fault(FaultRule::new(Operation::DeleteCustomerTenant, Fault::DropConnection).times(1));
    let error = api
        .http
        .delete(api.url("/api/v1/customertenants/1/"))
        .bearer_auth(&api.token)
        .send()
        .await
        .expect_err("no response");
    assert!(error.is_request() || error.is_connect(), "{error:?}");
    assert!(
        api.server.state().tenant(1).is_some(),
        "the delete did not run"
    );
    assert_eq!(
        api.call(Method::DELETE, "/api/v1/customertenants/1/", None)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn latency_faults_and_server_latency_delay_answers() {
    let api = Api::start(MockConfig::default().latency(Duration::from_millis(30))).await;
    api.server.add_fault(FaultRule::new(
        Operation::GetCustomerTenant,
        Fault::Latency(Duration::from_millis(120)),
    ));
    let started = Instant::now();
    assert_eq!(
        api.get("/api/v1/customertenants/1/").await.status,
        StatusCode::OK
    );
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    assert_eq!(
        api.get("/api/v1/customertenants/1/detailed/").await.status,
        StatusCode::OK
    );
    assert!(
        started.elapsed() >= Duration::from_millis(30),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_seeded_rate_fails_the_same_requests_every_run() {
    let run = |seed| async move {
        let api = Api::start(MockConfig {
            fault_seed: seed,
            ..MockConfig::default().fault(
                FaultRule::new(
                    Operation::GetCustomerTenant,
                    Fault::Status {
                        status: 503,
                        retry_after: None,
                    },
                )
                .rate(0.5),
            )
        })
        .await;
        let mut pattern = Vec::new();
        for _ in 0..40 {
            let status = api
                .http
                .get(api.url("/api/v1/customertenants/1/"))
                .bearer_auth(&api.token)
                .send()
                .await
                .unwrap()
                .status();
            pattern.push(status == StatusCode::SERVICE_UNAVAILABLE);
        }
        pattern
    };
    let first = run(11).await;
    assert_eq!(first, run(11).await);
    assert!(
        first.iter().any(|hit| *hit) && first.iter().any(|hit| !*hit),
        "{first:?}"
    );
}

/// The ids and `TotalHits` of organization 1's listing, one page of 5 at a time.
async fn page(api: &Api, page: u32) -> (Vec<i64>, i64) {
    let reply = api
        .get(&format!(
            "/api/v1/customertenants/?organizationId=1&page={page}&pageSize=5"
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    (
        crate::support::ids(&body),
        body["TotalHits"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn a_change_fault_changes_the_world_after_its_page_is_answered() {
    use crayon_tenants_mock::WorldChange;
    let changed =
        |change| {
            Api::start(MockConfig::default().seed_tenants(10).fault(
                FaultRule::new(Operation::ListCustomerTenants, Fault::Change(change)).times(1),
            ))
        };
    // Page 1 is answered as the world was; page 2 shows the world as it is now.
    for (change, page_2, total) in [
        (WorldChange::DeleteFirst, vec![7, 8, 9, 10], 9),
        (WorldChange::InsertFirst, vec![5, 6, 7, 8, 9], 11),
        (WorldChange::RenameLastFirst, vec![5, 6, 7, 8, 9], 10),
        (WorldChange::Replace, vec![7, 8, 9, 10, 16], 10),
        (WorldChange::Repeat, vec![5, 6, 7, 8, 9], 10),
    ] {
        let api = changed(change).await;
        assert_eq!(page(&api, 1).await, (vec![1, 2, 3, 4, 5], 10), "{change:?}");
        assert_eq!(page(&api, 2).await, (page_2, total), "{change:?}");
    }
    // The name that sorts first is the renamed tenant's.
    let api = changed(WorldChange::RenameLastFirst).await;
    page(&api, 1).await;
    let first = api
        .get("/api/v1/customertenants/?organizationId=1&pageSize=1")
        .await
        .json();
    assert_eq!(first["Items"][0]["Id"], 10);
    assert!(
        first["Items"][0]["Name"]
            .as_str()
            .unwrap()
            .starts_with("A ")
    );
}
