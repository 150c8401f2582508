use std::time::{Duration, Instant};

use crayon_tenants::{Error, RetryPolicy};
use crayon_tenants_mock::{Fault, FaultRule, MockConfig, MockServer, Operation};
use futures::StreamExt as _;
use serde_json::json;

use crate::{client_for, start};

fn status(status: u16) -> Fault {
    Fault::Status {
        status,
        retry_after: None,
    }
}

#[tokio::test]
async fn a_get_is_retried_through_two_503s_then_succeeds() {
    let (server, client) = start(MockConfig::default()).await;
    server.add_fault(FaultRule::new(Operation::GetCustomerTenant, status(503)).times(2));
    let tenant = client.get_customer_tenant().id(1).await.unwrap();
    assert_eq!(tenant.id, Some(1));
    assert_eq!(server.requests(Operation::GetCustomerTenant), 3);
}

#[tokio::test]
async fn retries_stop_after_the_policys_attempts() {
    let (server, client) = start(MockConfig::default()).await;
    server.add_fault(FaultRule::new(Operation::GetCustomerTenant, status(504)));
    let error = client.get_customer_tenant().id(1).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(504));
    assert_eq!(server.requests(Operation::GetCustomerTenant), 3);

    let once = client_for(&server)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    server.reset_requests();
    once.get_customer_tenant().id(1).await.unwrap_err();
    assert_eq!(server.requests(Operation::GetCustomerTenant), 1);
}

#[tokio::test]
async fn a_create_that_gets_a_502_is_attempted_once_and_leaves_no_tenant() {
    let (server, client) = start(MockConfig::default()).await;
    let before = server.state().tenant_count();
    for fault in [status(502), status(503), Fault::DropConnection] {
        server.clear_faults();
        server.add_fault(FaultRule::new(
            Operation::CreateCustomerTenant,
            fault.clone(),
        ));
        server.reset_requests();
        let body = crate::support::create_body();
        let result = client.create_customer_tenant().body(body).await;
        assert!(result.is_err(), "{fault:?}");
        assert_eq!(
            server.requests(Operation::CreateCustomerTenant),
            1,
            "{fault:?}: a POST is never retried"
        );
        assert_eq!(server.state().tenant_count(), before, "{fault:?}");
    }
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_not_repeated_and_leaves_exactly_one_tenant() {
    let (server, client) = start(MockConfig::default()).await;
    let before = server.state().tenant_count();
    server.add_fault(FaultRule::new(
        Operation::CreateCustomerTenant,
        Fault::TruncatedBody,
    ));
    let error = client
        .create_customer_tenant()
        .body(crate::support::create_body())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Connection(_)), "{error:?}");
    assert_eq!(server.requests(Operation::CreateCustomerTenant), 1);
    assert_eq!(server.state().tenant_count(), before + 1);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (server, client) = start(MockConfig::default()).await;
    server.add_fault(
        FaultRule::new(
            Operation::ListCustomerTenants,
            Fault::Status {
                status: 429,
                retry_after: Some(1),
            },
        )
        .times(1),
    );
    let started = Instant::now();
    client
        .list_customer_tenants()
        .organization_id(1)
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(server.requests(Operation::ListCustomerTenants), 2);
}

#[tokio::test]
async fn puts_and_deletes_are_retried_through_dropped_connections() {
    let (server, client) = start(MockConfig::default()).await;
    server
        .add_fault(FaultRule::new(Operation::DeleteCustomerTenant, Fault::DropConnection).times(1));
    client.delete_customer_tenant().id(5).await.unwrap();
    assert_eq!(server.requests(Operation::DeleteCustomerTenant), 2);
    assert!(server.state().tenant(5).is_none());

    server.add_fault(FaultRule::new(Operation::UpdateCustomerTenant, status(503)).times(1));
    let body: crayon_tenants::types::CustomerTenantDetailedInput =
        serde_json::from_value(json!({"Tenant": {"Reference": "retried"}})).unwrap();
    let updated = client
        .update_customer_tenant()
        .id(6)
        .body(body)
        .await
        .unwrap();
    assert_eq!(
        updated.tenant.as_ref().unwrap().reference.as_deref(),
        Some("retried")
    );
    assert_eq!(server.requests(Operation::UpdateCustomerTenant), 2);
}

#[tokio::test]
async fn a_400_and_a_502_are_not_retried() {
    let (server, client) = start(MockConfig::default()).await;
    server.add_fault(FaultRule::new(
        Operation::GetCustomerTenantDetailed,
        status(502),
    ));
    client
        .get_customer_tenant_detailed()
        .id(1)
        .await
        .unwrap_err();
    assert_eq!(server.requests(Operation::GetCustomerTenantDetailed), 1);
    // A 400 of the server's (a page out of bounds is refused before sending, so a fault).
    server.add_fault(FaultRule::new(Operation::ListCustomerTenants, status(400)));
    let refused = client
        .list_customer_tenants()
        .organization_id(1)
        .await
        .unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(server.requests(Operation::ListCustomerTenants), 1);
}

#[tokio::test]
async fn a_retry_after_longer_than_the_policy_allows_gives_up_at_once_with_the_wait() {
    let (server, client) = start(MockConfig::default()).await;
    server.add_fault(FaultRule::new(
        Operation::ListCustomerTenants,
        Fault::Status {
            status: 429,
            retry_after: Some(60),
        },
    ));
    let started = Instant::now();
    let error = client
        .list_customer_tenants()
        .organization_id(1)
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(60)));
    assert_eq!(
        server.requests(Operation::ListCustomerTenants),
        1,
        "never sooner than the server asked"
    );
}

