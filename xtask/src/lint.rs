//! `cargo xtask lint`: Redocly CLI's `recommended` rules (plus `redocly.yaml`) on the contract.
//!
//! The linter is pinned in `tools/package.json` and its lock file (see `tools.rs`).

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{SPEC_PATH, tools, workspace_root};

pub fn run() -> Result<()> {
    let root = workspace_root();
    let redocly = tools::node_bin(&root)?.join("redocly");
    let output = Command::new(&redocly)
        .current_dir(&root)
        .args(["lint", SPEC_PATH, "--config", "redocly.yaml"])
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
        .output()
        .with_context(|| format!("running {}", redocly.display()))?;
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // Keep the report readable: drop the boxed runtime notices the CLI prints around it.
    let report: String = report
        .lines()
        .filter(|line| !line.trim_start().starts_with(['║', '╔', '╚']))
        .map(|line| format!("{line}\n"))
        .collect();
    print!("{report}");
    if !output.status.success() {
        bail!("{SPEC_PATH} has lint errors");
    }
    // Redocly exits 0 on warnings; the contract is held to zero of them.
    if report.contains("warning") {
        bail!("{SPEC_PATH} has lint warnings");
    }
    Ok(())
}
