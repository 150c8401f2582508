//! Calls every operation of the contract through the client, against a base URL, and checks each
//! outcome; exits non-zero on the first surprise. `cargo xtask conformance` runs it through
//! Prism's validating proxy in front of the mock (`proxy`: success and error paths) and against
//! Prism's mock of the contract's own examples (`examples`: every operation parses).
//!
//! ```sh
//! cargo run -p crayon-tenants --example exercise -- proxy http://127.0.0.1:4010
//! ```

use std::process::ExitCode;

use crayon_tenants::types::{
    CustomerTenantDetailedInput, ExistingCustomerTenantDetailed, NewCustomerTenantDetailed,
    ProgramType, ServiceAccountAgreementInput, TokenRequest,
};
use crayon_tenants::{Client, Credentials, Error, RetryPolicy};
use futures_util::TryStreamExt as _;
use serde_json::json;

const CREATE: &str = include_str!("../tests/fixtures/create_customer_tenant.request.json");
const EXISTING: &str =
    include_str!("../tests/fixtures/create_existing_customer_tenant.request.json");
const UPDATE: &str =
    include_str!("../tests/fixtures/update_customer_tenant.request.csharp_sample.json");
/// What Crayon's .NET SDK sends for a create and an update with its defaults.
const SDK_CREATE: &str = include_str!("../tests/fixtures/sdk/createCustomerTenant.defaults.json");
const SDK_UPDATE: &str = include_str!("../tests/fixtures/sdk/updateCustomerTenant.partial.json");

/// Counts the calls and remembers the ones whose outcome was not the expected one.
#[derive(Default)]
struct Report {
    calls: usize,
    surprises: Vec<String>,
}

impl Report {
    /// Records a call that should succeed.
    fn ok<T>(&mut self, what: &str, result: Result<T, impl Into<Error>>) -> Option<T> {
        self.calls += 1;
        match result.map_err(Into::into) {
            Ok(value) => Some(value),
            Err(error) => {
                self.surprises
                    .push(format!("{what}: expected success, got {error}"));
                None
            }
        }
    }

    /// Records a call that should fail with `status`.
    fn fails<T>(&mut self, what: &str, status: u16, result: Result<T, impl Into<Error>>) {
        self.calls += 1;
        match result.map_err(Into::into) {
            Ok(_) => self
                .surprises
                .push(format!("{what}: expected {status}, got success")),
            Err(error) if error.status().map(|s| s.as_u16()) == Some(status) => {}
            Err(error) => self
                .surprises
                .push(format!("{what}: expected {status}, got {error}")),
        }
    }
}

fn client(base_url: &str, credentials: Credentials) -> Client {
    Client::builder()
        .base_url(base_url)
        .credentials(credentials)
        .retry(RetryPolicy::none())
        .build()
        .expect("a client")
}

