use serde_json::Value;

use crate::{crayon_tenants, fixture, on_mock};

/// The output with each `Exported` stamp (`v1.<time>.<fields>`) replaced by `v1.<stamp>`, after
/// checking that it reads back as the stamp of the tenant on its line: the time differs from
/// run to run.
fn stamps_masked(text: &str) -> String {
    text.lines()
        .map(|line| {
            let Some(start) = line.find("v1.") else {
                return format!("{line}\n");
            };
            let end = line[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || "._-".contains(c)))
                .map_or(line.len(), |end| start + end);
            let fields: Value = {
                use base64::Engine as _;
                let data = line[start..end].rsplit('.').next().unwrap();
                let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(data)
                    .unwrap();
                serde_json::from_slice(&json).unwrap()
            };
            if line.starts_with('{') {
                let tenant: Value = serde_json::from_str(line).unwrap();
                assert_eq!(fields["Id"], tenant["Id"], "the stamp is of its own tenant");
                assert_eq!(fields["Reference"], tenant["Reference"]);
            }
            format!("{}v1.<stamp>{}\n", &line[..start], &line[end..])
        })
        .collect()
}

#[test]
fn list_one_page_in_each_format() {
    let args = [
        "tenants",
        "list",
        "--organization-id",
        "1",
        "--page-size",
        "3",
        "--page",
        "2",
    ];
    insta::assert_snapshot!(
        "list_page_json",
        on_mock(&[&args[..], &["--output", "json"]].concat())
    );
    insta::assert_snapshot!(
        "list_page_table",
        on_mock(&[&args[..], &["--output", "table"]].concat())
    );
    insta::assert_snapshot!(
        "list_page_ndjson",
        stamps_masked(&on_mock(&[&args[..], &["--output", "ndjson"]].concat()))
    );
}

#[test]
fn list_all_pages_in_each_format() {
    let args = [
        "tenants",
        "list",
        "--organization-id",
        "1",
        "--all",
        "--page-size",
        "2",
        "--type",
        "t1",
    ];
    let json = on_mock(&[&args[..], &["--output", "json"]].concat());
    let tenants: Vec<Value> = serde_json::from_str(&json).expect("one JSON array");
    assert_eq!(
        tenants.len(),
        5,
        "the five T1 tenants of the demo data, over three pages"
    );
    insta::assert_snapshot!("list_all_json", json);
    insta::assert_snapshot!(
        "list_all_table",
        on_mock(&[&args[..], &["--output", "table"]].concat())
    );
    let ndjson = on_mock(&[&args[..], &["--output", "ndjson"]].concat());
    assert_eq!(ndjson.lines().count(), 5);
    insta::assert_snapshot!("list_all_ndjson", stamps_masked(&ndjson));
}

#[test]
fn list_filters_reach_the_api() {
    let out = on_mock(&[
        "tenants",
        "list",
        "--organization-id",
        "1",
        "--search",
        "WIDE",
        "--publisher-id",
        "2",
        "--output",
        "table",
    ]);
    insta::assert_snapshot!("list_filtered_table", out);
    let out = on_mock(&[
        "tenants",
        "list",
        "--organization-id",
        "1",
        "--domain-prefix",
        "litware1",
    ]);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["TotalHits"], 1);
}

#[test]
fn get_in_each_format() {
    insta::assert_snapshot!("get_json", on_mock(&["tenants", "get", "7"]));
    insta::assert_snapshot!(
        "get_table",
        on_mock(&["tenants", "get", "7", "--output", "table"])
    );
    insta::assert_snapshot!(
        "get_detailed_json",
        on_mock(&["tenants", "get", "7", "--detailed"])
    );
    insta::assert_snapshot!(
        "get_detailed_table",
        on_mock(&["tenants", "get", "7", "--detailed", "--output", "table"])
    );
}

#[test]
fn create_from_a_file_and_from_stdin() {
    let file = fixture("create_customer_tenant.request.json");
    insta::assert_snapshot!(
        "create_json",
        on_mock(&["tenants", "create", "--file", &file])
    );
    insta::assert_snapshot!(
        "create_table",
        on_mock(&["tenants", "create", "--file", &file, "--output", "table"])
    );
    let output = crayon_tenants()
        .args([
            "--mock", "tenants", "create", "--file", "-", "--output", "ndjson",
        ])
        .write_stdin(std::fs::read(&file).unwrap())
        .output()
        .unwrap();
    assert!(output.status.success());
    let created: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(created["Tenant"]["DomainPrefix"], "mycustomerprefix");
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().lines().count(),
        1,
        "NDJSON is one line"
    );
}

#[test]
fn add_existing_and_update_and_delete() {
    let existing = fixture("create_existing_customer_tenant.request.json");
    insta::assert_snapshot!(
        "add_existing_json",
        on_mock(&[
            "tenants",
            "add-existing",
            "--file",
            &existing,
            "--sync-from-publisher"
        ])
    );
    let update = fixture("update_customer_tenant.request.csharp_sample.json");
    insta::assert_snapshot!(
        "update_json",
        on_mock(&["tenants", "update", "1", "--file", &update])
    );
    insta::assert_snapshot!("delete_json", on_mock(&["tenants", "delete", "4"]));
    insta::assert_snapshot!(
        "delete_table",
        on_mock(&["tenants", "delete", "4", "--output", "table"])
    );
}

