//! What a newcomer sees with the ordinary set-up, `tracing_subscriber::fmt()` and an
//! `EnvFilter` of `crayon_tenants=debug`: one line per call that ends, with its operation,
//! status, attempts and duration, and the failure of one that failed, with no secret.
//!
//! A test binary of its own: `tracing` caches per call site whether anyone listens.

mod support;

use crayon_tenants::{Client, RetryPolicy};
use crayon_tenants_mock::{MockConfig, MockServer};
use support::Captured;

#[tokio::test(flavor = "current_thread")]
async fn the_ordinary_fmt_subscriber_prints_a_line_per_call() {
    let lines = Captured::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("crayon_tenants=debug"))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let client = Client::builder()
        .base_url(server.base_url())
        .credentials(support::demo_credentials())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    client.get_customer_tenant().id(1).await.unwrap();
    client.get_customer_tenant().id(999).await.unwrap_err();

    let printed = lines.text();
    let finished: Vec<&str> = printed
        .lines()
        .filter(|line| line.contains("call finished"))
        .collect();
    assert_eq!(finished.len(), 2, "{printed}");
    assert!(finished[0].contains("DEBUG"), "{printed}");
    for expected in [
        "operation=\"getCustomerTenant\"",
        "status=200",
        "attempts=1",
        "elapsed_ms=",
    ] {
        assert!(
            finished[0].contains(expected),
            "{expected} in {}",
            finished[0]
        );
    }
    for expected in ["status=404", "error.type=\"404\"", "was not found"] {
        assert!(
            finished[1].contains(expected),
            "{expected} in {}",
            finished[1]
        );
    }
    for secret in ["demo-secret", "demo-password", "Bearer"] {
        assert!(!printed.contains(secret), "{printed}");
    }
}
