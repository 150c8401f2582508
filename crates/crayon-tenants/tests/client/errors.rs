use std::time::Duration;

use crayon_tenants::{Client, Credentials, Error, RetryPolicy};
use crayon_tenants_mock::{Fault, FaultRule, MockConfig, Operation};

use crate::{answering, client_for, start};

#[tokio::test]
async fn an_html_502_keeps_its_status_and_a_snippet_of_the_page() {
    let (server, client) = start(MockConfig::default()).await;
    server.add_fault(FaultRule::new(
        Operation::GetCustomerTenant,
        Fault::HtmlPage { status: 502 },
    ));
    let error = client.get_customer_tenant().id(1).await.unwrap_err();
    let Error::Api(failure) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(failure.status.as_u16(), 502);
    assert!(failure.error.is_none());
    assert!(
        failure
            .body
            .as_deref()
            .unwrap()
            .contains("<h1>502 Bad Gateway</h1>"),
        "{failure:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("502 Bad Gateway (body: <html>"),
        "{error}"
    );
}

#[tokio::test]
async fn an_empty_401_keeps_its_status() {
    let (server, _) = start(MockConfig::default()).await;
    server.add_fault(FaultRule::new(
        Operation::ListCustomerTenants,
        Fault::EmptyUnauthorized,
    ));
    let client = client_for(&server)
        .bearer_token("not-refreshable")
        .build()
        .unwrap();
    let error = client
        .list_customer_tenants()
        .organization_id(1)
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(error.to_string(), "401 Unauthorized (empty body)");
}

#[tokio::test]
async fn api_errors_are_parsed_and_read_like_the_api_says_them() {
    let (server, client) = start(MockConfig::default()).await;
    let body = crate::support::create_body();
    client
        .create_customer_tenant()
        .body(body.clone())
        .await
        .unwrap();
    let error = client
        .create_customer_tenant()
        .body(body)
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "400 Bad Request: DomainPrefixTaken: The domain prefix is already in use"
    );
    assert_eq!(
        error.api_error().and_then(|e| e.error_code.as_deref()),
        Some("DomainPrefixTaken")
    );

    let error = client
        .list_customer_tenants()
        .organization_id(3)
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "403 Forbidden: Access to organization 3 is denied."
    );
    assert_eq!(server.requests(Operation::CreateCustomerTenant), 2);
}

#[tokio::test]
async fn a_malformed_body_names_its_path() {
    let (server, client) = start(MockConfig::default()).await;
    server.add_fault(FaultRule::new(
        Operation::ListCustomerTenants,
        Fault::MalformedJson,
    ));
    let error = client
        .list_customer_tenants()
        .organization_id(1)
        .await
        .unwrap_err();
    let Error::Decode { path, body, .. } = &error else {
        panic!("{error:?}")
    };
    assert!(path.starts_with("Items["), "{path}");
    assert_eq!(
        error.status().map(|s| s.as_u16()),
        Some(200),
        "the real status"
    );
    assert!(body.as_bytes().starts_with(b"{\"Items\":[{"));
}

#[tokio::test]
async fn a_slow_server_hits_the_timeout() {
    let (server, _) = start(MockConfig::default()).await;
    server.add_fault(FaultRule::new(
        Operation::GetCustomerTenant,
        Fault::Latency(Duration::from_secs(3)),
    ));
    let client = client_for(&server)
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client.get_customer_tenant().id(1).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(error.to_string(), "timed out");
    assert!(
        std::error::Error::source(&error).is_some(),
        "the cause is the source"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_a_connection_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener); // nothing listens there now
    let client = Client::builder()
        .base_url(format!("http://{address}"))
        .bearer_token("token")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client.get_customer_tenant().id(1).await.unwrap_err();
    assert!(matches!(error, Error::Connection(_)), "{error:?}");
}

#[tokio::test]
async fn a_missing_required_parameter_is_an_invalid_request_before_anything_is_sent() {
    let (server, client) = start(MockConfig::default()).await;
    let error = client.list_customer_tenants().await.unwrap_err();
    assert!(
        matches!(&error, Error::InvalidRequest(message) if message.contains("organization_id")),
        "{error:?}"
    );
    assert_eq!(server.requests(Operation::ListCustomerTenants), 0);
}

