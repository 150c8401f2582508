//! No credential leaves the API's origin: two origins on loopback (`127.0.0.1` and `localhost`,
//! which differ in host), the API's answering every request with a redirect to the other, which
//! records everything it receives.

use std::sync::{Arc, Mutex};

use crayon_tenants::types::{CustomerTenantDetailedInput, NewCustomerTenantDetailed};
use crayon_tenants::{Client, Error, RetryPolicy};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::demo_credentials;

/// What a test server answers: the status line and headers, and the body.
type Handler = fn(method: &str, path: &str, port: u16) -> (String, String);

/// A server on `127.0.0.1` that answers each request with `handler` and records it whole.
async fn serve(handler: Handler) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorded = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let recorded = recorded.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                // The head, then as much body as its Content-Length says.
                let (head_end, length) = loop {
                    let Ok(read) = stream.read(&mut buffer).await else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    request.extend_from_slice(&buffer[..read]);
                    if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
                        let length = head
                            .lines()
                            .find_map(|line| line.strip_prefix("content-length:"))
                            .and_then(|value| value.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        break (end + 4, length);
                    }
                };
                while request.len() < head_end + length {
                    match stream.read(&mut buffer).await {
                        Ok(read) if read > 0 => request.extend_from_slice(&buffer[..read]),
                        _ => break,
                    }
                }
                let text = String::from_utf8_lossy(&request).into_owned();
                let mut words = text.split_whitespace();
                let (method, path) = (
                    words.next().unwrap_or_default(),
                    words.next().unwrap_or_default(),
                );
                let (head, body) = handler(method, path, port);
                recorded.lock().unwrap().push(text.clone());
                let response = format!(
                    "{head}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
            });
        }
    });
    (port, seen)
}

/// The other origin: records, answers 200 with an empty JSON object.
fn elsewhere(_: &str, _: &str, _: u16) -> (String, String) {
    (
        "HTTP/1.1 200 OK\r\ncontent-type: application/json".to_owned(),
        "{}".to_owned(),
    )
}

static ELSEWHERE_PORT: std::sync::OnceLock<u16> = std::sync::OnceLock::new();

/// The API's origin: every request is sent to the other origin with a 307, the token request
/// included.
fn redirect_everything(_: &str, path: &str, _: u16) -> (String, String) {
    let port = ELSEWHERE_PORT.get().copied().unwrap_or_default();
    (
        format!("HTTP/1.1 307 Temporary Redirect\r\nlocation: http://localhost:{port}{path}"),
        String::new(),
    )
}

/// The API's origin: a valid token, then every other request sent elsewhere with a 307.
fn token_then_redirect(method: &str, path: &str, port: u16) -> (String, String) {
    if path.to_ascii_lowercase().contains("/connect/token") {
        return (
            "HTTP/1.1 200 OK\r\ncontent-type: application/json".to_owned(),
            r#"{"AccessToken":"secret-access-token","ExpiresIn":3600,"TokenType":"Bearer"}"#
                .to_owned(),
        );
    }
    redirect_everything(method, path, port)
}

/// The API's origin: a same-origin 308 from `/api/v1/customertenants/1/` to the spelling
/// without the slash, which answers the tenant.
fn same_origin(_: &str, path: &str, port: u16) -> (String, String) {
    if path.ends_with('/') {
        let target = path.trim_end_matches('/');
        return (
            format!("HTTP/1.1 308 Permanent Redirect\r\nlocation: http://127.0.0.1:{port}{target}"),
            String::new(),
        );
    }
    (
        "HTTP/1.1 200 OK\r\ncontent-type: application/json".to_owned(),
        r#"{"Id":1,"Name":"Contoso AB"}"#.to_owned(),
    )
}

fn create_body() -> NewCustomerTenantDetailed {
    serde_json::from_value(crate::support::fixture(
        "create_customer_tenant.request.json",
    ))
    .unwrap()
}

