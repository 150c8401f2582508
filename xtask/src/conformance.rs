//! `cargo xtask conformance`: the contract held against our code by tools nobody here wrote.
//!
//! 1. Prism's validating proxy in front of the mock, with the client's `exercise` example calling
//!    every operation through it (success and error paths): Prism checks every request the client
//!    sends and every response the mock answers against the contract.
//! 2. Prism's mock of the contract's own examples, with `exercise` parsing every answer.
//! 3. Schemathesis against the mock: every operation, every check, positive and negative data,
//!    and stateful sequences along the contract's links.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::tools::{self, Background};
use crate::{SPEC_PATH, workspace_root};

/// Test cases Schemathesis generates per operation and phase.
const MAX_EXAMPLES: &str = "50";

pub fn run() -> Result<()> {
    let root = workspace_root();
    let node = tools::node_bin(&root)?;
    let python = tools::python_bin(&root)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // Name both targets: with `--example` alone cargo would build no binary, and a stale mock
    // binary would be tested.
    tools::run(Command::new(&cargo).current_dir(&root).args([
        "build",
        "--locked",
        "--quiet",
        "-p",
        "crayon-tenants-mock",
        "--bin",
        "crayon-tenants-mock",
        "-p",
        "crayon-tenants",
        "--example",
        "exercise",
    ]))?;
    let target = tools::target_dir(&root);
    let (mock_binary, exercise) = (
        target.join("debug/crayon-tenants-mock"),
        target.join("debug/examples/exercise"),
    );
    let out = target.join("conformance");
    std::fs::create_dir_all(&out)?;

    let (_mock, line) = Background::start(
        "the mock server",
        Command::new(&mock_binary).args(["--listen", "127.0.0.1:0"]),
        &out.join("mock.log"),
        "listening on ",
        Duration::from_secs(30),
    )?;
    let mock_url = line.trim().trim_start_matches("listening on ").to_owned();

    println!(
        "\n-- Prism proxy: the client through Prism to the mock, every request and response validated"
    );
    prism(
        &root,
        &node,
        &out,
        &exercise,
        &["proxy", SPEC_PATH, &mock_url],
        "proxy",
    )?;
    println!("\n-- Prism mock: the client against the contract's own examples");
    prism(
        &root,
        &node,
        &out,
        &exercise,
        &["mock", SPEC_PATH],
        "examples",
    )?;

    println!(
        "\n-- Schemathesis against the mock: all checks, positive and negative data, stateful links"
    );
    let token = String::from_utf8(
        Command::new(&exercise)
            .args(["token", &mock_url])
            .output()
            .context("fetching a token with `exercise token`")?
            .stdout,
    )?;
    let reports = out.join("schemathesis");
    let _ = std::fs::remove_dir_all(&reports);
    tools::run(
        Command::new(python.join("schemathesis"))
            .current_dir(&root)
            .env("CRAYON_MOCK_TOKEN", token.trim())
            .args([
                "--config-file",
                "tools/schemathesis.toml",
                "run",
                SPEC_PATH,
                "--url",
                &mock_url,
            ])
            .args([
                "--checks",
                "all",
                "--max-examples",
                MAX_EXAMPLES,
                "--seed",
                "1",
                "--no-color",
            ])
            .args(["--report", "har", "--report-dir"])
            .arg(&reports),
    )
    .context("Schemathesis found failures")?;
    print_cases_per_operation(&root, &reports)
}

/// Runs Prism (`prism proxy|mock ...`) on a free port, `exercise <mode>` against it, and fails
/// on any surprise of the client or any violation Prism reports.
fn prism(
    root: &Path,
    node: &Path,
    out: &Path,
    exercise: &Path,
    args: &[&str],
    mode: &str,
) -> Result<()> {
    let port = tools::free_port()?.to_string();
    let log = out.join(format!("prism-{mode}.log"));
    let (prism, _) = Background::start(
        "Prism",
        Command::new(node.join("prism"))
            .current_dir(root)
            .args(args)
            .args(["--errors", "--host", "127.0.0.1", "--port", &port]),
        &log,
        "Prism is listening",
        Duration::from_secs(90),
    )?;
    let url = format!("http://127.0.0.1:{port}");
    let result = tools::run(Command::new(exercise).args([mode, &url]));
    drop(prism);
    let violations: Vec<String> = std::fs::read_to_string(&log)?
        .lines()
        .filter(|line| {
            line.contains("Violation") || line.contains('✖') || line.contains("[VALIDATOR] ⚠")
        })
        .map(str::to_owned)
        .collect();
    if !violations.is_empty() {
        bail!(
            "Prism reported {} violations (see {}):\n{}",
            violations.len(),
            log.display(),
            violations.join("\n")
        );
    }
    result.with_context(|| {
        format!("the client's calls through Prism ({mode}) did not all go as expected")
    })?;
    println!("Prism reported no violation");
    Ok(())
}

/// Counts the requests Schemathesis sent per operation, from its HAR report.
fn print_cases_per_operation(root: &Path, reports: &Path) -> Result<()> {
    let spec: serde_json::Value =
        serde_yaml::from_str(&std::fs::read_to_string(root.join(SPEC_PATH))?)?;
    let operations: Vec<(String, Vec<String>, String)> = spec["paths"]
        .as_object()
        .context("paths")?
        .iter()
        .flat_map(|(template, item)| {
            let segments: Vec<String> = template
                .trim_matches('/')
                .split('/')
                .map(str::to_owned)
                .collect();
            item.as_object()
                .into_iter()
                .flatten()
                .filter_map(move |(method, operation)| {
                    let id = operation.get("operationId")?.as_str()?.to_owned();
                    Some((method.to_uppercase(), segments.clone(), id))
                })
        })
        .collect();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for entry in std::fs::read_dir(reports)? {
        let har: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(entry?.path())?)?;
        for request in har["log"]["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|entry| &entry["request"])
        {
            let method = request["method"].as_str().unwrap_or_default();
            let url = request["url"].as_str().unwrap_or_default();
            let path = url
                .split("://")
                .nth(1)
                .and_then(|rest| rest.split_once('/'))
                .map_or("", |(_, path)| path);
            let path: Vec<&str> = path
                .split('?')
                .next()
                .unwrap_or_default()
                .trim_matches('/')
                .split('/')
                .collect();
            let operation = operations.iter().find(|(m, segments, _)| {
                m == method
                    && segments.len() == path.len()
                    && segments.iter().zip(&path).all(|(segment, actual)| {
                        segment.starts_with('{') || segment.eq_ignore_ascii_case(actual)
                    })
            });
            let name = operation.map_or_else(
                || format!("({method} on a path or method not in the contract)"),
                |(_, _, id)| id.clone(),
            );
            *counts.entry(name).or_default() += 1;
        }
    }
    println!("\nSchemathesis test cases per operation:");
    for (operation, count) in &counts {
        println!("  {operation:<34} {count:>6}");
    }
    println!("  {:<34} {:>6}", "total", counts.values().sum::<usize>());
    if operations.iter().any(|(_, _, id)| !counts.contains_key(id)) {
        bail!("Schemathesis did not exercise every operation");
    }
    Ok(())
}
