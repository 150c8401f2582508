//! The look-ups from a shell (`organizations`, `invoice-profiles`, `publishers`), and the check
//! of a create's ids against them before anything is sent (`tenants create`, `tenants import`).

use crayon_tenants_mock::{MockConfig, MockServer, Operation};
use serde_json::Value;

use crate::{against, fixture, on_mock};

#[test]
fn look_ups_print_in_each_format() {
    insta::assert_snapshot!(
        "organizations_table",
        on_mock(&["organizations", "list", "--output", "table"])
    );
    insta::assert_snapshot!(
        "invoice_profiles_table",
        on_mock(&[
            "invoice-profiles",
            "list",
            "--organization-id",
            "1",
            "--output",
            "table"
        ])
    );
    insta::assert_snapshot!(
        "publishers_table",
        on_mock(&["publishers", "list", "--output", "table"])
    );
    let page: Value =
        serde_json::from_str(&on_mock(&["organizations", "list", "--output", "json"])).unwrap();
    assert_eq!(page["TotalHits"], 2);
    assert_eq!(page["Items"][1]["ParentId"], 1);
    let adobe = on_mock(&[
        "publishers",
        "list",
        "--name",
        "adobe",
        "--output",
        "ndjson",
    ]);
    assert_eq!(adobe, "{\"Id\":3,\"Name\":\"Adobe\"}\n");
    let cloud = on_mock(&[
        "publishers",
        "list",
        "--program-type",
        "cloud",
        "--output",
        "ndjson",
    ]);
    assert_eq!(cloud.lines().count(), 1);
    assert!(cloud.contains("Microsoft"));
}

#[test]
fn every_page_with_all_and_csv_columns_from_the_contract() {
    let all: Vec<Value> = serde_json::from_str(&on_mock(&[
        "invoice-profiles",
        "list",
        "--organization-id",
        "1",
        "--all",
        "--page-size",
        "1",
        "--output",
        "json",
    ]))
    .unwrap();
    let ids: Vec<i64> = all
        .iter()
        .map(|profile| profile["Id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [7, 10]);
    let csv = on_mock(&["organizations", "list", "--all", "--output", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        crayon_tenants_contract::columns("Organization").join(",")
    );
    assert_eq!(lines.count(), 2);
    let one = on_mock(&[
        "organizations",
        "list",
        "--page",
        "2",
        "--page-size",
        "1",
        "--output",
        "csv",
    ]);
    assert_eq!(
        one.lines().nth(1),
        Some("100002,Crayon AB,2,Demo Subsidiary AB,1,,"),
        "{one}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_naming_another_organizations_invoice_profile_is_refused_before_sending() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let mut body: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("create_customer_tenant.request.json")).unwrap(),
    )
    .unwrap();
    body["Tenant"]["InvoiceProfile"]["Id"] = 8.into();
    let path = std::env::temp_dir().join(format!("crayon-create-refs-{}.json", std::process::id()));
    std::fs::write(&path, body.to_string()).unwrap();
    let output = against(
        &server,
        None,
        &["tenants", "create", "--file", path.to_str().unwrap()],
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("Tenant.InvoiceProfile.Id 8 is no invoice profile of organization 1 (Demo Reseller AB), which has 7 (My invoice profile), 10 (Projects)"),
        "{stderr}"
    );
    assert_eq!(
        server.requests(Operation::CreateCustomerTenant),
        0,
        "nothing was sent"
    );

    body["Tenant"]["InvoiceProfile"]["Id"] = 10.into();
    std::fs::write(&path, body.to_string()).unwrap();
    let output = against(
        &server,
        None,
        &["tenants", "create", "--file", path.to_str().unwrap()],
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(server.requests(Operation::CreateCustomerTenant), 1);
    let _ = std::fs::remove_file(path);
}

#[test]
fn a_page_size_out_of_the_contracts_bounds_is_a_usage_error() {
    for size in ["0", "1001"] {
        let output = crate::crayon_tenants()
            .args(["--mock", "publishers", "list", "--page-size", size])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{size}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("the contract's bounds of pageSize"),
            "{stderr}"
        );
    }
}