#[tokio::test]
async fn nothing_a_server_sends_can_make_an_error_pass_for_another_kind() {
    // The headers an earlier version of this client used as markers, on a plain 404.
    let url = answering(
        "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n\
         x-crayon-tenants-authentication-failure: 1\r\nx-crayon-tenants-raw-body: 1",
        r#"{"ErrorCode":"404 NotFound","Message":"Gone."}"#,
    )
    .await;
    let client = Client::builder()
        .base_url(url)
        .bearer_token("token")
        .build()
        .unwrap();
    let error = client.get_customer_tenant().id(1).await.unwrap_err();
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_eq!(
        error.api_error().and_then(|e| e.message.as_deref()),
        Some("Gone.")
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn an_answer_that_does_not_decode_is_described_not_quoted() {
    // A tenant whose id came as a string, with its customer's personal data beside it.
    let body = r#"{"Id":"Contoso Pharma","Name":"Contoso Pharma","DomainPrefix":"contosopharma",
        "Organization":{"Id":1,"Name":"Reseller"},"Publisher":{"Id":2,"Name":"Microsoft"},
        "CustomerTenantType":1,"Email":"jane.roe@contoso.example"}"#;
    let url = answering("HTTP/1.1 200 OK\r\ncontent-type: application/json", body).await;
    let (captured, _guard) = crate::support::Captured::everything();
    let client = Client::builder()
        .base_url(url)
        .bearer_token("token")
        .build()
        .unwrap();
    let error = client.get_customer_tenant().id(1).await.unwrap_err();
    let Error::Decode { path, found, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(path, "Id");
    assert_eq!(found, "string of 14 characters");
    assert_eq!(
        error.to_string(),
        "200 OK: the response body does not decode at Id: expected i32, found string of 14 characters"
    );
    let shown = format!("{error} {error:#} {error:?} {}", captured.text());
    for personal in ["Contoso", "contosopharma", "jane.roe"] {
        assert!(!shown.contains(personal), "{personal} in {shown}");
    }
    assert!(
        shown.contains("does not decode at Id"),
        "the trace has the error: {shown}"
    );
    // The body stays reachable for a caller who chooses to look.
    assert_eq!(error.body(), Some(body.as_bytes()));
    // And the same answer undecoded, for a check of the contract.
    let answer = client.get_customer_tenant().id(1).raw().await.unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(answer.body(), body.as_bytes());
    assert!(!format!("{answer:?}").contains("Contoso"), "{answer:?}");
    assert!(
        answer
            .decode::<crayon_tenants::types::CustomerTenant>()
            .is_err()
    );
}

#[tokio::test]
async fn a_search_for_a_customer_is_shown_in_no_trace_and_no_error_text() {
    let (captured, _guard) = crate::support::Captured::everything();
    let (_server, client) = start(MockConfig::default()).await;
    client
        .list_customer_tenants()
        .organization_id(1)
        .search("Contoso Pharma")
        .domain_prefix("contosopharma")
        .await
        .unwrap();
    // And an API that cannot be reached: reqwest's error names the URL.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    let unreachable = Client::builder()
        .base_url(format!("http://{address}"))
        .bearer_token("token")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = unreachable
        .list_customer_tenants()
        .organization_id(1)
        .search("Contoso Pharma")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Connection(_)), "{error:?}");
    let shown = format!("{error} {error:#} {error:?} {}", captured.text());
    assert!(shown.contains("search=REDACTED"), "{shown}");
    assert!(
        shown.contains("organizationId=1"),
        "the other filters are kept: {shown}"
    );
    for personal in ["Contoso", "contosopharma"] {
        assert!(!shown.contains(personal), "{personal} in {shown}");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_typed_error_with_the_real_status() {
    let (server, _) = start(MockConfig::default()).await;
    let client = client_for(&server).max_body_size(1000).build().unwrap();
    let error = client
        .list_customer_tenants()
        .organization_id(1)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 1000, .. }),
        "{error:?}"
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
    // A small answer still goes through.
    assert!(client.get_customer_tenant().id(1).await.is_ok());
}

#[tokio::test]
async fn an_error_status_with_a_body_that_is_no_api_error_keeps_its_status() {
    let url = answering(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 120",
        r#"{"Items":"#,
    )
    .await;
    let client = Client::builder()
        .base_url(url)
        .bearer_token("token")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client.get_customer_tenant().id(1).await.unwrap_err();
    let Error::Api(failure) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(failure.status.as_u16(), 503);
    assert_eq!(failure.body.as_deref(), Some("{\"Items\":"));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
}

/// The messages of an error and of each of its sources, as `anyhow`'s `{:#}` joins them.
fn chain(error: &Error) -> Vec<String> {
    let mut messages = vec![error.to_string()];
    let mut cause = std::error::Error::source(error);
    while let Some(error) = cause {
        messages.push(error.to_string());
        cause = error.source();
    }
    messages
}

