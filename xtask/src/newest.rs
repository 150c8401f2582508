//! `cargo xtask newest-deps`: the library as a new consumer gets it. A consumer resolves the
//! newest semver-compatible version of every dependency, not this workspace's lock: a scratch
//! copy of the workspace without `Cargo.lock` is resolved afresh, and the library is built with
//! every TLS feature and tested with warnings denied (a deprecation in a newer dependency fails
//! here before a consumer sees it).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::tools::{self, target_dir};
use crate::workspace_root;

pub fn run() -> Result<()> {
    let root = workspace_root();
    let scratch = target_dir(&root).join("newest-deps");
    let copy = scratch.join("workspace");
    let _ = std::fs::remove_dir_all(&copy);
    copy_workspace(&root, &copy)?;
    std::fs::remove_file(copy.join("Cargo.lock")).context("the copy's Cargo.lock")?;
    let cargo = |args: &[&str]| {
        tools::run(
            Command::new(tools::cargo())
                .current_dir(&copy)
                .args(args)
                .env("CARGO_TARGET_DIR", scratch.join("target"))
                .env("RUSTFLAGS", "-D warnings"),
        )
    };
    cargo(&["generate-lockfile"])?;
    // What was resolved, for the log: the versions a new consumer builds.
    cargo(&[
        "tree",
        "-p",
        "crayon-tenants",
        "--depth",
        "1",
        "-e",
        "normal",
    ])?;
    for features in [
        &["--no-default-features"][..],
        &["--no-default-features", "--features", "native-tls"],
    ] {
        let mut args = vec!["build", "-p", "crayon-tenants", "--lib"];
        args.extend_from_slice(features);
        cargo(&args)?;
    }
    // The default features (rustls), with the tests: the mock as a dev-dependency too.
    cargo(&["test", "-p", "crayon-tenants", "--lib", "--tests"])
}

/// Copies the files git knows (committed or not, ignored ones left out) into `to`.
fn copy_workspace(root: &Path, to: &Path) -> Result<()> {
    let output = Command::new("git")
        .current_dir(root)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()
        .context("running git ls-files")?;
    for file in output
        .stdout
        .split(|byte| *byte == 0)
        .filter(|name| !name.is_empty())
    {
        let name = Path::new(std::str::from_utf8(file).context("a file name")?);
        let source = root.join(name);
        if !source.is_file() {
            continue; // deleted, not yet committed
        }
        let target = to.join(name);
        std::fs::create_dir_all(target.parent().context("a file in a folder")?)?;
        std::fs::copy(&source, &target).with_context(|| source.display().to_string())?;
    }
    Ok(())
}
