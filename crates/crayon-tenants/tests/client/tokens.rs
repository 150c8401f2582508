use std::time::Duration;

use crayon_tenants::{Client, Credentials, Error};
use crayon_tenants_mock::{Fault, FaultRule, MockConfig, Operation};
use futures::future::join_all;

use crate::{client_for, start};

#[tokio::test]
async fn a_token_is_fetched_once_and_reused_for_many_calls() {
    let (server, client) = start(MockConfig::default()).await;
    for _ in 0..20 {
        client.get_customer_tenant().id(1).send().await.unwrap();
    }
    assert_eq!(server.requests(Operation::GetUserToken), 1);
    assert_eq!(server.requests(Operation::GetCustomerTenant), 20);
}

#[tokio::test]
async fn clones_of_a_client_share_its_token() {
    let (server, client) = start(MockConfig::default()).await;
    let clone = client.clone();
    client.get_customer_tenant().id(1).send().await.unwrap();
    clone.get_customer_tenant().id(2).send().await.unwrap();
    assert_eq!(server.requests(Operation::GetUserToken), 1);
}

#[tokio::test]
async fn a_token_is_refreshed_before_it_expires() {
    // A 2 s lifetime is refreshed after 1 s (half of it, for short-lived tokens).
    let (server, client) = start(MockConfig::default().token_ttl(Duration::from_secs(2))).await;
    client.get_customer_tenant().id(1).send().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    client.get_customer_tenant().id(1).send().await.unwrap();
    assert_eq!(server.requests(Operation::GetUserToken), 2);
    assert_eq!(
        server.requests(Operation::GetCustomerTenant),
        2,
        "no call was refused on the way"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_calls_racing_at_expiry_make_one_token_request() {
    let (server, client) = start(MockConfig::default().token_ttl(Duration::from_secs(2))).await;
    client.get_customer_tenant().id(1).send().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await; // past the refresh point
    server.reset_requests();
    let calls = (0..64).map(|_| client.get_customer_tenant().id(1).send());
    for result in join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(server.requests(Operation::GetUserToken), 1);
    assert_eq!(server.requests(Operation::GetCustomerTenant), 64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_first_calls_make_one_token_request() {
    let (server, client) = start(MockConfig::default()).await;
    let calls = (0..64).map(|_| client.get_customer_tenant().id(1).send());
    assert!(join_all(calls).await.iter().all(Result::is_ok));
    assert_eq!(server.requests(Operation::GetUserToken), 1);
}

#[tokio::test]
async fn a_401_on_a_cached_token_refreshes_it_and_repeats_the_call_once() {
    let (server, client) = start(MockConfig::default()).await;
    client.get_customer_tenant().id(1).send().await.unwrap();
    server.state().revoke_tokens(); // the server forgets the token the client holds
    let tenant = client.get_customer_tenant().id(2).send().await.unwrap();
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
    client.get_customer_tenant().id(1).send().await.unwrap();
    server
        .add_fault(FaultRule::new(Operation::GetCustomerTenant, Fault::EmptyUnauthorized).times(5));
    let error = Error::from(client.get_customer_tenant().id(1).send().await.unwrap_err());
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
        let error = Error::from(
            client
                .list_customer_tenants()
                .organization_id(1)
                .send()
                .await
                .unwrap_err(),
        );
        let Error::Authentication(failure) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(failure.status.as_u16(), status);
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
    client.get_customer_tenant().id(1).send().await.unwrap();
    let token = client
        .get_user_token()
        .body(crayon_tenants::types::TokenRequest::password(
            "demo@example.com",
            "demo-password",
        ))
        .send()
        .await
        .unwrap();
    let fixed = Client::builder()
        .base_url(server.base_url())
        .bearer_token(token.into_inner().access_token.unwrap())
        .build()
        .unwrap();
    assert_eq!(
        fixed.get_customer_tenant().id(3).send().await.unwrap().id,
        Some(3)
    );
    server.state().revoke_tokens();
    let error = Error::from(fixed.get_customer_tenant().id(3).send().await.unwrap_err());
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
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(token.token_type.as_deref(), Some("Bearer"));
    assert_eq!(token.expires_in, Some(3600));
}
