//! The project's task runner: `cargo xtask <command>` (the alias lives in `.cargo/config.toml`).
//!
//! It reads `openapi/crayon-tenants.yaml` and writes the generated client; it never imports the
//! code it writes, so a broken generated file can always be regenerated.

mod bench;
mod builders;
mod ci;
mod codegen;
mod conformance;
mod consumers;
mod diff;
mod docs;
mod fuzz;
mod lint;
mod newest;
mod prerequisites;
mod semver;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Tasks of the crayon-tenants workspace")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate crates/crayon-tenants/src/generated.rs from openapi/crayon-tenants.yaml.
    Codegen {
        /// Generate in memory and fail with a unified diff when the committed file is stale.
        #[arg(long)]
        check: bool,
    },
    /// Lint the OpenAPI contract with Redocly CLI (pinned in tools/package.json, installed locally).
    Lint,
    /// Measure the client (overhead, paging, tokens, memory) and the build; write BENCHMARKS.md.
    Bench {
        /// Only section 8, bulk import and apply against the mock (the others kept as they are).
        #[arg(long)]
        bulk_only: bool,
    },
    /// Run the fuzz targets of fuzz/ (response decoding, the mock's request binding).
    Fuzz {
        /// Seconds per target.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
    },
    /// Hold the client and the mock to the contract with Prism and Schemathesis, and the
    /// contract to consumers: a strict OAS 3.0 validator, a generated Python client, TypeScript.
    Conformance,
    /// Render the contract into target/docs/crayon-tenants.html and check it in headless Chromium.
    Docs,
    /// Compare the contract with its version at a git revision (Optic): every change, breaking
    /// or compatible; fails on a breaking change without the version raise it needs.
    Diff {
        /// The revision to compare with: default the last release (tag `v*`, else the commit
        /// `Release X.Y.Z`), else `HEAD`.
        #[arg(long)]
        base: Option<String>,
    },
    /// Build and test the library with the newest semver-compatible dependencies, as a new
    /// consumer resolves them (a scratch copy without the lock), warnings denied.
    NewestDeps,
    /// Compare the crates' Rust API with the last release (cargo-semver-checks, pinned): fails
    /// on a break without the version raise it needs.
    Semver,
    /// Run everything CI runs (installing what the checks need first): fmt check, codegen check,
    /// spec lint, contract diff, clippy, all tests, each TLS backend, rustdoc, cargo package,
    /// conformance, docs.
    Ci,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Codegen { check } => codegen::run(check),
        Command::Lint => lint::run(),
        Command::Conformance => conformance::run(),
        Command::Docs => docs::run(),
        Command::Bench { bulk_only } => bench::run(bulk_only),
        Command::Fuzz { seconds } => fuzz::run(seconds),
        Command::Diff { base } => diff::run(base),
        Command::Semver => semver::run(),
        Command::NewestDeps => newest::run(),
        Command::Ci => ci::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root, found from this crate's manifest directory so that every command works
/// from any current directory.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Path of the contract, relative to the workspace root.
const SPEC_PATH: &str = "openapi/crayon-tenants.yaml";