/// A base URL where nothing listens.
fn nothing_listening() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}")
}

#[tokio::test]
async fn an_unreachable_api_is_a_connection_error_on_the_first_call_too() {
    let client = Client::builder()
        .base_url(nothing_listening())
        .credentials(crate::demo_credentials())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client.get_customer_tenant().id(1).await.unwrap_err();
    assert!(matches!(&error, Error::Connection(_)), "{error:?}");
    assert!(error.is_unreachable() && error.while_requesting_token());
    assert!(!error.is_credentials_rejected());
    let chain = chain(&error);
    assert_eq!(chain[0], "connection failed while requesting a token");
    let report = chain.join(": ");
    assert!(
        report.contains("Connection refused"),
        "the root cause is reachable: {report}"
    );
    // `{:#}` prints the whole chain on one line, as anyhow does; `{}` the message alone.
    assert_eq!(format!("{error:#}"), report);
    assert_eq!(error.to_string(), chain[0]);
    for part in &chain[1..] {
        assert_eq!(
            chain
                .iter()
                .filter(|message| message.contains(part.as_str()))
                .count(),
            1,
            "{part} shows twice in {report}"
        );
    }
}

#[tokio::test]
async fn a_token_endpoint_answering_502_is_an_api_error_of_the_token_request() {
    let (server, client) = start(MockConfig::default()).await;
    server.add_fault(FaultRule::new(
        Operation::GetUserToken,
        Fault::Status {
            status: 502,
            retry_after: None,
        },
    ));
    let error = client.get_customer_tenant().id(1).await.unwrap_err();
    assert!(
        matches!(&error, Error::Api(failure) if failure.while_requesting_token),
        "{error:?}"
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert!(
        error.to_string().ends_with("while requesting a token"),
        "{error}"
    );
    assert!(!error.is_credentials_rejected());
}

#[tokio::test]
async fn helpers_tell_what_services_branch_on() {
    let (server, client) = start(MockConfig::default()).await;
    let missing = client.get_customer_tenant().id(999).await.unwrap_err();
    assert!(
        missing.is_not_found() && !missing.is_rate_limited() && !missing.while_requesting_token()
    );
    server.add_fault(FaultRule::new(
        Operation::GetCustomerTenant,
        Fault::Status {
            status: 429,
            retry_after: Some(120),
        },
    ));
    let limited = client.get_customer_tenant().id(1).await.unwrap_err();
    assert!(limited.is_rate_limited(), "{limited:?}");
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(120)));
    let wrong = Client::builder()
        .base_url(server.base_url())
        .credentials(Credentials::password(
            "demo-client",
            "demo-secret",
            "demo@example.com",
            "wrong",
        ))
        .build()
        .unwrap();
    let refused = wrong.get_customer_tenant().id(1).await.unwrap_err();
    assert!(
        refused.is_credentials_rejected() && !refused.is_unreachable(),
        "{refused:?}"
    );
    assert_eq!(
        chain(&refused).join(": "),
        "authentication failed: the token operation refused the credentials: \
         400 Bad Request: invalid_grant: The user name or password is incorrect."
    );
    assert_eq!(format!("{refused:#}"), chain(&refused).join(": "));
}

#[tokio::test]
async fn a_page_size_out_of_the_contracts_bounds_is_refused_before_sending() {
    let (server, client) = start(MockConfig::default()).await;
    assert_eq!(crayon_tenants::MAX_PAGE_SIZE, 1000);
    for (page, page_size) in [(1, crayon_tenants::MAX_PAGE_SIZE + 1), (1, 0), (0, 10)] {
        let error = client
            .list_customer_tenants()
            .organization_id(1)
            .page(page)
            .page_size(page_size)
            .await
            .unwrap_err();
        assert!(matches!(&error, Error::InvalidRequest(_)), "{error:?}");
        assert!(
            error.to_string().contains("out of the contract's bounds"),
            "{error}"
        );
    }
    let publishers = client.list_publishers().page_size(5000).await.unwrap_err();
    assert_eq!(
        publishers.to_string(),
        "invalid request: pageSize 5000 is out of the contract's bounds: 1 to 1000"
    );
    assert_eq!(
        server.requests(Operation::ListCustomerTenants),
        0,
        "nothing was sent"
    );
    assert_eq!(server.requests(Operation::ListPublishers), 0);
    let largest = client
        .list_customer_tenants()
        .organization_id(1)
        .page_size(crayon_tenants::MAX_PAGE_SIZE);
    assert!(largest.await.is_ok());
}
