use std::time::Duration;

use crayon_tenants_mock::{MockConfig, Operation};
use reqwest::StatusCode;

use crate::support::Api;

fn token_form(username: &str, password: &str) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "password".into()),
        ("username", username.into()),
        ("password", password.into()),
    ]
}

#[tokio::test]
async fn token_is_an_opaque_bearer_with_the_configured_lifetime() {
    let api = Api::start(MockConfig::default().token_ttl(Duration::from_secs(1234))).await;
    let reply = api
        .send(
            api.http
                .post(api.url("/api/v1/connect/token/"))
                .basic_auth("demo-client", Some("demo-secret"))
                .form(&token_form("demo@example.com", "demo-password")),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let token = reply.json();
    assert_eq!(token["TokenType"], "Bearer");
    assert_eq!(token["ExpiresIn"], 1234);
    let access = token["AccessToken"].as_str().unwrap();
    assert!(
        access.len() >= 32 && access != api.token,
        "a new random token each time"
    );
    assert_eq!(api.server.requests(Operation::GetUserToken), 1);
}

#[tokio::test]
async fn wrong_client_credentials_are_401_with_an_error_body() {
    let api = Api::default().await;
    for request in [
        api.http
            .post(api.url("/api/v1/connect/token/"))
            .basic_auth("demo-client", Some("wrong")),
        api.http.post(api.url("/api/v1/connect/token/")),
    ] {
        let reply = api
            .send(request.form(&token_form("demo@example.com", "demo-password")))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.json()["ErrorCode"], "401 Unauthorized");
        assert_eq!(reply.json()["error"], "invalid_client");
    }
}

#[tokio::test]
async fn wrong_user_password_or_grant_is_400_with_an_error_body() {
    let api = Api::default().await;
    let token_request = || {
        api.http
            .post(api.url("/api/v1/connect/token/"))
            .basic_auth("demo-client", Some("demo-secret"))
    };
    let reply = api
        .send(token_request().form(&token_form("demo@example.com", "nope")))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"], "invalid_grant");
    assert_eq!(reply.json()["ErrorCode"], "400 BadRequest");

    let reply = api
        .send(token_request().form(&token_form("someone@example.com", "demo-password")))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);

    let reply = api
        .send(token_request().form(&[("grant_type", "client_credentials")]))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"], "unsupported_grant_type");

    let reply = api
        .send(token_request().json(&serde_json::json!({"grant_type": "password"})))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "a JSON body is not the documented form"
    );
}

#[tokio::test]
async fn operations_without_a_valid_token_are_401_api_errors() {
    let api = Api::default().await;
    let paths = [
        ("GET", "/api/v1/customertenants/?organizationId=1"),
        ("POST", "/api/v1/customertenants/"),
        ("POST", "/api/v1/customertenants/existing/"),
        ("GET", "/api/v1/customertenants/1/"),
        ("PUT", "/api/v1/customertenants/1/"),
        ("DELETE", "/api/v1/customertenants/1/"),
        ("GET", "/api/v1/customertenants/1/detailed/"),
        ("GET", "/api/v1/customertenants/1/azurePlan/"),
        ("GET", "/api/v1/customertenants/1/agreements/"),
        ("POST", "/api/v1/customertenants/1/agreements/"),
    ];
    for (method, path) in paths {
        for authorization in [None, Some("Bearer not-a-token"), Some("Basic ZGVtbzpkZW1v")] {
            let mut request = api
                .http
                .request(method.parse().unwrap(), api.url(path))
                .json(&serde_json::json!({}));
            if let Some(value) = authorization {
                request = request.header("Authorization", value);
            }
            let reply = api.send(request).await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} with {authorization:?}"
            );
            assert_eq!(reply.json()["ErrorCode"], "401 Unauthorized");
        }
    }
    assert_eq!(
        api.server.state().tenant_count(),
        25 + 3 + 2,
        "nothing was written"
    );
}

#[tokio::test]
async fn an_expired_or_revoked_token_is_refused() {
    let api = Api::start(MockConfig::default().token_ttl(Duration::ZERO)).await;
    let reply = api.get("/api/v1/customertenants/1/").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["Message"], "The token has expired");

    let api = Api::default().await;
    assert_eq!(
        api.get("/api/v1/customertenants/1/").await.status,
        StatusCode::OK
    );
    api.server.state().revoke_tokens();
    assert_eq!(
        api.get("/api/v1/customertenants/1/").await.status,
        StatusCode::UNAUTHORIZED
    );
}
