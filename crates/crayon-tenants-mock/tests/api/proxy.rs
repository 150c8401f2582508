//! The recording proxy against an upstream that diverges from the contract on purpose, in each
//! way the public sources disagree, and against this mock as the upstream; a recording seeding
//! a mock. Nothing secret or personal that the tests send or the upstream answers may appear in
//! any file the proxy writes or in its report.

use std::path::Path;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use crayon_tenants_contract::check::{Direction, DivergenceKind};
use crayon_tenants_contract::report::Report;
use crayon_tenants_mock::{HAR_FILE, MockConfig, MockServer, Proxy, ProxyConfig};
use futures::TryStreamExt as _;
use serde_json::{Value, json};

use crate::support::{demo_client, fixture, http_client};

/// Values that must never be written: secrets the client sends, and personal values the
/// upstream answers.
const NEVER_WRITTEN: [&str; 12] = [
    "bearer-secret-0001",
    "client-secret-0002",
    "user-password-0003",
    "issued-token-0004",
    "refresh-token-0005",
    "Generated-Pa55-0006",
    "Contoso Pharma",
    "contosopharma",
    "jane.roe@contoso.example",
    "Jane Roe",
    "+46 70 123 45 67",
    "Storgatan 12",
];

fn tenant() -> Value {
    json!({"Id": 7, "Name": "Contoso Pharma", "DomainPrefix": "contosopharma",
           "Publisher": {"Id": 2, "Name": "Microsoft"}, "Organization": {"Id": 1, "Name": "Northwind"},
           "CustomerTenantType": 1, "EntityStatus": 1, "ResellerMarkup": 0.0,
           "DefaultSubscriptionPriceType": 0})
}

