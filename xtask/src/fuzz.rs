//! `cargo xtask fuzz --seconds N`: the cargo-fuzz targets of `fuzz/` (response decoding, the
//! mock's request binding), each for N seconds from the documentation's examples as seeds.
//!
//! cargo-fuzz is installed into `target/tools` on first use. It needs nightly compiler flags;
//! on a stable toolchain they are enabled with `RUSTC_BOOTSTRAP=1`, for this build only.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{tools, workspace_root};

const TARGETS: [&str; 2] = ["decode_response", "mock_request"];

pub fn run(seconds: u64) -> Result<()> {
    let root = workspace_root();
    let tools_root = tools::target_dir(&root).join("tools");
    let cargo_fuzz = tools_root.join("bin").join("cargo-fuzz");
    if !cargo_fuzz.exists() {
        println!("installing cargo-fuzz into {}", tools_root.display());
        let cargo = tools::cargo();
        tools::run(
            Command::new(cargo)
                .args(["install", "--locked", "--quiet", "cargo-fuzz", "--root"])
                .arg(&tools_root),
        )?;
    }
    let mut summary = Vec::new();
    for target in TARGETS {
        let corpus = tools::target_dir(&root).join("fuzz-corpus").join(target);
        std::fs::create_dir_all(&corpus)?;
        println!("fuzzing {target} for {seconds} s");
        let output = Command::new(&cargo_fuzz)
            .current_dir(root.join("fuzz"))
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["run", target])
            .arg(&corpus)
            .arg(format!("seeds/{target}"))
            .args(["--", &format!("-max_total_time={seconds}")])
            .output()
            .context("running cargo fuzz")?;
        let log = String::from_utf8_lossy(&output.stderr);
        let runs = log
            .lines()
            .rev()
            .find_map(|line| line.strip_prefix("Done "))
            .unwrap_or("no runs reported")
            .to_owned();
        if !output.status.success() {
            let tail: Vec<&str> = log
                .lines()
                .rev()
                .take(30)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            bail!(
                "fuzz target {target} failed (crash inputs are in fuzz/artifacts/{target}):\n{}",
                tail.join("\n")
            );
        }
        summary.push(format!("{target}: {runs}, no crash"));
    }
    for line in &summary {
        println!("{line}");
    }
    let mut section = format!(
        "## 7. Fuzzing\n\nlibFuzzer through cargo-fuzz, {seconds} s per target, seeded with the documentation's examples\n\
         (`fuzz/seeds/`). Reproduce: `cargo xtask fuzz --seconds {seconds}`.\n\n| target | what it feeds | result |\n|---|---|---|\n"
    );
    for (target, line) in TARGETS.iter().zip(&summary) {
        let feeds = match *target {
            "decode_response" => {
                "any bytes as the body of every success response, and the error it becomes"
            }
            _ => "any bytes as the JSON body of every mock operation that takes one",
        };
        section.push_str(&format!(
            "| {target} | {feeds} | {} |\n",
            line.trim_start_matches(&format!("{target}: "))
        ));
    }
    replace_section(&root.join("BENCHMARKS.md"), "## 7. Fuzzing", &section)?;
    println!("wrote the fuzzing section of BENCHMARKS.md");
    Ok(())
}

/// Replaces the section that starts with `heading` (to the end of the file) with `section`.
pub fn replace_section(path: &std::path::Path, heading: &str, section: &str) -> Result<()> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let kept = text.split(heading).next().unwrap_or_default().trim_end();
    std::fs::write(path, format!("{kept}\n\n{section}"))?;
    Ok(())
}
