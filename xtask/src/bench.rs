//! `cargo xtask bench`: every measured figure of the project, printed and written to
//! BENCHMARKS.md with the commands that reproduce them. Figures are ratios and counts from one
//! run on whatever machine runs it; nothing here asserts a timing.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::{SPEC_PATH, codegen, tools, workspace_root};

pub fn run() -> Result<()> {
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut report = String::from(
        "# Benchmarks\n\nMeasured by `cargo xtask bench` (which runs `cargo bench -p crayon-tenants --bench figures` \
         and the build measurements below) on a 2-core machine shared with other work: read the figures as \
         ratios and counts from one run, not as absolute speeds.\n\n",
    );

    println!("running the client's figures (cargo bench -p crayon-tenants --bench figures)");
    let output = Command::new(&cargo)
        .current_dir(&root)
        .args([
            "bench",
            "--locked",
            "-p",
            "crayon-tenants",
            "--bench",
            "figures",
        ])
        .output()
        .context("cargo bench")?;
    if !output.status.success() {
        bail!(
            "cargo bench failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    report.push_str(&String::from_utf8(output.stdout)?);
    report.push_str(&build_cost(&root, &cargo)?);
    print!("{report}");
    // The fuzzing section is written by `cargo xtask fuzz`; keep it.
    let previous = std::fs::read_to_string(root.join("BENCHMARKS.md")).unwrap_or_default();
    if let Some(fuzzing) = previous.find("## 6. Fuzzing") {
        report.push_str(&previous[fuzzing..]);
    }
    std::fs::write(root.join("BENCHMARKS.md"), &report)?;
    println!("wrote BENCHMARKS.md");
    Ok(())
}

/// Codegen time, generated lines, clean build time and dependency count of `crayon-tenants`,
/// against reqwest with its default features alone, built the same way.
fn build_cost(root: &Path, cargo: &str) -> Result<String> {
    let spec = std::fs::read_to_string(root.join(SPEC_PATH))?;
    let started = Instant::now();
    let generated = codegen::generate(&spec)?;
    let codegen_time = started.elapsed();

    let scratch = tools::target_dir(root).join("bench");
    let alone = scratch.join("reqwest-alone");
    std::fs::create_dir_all(alone.join("src"))?;
    std::fs::write(
        alone.join("Cargo.toml"),
        "[package]\nname = \"reqwest-alone\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nreqwest = \"0.13\"\n\n[workspace]\n",
    )?;
    std::fs::write(alone.join("src/lib.rs"), "pub use reqwest;\n")?;

    println!("clean builds (debug) of crayon-tenants and of reqwest alone");
    let ours = clean_build(
        cargo,
        root,
        &["-p", "crayon-tenants", "--locked"],
        &scratch.join("target-ours"),
    )?;
    let theirs = clean_build(cargo, &alone, &[], &scratch.join("target-reqwest"))?;
    let ours_crates = crate_count(cargo, root, &["-p", "crayon-tenants"])?;
    let theirs_crates = crate_count(cargo, &alone, &[])?;

    let mut text = String::from("## 5. Build cost\n\n");
    writeln!(
        text,
        "| figure | crayon-tenants | reqwest 0.13, default features, alone | ratio |"
    )?;
    writeln!(text, "|---|---|---|---|")?;
    writeln!(
        text,
        "| clean debug build (`cargo build`, empty target directory) | {:.1} s | {:.1} s | {:.2} |",
        ours.as_secs_f64(),
        theirs.as_secs_f64(),
        ours.as_secs_f64() / theirs.as_secs_f64()
    )?;
    writeln!(
        text,
        "| crates in the dependency tree (normal edges, itself included) | {ours_crates} | {theirs_crates} | {:.2} |",
        ours_crates as f64 / theirs_crates as f64
    )?;
    writeln!(text, "\n| code generation | |\n|---|---|")?;
    writeln!(
        text,
        "| `cargo xtask codegen` (parse, generate, format), in process | {} ms |",
        codegen_time.as_millis()
    )?;
    writeln!(
        text,
        "| generated lines (`src/generated.rs`) | {} |",
        generated.lines().count()
    )?;
    writeln!(
        text,
        "\nReproduce: `cargo xtask bench` (about five minutes, most of it compiling), or one section with\n\
         `cargo bench -p crayon-tenants --bench figures -- overhead|listing|tokens|memory`.\n"
    )?;
    Ok(text)
}

fn clean_build(
    cargo: &str,
    directory: &Path,
    args: &[&str],
    target: &Path,
) -> Result<std::time::Duration> {
    let _ = std::fs::remove_dir_all(target);
    let started = Instant::now();
    tools::run(
        Command::new(cargo)
            .current_dir(directory)
            .env("CARGO_TARGET_DIR", target)
            .arg("build")
            .arg("--quiet")
            .args(args),
    )?;
    Ok(started.elapsed())
}

fn crate_count(cargo: &str, directory: &Path, args: &[&str]) -> Result<usize> {
    let output = Command::new(cargo)
        .current_dir(directory)
        .args(["tree", "-e", "normal", "--prefix", "none"])
        .args(args)
        .output()
        .context("cargo tree")?;
    let tree = String::from_utf8(output.stdout)?;
    let crates: std::collections::BTreeSet<&str> = tree
        .lines()
        .map(|line| line.trim_end_matches(" (*)"))
        .collect();
    Ok(crates.len())
}
