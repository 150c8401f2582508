//! `cargo xtask ci`: every check CI runs, in the order that fails fastest.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{codegen, conformance, docs, lint, workspace_root};

pub fn run() -> Result<()> {
    let root = workspace_root();
    step("cargo fmt --check", || {
        cargo(&["fmt", "--all", "--check"], &[])
    })?;
    step("cargo xtask codegen --check", || codegen::run(true))?;
    step("cargo xtask lint", lint::run)?;
    step("cargo clippy -D warnings", || {
        cargo(
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--locked",
                "--",
                "-D",
                "warnings",
            ],
            &[],
        )
    })?;
    // `INSTA_UPDATE=no` makes a snapshot that differs from the committed one fail the test instead
    // of writing a `.snap.new` for review.
    step("cargo test", || {
        cargo(
            &["test", "--workspace", "--locked"],
            &[("INSTA_UPDATE", "no"), ("CI", "true")],
        )
    })?;
    // The crates as they would be published, each built from its own package (the contract
    // copy, licence files and versioned path dependencies included).
    step("cargo package", || {
        cargo(
            &["package", "--workspace", "--exclude", "xtask", "--locked"],
            &[],
        )
    })?;
    step("cargo xtask conformance", conformance::run)?;
    step("cargo xtask docs", docs::run)?;
    step("no unreviewed snapshots", || {
        let pending = find_pending_snapshots(&root.join("crates"))?;
        if !pending.is_empty() {
            bail!("unreviewed snapshots (run `cargo insta review`): {pending:?}");
        }
        Ok(())
    })?;
    println!("\nci: every check passed");
    Ok(())
}

fn step(name: &str, run: impl FnOnce() -> Result<()>) -> Result<()> {
    println!("\n==> {name}");
    run().with_context(|| format!("step `{name}` failed"))
}

fn cargo(args: &[&str], envs: &[(&str, &str)]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(&cargo)
        .current_dir(workspace_root())
        .args(args)
        .envs(envs.iter().copied())
        .status()
        .with_context(|| format!("running {cargo}"))?;
    if !status.success() {
        bail!("`cargo {}` failed", args.join(" "));
    }
    Ok(())
}

/// Snapshot files insta left for review (`*.snap.new`, `*.pending-snap`).
fn find_pending_snapshots(dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| dir.display().to_string())? {
        let path = entry?.path();
        if path.is_dir() {
            found.extend(find_pending_snapshots(&path)?);
        } else if path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.ends_with(".snap.new") || name.ends_with(".pending-snap"))
        {
            found.push(path);
        }
    }
    Ok(found)
}
