//! `tenants import` against a mock server: outcomes per row, idempotent re-runs, an import cut
//! short by failures and run again, and the administrators' credentials kept out of every output
//! but their own file.

use std::process::Output;

use crayon_tenants_mock::{Fault, FaultRule, MockConfig, MockServer, Operation};
use serde_json::Value;

use crate::against;

const HEADER: &str = "Tenant.Name,Tenant.DomainPrefix,Tenant.CustomerTenantType,Tenant.Publisher.Id,\
Tenant.InvoiceProfile.Id,Profile.Contact.FirstName,Profile.Contact.LastName,Profile.Contact.Email,\
Profile.Contact.PhoneNumber,Profile.Address.FirstName,Profile.Address.LastName,\
Profile.Address.AddressLine1,Profile.Address.City,Profile.Address.Region,\
Profile.Address.PostalCode,Profile.Address.CountryCode,Company.OrganizationRegistrationNumber";

fn valid_row(name: &str, prefix: &str) -> String {
    format!(
        "{name},{prefix},2,2,7,Ada,Lovelace,ada@example.com,000-1,Ada,Lovelace,Street 1,London,\
         London,12345,GB,12345678"
    )
}

/// A temporary directory of this test's files.
fn workdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("crayon-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn import(server: &MockServer, args: &[&str]) -> Output {
    let command = [
        "tenants",
        "import",
        "--organization-id",
        "1",
        "--output",
        "json",
    ];
    against(server, None, &[&command[..], args].concat()).await
}

