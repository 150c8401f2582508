//! The `crayon-tenants-mock` binary, run as a user would.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;

use crate::support;

const BINARY: &str = env!("CARGO_BIN_EXE_crayon-tenants-mock");

/// A running binary, killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary and returns it with the URL of its one stdout line.
fn start(args: &[&str], envs: &[(&str, &str)]) -> (Running, String) {
    let mut child = Command::new(BINARY)
        .args(args)
        .env_remove("CRAYON_MOCK_CLIENT_SECRET")
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{url}"
    );
    (Running(child), url)
}

async fn token_status(url: &str, secret: &str) -> (StatusCode, Option<String>) {
    let reply = support::http_client()
        .post(format!("{url}/api/v1/connect/token/"))
        .basic_auth("demo-client", Some(secret))
        .form(&[
            ("grant_type", "password"),
            ("username", "demo@example.com"),
            ("password", "demo-password"),
        ])
        .send()
        .await
        .unwrap();
    let status = reply.status();
    let body: serde_json::Value = reply.json().await.unwrap();
    (status, body["AccessToken"].as_str().map(str::to_owned))
}

#[tokio::test]
async fn the_binary_prints_one_listening_line_and_serves_the_demo() {
    let (_running, url) = start(&["--listen", "127.0.0.1:0", "--seed-tenants", "4"], &[]);
    let (status, token) = token_status(&url, "demo-secret").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(total_hits(&url, &token.unwrap()).await, 4);
}

/// `TotalHits` of organization 1's tenants.
async fn total_hits(url: &str, token: &str) -> i64 {
    let page: serde_json::Value = support::http_client()
        .get(format!("{url}/api/v1/customertenants/?organizationId=1"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["TotalHits"].as_i64().unwrap()
}

#[tokio::test]
async fn credentials_and_faults_come_from_flags_and_environment() {
    let (_running, url) = start(
        &["--fault", "listCustomerTenants:status=503:retry-after=1"],
        &[("CRAYON_MOCK_CLIENT_SECRET", "from-env")],
    );
    assert_eq!(
        token_status(&url, "demo-secret").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, token) = token_status(&url, "from-env").await;
    assert_eq!(status, StatusCode::OK);
    let reply = support::http_client()
        .get(format!("{url}/api/v1/customertenants/?organizationId=1"))
        .bearer_auth(token.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[test]
fn help_prints_the_demo_credentials_and_bad_flags_are_usage_errors() {
    let help = Command::new(BINARY).arg("--help").output().unwrap();
    let text = String::from_utf8(help.stdout).unwrap();
    for expected in [
        "demo-client",
        "demo-secret",
        "demo@example.com",
        "demo-password",
        "--seed-tenants",
        "--fault",
        "CRAYON_MOCK_CLIENT_ID",
    ] {
        assert!(text.contains(expected), "--help lacks {expected}:\n{text}");
    }
    let bad = Command::new(BINARY)
        .args(["--fault", "nope:drop-connection"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown operation `nope`"));
}

#[cfg(unix)]
#[tokio::test]
async fn the_binary_keeps_its_world_in_a_state_file_across_runs() {
    let dir = std::env::temp_dir().join(format!("crayon-mock-state-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("world.json");
    let args = ["--seed-tenants", "4", "--state", state.to_str().unwrap()];
    let (mut running, url) = start(&args, &[]);
    assert!(state.exists(), "created and seeded at start");
    let token = token_status(&url, "demo-secret").await.1.unwrap();
    let deleted = support::http_client()
        .delete(format!("{url}/api/v1/customertenants/1/"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success());
    // Stopped as a service manager stops it: the world is written.
    let pid = running.0.id().to_string();
    // The shell's own `kill`: no procps needed.
    let term = format!("kill -TERM {pid}");
    assert!(
        Command::new("sh")
            .args(["-c", &term])
            .status()
            .unwrap()
            .success()
    );
    assert!(running.0.wait().unwrap().success());
    let saved = std::fs::read_to_string(&state).unwrap();
    assert!(!saved.contains("Password\":\""), "no password kept");
    assert!(!saved.contains(&token), "no token kept");

    let (_running, url) = start(&args, &[]);
    let token = token_status(&url, "demo-secret").await.1.unwrap();
    assert_eq!(
        total_hits(&url, &token).await,
        3,
        "the deleted tenant stays deleted"
    );

    // A file that is not a state file: refused, never overwritten.
    std::fs::write(&state, "{\"Format\": \"something else\"}").unwrap();
    let output = Command::new(BINARY).args(args).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a usable mock state file"));
    assert_eq!(
        std::fs::read_to_string(&state).unwrap(),
        "{\"Format\": \"something else\"}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_proxy_prints_where_it_listens_records_and_its_recording_seeds_the_binary() {
    let (_upstream, upstream) = start(&["--seed-tenants", "3"], &[]);
    let directory = tempfile::tempdir().unwrap();
    let record = directory.path().to_str().unwrap();
    let (_proxy, proxy) = start(&["proxy", "--upstream", &upstream, "--record", record], &[]);
    let client = support::demo_client(&proxy);
    let page = client
        .list_customer_tenants()
        .organization_id(1)
        .await
        .unwrap();
    assert_eq!(page.total_hits, Some(3));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(directory.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(report["diverged"], false, "{report:#}");
    assert_eq!(report["operations"]["listCustomerTenants"]["held"], 1);
    // The recording seeds a mock started from the command line.
    let (_seeded, seeded) = start(&["--seed-from", record], &[]);
    let seeded_client = support::demo_client(&seeded);
    let seeded_page = seeded_client
        .list_customer_tenants()
        .organization_id(1)
        .await
        .unwrap();
    let ids = |page: &crayon_tenants::types::CustomerTenantCollection| -> Vec<Option<i32>> {
        page.items
            .iter()
            .flatten()
            .map(|tenant| tenant.id)
            .collect()
    };
    assert_eq!(ids(&seeded_page), ids(&page));
}
