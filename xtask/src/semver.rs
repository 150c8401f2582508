//! `cargo xtask semver`: the crates' Rust API against the last release, with
//! cargo-semver-checks (pinned below, installed into `target/tools` on first use). A change
//! that breaks a user of the crates' Rust API needs the version raise of the README's
//! "Versions", as `cargo xtask diff` holds the contract to it: cargo-semver-checks compares the
//! public API of each library crate at the release with the working tree, and fails on a break
//! the new version number does not allow (below 1.0, a minor raise allows one).

use std::process::Command;

use anyhow::{Context, Result};

use crate::{diff, tools, workspace_root};

/// The cargo-semver-checks this project runs.
const VERSION: &str = "0.51.0";

/// The library crates whose Rust API is held to the versions (the CLI is a binary), each with
/// the features its API is checked with: the default ones and those that add public items. The
/// TLS features change no public item (only which backend `Client::builder()` links), and
/// checking them all would build aws-lc and OpenSSL twice for nothing.
const LIBRARIES: &[(&str, &[&str])] = &[
    ("crayon-tenants", &["schemars"]),
    ("crayon-tenants-contract", &[]),
    ("crayon-tenants-mock", &[]),
];

pub fn run() -> Result<()> {
    let root = workspace_root();
    let Some(release) = diff::last_release(&root)? else {
        println!("no release yet (no tag v*, no commit 'Release X.Y.Z'): nothing to compare with");
        return Ok(());
    };
    // A version raised enough for a break since the release allows any change of the API:
    // cargo-semver-checks would build both APIs and skip every check (it reports "0 checks,
    // 260 skip"), about five minutes of CI for nothing.
    let (released, head) = diff::release_and_head_versions(&root, &release)?;
    if diff::raises_for_breaking(&released, &head)? {
        println!(
            "{released} -> {head} allows any change of the crates' Rust API (README, \"Versions\"): \
             nothing to check until {head} is released; to list what the raise covers, run \
             cargo-semver-checks by hand with --release-type minor"
        );
        return Ok(());
    }
    let tools_root = tools::target_dir(&root).join("tools");
    let binary = tools_root.join("bin").join("cargo-semver-checks");
    let stamp = tools_root.join("cargo-semver-checks.version");
    if !binary.exists() || std::fs::read_to_string(&stamp).ok().as_deref() != Some(VERSION) {
        println!(
            "installing cargo-semver-checks {VERSION} into {}",
            tools_root.display()
        );
        // Unoptimised, without LTO: its checks take under a second either way (the time goes
        // to rustdoc), and the install takes about 2.5 minutes instead of 9.5 (measured here).
        tools::run(
            Command::new(tools::cargo())
                .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
                .env("CARGO_PROFILE_RELEASE_LTO", "false")
                .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
                .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
                .args([
                    "install",
                    "--locked",
                    "--quiet",
                    "cargo-semver-checks",
                    "--version",
                ])
                .arg(VERSION)
                .arg("--root")
                .arg(&tools_root),
        )?;
        std::fs::write(&stamp, VERSION).with_context(|| stamp.display().to_string())?;
    }
    println!("the crates' Rust API against {release}");
    for (library, features) in LIBRARIES {
        // A crate the release did not have has no API to break: it is new in this version.
        if !existed_at(&root, &release, library) {
            println!("{library}: new since {release}, nothing to compare with");
            continue;
        }
        let mut command = Command::new(&binary);
        command.current_dir(&root).args([
            "semver-checks",
            "check-release",
            "--baseline-rev",
            &release,
            "--package",
            library,
            "--default-features",
        ]);
        for feature in *features {
            command.args(["--features", feature]);
        }
        tools::run(&mut command).with_context(|| {
            format!(
                "{library}'s Rust API breaks a user without the version raise it needs \
                 (README, \"Versions\")"
            )
        })?;
    }
    Ok(())
}

/// Whether the crate `crates/NAME` existed at the revision.
fn existed_at(root: &std::path::Path, rev: &str, name: &str) -> bool {
    Command::new("git")
        .current_dir(root)
        .args(["cat-file", "-e", &format!("{rev}:crates/{name}/Cargo.toml")])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}