/// An API that answers each operation in one of the ways the public sources disagree.
async fn diverging_upstream() -> String {
    let router = Router::new()
        .route(
            "/api/v1/connect/token/",
            post(|| async {
                axum::Json(json!({"AccessToken": "issued-token-0004", "RefreshToken": "refresh-token-0005",
                                  "ExpiresIn": 3600, "TokenType": "Bearer"}))
            }),
        )
        // camelCase names, and a number sent as a string.
        .route(
            "/api/v1/customertenants/",
            get(|| async {
                let mut camel = tenant();
                let name = camel.as_object_mut().unwrap().remove("Name").unwrap();
                camel["name"] = name;
                camel["Id"] = json!("7");
                axum::Json(json!({"items": [camel], "totalHits": 1}))
            })
            .post(|| async {
                axum::Json(json!({"Tenant": tenant(),
                                  "User": {"UserName": "admin@contosopharma.onmicrosoft.com", "Password": "Generated-Pa55-0006"}}))
            }),
        )
        // An enumeration value the contract does not list, and a property it lacks.
        .route(
            "/api/v1/customertenants/7/",
            get(|| async {
                let mut tenant = tenant();
                tenant["CustomerTenantType"] = json!(9);
                tenant["AccountManager"] = json!("Jane Roe");
                axum::Json(tenant)
            }),
        )
        // A list as a bare array.
        .route(
            "/api/v1/organizations/",
            get(|| async { axum::Json(json!([{"Id": 1, "Name": "Northwind", "Street": "Storgatan 12"}])) }),
        )
        // What a client asks for (gzip) the proxy does not ask the upstream for: the check
        // reads what comes back. A request with `Accept-Encoding` gets a body that diverges.
        .route(
            "/api/v1/publishers/",
            get(|headers: axum::http::HeaderMap| async move {
                if headers.contains_key("accept-encoding") {
                    axum::Json(json!({"AskedFor": "gzip"}))
                } else {
                    axum::Json(json!({"Items": [{"Id": 2, "Name": "Microsoft"}], "TotalHits": 1}))
                }
            }),
        )
        // A status the contract does not list.
        .route(
            "/api/v1/organizations/1/",
            get(|| async { (StatusCode::CONFLICT, axum::Json(json!({"Message": "Jane Roe is editing it"}))).into_response() }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

/// Every file the proxy wrote, as text.
fn written(directory: &Path) -> String {
    std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_nothing_secret_or_personal(text: &str, also: &[&str]) {
    for value in NEVER_WRITTEN.iter().chain(also) {
        assert!(!text.contains(value), "{value:?} was written:\n{text}");
    }
}

fn divergence(report: &Report, operation: &str, kind: DivergenceKind, path: &str) -> Direction {
    let operation_report = report
        .operations
        .get(operation)
        .unwrap_or_else(|| panic!("no {operation} in {report:#?}"));
    operation_report
        .divergences
        .iter()
        .find(|seen| seen.divergence.kind == kind && seen.divergence.path == path)
        .unwrap_or_else(|| {
            panic!(
                "no {kind:?} at {path} of {operation} in\n{}",
                report.table()
            )
        })
        .divergence
        .direction
}

#[tokio::test]
async fn each_divergence_of_the_upstream_is_reported_at_its_path_and_nothing_personal_is_written() {
    let upstream = diverging_upstream().await;
    let directory = tempfile::tempdir().unwrap();
    let proxy = Proxy::start(ProxyConfig::new(&upstream, directory.path()))
        .await
        .unwrap();
    let base = proxy.base_url();
    let http = http_client();
    let token = http
        .post(format!("{base}/api/v1/connect/token/"))
        .basic_auth("client-id", Some("client-secret-0002"))
        .form(&[
            ("grant_type", "password"),
            ("username", "jane.roe@contoso.example"),
            ("password", "user-password-0003"),
            ("scope", "CustomerApi"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);
    let answered: Value = token.json().await.unwrap();
    assert_eq!(
        answered["AccessToken"], "issued-token-0004",
        "the client gets the answer as it came"
    );
    let bearer = "Bearer bearer-secret-0001";
    for path in [
        "/api/v1/customertenants/?organizationId=1&search=Contoso%20Pharma",
        "/api/v1/customertenants/7/",
        "/api/v1/organizations/",
        "/api/v1/organizations/1/",
    ] {
        http.get(format!("{base}{path}"))
            .header("authorization", bearer)
            .send()
            .await
            .unwrap();
    }
    let publishers = http
        .get(format!("{base}/api/v1/publishers/"))
        .header("authorization", bearer)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(publishers.status(), 200);
    // A create whose tenant lacks its required domain prefix: a divergence of the request.
    let create = json!({"Tenant": {"Name": "Contoso Pharma", "Publisher": {"Id": 2}, "Organization": {"Id": 1},
                                   "InvoiceProfile": {"Id": 7}, "CustomerTenantType": 2},
                        "Profile": {"Contact": {"FirstName": "Jane", "LastName": "Roe", "Email": "jane.roe@contoso.example", "PhoneNumber": "+46 70 123 45 67"},
                                    "Address": {"FirstName": "Jane", "LastName": "Roe", "AddressLine1": "Storgatan 12", "City": "Stockholm", "Region": "", "PostalCode": "111 22", "CountryCode": "SE"}},
                        "Company": {"OrganizationRegistrationNumber": "5560000000"}});
    let created = http
        .post(format!("{base}/api/v1/customertenants/"))
        .header("authorization", bearer)
        .json(&create)
        .send()
        .await
        .unwrap();
    let created: Value = created.json().await.unwrap();
    assert_eq!(
        created["User"]["Password"], "Generated-Pa55-0006",
        "the client gets its password"
    );

    let report = proxy.report();
    assert!(report.diverged);
    use DivergenceKind::*;
    assert_eq!(
        divergence(&report, "listCustomerTenants", NameCase, "items"),
        Direction::Response
    );
    divergence(&report, "listCustomerTenants", NameCase, "items[0].name");
    divergence(&report, "listCustomerTenants", NameCase, "totalHits");
    divergence(&report, "listCustomerTenants", Invalid, "items[0].Id");
    divergence(
        &report,
        "getCustomerTenant",
        UnlistedEnumValue,
        "CustomerTenantType",
    );
    divergence(
        &report,
        "getCustomerTenant",
        UndocumentedProperty,
        "AccountManager",
    );
    divergence(&report, "listOrganizations", Invalid, "$");
    divergence(&report, "getOrganization", UndocumentedStatus, "status");
    assert_eq!(
        divergence(
            &report,
            "createCustomerTenant",
            MissingRequired,
            "Tenant.DomainPrefix"
        ),
        Direction::Request
    );
    assert_eq!(
        report.operations["getUserToken"].held,
        1,
        "{}",
        report.table()
    );

    // The files: a HAR 1.2 with every exchange, and the report beside it.
    let har: Value =
        serde_json::from_slice(&std::fs::read(directory.path().join(HAR_FILE)).unwrap()).unwrap();
    assert_eq!(har["log"]["version"], "1.2");
    let entries = har["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 7);
    for entry in entries {
        for field in [
            "startedDateTime",
            "time",
            "request",
            "response",
            "cache",
            "timings",
        ] {
            assert!(entry.get(field).is_some(), "{field} missing from {entry}");
        }
        for field in [
            "method",
            "url",
            "httpVersion",
            "cookies",
            "headers",
            "queryString",
            "headersSize",
            "bodySize",
        ] {
            assert!(
                entry["request"].get(field).is_some(),
                "request.{field} missing"
            );
        }
        for field in [
            "status",
            "statusText",
            "httpVersion",
            "cookies",
            "headers",
            "content",
            "redirectURL",
            "headersSize",
            "bodySize",
        ] {
            assert!(
                entry["response"].get(field).is_some(),
                "response.{field} missing"
            );
        }
    }
    let token_entry = &entries[0];
    let form: Vec<&str> = token_entry["request"]["postData"]["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(form, ["grant_type", "password", "scope", "username"]);
    let authorization = token_entry["request"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == "authorization")
        .unwrap();
    assert_eq!(authorization["value"], "<redacted>");
    let created_entry: Value =
        serde_json::from_str(entries[6]["response"]["content"]["text"].as_str().unwrap()).unwrap();
    assert_eq!(created_entry["User"]["Password"], "<redacted>");
    assert!(
        created_entry["User"]["UserName"]
            .as_str()
            .unwrap()
            .ends_with("@example.com")
    );
    assert!(written(directory.path()).contains("listCustomerTenants"));
    assert_nothing_secret_or_personal(&written(directory.path()), &[]);
    assert_nothing_secret_or_personal(&report.table(), &[]);
    assert_nothing_secret_or_personal(&serde_json::to_string(&report).unwrap(), &[]);
}

#[tokio::test]
async fn against_this_mock_nothing_diverges_and_the_recording_seeds_a_mock_of_the_same_shape() {
    let upstream = MockServer::start(MockConfig::default().seed_tenants(4))
        .await
        .unwrap();
    let directory = tempfile::tempdir().unwrap();
    let proxy = Proxy::start(ProxyConfig::new(upstream.base_url(), directory.path()))
        .await
        .unwrap();
    let client = demo_client(&proxy.base_url());
    // A reseller's daily tour: the look-ups, the tenants, one of each detail, a create, an update.
    client.list_organizations().await.unwrap();
    client.get_organization().id(1).await.unwrap();
    let profiles = client
        .list_invoice_profiles()
        .organization_id(1)
        .await
        .unwrap();
    client.get_invoice_profile().id(7).await.unwrap();
    client.list_publishers().await.unwrap();
    client.get_publisher().id(2).await.unwrap();
    let tenants: Vec<_> = client
        .list_customer_tenants()
        .organization_id(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let id = tenants[0].id.unwrap();
    client.get_customer_tenant().id(id).await.unwrap();
    let detailed = client.get_customer_tenant_detailed().id(id).await.unwrap();
    client
        .get_customer_tenant_azure_plan()
        .id(id)
        .await
        .unwrap();
    client
        .list_customer_tenant_agreements()
        .id(id)
        .await
        .unwrap();
    let created = client
        .create_customer_tenant()
        .body(crayon_tenants_mock::new_tenant_body(1, "proxied-prefix"))
        .await
        .unwrap();
    let password = created
        .user
        .as_ref()
        .and_then(|user| user.password.clone())
        .unwrap();
    let report = proxy.report();
    assert!(!report.diverged, "{}", report.table());
    assert_eq!(report.operations.len(), 13, "{}", report.table());
    assert!(
        report
            .operations
            .values()
            .all(|operation| operation.held == operation.requests)
    );

    // What the mock answered that is personal or secret is not in the recording.
    let contact = detailed
        .profile
        .as_ref()
        .and_then(|p| p.contact.as_ref())
        .unwrap();
    let email = contact.email.clone().unwrap();
    let name = tenants[0].name.clone().unwrap();
    let prefix = tenants[0].domain_prefix.clone().unwrap();
    let written = written(directory.path());
    assert_nothing_secret_or_personal(
        &written,
        &[
            "demo-password",
            "demo-secret",
            &password,
            &email,
            &name,
            &prefix,
            "Demo Reseller AB",
        ],
    );
    // Every personal value of every tenant the upstream holds, all of organization 1's having
    // travelled through the proxy.
    let mut seeded_values = Vec::new();
    for stored in upstream.state().tenants() {
        let detailed = serde_json::to_value(&stored.detailed).unwrap();
        for pointer in [
            "/Tenant/Name",
            "/Tenant/DomainPrefix",
            "/Tenant/Domain",
            "/Tenant/Reference",
            "/Tenant/PublisherCustomerId",
            "/Tenant/ExternalPublisherCustomerId",
            "/Profile/Contact/Email",
            "/Profile/Address/AddressLine1",
            "/Company/OrganizationRegistrationNumber",
        ] {
            if let Some(value) = detailed.pointer(pointer).and_then(Value::as_str) {
                seeded_values.push(value.to_owned());
            }
        }
    }
    assert!(seeded_values.len() >= 4 * 9, "{seeded_values:?}");
    let seeded_values: Vec<&str> = seeded_values.iter().map(String::as_str).collect();
    assert_nothing_secret_or_personal(&written, &seeded_values);

    // A mock seeded from the recording: the same organizations, profiles, publishers and
    // tenants by id, with placeholders in place of personal values, answering as the contract says.
    let seeded = MockServer::start(MockConfig::default().seed_from(directory.path()))
        .await
        .unwrap();
    let seeded_client = seeded.client().unwrap();
    let organizations = seeded_client.list_organizations().await.unwrap();
    let ids: Vec<i32> = organizations
        .items
        .unwrap()
        .iter()
        .filter_map(|o| o.id)
        .collect();
    assert_eq!(ids, [1, 2]);
    let seeded_profiles = seeded_client
        .list_invoice_profiles()
        .organization_id(1)
        .await
        .unwrap();
    assert_eq!(seeded_profiles.total_hits, profiles.total_hits);
    let seeded_tenants: Vec<_> = seeded_client
        .list_customer_tenants()
        .organization_id(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let mut expected: Vec<i32> = tenants.iter().filter_map(|t| t.id).collect();
    expected.push(created.tenant.as_ref().and_then(|t| t.id).unwrap());
    assert_eq!(
        seeded_tenants
            .iter()
            .filter_map(|t| t.id)
            .collect::<Vec<_>>(),
        expected
    );
    let seeded_detailed = seeded_client
        .get_customer_tenant_detailed()
        .id(id)
        .await
        .unwrap();
    let seeded_email = seeded_detailed
        .profile
        .unwrap()
        .contact
        .unwrap()
        .email
        .unwrap();
    assert!(
        seeded_email.ends_with("@example.com") && seeded_email != email,
        "{seeded_email}"
    );
    let seeded_prefix = seeded_tenants[0].domain_prefix.clone().unwrap();
    assert!(seeded_prefix.starts_with("customer"), "{seeded_prefix}");
    assert_ne!(seeded_tenants[0].name, tenants[0].name);
    // Creating in the seeded world works as in any other.
    let mut body = crayon_tenants_mock::new_tenant_body(1, "seeded-prefix");
    body.tenant.invoice_profile.id = seeded_profiles.items.unwrap()[0].id.unwrap();
    seeded_client
        .create_customer_tenant()
        .body(body)
        .await
        .unwrap();
}

#[tokio::test]
async fn what_crayons_sdk_sends_is_no_divergence() {
    let upstream = MockServer::start(MockConfig::default()).await.unwrap();
    let directory = tempfile::tempdir().unwrap();
    let proxy = Proxy::start(ProxyConfig::new(upstream.base_url(), directory.path()))
        .await
        .unwrap();
    let base = proxy.base_url();
    let http = http_client();
    let token: Value = http
        .post(format!("{base}/api/v1/connect/token/"))
        .basic_auth("demo-client", Some("demo-secret"))
        .form(&[
            ("grant_type", "password"),
            ("username", "demo@example.com"),
            ("password", "demo-password"),
            ("scope", "CustomerApi"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = format!("Bearer {}", token["AccessToken"].as_str().unwrap());
    // Its list queries (PascalCase names, every integer filter, 0 included) ...
    let paths = [
        ("listCustomerTenants", "/api/v1/customertenants/"),
        (
            "listCustomerTenantAgreements",
            "/api/v1/customertenants/1/agreements/",
        ),
        ("listOrganizations", "/api/v1/organizations/"),
        ("listInvoiceProfiles", "/api/v1/invoiceprofiles/"),
        ("listPublishers", "/api/v1/publishers/"),
    ];
    let queries = fixture("sdk/queries.json");
    for (operation, queries) in queries.as_object().unwrap() {
        let (_, path) = paths.iter().find(|(id, _)| id == operation).unwrap();
        for query in queries.as_array().unwrap() {
            let url = format!("{base}{path}?{}", query.as_str().unwrap());
            let status = http
                .get(url)
                .header("authorization", &bearer)
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 200, "{operation}?{query}");
        }
    }
    // ... and its bodies, with every value-typed property and nulls.
    for (method, path, body) in [
        (
            reqwest::Method::POST,
            "/api/v1/customertenants/",
            "createCustomerTenant.defaults.json",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/customertenants/existing/",
            "createExistingCustomerTenant.defaults.json",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/customertenants/1/agreements/",
            "createCustomerTenantAgreement.defaults.json",
        ),
        (
            reqwest::Method::PUT,
            "/api/v1/customertenants/1/",
            "updateCustomerTenant.partial.json",
        ),
        (
            reqwest::Method::PUT,
            "/api/v1/customertenants/1/",
            "updateCustomerTenant.read_modify_write.json",
        ),
    ] {
        let status = http
            .request(method, format!("{base}{path}"))
            .header("authorization", &bearer)
            .json(&fixture(&format!("sdk/{body}")))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200, "{body}");
    }
    let report = proxy.report();
    assert!(!report.diverged, "{}", report.table());
    assert_eq!(
        report.operations["listOrganizations"].requests,
        3,
        "{}",
        report.table()
    );
}

#[tokio::test]
async fn an_upstream_that_cannot_be_reached_is_a_502_and_a_request_not_checked() {
    // A port nothing listens on.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let directory = tempfile::tempdir().unwrap();
    let proxy = Proxy::start(ProxyConfig::new(&upstream, directory.path()))
        .await
        .unwrap();
    let answer = http_client()
        .get(format!(
            "{}/api/v1/customertenants/?organizationId=1&search=Contoso%20Pharma",
            proxy.base_url()
        ))
        .header("authorization", "Bearer bearer-secret-0001")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 502);
    let report = proxy.report();
    assert!(!report.diverged);
    let tenants = &report.operations["listCustomerTenants"];
    assert_eq!((tenants.requests, tenants.held), (1, 0));
    assert!(
        tenants.failures[0].contains("could not be reached"),
        "{:?}",
        tenants.failures
    );
    let table = report.table();
    assert!(
        table.ends_with("1 requests got no answer to check.\n"),
        "{table}"
    );
    assert_nothing_secret_or_personal(&written(directory.path()), &["Contoso"]);
    assert_nothing_secret_or_personal(&table, &["Contoso"]);
    // A directory that holds a recording is never overwritten.
    let refused = Proxy::start(ProxyConfig::new(&upstream, directory.path())).await;
    let error = refused
        .err()
        .expect("a second recording into the same directory is refused");
    assert_eq!(error.kind(), std::io::ErrorKind::AlreadyExists);
    assert!(
        error.to_string().contains("holds a recording already"),
        "{error}"
    );
}