fn outcomes(output: &Output) -> Vec<(String, String)> {
    let results: Vec<Value> = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&output.stdout)));
    results
        .iter()
        .map(|result| {
            (
                result["DomainPrefix"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                result["Outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn passwords(credentials: &str) -> Vec<String> {
    credentials
        .lines()
        .skip(1)
        .map(|line| line.rsplit(',').next().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_with_valid_invalid_and_duplicate_rows_imports_each_valid_tenant_once() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let before = server.state().tenant_count();
    let dir = workdir("rows");
    let file = dir.join("tenants.csv");
    let credentials = dir.join("credentials.csv");
    std::fs::write(
        &file,
        [
            HEADER.to_owned(),
            valid_row("Alpha AB", "alphaimport"),
            valid_row("Beta AB", "betaimport"),
            "Broken AB,,9,two,7,,,,,,,,,,,,".to_owned(),
            valid_row("Alpha again", "alphaimport"),
            valid_row("Contoso", "contoso1"),
        ]
        .join("\n"),
    )
    .unwrap();
    let (file, credentials_path) = (file.to_str().unwrap(), credentials.to_str().unwrap());

    let dry = import(&server, &["--file", file, "--dry-run"]).await;
    assert_eq!(dry.status.code(), Some(6), "an invalid row");
    let results: Vec<Value> = serde_json::from_slice(&dry.stdout).unwrap();
    let problems = results[2]["Message"].as_str().unwrap();
    for expected in [
        "Tenant.DomainPrefix: required",
        "Profile: required",
        "Tenant.CustomerTenantType",
        "Tenant.Publisher.Id",
    ] {
        assert!(
            problems.contains(expected),
            "{expected} missing from {problems}"
        );
    }
    assert_eq!(
        server.state().tenant_count(),
        before,
        "a dry run sends nothing"
    );
    assert_eq!(server.requests(Operation::CreateCustomerTenant), 0);

    let refused = import(&server, &["--file", file]).await;
    assert_eq!(refused.status.code(), Some(2), "no --credentials-file");
    assert_eq!(server.requests(Operation::CreateCustomerTenant), 0);

    let first = import(
        &server,
        &["--file", file, "--credentials-file", credentials_path],
    )
    .await;
    assert_eq!(first.status.code(), Some(6), "one row is invalid");
    assert_eq!(
        outcomes(&first),
        [
            ("alphaimport", "created"),
            ("betaimport", "created"),
            ("", "invalid"),
            ("alphaimport", "exists"),
            ("contoso1", "exists"),
        ]
        .map(|(prefix, outcome)| (prefix.to_owned(), outcome.to_owned()))
    );
    let results: Vec<Value> = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(
        results[3]["Id"], results[0]["Id"],
        "the duplicate names the first row's tenant"
    );
    assert_eq!(server.state().tenant_count(), before + 2);
    let kept = std::fs::read_to_string(&credentials).unwrap();
    assert_eq!(kept.lines().count(), 1 + 2, "{kept}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&credentials)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let secrets = passwords(&kept);
    assert!(secrets.iter().all(|password| password.len() > 8), "{kept}");
    for output in [&first.stdout, &first.stderr] {
        let text = String::from_utf8_lossy(output);
        assert!(
            secrets
                .iter()
                .all(|password| !text.contains(password.as_str())),
            "{text}"
        );
    }

    // The same file again creates nothing and keeps the credentials file as it was.
    let again = import(
        &server,
        &["--file", file, "--credentials-file", credentials_path],
    )
    .await;
    assert!(
        outcomes(&again)
            .iter()
            .all(|(_, outcome)| outcome == "exists" || outcome == "invalid")
    );
    assert_eq!(server.state().tenant_count(), before + 2);
    assert_eq!(std::fs::read_to_string(&credentials).unwrap(), kept);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_cut_short_by_failures_and_run_again_creates_every_row_exactly_once() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let before = server.state().tenant_count();
    let dir = workdir("resume");
    let file = dir.join("tenants.ndjson");
    let prefixes: Vec<String> = (1..=6).map(|n| format!("resume{n}")).collect();
    let lines: Vec<String> = prefixes
        .iter()
        .map(|prefix| {
            let mut body: Value = serde_json::from_str(
                &std::fs::read_to_string(crate::fixture("create_customer_tenant.request.json"))
                    .unwrap(),
            )
            .unwrap();
            body["Tenant"]["DomainPrefix"] = prefix.as_str().into();
            body.to_string()
        })
        .collect();
    std::fs::write(&file, lines.join("\n")).unwrap();
    let credentials = dir.join("credentials.csv");
    // Two creates fail outright and one is done but its answer is lost.
    server.add_fault(
        FaultRule::new(
            Operation::CreateCustomerTenant,
            Fault::Status {
                status: 503,
                retry_after: None,
            },
        )
        .times(2),
    );
    server.add_fault(
        FaultRule::new(Operation::CreateCustomerTenant, Fault::DropAfterRunning).times(1),
    );
    let args = [
        "--file",
        file.to_str().unwrap(),
        "--credentials-file",
        credentials.to_str().unwrap(),
        "--concurrency",
        "1",
    ];
    let first = import(&server, &args).await;
    assert_eq!(first.status.code(), Some(6));
    let failed = outcomes(&first)
        .iter()
        .filter(|(_, outcome)| outcome == "failed")
        .count();
    assert_eq!(failed, 2, "{:?}", outcomes(&first));
    let second = import(&server, &args).await;
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(server.state().tenant_count(), before + prefixes.len());
    for prefix in &prefixes {
        let found = (1..=200)
            .filter_map(|id| server.state().tenant(id))
            .filter(|stored| {
                stored
                    .detailed
                    .tenant
                    .as_ref()
                    .and_then(|t| t.domain_prefix.as_deref())
                    == Some(prefix.as_str())
            })
            .count();
        assert_eq!(found, 1, "{prefix}");
    }
    assert_eq!(
        server.requests(Operation::CreateCustomerTenant),
        6 + 2,
        "each row created once, the two failed ones again: no create was repeated blindly"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_naming_ids_the_look_ups_do_not_have_are_invalid_and_never_sent() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let dir = workdir("references");
    let path = dir.join("tenants.csv");
    let wrong_profile =
        valid_row("Wrong Profile AB", "wrongprofile").replacen(",2,2,7,", ",2,2,8,", 1);
    let wrong_publisher =
        valid_row("Wrong Publisher AB", "wrongpublisher").replacen(",2,2,7,", ",2,5,7,", 1);
    std::fs::write(
        &path,
        format!(
            "{HEADER}\n{}\n{wrong_profile}\n{wrong_publisher}\n",
            valid_row("Right AB", "rightone")
        ),
    )
    .unwrap();
    let file = path.to_str().unwrap();
    let dry = import(&server, &["--file", file, "--dry-run"]).await;
    assert_eq!(dry.status.code(), Some(6));
    assert_eq!(
        outcomes(&dry),
        [
            ("rightone".to_owned(), "valid".to_owned()),
            ("wrongprofile".to_owned(), "invalid".to_owned()),
            ("wrongpublisher".to_owned(), "invalid".to_owned()),
        ]
    );
    let results: Vec<Value> = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(
        results[1]["Message"],
        "Tenant.InvoiceProfile.Id 8 is no invoice profile of organization 1 (Demo Reseller AB), which has 7 (My invoice profile), 10 (Projects)"
    );
    assert_eq!(
        results[2]["Message"],
        "Tenant.Publisher.Id 5 is no publisher; the publishers are 2 (Microsoft), 3 (Adobe)"
    );
    let credentials = dir.join("credentials.csv");
    let run = import(
        &server,
        &[
            "--file",
            file,
            "--credentials-file",
            credentials.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(run.status.code(), Some(6));
    assert_eq!(
        server.requests(Operation::CreateCustomerTenant),
        1,
        "only the valid row is sent"
    );
    assert_eq!(
        server.requests(Operation::ListInvoiceProfiles),
        2,
        "the look-ups once per run"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_says_what_each_create_sent_and_came_to_without_a_person_s_data() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    server.add_fault(
        FaultRule::new(
            Operation::CreateCustomerTenant,
            Fault::Status {
                status: 502,
                retry_after: None,
            },
        )
        .times(1),
    );
    let dir = workdir("journal");
    let file = dir.join("customers.csv");
    std::fs::write(
        &file,
        format!(
            "{HEADER}\n{}\n{}\n{}\n",
            valid_row("New One AB", "journal-one"),
            valid_row("New Two AB", "journal-two"),
            valid_row("Contoso AB", "contoso1")
        ),
    )
    .unwrap();
    let (journal, credentials) = (dir.join("journal.ndjson"), dir.join("admins.csv"));
    let output = import(
        &server,
        &[
            "--file",
            file.to_str().unwrap(),
            "--concurrency",
            "1",
            "--credentials-file",
            credentials.to_str().unwrap(),
            "--journal",
            journal.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(6), "the 502 row failed");
    let text = std::fs::read_to_string(&journal).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Two creates sent (contoso1 exists: nothing sent for it), each a sending and a done line.
    let events: Vec<(&str, u64, &str)> = lines
        .iter()
        .map(|line| {
            (
                line["Event"].as_str().unwrap(),
                line["Row"].as_u64().unwrap(),
                line["Outcome"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            ("sending", 1, ""),
            ("done", 1, "failed"),
            ("sending", 2, ""),
            ("done", 2, "created")
        ]
    );
    assert_eq!(lines[1]["Status"], 502);
    assert_eq!(lines[1]["Operation"], "createCustomerTenant");
    assert!(lines[3]["TenantId"].as_i64().is_some());
    let fields = lines[0]["Fields"].as_array().unwrap();
    let field = |name: &str| fields.iter().find(|f| f["Field"] == name).unwrap()["New"].clone();
    assert_eq!(field("Tenant.DomainPrefix"), "journal-one");
    assert_eq!(field("Profile.Contact.Email"), "<personal: redacted>");
    for secret_or_personal in [
        "ada@example.com",
        "Lovelace",
        "Street 1",
        "Password",
        "demo-password",
    ] {
        assert!(
            !text.contains(secret_or_personal),
            "{secret_or_personal} in the journal"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
