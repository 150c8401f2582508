use std::process::Output;

use crayon_tenants_mock::{MockConfig, MockServer, Operation};

use crate::{against, crayon_tenants, fixture};

/// The exit code, the one stderr line, and the stdout of a failed run.
fn failed(output: Output) -> (i32, String, String) {
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "one line on stderr: {stderr:?}");
    (
        output.status.code().unwrap(),
        stderr.trim_end().to_owned(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn an_api_error_exits_3_with_status_and_message_and_not_found_exits_7() {
    let (code, stderr, stdout) = failed(
        crayon_tenants()
            .args(["--mock", "tenants", "get", "999"])
            .output()
            .unwrap(),
    );
    assert_eq!(code, 7, "not found: give up");
    assert_eq!(
        stderr,
        "error: 404 Not Found: Customer tenant 999 was not found."
    );
    assert!(stdout.is_empty());
    let (code, stderr, _) = failed(
        crayon_tenants()
            .args(["--mock", "tenants", "list", "--organization-id", "3"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        (code, stderr.as_str()),
        (
            3,
            "error: 403 Forbidden: Access to organization 3 is denied."
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_after_the_retries_exits_8_and_a_listing_that_keeps_changing_exits_9() {
    use crayon_tenants_mock::{Fault, FaultRule, WorldChange};
    let server = MockServer::start(MockConfig::default().fault(FaultRule::new(
        Operation::GetCustomerTenant,
        Fault::Status {
            status: 429,
            retry_after: Some(60),
        },
    )))
    .await
    .unwrap();
    let (code, stderr, _) = failed(against(&server, None, &["tenants", "get", "1"]).await);
    assert_eq!(code, 8, "{stderr}");
    assert!(stderr.contains("429"), "{stderr}");

    // Every page answered deletes a tenant: no read of the export holds.
    let server = MockServer::start(MockConfig::default().seed_tenants(40).fault(FaultRule::new(
        Operation::ListCustomerTenants,
        Fault::Change(WorldChange::DeleteFirst),
    )))
    .await
    .unwrap();
    let (code, stderr, _) = failed(
        against(
            &server,
            None,
            &[
                "tenants",
                "list",
                "--organization-id",
                "1",
                "--all",
                "--page-size",
                "10",
            ],
        )
        .await,
    );
    assert_eq!(code, 9, "{stderr}");
    assert!(
        stderr.contains("the listing changed while it was read"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_is_complete_when_the_listing_changes_while_it_is_read() {
    use crayon_tenants_mock::{Fault, FaultRule, WorldChange};
    for change in [
        WorldChange::Replace,
        WorldChange::RenameLastFirst,
        WorldChange::DeleteFirst,
    ] {
        let server =
            MockServer::start(MockConfig::default().seed_tenants(30).fault(
                FaultRule::new(Operation::ListCustomerTenants, Fault::Change(change)).times(1),
            ))
            .await
            .unwrap();
        for format in ["csv", "ndjson", "json"] {
            let output = against(
                &server,
                None,
                &[
                    "tenants",
                    "list",
                    "--organization-id",
                    "1",
                    "--all",
                    "--page-size",
                    "10",
                    "--output",
                    format,
                ],
            )
            .await;
            assert!(output.status.success(), "{change:?} {format}");
            let mut exported: Vec<String> = domain_prefixes(format, &output.stdout);
            exported.sort();
            let mut now: Vec<String> = server
                .state()
                .tenants()
                .into_iter()
                .filter(|stored| stored.organization_id == 1)
                .filter_map(|stored| stored.detailed.tenant?.domain_prefix)
                .collect();
            now.sort();
            assert_eq!(
                exported, now,
                "{change:?} {format}: the organization as it is, each once"
            );
        }
    }
}

/// The `DomainPrefix` of every tenant of an export.
fn domain_prefixes(format: &str, stdout: &[u8]) -> Vec<String> {
    let prefix = |tenant: &serde_json::Value| tenant["DomainPrefix"].as_str().unwrap().to_owned();
    match format {
        "csv" => {
            let mut reader = csv::Reader::from_reader(stdout);
            let column = reader
                .headers()
                .unwrap()
                .iter()
                .position(|h| h == "DomainPrefix")
                .unwrap();
            reader
                .records()
                .map(|record| record.unwrap()[column].to_owned())
                .collect()
        }
        "ndjson" => std::str::from_utf8(stdout)
            .unwrap()
            .lines()
            .map(|line| prefix(&serde_json::from_str(line).unwrap()))
            .collect(),
        _ => serde_json::from_slice::<Vec<serde_json::Value>>(stdout)
            .unwrap()
            .iter()
            .map(prefix)
            .collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_create_lists_the_error_code_and_exits_3() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let file = fixture("create_customer_tenant.request.json");
    assert!(
        against(&server, None, &["tenants", "create", "--file", &file])
            .await
            .status
            .success()
    );
    let (code, stderr, stdout) =
        failed(against(&server, None, &["tenants", "create", "--file", &file]).await);
    assert_eq!(code, 3);
    assert_eq!(
        stderr,
        "error: 400 Bad Request: DomainPrefixTaken: The domain prefix is already in use"
    );
    assert!(stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_exit_4() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let (code, stderr, _) = failed(against(&server, Some("wrong"), &["tenants", "get", "1"]).await);
    assert_eq!(code, 4);
    assert!(
        stderr.starts_with(
            "error: authentication failed: the token operation refused the credentials: \
             400 Bad Request: invalid_grant"
        ),
        "{stderr}"
    );
    assert!(
        !stderr.contains("wrong") && !stderr.contains("demo-secret"),
        "no secret on stderr: {stderr}"
    );
    assert_eq!(server.requests(Operation::GetCustomerTenant), 0);
}

#[test]
fn an_unreachable_api_exits_5() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let output = crayon_tenants()
        .env("CRAYON_TOKEN", "t")
        .args([
            "--base-url",
            &format!("http://{address}"),
            "tenants",
            "get",
            "1",
        ])
        .output()
        .unwrap();
    let (code, stderr, _) = failed(output);
    assert_eq!(code, 5);
    assert!(stderr.starts_with("error: connection failed: "), "{stderr}");
    assert!(
        stderr.contains("Connection refused"),
        "the root cause: {stderr}"
    );
    // With the password grant the first request is the token's: the same failure, the same code.
    let output = crayon_tenants()
        .env("CRAYON_CLIENT_ID", "c")
        .env("CRAYON_CLIENT_SECRET", "s")
        .env("CRAYON_USERNAME", "u")
        .env("CRAYON_PASSWORD", "p")
        .args([
            "--base-url",
            &format!("http://{address}"),
            "tenants",
            "get",
            "1",
        ])
        .output()
        .unwrap();
    let (code, stderr, _) = failed(output);
    assert_eq!(code, 5, "{stderr}");
    assert!(
        stderr.starts_with("error: connection failed while requesting a token: "),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_endpoint_answering_502_exits_3() {
    let server = crayon_tenants_mock::MockServer::start(
        crayon_tenants_mock::MockConfig::default().fault(crayon_tenants_mock::FaultRule::new(
            crayon_tenants_mock::Operation::GetUserToken,
            crayon_tenants_mock::Fault::Status {
                status: 502,
                retry_after: None,
            },
        )),
    )
    .await
    .unwrap();
    let (code, stderr, _) = failed(crate::against(&server, None, &["tenants", "get", "1"]).await);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("502 Bad Gateway"), "{stderr}");
    assert!(stderr.contains("while requesting a token"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    let (code, stderr, _) = failed(
        crayon_tenants()
            .args(["tenants", "get", "1"])
            .output()
            .unwrap(),
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("no credentials"), "{stderr}");
    let output = crayon_tenants()
        .args(["--mock", "tenants", "list"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "clap: --organization-id is required"
    );
    let output = crayon_tenants()
        .args([
            "--mock",
            "tenants",
            "list",
            "--organization-id",
            "1",
            "--type",
            "t3",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let (code, stderr, _) = failed(
        crayon_tenants()
            .env("CRAYON_TOKEN", "x")
            .args(["token"])
            .output()
            .unwrap(),
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("needs the password-grant credentials"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_body_file_is_refused_before_any_request_naming_the_field() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let directory = std::env::temp_dir().join(format!("crayon-tenants-cli-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let mut body: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("create_customer_tenant.request.json")).unwrap(),
    )
    .unwrap();
    body["Profile"]["Address"]
        .as_object_mut()
        .unwrap()
        .remove("City");
    let missing = directory.join("missing.json");
    std::fs::write(&missing, body.to_string()).unwrap();
    let not_json = directory.join("broken.json");
    std::fs::write(&not_json, "{\"Tenant\": ").unwrap();
    let no_external_id = directory.join("existing.json");
    std::fs::write(
        &no_external_id,
        r#"{"Tenant": {"Organization": {"Id": 1}}}"#,
    )
    .unwrap();

    for (args, expected) in [
        (
            vec!["tenants", "create", "--file", missing.to_str().unwrap()],
            "Profile.Address.City is required",
        ),
        (
            vec!["tenants", "create", "--file", not_json.to_str().unwrap()],
            "is not valid JSON",
        ),
        (
            vec![
                "tenants",
                "update",
                "1",
                "--file",
                not_json.to_str().unwrap(),
            ],
            "is not valid JSON",
        ),
        (
            vec![
                "tenants",
                "add-existing",
                "--file",
                no_external_id.to_str().unwrap(),
            ],
            "Tenant.ExternalPublisherCustomerId is required",
        ),
        (
            vec!["tenants", "create", "--file", "/no/such/body.json"],
            "cannot read /no/such/body.json",
        ),
    ] {
        let (code, stderr, _) = failed(against(&server, None, &args).await);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    for operation in [
        Operation::CreateCustomerTenant,
        Operation::UpdateCustomerTenant,
        Operation::CreateExistingCustomerTenant,
    ] {
        assert_eq!(
            server.requests(operation),
            0,
            "{operation}: nothing was sent"
        );
    }
    std::fs::remove_dir_all(directory).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_come_from_stdin_or_the_environment_never_from_a_flag() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let demo = server.credentials().clone();
    let mut command = crayon_tenants();
    command
        .env("CRAYON_BASE_URL", server.base_url())
        .env("CRAYON_CLIENT_ID", &demo.client_id)
        .env("CRAYON_USERNAME", &demo.username)
        .args([
            "--client-secret-stdin",
            "--password-stdin",
            "tenants",
            "get",
            "2",
        ])
        .write_stdin(format!("{}\n{}\n", demo.client_secret, demo.password));
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tenant: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(tenant["Id"], 2);
    for flag in ["--client-secret", "--password", "--token"] {
        let output = crayon_tenants()
            .args([flag, "value", "tenants", "get", "1"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{flag} must not exist");
        assert!(String::from_utf8_lossy(&output.stderr).contains("unexpected argument"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_shows_each_calls_span_and_no_secret() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    // -v: one line per call.
    let output = against(&server, None, &["-v", "tenants", "get", "3"]).await;
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for expected in [
        "call finished",
        "operation=\"getCustomerTenant\"",
        "status=200",
        "attempts=1",
    ] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
    // -vv: the spans too.
    let output = against(&server, None, &["-vv", "tenants", "get", "3"]).await;
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("crayon_tenants.call")
            && stderr.contains("operation=\"getCustomerTenant\"")
            && stderr.contains("http.response.status_code=200")
            && stderr.contains("crayon_tenants.token"),
        "{stderr}"
    );
    // Each attempt is a line of its own, with its URL and status.
    let attempts: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("crayon_tenants.attempt") && line.contains("close"))
        .collect();
    assert_eq!(attempts.len(), 1, "{stderr}");
    assert!(
        attempts[0].contains("url.full=") && attempts[0].contains("/customertenants/3/"),
        "{stderr}"
    );
    let demo = server.credentials();
    assert!(
        !stderr.contains(&demo.client_secret) && !stderr.contains(&demo.password),
        "{stderr}"
    );
    let quiet = against(&server, None, &["tenants", "get", "3"]).await;
    assert!(quiet.stderr.is_empty(), "nothing on stderr without -v");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_file_with_a_property_the_contract_does_not_know_is_refused_before_sending() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let path = std::env::temp_dir().join(format!("crayon-typo-{}.json", std::process::id()));
    std::fs::write(&path, r#"{"Tenant":{"Referense":"x"}}"#).unwrap();
    let (code, stderr, _) = failed(
        against(
            &server,
            None,
            &["tenants", "update", "5", "--file", path.to_str().unwrap()],
        )
        .await,
    );
    assert_eq!(code, 2);
    assert!(
        stderr.ends_with("Tenant.Referense is no property; did you mean Tenant.Reference?"),
        "{stderr}"
    );
    assert_eq!(
        server.requests(Operation::UpdateCustomerTenant),
        0,
        "nothing was sent"
    );
    let _ = std::fs::remove_file(path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_body_files_crayons_sdk_writes_are_taken_as_they_are() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    for (command, file) in [
        (
            &["tenants", "create"][..],
            "sdk/createCustomerTenant.defaults.json",
        ),
        (
            &["tenants", "add-existing"][..],
            "sdk/createExistingCustomerTenant.defaults.json",
        ),
        (
            &["tenants", "update", "1"][..],
            "sdk/updateCustomerTenant.partial.json",
        ),
        (
            &["tenants", "agreements", "create", "1"][..],
            "sdk/createCustomerTenantAgreement.defaults.json",
        ),
    ] {
        let path = crate::fixture(file);
        let args = [command, &["--file", path.as_str()][..]].concat();
        let output = against(&server, None, &args).await;
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
