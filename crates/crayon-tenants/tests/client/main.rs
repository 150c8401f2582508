//! The client against `crayon-tenants-mock` over real HTTP on loopback: tokens, paging, retries,
//! errors, and that no secret reaches any output.

#[path = "../support/mod.rs"]
mod support;

mod errors;
mod paging;
mod retries;
mod tokens;

use crayon_tenants::{Client, Credentials, RetryPolicy};
use crayon_tenants_mock::{MockConfig, MockServer};

/// The mock's demo credentials.
fn demo_credentials() -> Credentials {
    Credentials::password(
        "demo-client",
        "demo-secret",
        "demo@example.com",
        "demo-password",
    )
}

/// A mock server and a client of it with the demo credentials and fast retries.
async fn start(config: MockConfig) -> (MockServer, Client) {
    let server = MockServer::start(config).await.expect("the mock starts");
    let client = client_for(&server).build().expect("a client");
    (server, client)
}

/// A builder aimed at the server, with the demo credentials and retries that wait little.
fn client_for(server: &MockServer) -> crayon_tenants::ClientBuilder {
    Client::builder()
        .base_url(server.base_url())
        .credentials(demo_credentials())
        .retry(RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(5)))
}