fn demo() -> Credentials {
    Credentials::password(
        "demo-client",
        "demo-secret",
        "demo@example.com",
        "demo-password",
    )
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> T {
    serde_json::from_str(text).expect("a fixture of the documentation")
}

/// Success and error paths of every operation, against the mock behind Prism's proxy.
async fn proxy(base_url: &str, report: &mut Report) {
    let api = client(base_url, demo());
    let token = TokenRequest::password("demo@example.com", "demo-password");
    report.ok("getUserToken", api.get_user_token().body(token).await);
    let refused = client(
        base_url,
        Credentials::password("demo-client", "demo-secret", "demo@example.com", "wrong"),
    );
    report.fails(
        "getUserToken with a wrong password",
        400,
        refused.get_customer_tenant().id(1).await,
    );
    let bad_client = client(
        base_url,
        Credentials::password("demo-client", "wrong", "demo@example.com", "demo-password"),
    );
    report.fails(
        "getUserToken with a wrong client secret",
        401,
        bad_client.get_customer_tenant().id(1).await,
    );
    let unknown_token = Client::builder()
        .base_url(base_url)
        .bearer_token("not-a-token")
        .build()
        .expect("a client");
    report.fails(
        "a call with an unknown token",
        401,
        unknown_token.get_customer_tenant().id(1).await,
    );

    report.ok(
        "listCustomerTenants",
        api.list_customer_tenants()
            .organization_id(1)
            .page(2)
            .page_size(5)
            .search("a")
            .await,
    );
    report.fails(
        "listCustomerTenants of organization 3",
        403,
        api.list_customer_tenants().organization_id(3).await,
    );
    let created = report.ok(
        "createCustomerTenant",
        api.create_customer_tenant()
            .body(parse::<NewCustomerTenantDetailed>(CREATE))
            .await,
    );
    report.fails(
        "createCustomerTenant again",
        400,
        api.create_customer_tenant()
            .body(parse::<NewCustomerTenantDetailed>(CREATE))
            .await,
    );
    let mut elsewhere: NewCustomerTenantDetailed = parse(CREATE);
    elsewhere.tenant.organization.id = 3;
    elsewhere.tenant.domain_prefix = "elsewhere".into();
    report.fails(
        "createCustomerTenant in organization 3",
        403,
        api.create_customer_tenant().body(elsewhere).await,
    );
    report.ok(
        "createExistingCustomerTenant",
        api.create_existing_customer_tenant()
            .body(parse::<ExistingCustomerTenantDetailed>(EXISTING))
            .await,
    );
    report.fails(
        "createExistingCustomerTenant again",
        400,
        api.create_existing_customer_tenant()
            .sync_from_publisher(true)
            .body(parse::<ExistingCustomerTenantDetailed>(EXISTING))
            .await,
    );

    let id = created
        .and_then(|created| created.tenant.and_then(|tenant| tenant.id))
        .unwrap_or(1);
    report.ok("getCustomerTenant", api.get_customer_tenant().id(id).await);
    report.fails(
        "getCustomerTenant unknown",
        404,
        api.get_customer_tenant().id(999_999).await,
    );
    report.fails(
        "getCustomerTenant of organization 3",
        403,
        api.get_customer_tenant().id(30).await,
    );
    report.ok(
        "getCustomerTenantDetailed",
        api.get_customer_tenant_detailed().id(id).await,
    );
    report.fails(
        "getCustomerTenantDetailed unknown",
        404,
        api.get_customer_tenant_detailed().id(999_999).await,
    );
    let mut update: CustomerTenantDetailedInput = parse(UPDATE);
    update.tenant.as_mut().expect("the sample has a Tenant").id = Some(id);
    report.ok(
        "updateCustomerTenant",
        api.update_customer_tenant().id(id).body(update).await,
    );
    let taken: CustomerTenantDetailedInput = serde_json::from_value(
        json!({"Tenant": {"DomainPrefix": parse::<NewCustomerTenantDetailed>(CREATE).tenant.domain_prefix}}),
    )
    .expect("an update body");
    report.fails(
        "updateCustomerTenant to a domain prefix in use",
        400,
        api.update_customer_tenant().id(2).body(taken).await,
    );
    report.fails(
        "updateCustomerTenant unknown",
        404,
        api.update_customer_tenant()
            .id(999_999)
            .body(parse::<CustomerTenantDetailedInput>(UPDATE))
            .await,
    );
    report.ok(
        "getCustomerTenantAzurePlan",
        api.get_customer_tenant_azure_plan().id(1).await,
    );
    report.fails(
        "getCustomerTenantAzurePlan of an Adobe tenant",
        404,
        api.get_customer_tenant_azure_plan().id(7).await,
    );
    let agreement: ServiceAccountAgreementInput =
        serde_json::from_value(json!({"FirstName": "A", "LastName": "B", "Email": "a@b.c", "PhoneNumber": "1", "DateAgreed": "2019-10-01T00:00:00Z", "AgreementType": 1}))
            .expect("an agreement");
    report.ok(
        "createCustomerTenantAgreement",
        api.create_customer_tenant_agreement()
            .id(id)
            .body(agreement)
            .await,
    );
    report.ok(
        "listCustomerTenantAgreements",
        api.list_customer_tenant_agreements()
            .id(id)
            .agreement_type_consent(
                crayon_tenants::types::AgreementTypeConsent::MicrosoftCustomerAgreement,
            )
            .await,
    );
    report.fails(
        "listCustomerTenantAgreements of organization 3",
        403,
        api.list_customer_tenant_agreements().id(29).await,
    );
    lookups(&api, report).await;
    let mut sdk_create: NewCustomerTenantDetailed = parse(SDK_CREATE);
    sdk_create.tenant.domain_prefix = "exercisesdk".to_owned();
    report.ok(
        "createCustomerTenant as the SDK sends it",
        api.create_customer_tenant().body(sdk_create).await,
    );
    report.ok(
        "updateCustomerTenant as the SDK sends it",
        api.update_customer_tenant()
            .id(1)
            .body(parse::<CustomerTenantDetailedInput>(SDK_UPDATE))
            .await,
    );
    report.ok(
        "deleteCustomerTenant",
        api.delete_customer_tenant().id(id).await,
    );
    report.fails(
        "deleteCustomerTenant again",
        404,
        api.delete_customer_tenant().id(id).await,
    );
}

/// The look-ups, their streams across pages, and their error paths.
async fn lookups(api: &Client, report: &mut Report) {
    let organizations = api.list_organizations().paging().page_size(1).stream();
    report.ok(
        "listOrganizations, every page",
        organizations.try_collect::<Vec<_>>().await,
    );
    report.ok("getOrganization", api.get_organization().id(1).await);
    report.fails(
        "getOrganization of another's",
        403,
        api.get_organization().id(3).await,
    );
    report.fails(
        "getOrganization unknown",
        404,
        api.get_organization().id(999).await,
    );
    let profiles = api
        .list_invoice_profiles()
        .organization_id(1)
        .paging()
        .page_size(1)
        .stream();
    report.ok(
        "listInvoiceProfiles, every page",
        profiles.try_collect::<Vec<_>>().await,
    );
    report.fails(
        "listInvoiceProfiles of another's organization",
        403,
        api.list_invoice_profiles().organization_id(3).await,
    );
    report.ok("getInvoiceProfile", api.get_invoice_profile().id(7).await);
    report.fails(
        "getInvoiceProfile of another's",
        403,
        api.get_invoice_profile().id(9).await,
    );
    report.fails(
        "getInvoiceProfile unknown",
        404,
        api.get_invoice_profile().id(999).await,
    );
    let publishers = api
        .list_publishers()
        .names(vec!["Microsoft".to_owned(), "Adobe".to_owned()])
        .program_type(ProgramType::License)
        .into_stream();
    if let Some(publishers) = report.ok("listPublishers", publishers.try_collect::<Vec<_>>().await)
        && publishers.len() != 2
    {
        report.surprises.push(format!(
            "listPublishers: two names, {} publishers",
            publishers.len()
        ));
    }
    report.ok("getPublisher", api.get_publisher().id(2).await);
    report.fails(
        "getPublisher unknown",
        404,
        api.get_publisher().id(999).await,
    );
}

/// Every operation against a server that answers the contract's own examples.
async fn examples(base_url: &str, report: &mut Report) {
    let api = client(base_url, demo());
    let token = TokenRequest::password("demo@example.com", "demo-password");
    if let Some(token) = report.ok("getUserToken", api.get_user_token().body(token).await)
        && token.expires_in != Some(3600)
    {
        report.surprises.push(format!(
            "getUserToken: the example's ExpiresIn is 3600, got {:?}",
            token.expires_in
        ));
    }
    if let Some(page) = report.ok(
        "listCustomerTenants",
        api.list_customer_tenants().organization_id(1).await,
    ) && (page.total_hits != Some(2) || page.items.as_ref().map(Vec::len) != Some(2))
    {
        report
            .surprises
            .push("listCustomerTenants: the example has 2 items and TotalHits 2".into());
    }
    report.ok(
        "createCustomerTenant",
        api.create_customer_tenant()
            .body(parse::<NewCustomerTenantDetailed>(CREATE))
            .await,
    );
    report.ok(
        "createExistingCustomerTenant",
        api.create_existing_customer_tenant()
            .body(parse::<ExistingCustomerTenantDetailed>(EXISTING))
            .await,
    );
    report.ok("getCustomerTenant", api.get_customer_tenant().id(1).await);
    report.ok(
        "getCustomerTenantDetailed",
        api.get_customer_tenant_detailed().id(1).await,
    );
    report.ok(
        "updateCustomerTenant",
        api.update_customer_tenant()
            .id(1)
            .body(parse::<CustomerTenantDetailedInput>(UPDATE))
            .await,
    );
    report.ok(
        "deleteCustomerTenant",
        api.delete_customer_tenant().id(1).await,
    );
    report.ok(
        "getCustomerTenantAzurePlan",
        api.get_customer_tenant_azure_plan().id(1).await,
    );
    report.ok(
        "listCustomerTenantAgreements",
        api.list_customer_tenant_agreements().id(1).await,
    );
    report.ok("listOrganizations", api.list_organizations().await);
    report.ok("getOrganization", api.get_organization().id(1).await);
    report.ok(
        "listInvoiceProfiles",
        api.list_invoice_profiles().organization_id(1).await,
    );
    report.ok("getInvoiceProfile", api.get_invoice_profile().id(1).await);
    report.ok("listPublishers", api.list_publishers().await);
    report.ok("getPublisher", api.get_publisher().id(2).await);
    let agreement: ServiceAccountAgreementInput =
        serde_json::from_value(json!({"AgreementType": 1})).expect("an agreement");
    report.ok(
        "createCustomerTenantAgreement",
        api.create_customer_tenant_agreement()
            .id(1)
            .body(agreement)
            .await,
    );
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut report = Report::default();
    match (args.first().map(String::as_str), args.get(1)) {
        (Some("proxy"), Some(url)) => proxy(url, &mut report).await,
        (Some("examples"), Some(url)) => examples(url, &mut report).await,
        // A demo-user token, for tools that call the mock themselves (Schemathesis).
        (Some("token"), Some(url)) => {
            let token = TokenRequest::password("demo@example.com", "demo-password");
            return match client(url, demo()).get_user_token().body(token).await {
                Ok(token) => {
                    println!("{}", token.access_token.unwrap_or_default());
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("no token: {error}");
                    ExitCode::FAILURE
                }
            };
        }
        _ => {
            eprintln!("usage: exercise proxy|examples|token BASE_URL");
            return ExitCode::from(2);
        }
    }
    println!(
        "exercise: {} calls, {} as expected",
        report.calls,
        report.calls - report.surprises.len()
    );
    for surprise in &report.surprises {
        eprintln!("  unexpected: {surprise}");
    }
    if report.surprises.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
