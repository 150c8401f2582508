//! `tenants apply` against a mock server: an export fed back plans nothing; an edited export
//! updates exactly what changed and then plans nothing; read-only changes are invalid and send
//! nothing; new rows are created once; the dry run sends nothing.

use std::process::Output;

use crayon_tenants_mock::{MockConfig, MockServer, Operation};
use serde_json::{Value, json};

use crate::against;

/// A temporary directory of this test's files.
fn workdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("crayon-apply-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The organization's tenants as `tenants list --output csv --all` writes them.
async fn export(server: &MockServer) -> (Vec<String>, Vec<Vec<String>>) {
    let output = against(
        server,
        None,
        &[
            "--output",
            "csv",
            "tenants",
            "list",
            "--organization-id",
            "1",
            "--all",
        ],
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut csv = csv::Reader::from_reader(&output.stdout[..]);
    let header = csv.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = csv
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn write_csv(path: &std::path::Path, header: &[String], rows: &[Vec<String>]) {
    let mut csv = csv::Writer::from_path(path).unwrap();
    csv.write_record(header).unwrap();
    for row in rows {
        csv.write_record(row).unwrap();
    }
    csv.flush().unwrap();
}

fn set(header: &[String], row: &mut [String], column: &str, value: &str) {
    let index = header.iter().position(|name| name == column).unwrap();
    row[index] = value.to_owned();
}

async fn apply(server: &MockServer, file: &std::path::Path, args: &[&str]) -> (Output, Vec<Value>) {
    let file = file.to_str().unwrap();
    let command = [
        "--output",
        "json",
        "tenants",
        "apply",
        "--organization-id",
        "1",
        "--file",
        file,
    ];
    let output = against(server, None, &[&command[..], args].concat()).await;
    let results: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "{error}: {} {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output, results)
}

fn outcomes(results: &[Value]) -> Vec<&str> {
    results
        .iter()
        .map(|result| result["Outcome"].as_str().unwrap())
        .collect()
}

/// Every stored tenant of organization 1 as JSON, by id.
fn stored(server: &MockServer) -> Vec<(i32, Value)> {
    let mut tenants: Vec<(i32, Value)> = server
        .state()
        .tenants()
        .into_iter()
        .filter(|stored| stored.organization_id == 1)
        .map(|stored| {
            let tenant = stored.detailed.tenant.unwrap();
            (tenant.id.unwrap(), serde_json::to_value(tenant).unwrap())
        })
        .collect();
    tenants.sort_by_key(|(id, _)| *id);
    tenants
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_fed_back_as_it_stands_plans_nothing_and_sends_nothing() {
    let server = MockServer::start(MockConfig::default().seed_tenants(12))
        .await
        .unwrap();
    let (header, rows) = export(&server).await;
    let dir = workdir("unchanged");
    let file = dir.join("tenants.csv");
    write_csv(&file, &header, &rows);
    let before = stored(&server);
    for args in [&["--dry-run"][..], &[][..]] {
        let (output, results) = apply(&server, &file, args).await;
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(outcomes(&results), vec!["unchanged"; 12]);
    }
    assert_eq!(server.requests(Operation::UpdateCustomerTenant), 0);
    assert_eq!(server.requests(Operation::CreateCustomerTenant), 0);
    assert_eq!(stored(&server), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_export_changes_exactly_the_edited_fields_and_then_plans_nothing() {
    let server = MockServer::start(MockConfig::default().seed_tenants(6))
        .await
        .unwrap();
    let (header, mut rows) = export(&server).await;
    set(&header, &mut rows[0], "Reference", "PO-2027");
    set(&header, &mut rows[1], "InvoiceProfile.Id", "10");
    set(&header, &mut rows[1], "InvoiceProfile.Name", "");
    set(&header, &mut rows[1], "ResellerMarkup", "12.5");
    set(&header, &mut rows[2], "Name", ""); // an empty cell changes nothing
    let dir = workdir("edited");
    let file = dir.join("tenants.csv");
    write_csv(&file, &header, &rows);
    let before = stored(&server);

    let (output, plan) = apply(&server, &file, &["--dry-run"]).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        outcomes(&plan),
        [
            "update",
            "update",
            "unchanged",
            "unchanged",
            "unchanged",
            "unchanged"
        ]
    );
    assert_eq!(
        plan[0]["Changes"],
        "Reference: \"REF-1-0000\" -> \"PO-2027\""
    );
    assert_eq!(
        plan[1]["Changes"],
        "InvoiceProfile.Id: 7 -> 10; ResellerMarkup: null -> 12.5"
    );
    assert_eq!(
        server.requests(Operation::UpdateCustomerTenant),
        0,
        "a dry run sends nothing"
    );
    assert_eq!(stored(&server), before);

    let (output, results) = apply(&server, &file, &[]).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        outcomes(&results),
        [
            "updated",
            "updated",
            "unchanged",
            "unchanged",
            "unchanged",
            "unchanged"
        ]
    );
    assert_eq!(server.requests(Operation::UpdateCustomerTenant), 2);
    // Exactly the edited fields changed; every other field of every tenant is as it was.
    let after = stored(&server);
    let mut expected = before.clone();
    expected[0].1["Reference"] = json!("PO-2027");
    expected[1].1["InvoiceProfile"] = after[1].1["InvoiceProfile"].clone();
    expected[1].1["ResellerMarkup"] = json!(12.5);
    assert_eq!(after[1].1["InvoiceProfile"]["Id"], 10);
    assert_eq!(after, expected);

    let (output, again) = apply(&server, &file, &["--dry-run"]).await;
    assert!(output.status.success());
    assert_eq!(outcomes(&again), vec!["unchanged"; 6], "{again:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_to_a_read_only_column_is_invalid_and_nothing_of_its_row_is_sent() {
    let server = MockServer::start(MockConfig::default().seed_tenants(4))
        .await
        .unwrap();
    let (header, mut rows) = export(&server).await;
    set(&header, &mut rows[0], "Publisher.Name", "Adobe");
    set(&header, &mut rows[0], "Reference", "changed too");
    set(&header, &mut rows[1], "EntityStatus", "1");
    set(&header, &mut rows[2], "InvoiceProfile.Id", "10"); // its name cell names profile 7
    rows.push(rows[3].clone()); // the same tenant twice
    let dir = workdir("read-only");
    let file = dir.join("tenants.csv");
    write_csv(&file, &header, &rows);
    let before = stored(&server);
    let (output, results) = apply(&server, &file, &[]).await;
    assert_eq!(
        output.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        outcomes(&results),
        ["invalid", "invalid", "invalid", "unchanged", "invalid"]
    );
    let message = |row: usize| results[row]["Message"].as_str().unwrap().to_owned();
    assert!(
        message(0).contains("Publisher.Name: \"Microsoft\" -> \"Adobe\" (read-only"),
        "{}",
        message(0)
    );
    assert!(
        message(1).contains("EntityStatus: 0 -> 1"),
        "{}",
        message(1)
    );
    assert!(
        message(2).contains("InvoiceProfile.Name: empty this cell when changing InvoiceProfile.Id"),
        "{}",
        message(2)
    );
    assert!(
        message(4).contains("same tenant as row 4"),
        "{}",
        message(4)
    );
    assert_eq!(server.requests(Operation::UpdateCustomerTenant), 0);
    assert_eq!(stored(&server), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_tenants_are_created_once_and_their_passwords_go_to_the_file_only() {
    let server = MockServer::start(MockConfig::default().seed_tenants(2))
        .await
        .unwrap();
    let dir = workdir("create");
    let file = dir.join("tenants.ndjson");
    let new = |prefix: &str| {
        json!({
            "Name": format!("{prefix} AB"), "DomainPrefix": prefix, "CustomerTenantType": 2,
            "Publisher": {"Id": 2}, "InvoiceProfile": {"Id": 7}, "Reference": "R-1",
            "Profile": {
                "Contact": {"FirstName": "Ada", "LastName": "L", "Email": "a@b.c", "PhoneNumber": "1"},
                "Address": {"FirstName": "Ada", "LastName": "L", "AddressLine1": "S 1", "City": "C",
                            "Region": "R", "PostalCode": "1", "CountryCode": "GB"}
            },
            "Company": {"OrganizationRegistrationNumber": "123"}
        })
        .to_string()
    };
    std::fs::write(
        &file,
        format!("{}\n{}\n", new("apply-one"), new("apply-two")),
    )
    .unwrap();

    // Without a file for the administrators' passwords, a plan that creates sends nothing.
    let file_arg = file.to_str().unwrap();
    let refused = against(
        &server,
        None,
        &[
            "tenants",
            "apply",
            "--organization-id",
            "1",
            "--file",
            file_arg,
        ],
    )
    .await;
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(server.requests(Operation::CreateCustomerTenant), 0);

    let credentials = dir.join("credentials.csv");
    let credentials_arg = credentials.to_str().unwrap();
    let (output, results) = apply(&server, &file, &["--credentials-file", credentials_arg]).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(outcomes(&results), ["created", "created"]);
    let saved = std::fs::read_to_string(&credentials).unwrap();
    assert_eq!(saved.lines().count(), 3, "{saved}");
    for line in saved.lines().skip(1) {
        let password = line.rsplit(',').next().unwrap();
        assert!(!password.is_empty());
        assert!(!String::from_utf8_lossy(&output.stdout).contains(password));
        assert!(!String::from_utf8_lossy(&output.stderr).contains(password));
    }
    let (output, again) = apply(&server, &file, &["--credentials-file", credentials_arg]).await;
    assert!(output.status.success());
    assert_eq!(outcomes(&again), ["unchanged", "unchanged"], "{again:#?}");
    assert_eq!(server.requests(Operation::CreateCustomerTenant), 2);
    assert_eq!(server.state().tenant_count_in(1), 2 + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_output_format_has_one_result_per_row_and_a_failed_update_is_reported() {
    use crayon_tenants_mock::{Fault, FaultRule};
    let server = MockServer::start(MockConfig::default().seed_tenants(3))
        .await
        .unwrap();
    let dir = workdir("formats");
    let file = dir.join("tenants.ndjson");
    std::fs::write(
        &file,
        "{\"Id\": 1, \"Reference\": \"A\"}\n{\"DomainPrefix\": \"FABRIKAM1\", \"Reference\": \"B\"}\n{\"Id\": 3}\n",
    )
    .unwrap();
    let file_arg = file.to_str().unwrap();
    let base = [
        "tenants",
        "apply",
        "--organization-id",
        "1",
        "--dry-run",
        "--file",
        file_arg,
    ];
    let csv = against(&server, None, &[&["--output", "csv"][..], &base].concat()).await;
    assert!(csv.status.success());
    // A file that is no export: the plan says what it cannot see.
    const NOTE: &str = "no Exported column: changes since the export cannot be seen";
    assert_eq!(
        String::from_utf8(csv.stdout).unwrap(),
        format!(
            "Row,DomainPrefix,Outcome,Id,Changes,Message\n\
         1,,update,1,\"Reference: \"\"REF-1-0000\"\" -> \"\"A\"\"\",{NOTE}\n\
         2,FABRIKAM1,update,2,\"Reference: \"\"REF-1-0001\"\" -> \"\"B\"\"\",{NOTE}\n\
         3,,unchanged,3,,{NOTE}\n"
        )
    );
    let ndjson = against(
        &server,
        None,
        &[&["--output", "ndjson"][..], &base].concat(),
    )
    .await;
    assert_eq!(String::from_utf8(ndjson.stdout).unwrap().lines().count(), 3);
    let table = against(&server, None, &[&["--output", "table"][..], &base].concat()).await;
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.starts_with("ROW  DOMAIN PREFIX  OUTCOME    ID  CHANGES"),
        "{table}"
    );
    assert_eq!(table.lines().count(), 4);
    assert_eq!(server.requests(Operation::UpdateCustomerTenant), 0);

    // The second update fails (a 502 is not retried): reported, the others carried out.
    server.add_fault(
        FaultRule::new(
            Operation::UpdateCustomerTenant,
            Fault::Status {
                status: 502,
                retry_after: None,
            },
        )
        .times(1),
    );
    let (output, results) = apply(&server, &file, &["--concurrency", "1"]).await;
    assert_eq!(output.status.code(), Some(6));
    assert_eq!(outcomes(&results), ["failed", "updated", "unchanged"]);
    assert!(
        results[0]["Message"].as_str().unwrap().contains("502"),
        "{results:?}"
    );
    let (_, again) = apply(&server, &file, &["--dry-run"]).await;
    assert_eq!(
        outcomes(&again),
        ["update", "unchanged", "unchanged"],
        "only the failed row is left"
    );
}

/// Another administrator changes a tenant's reference through the API.
async fn someone_else_sets_reference(server: &MockServer, id: i32, reference: &str) {
    use crayon_tenants::types::{CustomerTenantDetailedInput, CustomerTenantInput};
    let body = CustomerTenantDetailedInput {
        tenant: Some(CustomerTenantInput {
            reference: Some(reference.to_owned()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let client = server.client().unwrap();
    client
        .update_customer_tenant()
        .id(id)
        .body(body)
        .await
        .unwrap();
}

fn reference_of(server: &MockServer, id: i32) -> Option<String> {
    server
        .state()
        .tenant(id)
        .unwrap()
        .detailed
        .tenant
        .unwrap()
        .reference
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_changed_since_the_export_is_a_conflict_and_nothing_of_its_row_is_sent() {
    let server = MockServer::start(MockConfig::default().seed_tenants(3))
        .await
        .unwrap();
    let (header, mut rows) = export(&server).await;
    // The file changes tenant 1's name and nothing of tenant 2; tenant 3 is the file's only.
    set(&header, &mut rows[0], "Name", "Renamed by the file");
    set(&header, &mut rows[2], "Reference", "REF-FROM-FILE");
    let dir = workdir("conflict");
    let file = dir.join("tenants.csv");
    write_csv(&file, &header, &rows);
    // Meanwhile another administrator changes the references of tenants 1 and 2.
    someone_else_sets_reference(&server, 1, "PO-2028").await;
    someone_else_sets_reference(&server, 2, "PO-2029").await;
    server.reset_requests();

    let (output, plan) = apply(&server, &file, &["--dry-run"]).await;
    assert_eq!(
        output.status.code(),
        Some(6),
        "a conflict is a row not carried out"
    );
    assert_eq!(outcomes(&plan), ["conflict", "conflict", "update"]);
    let message = plan[1]["Message"].as_str().unwrap();
    assert!(
        message.contains(r#"Reference: exported "REF-1-0001", now "PO-2029", file "REF-1-0001""#),
        "field, exported, now, the file's: {message}"
    );
    let (output, results) = apply(&server, &file, &[]).await;
    assert_eq!(output.status.code(), Some(6));
    assert_eq!(outcomes(&results), ["conflict", "conflict", "updated"]);
    assert_eq!(server.requests(Operation::UpdateCustomerTenant), 1);
    assert_eq!(
        reference_of(&server, 2).as_deref(),
        Some("PO-2029"),
        "their change kept"
    );
    assert_eq!(reference_of(&server, 3).as_deref(), Some("REF-FROM-FILE"));

    // Applying the same file again: tenant 3 is as the file says (this run's change is no
    // conflict); the others are still conflicts until the user says to overwrite.
    let (_, again) = apply(&server, &file, &["--dry-run"]).await;
    assert_eq!(outcomes(&again), ["conflict", "conflict", "unchanged"]);
    let (output, overwritten) = apply(&server, &file, &["--overwrite-changed"]).await;
    assert!(output.status.success());
    assert_eq!(outcomes(&overwritten), ["updated", "updated", "unchanged"]);
    assert_eq!(reference_of(&server, 2).as_deref(), Some("REF-1-0001"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_is_carried_out_exactly_and_refused_when_it_cannot_be() {
    let server = MockServer::start(MockConfig::default().seed_tenants(4))
        .await
        .unwrap();
    let (header, mut rows) = export(&server).await;
    set(&header, &mut rows[0], "Reference", "PLANNED-1");
    set(&header, &mut rows[1], "Reference", "PLANNED-2");
    let dir = workdir("plan");
    let file = dir.join("tenants.csv");
    let plan = dir.join("plan.json");
    let journal = dir.join("journal.ndjson");
    write_csv(&file, &header, &rows);
    let (output, _) = apply(
        &server,
        &file,
        &["--dry-run", "--plan-out", plan.to_str().unwrap()],
    )
    .await;
    assert!(output.status.success());
    // After the plan, someone else changes tenant 2, and the file is edited again.
    someone_else_sets_reference(&server, 2, "PO-2029").await;
    set(&header, &mut rows[2], "Reference", "NOT IN THE PLAN");
    write_csv(&file, &header, &rows);
    server.reset_requests();

    let plan_arg = plan.to_str().unwrap();
    let run = |extra: &'static [&'static str], organization: &'static str| {
        let (server, plan_arg, journal) = (&server, plan_arg, journal.to_str().unwrap());
        async move {
            let args = [
                &[
                    "--output",
                    "json",
                    "tenants",
                    "apply",
                    "--organization-id",
                    organization,
                    "--plan",
                    plan_arg,
                    "--journal",
                    journal,
                ][..],
                extra,
            ]
            .concat();
            against(server, None, &args).await
        }
    };
    let output = run(&[], "1").await;
    assert_eq!(output.status.code(), Some(6));
    let results: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        outcomes(&results),
        ["updated", "conflict", "unchanged", "unchanged"]
    );
    assert!(
        results[1]["Message"]
            .as_str()
            .unwrap()
            .contains("changed since the plan was made")
    );
    assert_eq!(
        server.requests(Operation::UpdateCustomerTenant),
        1,
        "the plan, not the file"
    );
    assert_eq!(reference_of(&server, 1).as_deref(), Some("PLANNED-1"));
    assert_eq!(reference_of(&server, 2).as_deref(), Some("PO-2029"));
    assert_eq!(reference_of(&server, 3).as_deref(), Some("REF-1-0002"));

    // The journal: a line when the update was sent and one with its outcome.
    let lines: Vec<Value> = std::fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["Event"], "sending");
    assert_eq!(lines[1]["Event"], "done");
    assert_eq!(lines[1]["Outcome"], "updated");
    assert_eq!(lines[1]["TenantId"], 1);
    assert_eq!(lines[1]["Operation"], "updateCustomerTenant");
    assert_eq!(
        lines[1]["Fields"],
        json!([{"Field": "Reference", "Old": "REF-1-0000", "New": "PLANNED-1"}])
    );
    assert!(lines[1]["Time"].as_str().unwrap().ends_with('Z'));

    // Refused whole, nothing sent: another organization; a plan edited into nonsense; a plan
    // older than its export.
    server.reset_requests();
    let other = run(&[], "2").await;
    assert_eq!(other.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&other.stderr).contains("plan for organization 1, not 2"));
    let text = std::fs::read_to_string(&plan).unwrap();
    std::fs::write(&plan, text.replace("\"PLANNED-1\"", "12")).unwrap();
    let edited = run(&[], "1").await;
    assert_eq!(
        edited.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&edited.stderr)
    );
    let mut older: Value = serde_json::from_str(&text).unwrap();
    older["MadeAt"] = json!("2001-01-01T00:00:00Z");
    std::fs::write(&plan, older.to_string()).unwrap();
    let stale = run(&[], "1").await;
    assert_eq!(stale.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&stale.stderr).contains("export newer than the plan"));
    assert_eq!(server.requests(Operation::UpdateCustomerTenant), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_walk_through_runs_against_a_mock_that_keeps_its_world() {
    use crate::crayon_tenants;
    let dir = workdir("walk-through");
    let state = dir.join("world.json");
    let state_arg = state.to_str().unwrap();
    let cli = |args: &[&str]| {
        let output = crayon_tenants()
            .args(["--mock-state", state_arg, "--mock-seed-tenants", "300"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    // Export, edit 200 rows, plan, apply, apply again.
    let export = cli(&[
        "--output",
        "csv",
        "tenants",
        "list",
        "--organization-id",
        "1",
        "--all",
    ]);
    let mut reader = csv::Reader::from_reader(&export[..]);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows.len(), 300);
    for (index, row) in rows.iter_mut().take(200).enumerate() {
        set(&header, row, "Reference", &format!("PO-{index}"));
    }
    let file = dir.join("tenants.csv");
    write_csv(&file, &header, &rows);
    let plan = dir.join("plan.json");
    let file_arg = file.to_str().unwrap();
    let apply = [
        "--output",
        "json",
        "tenants",
        "apply",
        "--organization-id",
        "1",
    ];
    let planned: Vec<Value> = serde_json::from_slice(&cli(&[
        &apply[..],
        &[
            "--file",
            file_arg,
            "--dry-run",
            "--plan-out",
            plan.to_str().unwrap(),
        ],
    ]
    .concat()))
    .unwrap();
    assert_eq!(
        outcomes(&planned)
            .iter()
            .filter(|o| **o == "update")
            .count(),
        200
    );
    let done: Vec<Value> =
        serde_json::from_slice(&cli(
            &[&apply[..], &["--plan", plan.to_str().unwrap()]].concat()
        ))
        .unwrap();
    assert_eq!(
        outcomes(&done).iter().filter(|o| **o == "updated").count(),
        200
    );
    let again: Vec<Value> =
        serde_json::from_slice(&cli(&[&apply[..], &["--file", file_arg]].concat())).unwrap();
    assert_eq!(
        outcomes(&again),
        vec!["unchanged"; 300],
        "the second apply sends nothing"
    );
    let saved = std::fs::read_to_string(&state).unwrap();
    assert!(
        saved.contains("PO-199") && !saved.contains("\"Password\":\""),
        "no password kept"
    );

    // A file that is not a state file is refused and left as it is.
    std::fs::write(&state, "not a world").unwrap();
    let output = crayon_tenants()
        .args(["--mock-state", state_arg, "tenants", "get", "1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a usable mock state file"));
    assert_eq!(std::fs::read_to_string(&state).unwrap(), "not a world");
    let _ = std::fs::remove_dir_all(&dir);
}
