//! `cargo xtask ci`: every check CI runs, in the order that fails fastest.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{
    codegen, conformance, diff, docs, lint, newest, prerequisites, semver, tools, workspace_root,
};

pub fn run() -> Result<()> {
    let root = workspace_root();
    step("what the checks need", || {
        prerequisites::ensure(prerequisites::ALL)
    })?;
    step("cargo fmt --check", || {
        cargo(&["fmt", "--all", "--check"], &[])
    })?;
    step("cargo xtask codegen --check", || codegen::run(true))?;
    step("cargo xtask lint", lint::run)?;
    // The contract against its last release (HEAD when there is none yet): breaking changes
    // need a new major version (minor below 1.0).
    step("cargo xtask diff", || diff::run(None))?;
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
    // Each TLS backend of the library beside the default, and none: its unit tests include a
    // TLS handshake with the chosen backend (or the refusal of `https` without one).
    for features in ["", "native-tls"] {
        let name = if features.is_empty() {
            "no TLS"
        } else {
            features
        };
        step(&format!("library tests with {name}"), || {
            cargo(
                &[
                    "test",
                    "-p",
                    "crayon-tenants",
                    "--lib",
                    "--locked",
                    "--no-default-features",
                    "--features",
                    features,
                ],
                &[],
            )
        })?;
    }
    // The API documentation as docs.rs builds it (the library with its `schemars` feature).
    step("cargo doc -D warnings", || {
        cargo(
            &[
                "doc",
                "--workspace",
                "--exclude",
                "xtask",
                "--no-deps",
                "--locked",
                "--features",
                "crayon-tenants/schemars",
            ],
            &[("RUSTDOCFLAGS", "-D warnings")],
        )
    })?;
    // The crates as they would be published, each built from its own package (the contract
    // copy, licence files and versioned path dependencies included).
    step("cargo package", || {
        forget_extracted_packages()?;
        // Cargo does not rebuild a registry package whose version it has built before, and the
        // verification builds ours as registry packages: forget their builds too.
        cargo(
            &[
                "clean",
                "-p",
                "crayon-tenants",
                "-p",
                "crayon-tenants-contract",
                "-p",
                "crayon-tenants-mock",
                "-p",
                "crayon-tenants-cli",
            ],
            &[],
        )?;
        cargo(
            &["package", "--workspace", "--exclude", "xtask", "--locked"],
            &[],
        )
    })?;
    // What a new consumer resolves, rather than our lock: no warning, every test passing.
    step("cargo xtask newest-deps", newest::run)?;
    // The crates' Rust API against the last release, as `cargo xtask diff` holds the contract.
    step("cargo xtask semver", semver::run)?;
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

/// Runs one step, and says how long it took (CI has a time budget: the slow steps show).
fn step(name: &str, run: impl FnOnce() -> Result<()>) -> Result<()> {
    println!("\n==> {name}");
    let started = std::time::Instant::now();
    let result = run().with_context(|| format!("step `{name}` failed"));
    println!("==> {name}: {:.0} s", started.elapsed().as_secs_f64());
    result
}

fn cargo(args: &[&str], envs: &[(&str, &str)]) -> Result<()> {
    let cargo = tools::cargo();
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

/// Removes cargo's extracted copies of this workspace's own packages. Verifying a crate that
/// depends on another of ours builds against the dependency's package from a temporary registry,
/// which cargo extracts under `CARGO_HOME/registry/src/<hash of its path>/` and reuses as long as
/// the version is the same: a second run would verify against the first run's sources.
fn forget_extracted_packages() -> Result<()> {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".cargo"))
        });
    let Some(sources) = home.map(|home| home.join("registry").join("src")) else {
        return Ok(());
    };
    for registry in std::fs::read_dir(&sources).into_iter().flatten().flatten() {
        for package in std::fs::read_dir(registry.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = package.file_name();
            let name = name.to_string_lossy();
            // crates.io's own index is never touched: only the temporary registries' copies.
            let from_crates_io = registry.file_name().to_string_lossy().starts_with("index.");
            if !from_crates_io && name.starts_with("crayon-tenants") {
                std::fs::remove_dir_all(package.path())
                    .with_context(|| package.path().display().to_string())?;
            }
        }
    }
    Ok(())
}
