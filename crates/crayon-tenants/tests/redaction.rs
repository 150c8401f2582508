//! No secret (client secret, password, token) in any `Debug`, `Display`, error text or trace.
//!
//! A test binary of its own: `tracing` caches per call site whether anyone listens, and a test
//! on another thread without a subscriber could make this one miss spans.

mod support;

use crayon_tenants::types::{CustomerTenantDetailed, TokenRequest};
use crayon_tenants::{Client, Credentials};
use crayon_tenants_mock::{MockConfig, MockServer};
use futures::TryStreamExt;
use support::Captured;

const SECRETS: [&str; 2] = ["demo-secret", "demo-password"];

fn assert_no_secret(what: &str, text: &str, tokens: &[String]) {
    for secret in SECRETS
        .iter()
        .copied()
        .chain(tokens.iter().map(String::as_str))
    {
        if let Some(at) = text.find(secret) {
            let start = text[..at].rfind('\n').map_or(0, |newline| newline + 1);
            let line = text[start..].lines().next().unwrap_or_default();
            panic!("{what} contains the secret {secret:?} in:\n{line}");
        }
    }
}

#[tokio::test]
async fn no_output_of_a_whole_session_contains_a_secret() {
    let (captured, _guard) = Captured::everything();

    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let credentials = Credentials::password(
        "demo-client",
        "demo-secret",
        "demo@example.com",
        "demo-password",
    );
    let client = Client::builder()
        .base_url(server.base_url())
        .credentials(credentials.clone())
        .build()
        .unwrap();

    let mut outputs = vec![
        format!("{credentials:?}"),
        format!("{client:?}"),
        format!("{client:#?}"),
    ];
    let page = client
        .list_customer_tenants()
        .organization_id(1)
        .await
        .unwrap();
    outputs.push(format!("{page:?}"));
    let tenants: Vec<_> = client
        .list_customer_tenants()
        .organization_id(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    outputs.push(format!("{tenants:?}"));

    // The token itself, which the client never shows.
    let token = client
        .get_user_token()
        .body(TokenRequest::password("demo@example.com", "demo-password"))
        .await
        .unwrap();
    let access_token = token.access_token.clone().unwrap();
    outputs.push(format!("{token:?}"));
    outputs.push(format!("{:?}", token));
    outputs.push(format!(
        "{:?}",
        client
            .get_user_token()
            .body(TokenRequest::password("demo@example.com", "demo-password"))
    ));

    // A created tenant carries its administrator's generated password.
    let body = support::create_body();
    let created: CustomerTenantDetailed = client.create_customer_tenant().body(body).await.unwrap();
    let admin_password = created.user.as_ref().unwrap().password.clone().unwrap();
    outputs.push(format!("{created:?}"));

    // Errors: refused credentials, a 404, a refused fixed token.
    for (secret, password) in [
        ("demo-secret", "wrong-password"),
        ("wrong-secret", "demo-password"),
    ] {
        let refused = Client::builder()
            .base_url(server.base_url())
            .credentials(Credentials::password(
                "demo-client",
                secret,
                "demo@example.com",
                password,
            ))
            .build()
            .unwrap();
        // The error, its chain on one line, and its cause.
        let error = refused.get_customer_tenant().id(1).await.unwrap_err();
        outputs.push(format!(
            "{error:?} {error} {error:#} {:?}",
            std::error::Error::source(&error)
        ));
    }
    let error = client.get_customer_tenant().id(999).await.unwrap_err();
    outputs.push(format!("{error:?} {error}"));
    let fixed = Client::builder()
        .base_url(server.base_url())
        .bearer_token(access_token.clone())
        .build()
        .unwrap();
    outputs.push(format!("{fixed:?}"));
    server.state().revoke_tokens();
    let error = fixed.get_customer_tenant().id(1).await.unwrap_err();
    outputs.push(format!("{error:?} {error}"));

    let secrets = [
        access_token,
        admin_password,
        "wrong-secret".to_owned(),
        "wrong-password".to_owned(),
    ];
    for (index, output) in outputs.iter().enumerate() {
        assert_no_secret(&format!("output {index}"), output, &secrets);
    }
    let trace = captured.text();
    assert!(
        trace.contains("crayon_tenants.call")
            && trace.contains("operation=\"listCustomerTenants\""),
        "{trace}"
    );
    assert!(
        trace.contains("url.full=") && trace.contains("crayon_tenants.token"),
        "the spans record their fields:\n{trace}"
    );
    assert_no_secret("the trace", &trace, &secrets);
}
