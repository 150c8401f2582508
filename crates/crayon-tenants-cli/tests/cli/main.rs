//! The built `crayon-tenants` binary, run as a user would: every command and output format on the
//! embedded mock (stdout as reviewed insta snapshots), and every error path with its exit code.

mod apply;
mod contract;
mod errors;
mod import;
mod lookups;
mod outputs;

use std::process::Output;

use assert_cmd::Command;
use crayon_tenants_mock::MockServer;

/// The binary with a clean environment: no credentials or address from the machine running the
/// tests.
fn crayon_tenants() -> Command {
    let mut command = Command::cargo_bin("crayon-tenants").expect("the binary is built");
    for name in [
        "CRAYON_BASE_URL",
        "CRAYON_CLIENT_ID",
        "CRAYON_CLIENT_SECRET",
        "CRAYON_USERNAME",
        "CRAYON_PASSWORD",
        "CRAYON_TOKEN",
    ] {
        command.env_remove(name);
    }
    command
}

/// Runs the binary with `args` on the embedded mock and returns its stdout, asserting success
/// and a silent stderr.
fn on_mock(args: &[&str]) -> String {
    let output = crayon_tenants().arg("--mock").args(args).output().unwrap();
    assert_success(&output, args);
    String::from_utf8(output.stdout).unwrap()
}

fn assert_success(output: &Output, args: &[&str]) {
    assert!(
        output.status.success(),
        "{args:?} failed with {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{args:?} wrote to stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The path of a fixture of the client crate (the documentation's examples).
fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crayon-tenants/tests/fixtures")
        .join(name);
    path.to_str().unwrap().to_owned()
}

/// Runs the binary against `server` with the demo credentials, `password` replaced if given.
async fn against(server: &MockServer, password: Option<&str>, args: &[&str]) -> Output {
    let demo = server.credentials().clone();
    let mut command = crayon_tenants();
    command
        .env("CRAYON_BASE_URL", server.base_url())
        .env("CRAYON_CLIENT_ID", &demo.client_id)
        .env("CRAYON_CLIENT_SECRET", &demo.client_secret)
        .env("CRAYON_USERNAME", &demo.username)
        .env("CRAYON_PASSWORD", password.unwrap_or(&demo.password))
        .args(args);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}
