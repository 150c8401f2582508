use std::time::{Duration, Instant};

use crayon_tenants::{Error, RetryPolicy};
use crayon_tenants_mock::{Fault, FaultRule, MockConfig, Operation};
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