#[test]
fn token_shows_type_and_lifetime_and_the_token_only_when_asked() {
    insta::assert_snapshot!("token_json", on_mock(&["token"]));
    insta::assert_snapshot!("token_table", on_mock(&["token", "--output", "table"]));
    let shown: Value = serde_json::from_str(&on_mock(&["token", "--show-token"])).unwrap();
    assert_eq!(shown["AccessToken"].as_str().map(str::len), Some(48));
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = crayon_tenants()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(
            script.contains("crayon-tenants")
                && script.contains("add-existing")
                && script.contains("azure-plan")
                && script.contains("organization-id"),
            "{shell}"
        );
    }
}

#[test]
fn help_documents_the_exit_codes_and_the_environment() {
    let output = crayon_tenants().arg("--help").output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "Exit codes:",
        "4  authentication failed",
        "5  network failure",
        "CRAYON_CLIENT_SECRET",
        "CRAYON_TOKEN",
        "--mock",
        "CRAYON_BASE_URL",
    ] {
        assert!(
            help.contains(expected),
            "--help lacks {expected:?}:\n{help}"
        );
    }
}

#[test]
fn azure_plan_and_agreements_on_the_mock() {
    let plan: Value = serde_json::from_str(&on_mock(&["tenants", "azure-plan", "1"])).unwrap();
    assert_eq!(plan["CustomerTenant"]["Id"], 1);
    let file = fixture_agreement();
    let created: Value = serde_json::from_str(&on_mock(&[
        "tenants",
        "agreements",
        "create",
        "1",
        "--file",
        &file,
    ]))
    .unwrap();
    assert_eq!(created["AgreementType"], 1);
    let listed: Value = serde_json::from_str(&on_mock(&[
        "tenants",
        "agreements",
        "list",
        "1",
        "--consent-type",
        "microsoft-customer-agreement",
    ]))
    .unwrap();
    let items = listed["Items"].as_array().unwrap();
    assert!(
        items.iter().all(|item| item["AgreementType"] == 1),
        "{listed}"
    );
    let table = on_mock(&["tenants", "agreements", "list", "1", "--output", "table"]);
    assert!(table.starts_with("TYPE"), "{table}");
}

/// An agreement body in a temporary file.
fn fixture_agreement() -> String {
    let path = std::env::temp_dir().join(format!("crayon-agreement-{}.json", std::process::id()));
    std::fs::write(
        &path,
        r#"{"FirstName":"Ada","LastName":"Lovelace","Email":"ada@example.com","DateAgreed":"2019-10-01T00:00:00Z","AgreementType":1}"#,
    )
    .unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn csv_read_back_equals_the_json_output_one_page_and_all() {
    for extra in [
        &["--page-size", "4"][..],
        &["--all", "--page-size", "3", "--concurrency", "2"],
    ] {
        let args = [&["tenants", "list", "--organization-id", "1"][..], extra].concat();
        let json: Value =
            serde_json::from_str(&on_mock(&[&args[..], &["--output", "json"]].concat())).unwrap();
        let tenants = json
            .get("Items")
            .unwrap_or(&json)
            .as_array()
            .unwrap()
            .clone();
        let csv_text = on_mock(&[&args[..], &["--output", "csv"]].concat());
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let columns: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert!(
            columns.iter().any(|column| column == "Publisher.Id"),
            "{columns:?}"
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), tenants.len(), "{args:?}");
        for (row, tenant) in rows.iter().zip(&tenants) {
            for (column, cell) in columns.iter().zip(row.iter()) {
                if column == "Exported" {
                    assert!(cell.starts_with("v1."), "{cell}");
                    continue;
                }
                let expected = match tenant.pointer(&format!("/{}", column.replace('.', "/"))) {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(text)) => text.clone(),
                    Some(other) => other.to_string(),
                };
                assert_eq!(cell, expected, "{column} of {}", tenant["Id"]);
            }
        }
    }
}

#[test]
fn list_with_the_columns_a_person_chooses() {
    let columns = "Id,Name,DomainPrefix,Publisher.Name";
    for all in [false, true] {
        let mut args = vec![
            "--output",
            "csv",
            "tenants",
            "list",
            "--organization-id",
            "1",
        ];
        args.extend(["--columns", columns]);
        if all {
            args.push("--all");
        }
        let csv = on_mock(&args);
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some(columns));
        assert_eq!(lines.next(), Some("1,Contoso AB,contoso1,Microsoft"));
        assert_eq!(
            csv.lines().count(),
            1 + 25,
            "a header and every demo tenant"
        );
    }
    let table = on_mock(&[
        "--output",
        "table",
        "tenants",
        "list",
        "--organization-id",
        "1",
        "--columns",
        "DomainPrefix,InvoiceProfile.Name",
        "--page-size",
        "2",
    ]);
    assert_eq!(
        table,
        "DomainPrefix  InvoiceProfile.Name\ncontoso1      My invoice profile\nfabrikam1     My invoice profile\n"
    );
    let publishers = on_mock(&["--output", "csv", "publishers", "list", "--columns", "Name"]);
    assert_eq!(publishers, "Name\nMicrosoft\nAdobe\n");

    let typo = crayon_tenants()
        .args([
            "--mock",
            "--output",
            "csv",
            "tenants",
            "list",
            "--organization-id",
            "1",
        ])
        .args(["--columns", "Id,Publisher.Nam"])
        .output()
        .unwrap();
    assert_eq!(typo.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&typo.stderr);
    assert!(
        stderr.contains(
            "`Publisher.Nam` is no field of CustomerTenant; did you mean `Publisher.Name`?"
        ),
        "{stderr}"
    );
    assert!(typo.stdout.is_empty());
}
