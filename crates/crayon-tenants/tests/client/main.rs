//! The client against `crayon-tenants-mock` over real HTTP on loopback: tokens, paging, retries,
//! errors, and that no secret reaches any output.

#[path = "../support/mod.rs"]
mod support;

mod create_once;
mod errors;
mod lookups;
mod paging;
mod redirects;
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

/// A server on loopback that answers every request, on every connection, with `head` (status
/// line and headers, CRLF separated, without `content-length`) and `body`.
async fn answering(head: &str, body: &str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let response: &'static [u8] = format!("{head}\r\ncontent-length: {}\r\n\r\n{body}", body.len())
        .into_bytes()
        .leak();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                while stream.read(&mut request).await.is_ok_and(|read| read > 0) {
                    if stream.write_all(response).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    format!("http://{address}")
}