/// Every operation once (the token's through the credentials): each must be refused as a
/// redirect to the other origin.
async fn every_operation(client: &Client, port: u16) -> usize {
    let outcomes: Vec<(&str, Result<(), Error>)> = vec![
        (
            "listCustomerTenants",
            client
                .list_customer_tenants()
                .organization_id(1)
                .await
                .map(drop),
        ),
        (
            "createCustomerTenant",
            client
                .create_customer_tenant()
                .body(create_body())
                .await
                .map(drop),
        ),
        (
            "getCustomerTenant",
            client.get_customer_tenant().id(1).await.map(drop),
        ),
        (
            "getCustomerTenantDetailed",
            client.get_customer_tenant_detailed().id(1).await.map(drop),
        ),
        (
            "updateCustomerTenant",
            client
                .update_customer_tenant()
                .id(1)
                .body(CustomerTenantDetailedInput::default())
                .await
                .map(drop),
        ),
        (
            "deleteCustomerTenant",
            client.delete_customer_tenant().id(1).await.map(drop),
        ),
        (
            "getCustomerTenantAzurePlan",
            client
                .get_customer_tenant_azure_plan()
                .id(1)
                .await
                .map(drop),
        ),
        (
            "listCustomerTenantAgreements",
            client
                .list_customer_tenant_agreements()
                .id(1)
                .await
                .map(drop),
        ),
        (
            "listOrganizations",
            client.list_organizations().await.map(drop),
        ),
        (
            "getOrganization",
            client.get_organization().id(1).await.map(drop),
        ),
        (
            "listInvoiceProfiles",
            client
                .list_invoice_profiles()
                .organization_id(1)
                .await
                .map(drop),
        ),
        (
            "getInvoiceProfile",
            client.get_invoice_profile().id(7).await.map(drop),
        ),
        ("listPublishers", client.list_publishers().await.map(drop)),
        ("getPublisher", client.get_publisher().id(2).await.map(drop)),
    ];
    for (operation, outcome) in &outcomes {
        match outcome {
            Err(Error::Redirect { location, .. }) => assert!(
                location.starts_with(&format!("http://localhost:{port}/")),
                "{operation}: {location}"
            ),
            other => panic!("{operation}: expected a refused redirect, got {other:?}"),
        }
    }
    outcomes.len()
}

#[tokio::test]
async fn no_request_follows_a_redirect_to_another_origin() {
    let (port, received) = serve(elsewhere).await;
    ELSEWHERE_PORT.set(port).ok();
    assert_eq!(
        ELSEWHERE_PORT.get(),
        Some(&port),
        "one other origin for the whole file"
    );

    // The token request: never redirected; the password form stays home.
    let (api, _) = serve(redirect_everything).await;
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{api}"))
        .credentials(demo_credentials())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client.get_customer_tenant().id(1).await.unwrap_err();
    assert!(
        matches!(
            &error,
            Error::Redirect {
                while_requesting_token: true,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains(&format!("localhost:{port}")),
        "{error}"
    );

    // Every operation, with a token from the password grant and with a fixed bearer token.
    let (api, _) = serve(token_then_redirect).await;
    let with_credentials = Client::builder()
        .base_url(format!("http://127.0.0.1:{api}"))
        .credentials(demo_credentials())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert_eq!(every_operation(&with_credentials, port).await, 14);
    let with_token = Client::builder()
        .base_url(format!("http://127.0.0.1:{api}"))
        .bearer_token("secret-bearer-token")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    every_operation(&with_token, port).await;

    let received = received.lock().unwrap();
    assert!(
        received.is_empty(),
        "the other origin received: {received:?}"
    );
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed() {
    let (api, received) = serve(same_origin).await;
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{api}"))
        .bearer_token("token")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let tenant = client.get_customer_tenant().id(1).await.unwrap();
    assert_eq!(tenant.name.as_deref(), Some("Contoso AB"));
    let received = received.lock().unwrap();
    assert_eq!(received.len(), 2);
    assert!(
        received[1]
            .to_ascii_lowercase()
            .contains("authorization: bearer token")
    );
    // Every request asks for JSON, as every answer of the contract is.
    assert!(
        received[0]
            .to_ascii_lowercase()
            .contains("accept: application/json")
    );
}
