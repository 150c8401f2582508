//! `cargo xtask docs`: the contract as one self-contained HTML reference (Redocly CLI
//! `build-docs`, scripts inlined), opened in headless Chromium (driven by Playwright,
//! `tools/check-docs.mjs`) to check that every operation and every schema is shown, with a
//! screenshot beside it for review.

use std::process::Command;

use anyhow::{Context, Result};

use crate::prerequisites::{self, Need};
use crate::tools;
use crate::{SPEC_PATH, workspace_root};

pub fn run() -> Result<()> {
    prerequisites::ensure(&[Need::Chromium])?;
    let root = workspace_root();
    let node = tools::node_bin(&root)?;
    let out = tools::target_dir(&root).join("docs");
    std::fs::create_dir_all(&out)?;
    let html = out.join("crayon-tenants.html");
    tools::run(
        Command::new(node.join("redocly"))
            .current_dir(&root)
            .args([
                "build-docs",
                SPEC_PATH,
                "--config",
                "redocly.yaml",
                "--inlineBundle",
                "--output",
            ])
            .arg(&html)
            .env("REDOCLY_TELEMETRY", "off")
            .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true"),
    )?;
    let chromium = prerequisites::chromium().context("no Chromium found")?;

    // Every operation summary and every schema name must be a heading, each at its deep link
    // (`#/<tag>/<operationid>`, `#/schemas/<name>`, lower case).
    let spec: serde_json::Value =
        serde_yaml::from_str(&std::fs::read_to_string(root.join(SPEC_PATH))?)?;
    let mut expected: Vec<(String, String)> = Vec::new();
    for (_, operation) in spec["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(_, item)| item.as_object().into_iter().flatten())
    {
        let (Some(tag), Some(id), Some(summary)) = (
            operation["tags"][0].as_str(),
            operation["operationId"].as_str(),
            operation["summary"].as_str(),
        ) else {
            continue;
        };
        expected.push((
            format!("/{}/{}", tag.to_lowercase(), id.to_lowercase()),
            summary.to_owned(),
        ));
    }
    let operations = expected.len();
    for (name, _) in spec["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        expected.push((format!("/schemas/{}", name.to_lowercase()), name.clone()));
    }
    let schema_count = expected.len() - operations;
    let expected_file = out.join("expected-headings.json");
    std::fs::write(&expected_file, serde_json::to_string_pretty(&expected)?)?;

    let screenshot = out.join("crayon-tenants.png");
    tools::run(
        Command::new("node")
            .current_dir(&root)
            .arg("tools/check-docs.mjs")
            .arg(chromium)
            .arg(&html)
            .arg(&expected_file)
            .arg(&screenshot),
    )
    .context("the rendered reference does not show every operation and schema")?;
    println!(
        "{}: {} operations and {} schemas shown in headless Chromium; screenshot {}",
        html.display(),
        operations,
        schema_count,
        screenshot.display()
    );
    Ok(())
}
