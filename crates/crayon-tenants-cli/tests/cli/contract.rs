//! `contract check`: against the mock the contract holds (exit 0) and nothing is written to
//! the API; against an API that diverges, each divergence is reported at its path (exit 10)
//! with no customer's value and no secret in anything printed; refused credentials and an
//! unreachable API keep their exit codes.

use crayon_tenants_mock::{MockConfig, MockServer, Operation};
use serde_json::Value;

use crate::{against, crayon_tenants, on_mock};

const TOUR: [&str; 12] = [
    "getCustomerTenant",
    "getCustomerTenantAzurePlan",
    "getCustomerTenantDetailed",
    "getInvoiceProfile",
    "getOrganization",
    "getPublisher",
    "getUserToken",
    "listCustomerTenantAgreements",
    "listCustomerTenants",
    "listInvoiceProfiles",
    "listOrganizations",
    "listPublishers",
];

#[test]
fn against_the_mock_the_contract_holds() {
    let report: Value = serde_json::from_str(&on_mock(&["contract", "check"])).unwrap();
    assert_eq!(report["diverged"], false, "{report:#}");
    let operations = report["operations"].as_object().unwrap();
    for operation in TOUR {
        let seen = &operations[operation];
        assert!(
            seen["requests"].as_u64().unwrap() >= 1,
            "{operation}: {seen}"
        );
        assert_eq!(seen["held"], seen["requests"], "{operation}: {seen}");
        assert_eq!(seen["divergences"], serde_json::json!([]));
    }
    // Five tenants read in detail by default; --sample 2 reads one page of two.
    assert_eq!(operations["getCustomerTenantDetailed"]["requests"], 5);
    let sampled: Value =
        serde_json::from_str(&on_mock(&["contract", "check", "--sample", "2"])).unwrap();
    assert_eq!(
        sampled["operations"]["getCustomerTenantDetailed"]["requests"],
        2
    );
    assert_eq!(sampled["operations"]["listCustomerTenants"]["requests"], 1);
    let table = on_mock(&["contract", "check", "--output", "table"]);
    assert!(
        table.contains("listCustomerTenants: 1 request, 1 held"),
        "{table}"
    );
    assert!(table.ends_with("The contract held.\n"), "{table}");
}

#[tokio::test]
async fn it_reads_every_page_and_writes_nothing() {
    let server = MockServer::start(MockConfig::default().seed_tenants(2500))
        .await
        .unwrap();
    let output = against(
        &server,
        None,
        &["contract", "check", "--organization-id", "1"],
    )
    .await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // 2,500 tenants: three pages of the contract's largest page size.
    assert_eq!(server.requests(Operation::ListCustomerTenants), 3);
    for operation in [
        Operation::CreateCustomerTenant,
        Operation::CreateExistingCustomerTenant,
        Operation::UpdateCustomerTenant,
        Operation::DeleteCustomerTenant,
        Operation::CreateCustomerTenantAgreement,
    ] {
        assert_eq!(server.requests(operation), 0, "{operation:?} was sent");
    }
    assert_eq!(server.state().tenant_count_in(1), 2500);
}

/// An API that answers every request with `body` (a list whose names are camelCase, whose ids
/// are strings, with a property the contract lacks), as 200.
async fn diverging_api(body: &'static str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let response: &'static [u8] = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-ratelimit-remaining: 42\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
    .leak();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 8192];
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

#[tokio::test]
async fn a_diverging_api_is_reported_at_each_path_with_exit_10_and_no_customer_value() {
    let url = diverging_api(
        r#"{"items":[{"Id":"17","name":"Contoso Pharma","Email":"jane.roe@contoso.example","CustomerTenantType":9}],"TotalHits":1}"#,
    )
    .await;
    let mut command = crayon_tenants();
    command
        .env("CRAYON_BASE_URL", &url)
        .env("CRAYON_TOKEN", "bearer-secret-0001")
        .args(["contract", "check", "--organization-id", "1"]);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(10), "{stdout}{stderr}");
    assert!(stderr.contains("diverged from the contract"), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["diverged"], true);
    let tenants = &report["operations"]["listCustomerTenants"];
    let found: Vec<(String, String, String)> = tenants["divergences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let text = |name: &str| d[name].as_str().unwrap().to_owned();
            (text("kind"), text("path"), text("found"))
        })
        .collect();
    for expected in [
        ("name-case", "items", "items"),
        ("name-case", "items[0].name", "name"),
        (
            "undocumented-property",
            "items[0].Email",
            "string of 24 characters",
        ),
        ("unlisted-enum-value", "items[0].CustomerTenantType", "9"),
        ("invalid", "items[0].Id", "string of 2 characters"),
    ] {
        let expected = (
            expected.0.to_owned(),
            expected.1.to_owned(),
            expected.2.to_owned(),
        );
        assert!(found.contains(&expected), "{expected:?} not in {found:#?}");
    }
    assert_eq!(tenants["headers"]["x-ratelimit-remaining"], "42");
    // A tenant's answer is a tenant, not a list: the body itself diverges there.
    let get = &report["operations"]["getCustomerTenant"]["divergences"];
    assert!(
        get.to_string().contains("\"undocumented-property\""),
        "{get}"
    );
    for value in ["Contoso", "jane.roe", "bearer-secret-0001"] {
        assert!(
            !stdout.contains(value) && !stderr.contains(value),
            "{value} printed"
        );
    }
}

#[tokio::test]
async fn refused_credentials_and_an_unreachable_api_keep_their_exit_codes() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let refused = against(&server, Some("wrong-password"), &["contract", "check"]).await;
    assert_eq!(
        refused.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let address = server.base_url();
    drop(server);
    let mut command = crayon_tenants();
    command
        .env("CRAYON_BASE_URL", address)
        .env("CRAYON_TOKEN", "a-token")
        .args(["contract", "check"]);
    let unreachable = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert_eq!(
        unreachable.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&unreachable.stderr)
    );
}

#[tokio::test]
async fn an_operation_that_keeps_failing_is_reported_as_not_checked_not_as_held() {
    use crayon_tenants_mock::{Fault, FaultRule};
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    server.add_fault(FaultRule::new(
        Operation::GetCustomerTenantAzurePlan,
        // Retried by the client, and still 503 when the retries are spent.
        Fault::Status {
            status: 503,
            retry_after: None,
        },
    ));
    let output = against(
        &server,
        None,
        &["contract", "check", "--sample", "1", "--output", "table"],
    )
    .await;
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("getCustomerTenantAzurePlan: 1 request, 0 held")
            && stdout
                .contains("no answer to check: answered 503 Service Unavailable after the retries"),
        "{stdout}"
    );
    assert!(
        stdout
            .ends_with("The contract held for every answer; 1 requests got no answer to check.\n"),
        "{stdout}"
    );
}
