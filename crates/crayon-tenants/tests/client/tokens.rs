use std::time::Duration;

use crayon_tenants::types::TokenRequest;
use crayon_tenants::{Client, Credentials, Error};
use crayon_tenants_mock::{Fault, FaultRule, MockConfig, MockServer, Operation};
use std::future::IntoFuture as _;

use futures::future::join_all;

use crate::{client_for, start};

#[tokio::test]
async fn a_token_is_fetched_once_and_reused_for_many_calls() {
    let (server, client) = start(MockConfig::default()).await;
    for _ in 0..20 {
        client.get_customer_tenant().id(1).await.unwrap();
    }
    assert_eq!(server.requests(Operation::GetUserToken), 1);
    assert_eq!(server.requests(Operation::GetCustomerTenant), 20);
}

#[tokio::test]
async fn clones_of_a_client_share_its_token() {
    let (server, client) = start(MockConfig::default()).await;
    let clone = client.clone();
    client.get_customer_tenant().id(1).await.unwrap();
    clone.get_customer_tenant().id(2).await.unwrap();
    assert_eq!(server.requests(Operation::GetUserToken), 1);
}

/// Waits (at most 5 s) until `condition` holds.
async fn eventually(mut condition: impl FnMut() -> bool) -> bool {
    for _ in 0..500 {
        if condition() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    condition()
}

#[tokio::test]
async fn a_token_is_refreshed_in_the_background_before_it_expires() {
    // A 2 s lifetime is due for refresh after 1 s (half of it, for short-lived tokens).
    let (server, client) = start(MockConfig::default().token_ttl(Duration::from_secs(2))).await;
    let started = tokio::time::Instant::now();
    client.get_customer_tenant().id(1).await.unwrap();
    tokio::time::sleep_until(started + Duration::from_millis(1600)).await;
    client.get_customer_tenant().id(1).await.unwrap(); // due: refreshed in the background
    assert!(eventually(|| server.requests(Operation::GetUserToken) == 2).await);
    // The first token has expired (2 s); the new one (fetched at 1.6 s) is not yet due (2.6 s).
    tokio::time::sleep_until(started + Duration::from_millis(2250)).await;
    client.get_customer_tenant().id(1).await.unwrap();
    assert_eq!(
        server.requests(Operation::GetUserToken),
        2,
        "the refreshed one is used"
    );
    assert_eq!(
        server.requests(Operation::GetCustomerTenant),
        3,
        "no call was refused on the way"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_holding_a_valid_token_never_waits_for_a_refresh() {
    let (server, client) = start(MockConfig::default().token_ttl(Duration::from_secs(2))).await;
    client.get_customer_tenant().id(1).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await; // due for refresh, still valid
    server.add_fault(FaultRule::new(
        Operation::GetUserToken,
        Fault::Latency(Duration::from_millis(700)),
    ));
    let started = std::time::Instant::now();
    client.get_customer_tenant().id(1).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_millis(500),
        "waited {waited:?} for a refresh"
    );
    assert!(eventually(|| server.requests(Operation::GetUserToken) == 2).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_calls_racing_at_expiry_make_one_token_request() {
    let (server, client) = start(MockConfig::default().token_ttl(Duration::from_secs(2))).await;
    client.get_customer_tenant().id(1).await.unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await; // expired
    server.reset_requests();
    let calls = (0..64).map(|_| client.get_customer_tenant().id(1).into_future());
    for result in join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(server.requests(Operation::GetUserToken), 1);
    assert_eq!(server.requests(Operation::GetCustomerTenant), 64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_first_calls_make_one_token_request() {
    let (server, client) = start(MockConfig::default()).await;
    let calls = (0..64).map(|_| client.get_customer_tenant().id(1).into_future());
    assert!(join_all(calls).await.iter().all(Result::is_ok));
    assert_eq!(server.requests(Operation::GetUserToken), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hung_token_endpoint_fails_every_waiting_call_in_one_timeout() {
    let (server, _) = start(MockConfig::default()).await;
    server.add_fault(FaultRule::new(
        Operation::GetUserToken,
        Fault::Latency(Duration::from_secs(30)),
    ));
    let client = client_for(&server)
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let calls = (0..16).map(|_| {
        let client = client.clone();
        async move {
            let outcome = client.get_customer_tenant().id(1).await;
            (outcome, started.elapsed())
        }
    });
    for (outcome, elapsed) in join_all(calls).await {
        let error = outcome.unwrap_err();
        assert!(
            matches!(&error, Error::Timeout(timeout) if timeout.while_requesting_token()),
            "{error:?}"
        );
        assert!(error.is_timeout());
        assert_eq!(error.to_string(), "timed out while requesting a token");
        assert!(
            elapsed < Duration::from_millis(1500),
            "failed after {elapsed:?}"
        );
    }
    assert_eq!(server.requests(Operation::GetUserToken), 1);
    assert_eq!(server.requests(Operation::GetCustomerTenant), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_call_does_not_cancel_the_token_request_for_the_others() {
    let (server, client) = start(MockConfig::default()).await;
    server.add_fault(
        FaultRule::new(
            Operation::GetUserToken,
            Fault::Latency(Duration::from_millis(400)),
        )
        .times(1),
    );
    let first = tokio::spawn({
        let client = client.clone();
        async move { client.get_customer_tenant().id(1).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    first.abort();
    let tenant = client.get_customer_tenant().id(2).await.unwrap();
    assert_eq!(tenant.id, Some(2));
    assert_eq!(
        server.requests(Operation::GetUserToken),
        1,
        "the one request went on"
    );
}

#[tokio::test]
async fn any_expires_in_is_handled_without_a_panic() {
    for expires_in in [i64::MAX, i64::MIN, -1, 0, 1] {
        let (server, client) = start(MockConfig::default()).await;
        server.add_fault(FaultRule::new(
            Operation::GetUserToken,
            Fault::ExpiresIn(expires_in),
        ));
        for id in [1, 2, 3] {
            let tenant = client.get_customer_tenant().id(id).await.unwrap();
            assert_eq!(tenant.id, Some(id), "ExpiresIn {expires_in}");
        }
        let expected = if expires_in > 1 { 1 } else { 3 };
        assert!(
            server.requests(Operation::GetUserToken) <= expected,
            "ExpiresIn {expires_in}: {} token requests",
            server.requests(Operation::GetUserToken)
        );
    }
}

#[tokio::test]
async fn a_401_on_a_cached_token_refreshes_it_and_repeats_the_call_once() {
    let (server, client) = start(MockConfig::default()).await;
    client.get_customer_tenant().id(1).await.unwrap();
    server.state().revoke_tokens(); // the server forgets the token the client holds
    let tenant = client.get_customer_tenant().id(2).await.unwrap();
    assert_eq!(tenant.id, Some(2));
    assert_eq!(server.requests(Operation::GetUserToken), 2);
    assert_eq!(
        server.requests(Operation::GetCustomerTenant),
        3,
        "the refused call and its repeat"
    );
}

#[tokio::test]
async fn a_second_401_is_the_callers_error() {
    let (server, client) = start(MockConfig::default()).await;
    client.get_customer_tenant().id(1).await.unwrap();
    server
        .add_fault(FaultRule::new(Operation::GetCustomerTenant, Fault::EmptyUnauthorized).times(5));
    let error = client.get_customer_tenant().id(1).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_eq!(
        server.requests(Operation::GetCustomerTenant),
        3,
        "one call, then one repeat, no more"
    );
    assert_eq!(server.requests(Operation::GetUserToken), 2);
}

#[tokio::test]
async fn wrong_credentials_are_a_typed_authentication_error_with_the_servers_message() {
    let server = crayon_tenants_mock::MockServer::start(MockConfig::default())
        .await
        .unwrap();
    let cases = [
        (
            Credentials::password(
                "demo-client",
                "demo-secret",
                "demo@example.com",
                "wrong-password",
            ),
            400,
            "invalid_grant",
        ),
        (
            Credentials::password(
                "demo-client",
                "wrong-secret",
                "demo@example.com",
                "demo-password",
            ),
            401,
            "invalid_client",
        ),
    ];
    for (credentials, status, oauth_error) in cases {
        let client = Client::builder()
            .base_url(server.base_url())
            .credentials(credentials)
            .build()
            .unwrap();
        let error = client
            .list_customer_tenants()
            .organization_id(1)
            .await
            .unwrap_err();
        let Error::Authentication(failure) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(failure.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(
            error.api_error().and_then(|e| e.error.as_deref()),
            Some(oauth_error)
        );
        assert!(
            error.to_string().starts_with("authentication failed: "),
            "{error}"
        );
        assert!(
            !error.to_string().contains("wrong-"),
            "no secret in {error}"
        );
    }
    assert_eq!(
        server.requests(Operation::ListCustomerTenants),
        0,
        "nothing is sent without a token"
    );
}

#[tokio::test]
async fn a_fixed_bearer_token_is_sent_as_it_is_and_never_refreshed() {
    let (server, client) = start(MockConfig::default()).await;
    client.get_customer_tenant().id(1).await.unwrap();
    let token = client
        .get_user_token()
        .body(crayon_tenants::types::TokenRequest::password(
            "demo@example.com",
            "demo-password",
        ))
        .await
        .unwrap();
    let fixed = Client::builder()
        .base_url(server.base_url())
        .bearer_token(token.access_token.unwrap())
        .build()
        .unwrap();
    assert_eq!(fixed.get_customer_tenant().id(3).await.unwrap().id, Some(3));
    server.state().revoke_tokens();
    let error = fixed.get_customer_tenant().id(3).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(
        server.requests(Operation::GetUserToken),
        2,
        "the two fetched above, none by `fixed`"
    );
}

#[tokio::test]
async fn the_token_operation_is_called_with_basic_client_credentials() {
    let (server, _) = start(MockConfig::default()).await;
    let client = client_for(&server).build().unwrap();
    let token = client
        .get_user_token()
        .body(crayon_tenants::types::TokenRequest::password(
            "demo@example.com",
            "demo-password",
        ))
        .await
        .unwrap();
    assert_eq!(token.token_type.as_deref(), Some("Bearer"));
    assert_eq!(token.expires_in, Some(3600));
}

#[tokio::test]
async fn the_token_operation_awaited_sends_the_client_credentials_once() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let refused = Client::builder()
        .base_url(server.base_url())
        .credentials(Credentials::password(
            "demo-client",
            "wrong-secret",
            "demo@example.com",
            "demo-password",
        ))
        .build()
        .unwrap();
    let form = TokenRequest::password("demo@example.com", "demo-password");
    let error = refused
        .get_user_token()
        .body(form.clone())
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401), "{error:?}");
    // A 401 of the token operation is its answer: no token to refresh, nothing repeated.
    assert_eq!(server.requests(Operation::GetUserToken), 1);
    let token = crate::start(MockConfig::default())
        .await
        .1
        .get_user_token()
        .body(form)
        .await
        .unwrap();
    assert!(token.access_token.is_some_and(|token| !token.is_empty()));
}