#[tokio::test]
async fn a_delete_whose_answer_was_lost_and_whose_retry_gets_404_says_so() {
    let (server, client) = start(MockConfig::default()).await;
    server.add_fault(
        FaultRule::new(Operation::DeleteCustomerTenant, Fault::DropAfterRunning).times(1),
    );
    let error = client.delete_customer_tenant().id(5).await.unwrap_err();
    assert!(matches!(error, Error::NotFoundAfterRetry(_)), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert!(
        server.state().tenant(5).is_none(),
        "the first attempt deleted it"
    );
    assert_eq!(server.requests(Operation::DeleteCustomerTenant), 2);
    // A 404 to a delete that was never resent is a plain 404.
    let error = client.delete_customer_tenant().id(5).await.unwrap_err();
    assert!(matches!(error, Error::Api(_)), "{error:?}");
}

#[tokio::test]
async fn a_get_whose_body_breaks_off_half_way_is_retried() {
    let (server, client) = start(MockConfig::default()).await;
    server.add_fault(
        FaultRule::new(Operation::GetCustomerTenantDetailed, Fault::TruncatedBody).times(1),
    );
    let detailed = client.get_customer_tenant_detailed().id(3).await.unwrap();
    assert_eq!(detailed.tenant.and_then(|tenant| tenant.id), Some(3));
    assert_eq!(server.requests(Operation::GetCustomerTenantDetailed), 2);
}

#[tokio::test]
async fn the_overall_deadline_bounds_a_call_and_its_retries() {
    let (server, _) = start(MockConfig::default()).await;
    server.add_fault(FaultRule::new(Operation::GetCustomerTenant, status(503)));
    let client = client_for(&server)
        .deadline(Duration::from_millis(300))
        .retry(
            RetryPolicy::default()
                .max_attempts(100)
                .initial_backoff(Duration::from_millis(50))
                .max_backoff(Duration::from_millis(50)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.get_customer_tenant().id(1).await.unwrap_err();
    assert!(matches!(error, Error::DeadlineExceeded(_)), "{error:?}");
    assert!(error.is_timeout());
    assert!(
        started.elapsed() < Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_with_retry_after_holds_back_every_clone_of_the_client() {
    let (server, client) = start(
        MockConfig::default().fault(
            FaultRule::new(
                Operation::GetCustomerTenant,
                Fault::Status {
                    status: 429,
                    retry_after: Some(2),
                },
            )
            .times(1),
        ),
    )
    .await;
    client.list_organizations().await.unwrap(); // the token
    server.reset_requests();
    let started = std::time::Instant::now();
    let first = tokio::spawn({
        let client = client.clone();
        async move { client.get_customer_tenant().id(1).await }
    });
    // The 429 has come back (200 ms is ample for the client to read it): another worker's
    // call, on a clone, waits out the same two seconds.
    while server.requests(Operation::GetCustomerTenant) == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let other = tokio::spawn({
        let client = client.clone();
        async move { client.list_publishers().await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(
        server.requests(Operation::ListPublishers),
        0,
        "held back during the pause"
    );
    other.await.unwrap().unwrap();
    first.await.unwrap().unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_secs(2));
    assert_eq!(server.requests(Operation::ListPublishers), 1);
    assert_eq!(server.requests(Operation::GetCustomerTenant), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_capped_client_stays_under_a_rate_limit_that_one_without_a_cap_runs_into() {
    let calls = |client: crayon_tenants::Client| async move {
        futures::stream::iter(0..30)
            .map(|_| {
                let client = client.clone();
                async move { client.get_customer_tenant().id(1).await }
            })
            .buffer_unordered(8)
            .collect::<Vec<_>>()
            .await
    };
    let config = || MockConfig::default().rate_limit_rps(20.0);
    let server = MockServer::start(config()).await.unwrap();
    let capped = client_for(&server)
        .max_requests_per_second(20.0)
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let results = calls(capped).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(server.rate_limited_requests(), 0, "never over the limit");
    // 31 requests (the token's too) evenly spaced at 20 a second.
    assert!(started.elapsed() >= std::time::Duration::from_millis(1500));

    let server = MockServer::start(config()).await.unwrap();
    let uncapped = client_for(&server).build().unwrap();
    let results = calls(uncapped).await;
    assert!(server.rate_limited_requests() > 0, "a burst of 8 at a time");
    // The shared pause and the retries carry every call through.
    assert!(results.iter().all(Result::is_ok), "{results:?}");
}

#[test]
fn a_rate_cap_must_be_a_positive_number() {
    for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let error = crayon_tenants::Client::builder()
            .base_url("http://127.0.0.1:1")
            .max_requests_per_second(rate)
            .build()
            .unwrap_err();
        assert!(
            error.to_string().contains("max_requests_per_second"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn a_create_answered_429_is_sent_again_after_the_wait_and_creates_one_tenant() {
    let (server, client) = start(MockConfig::default()).await;
    server.add_fault(FaultRule::new(Operation::CreateCustomerTenant, status(429)).times(1));
    let before = server.state().tenant_count();
    let created = client
        .create_customer_tenant()
        .body(crate::support::create_body())
        .await
        .unwrap();
    assert!(created.tenant.and_then(|tenant| tenant.id).is_some());
    assert_eq!(server.requests(Operation::CreateCustomerTenant), 2);
    assert_eq!(server.state().tenant_count(), before + 1);
}
