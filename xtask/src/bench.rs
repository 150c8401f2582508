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
    let cargo = tools::cargo();
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
    report.push_str(&cli_memory(&root, &cargo)?);
    print!("{report}");
    // The fuzzing section is written by `cargo xtask fuzz`; keep it.
    let previous = std::fs::read_to_string(root.join("BENCHMARKS.md")).unwrap_or_default();
    if let Some(fuzzing) = previous.find("## 7. Fuzzing") {
        report.push_str(&previous[fuzzing..]);
    }
    std::fs::write(root.join("BENCHMARKS.md"), &report)?;
    println!("wrote BENCHMARKS.md");
    Ok(())
}

/// Peak resident memory of `crayon-tenants tenants list --all --output json` over 100,000
/// tenants of the mock binary, against the size of what it prints and against one page.
fn cli_memory(root: &Path, cargo: &str) -> Result<String> {
    println!("the command-line tool listing 100,000 tenants (release build)");
    tools::run(Command::new(cargo).current_dir(root).args([
        "build",
        "--release",
        "--locked",
        "--quiet",
        "-p",
        "crayon-tenants-mock",
        "--bin",
        "crayon-tenants-mock",
        "-p",
        "crayon-tenants-cli",
        "--bin",
        "crayon-tenants",
    ]))?;
    let release = tools::target_dir(root).join("release");
    let out = tools::target_dir(root).join("bench");
    std::fs::create_dir_all(&out)?;
    let (_mock, url) = tools::start_mock(
        &release.join("crayon-tenants-mock"),
        &["--seed-tenants", "100000"],
        &out.join("mock.log"),
    )?;
    let run = |args: &[&str]| -> Result<(u64, u64)> {
        let printed = out.join("cli-output.json");
        let mut child = Command::new(release.join("crayon-tenants"))
            .env("CRAYON_BASE_URL", &url)
            .env("CRAYON_CLIENT_ID", "demo-client")
            .env("CRAYON_CLIENT_SECRET", "demo-secret")
            .env("CRAYON_USERNAME", "demo@example.com")
            .env("CRAYON_PASSWORD", "demo-password")
            .args([
                "tenants",
                "list",
                "--organization-id",
                "1",
                "--output",
                "json",
            ])
            .args(args)
            .stdout(std::fs::File::create(&printed)?)
            .stdin(std::process::Stdio::null())
            .spawn()
            .context("starting crayon-tenants")?;
        // VmHWM is the process's peak resident set so far; the last reading before it exits.
        let status_file = format!("/proc/{}/status", child.id());
        let mut peak_kib = 0u64;
        while child.try_wait()?.is_none() {
            if let Ok(status) = std::fs::read_to_string(&status_file)
                && let Some(kib) = status
                    .lines()
                    .find_map(|line| line.strip_prefix("VmHWM:"))
                    .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            {
                peak_kib = kib;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        Ok((peak_kib * 1024, std::fs::metadata(&printed)?.len()))
    };
    let (page_peak, _) = run(&["--page-size", "100"])?;
    let (all_peak, printed) = run(&["--all", "--page-size", "500", "--concurrency", "4"])?;
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    let mut text = String::from(
        "## 6. The command-line tool's memory

",
    );
    writeln!(
        text,
        concat!(
            "`crayon-tenants tenants list --organization-id 1 --all --page-size 500 --output json` ",
            "against the mock binary with 100,000 tenants (release builds, two processes), JSON written ",
            "to a file as pages arrive. Peak resident set of the tool (VmHWM, sampled every 5 ms), ",
            "against one page and against what it printed:\n"
        )
    )?;
    writeln!(
        text,
        "| run | printed | peak resident set | peak / printed |"
    )?;
    writeln!(text, "|---|---|---|---|")?;
    writeln!(text, "| one page of 100 | | {:.1} MiB | |", mib(page_peak))?;
    writeln!(
        text,
        "| `--all`, 100,000 tenants | {:.1} MiB | **{:.1} MiB** | **{:.3}** |\n",
        mib(printed),
        mib(all_peak),
        all_peak as f64 / printed.max(1) as f64
    )?;
    Ok(text)
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
    // reqwest with the features the library turns on and the same TLS choice as its default
    // `rustls` feature: rustls with ring, which reqwest alone needs as a dependency of its own.
    std::fs::write(
        alone.join("Cargo.toml"),
        "[package]\nname = \"reqwest-alone\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\n\
         reqwest = { version = \"0.13\", default-features = false, features = [\"json\", \"query\", \"form\", \"stream\", \"rustls-no-provider\"] }\n\
         rustls = { version = \"0.23\", default-features = false, features = [\"std\", \"tls12\", \"ring\"] }\n\n\
         [workspace]\n",
    )?;
    std::fs::write(
        alone.join("src/lib.rs"),
        "pub use reqwest;\npub use rustls;\n",
    )?;
    // The same versions as the workspace: its lock file, trimmed by cargo to what is used.
    std::fs::copy(root.join("Cargo.lock"), alone.join("Cargo.lock"))?;

    println!(
        "clean builds (debug) of crayon-tenants and of reqwest alone, alternating, twice each"
    );
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..2 {
        ours.push(clean_build(
            cargo,
            root,
            &["-p", "crayon-tenants", "--locked"],
            &scratch.join("target-ours"),
        )?);
        theirs.push(clean_build(
            cargo,
            &alone,
            &[],
            &scratch.join("target-reqwest"),
        )?);
    }
    let ours = ours.into_iter().min().expect("two builds");
    let theirs = theirs.into_iter().min().expect("two builds");
    // The library's own compile: only its package rebuilt, every dependency already built.
    let target_ours = scratch.join("target-ours");
    tools::run(
        Command::new(cargo)
            .current_dir(root)
            .env("CARGO_TARGET_DIR", &target_ours)
            .args(["clean", "--quiet", "-p", "crayon-tenants"]),
    )?;
    let started = Instant::now();
    tools::run(
        Command::new(cargo)
            .current_dir(root)
            .env("CARGO_TARGET_DIR", &target_ours)
            .args(["build", "--quiet", "--locked", "-p", "crayon-tenants"]),
    )?;
    let own = started.elapsed();
    let ours_crates = crate_set(cargo, root, &["-p", "crayon-tenants"])?;
    let theirs_crates = crate_set(cargo, &alone, &[])?;
    let bare_crates = crate_set(
        cargo,
        root,
        &["-p", "crayon-tenants", "--no-default-features"],
    )?;
    // Both trees include their own root package; compare what each depends on.
    let (ours_count, theirs_count) = (ours_crates.len() - 1, theirs_crates.len() - 1);
    let extra: Vec<&String> = ours_crates
        .difference(&theirs_crates)
        .filter(|name| !name.starts_with("crayon-tenants "))
        .collect();
    let build_ratio = ours.as_secs_f64() / theirs.as_secs_f64();

    let mut text = String::from("## 5. Build cost\n\n");
    writeln!(
        text,
        "The library with its default features (TLS: rustls with ring) against reqwest alone with the \
         features the library uses and the same TLS choice (`reqwest` with `json`, `query`, `form`, \
         `stream`, `rustls-no-provider`, plus `rustls` with `ring`), both at the versions of the \
         workspace's lock file. Each clean build ran twice, alternating; the faster of each is shown.\n"
    )?;
    writeln!(
        text,
        "| figure | crayon-tenants | reqwest alone | ratio or difference | goal |"
    )?;
    writeln!(text, "|---|---|---|---|---|")?;
    writeln!(
        text,
        "| clean debug build (`cargo build`, empty target directory) | {:.1} s | {:.1} s | {build_ratio:.2} | ≤ 1.05: {} |",
        ours.as_secs_f64(),
        theirs.as_secs_f64(),
        verdict(build_ratio <= 1.05)
    )?;
    writeln!(
        text,
        "| crates in the normal dependency tree (the package itself not counted) | {ours_count} | {theirs_count} | +{} | ≤ +5: {} |",
        ours_count as i64 - theirs_count as i64,
        verdict(ours_count <= theirs_count + 5)
    )?;
    writeln!(
        text,
        "| the same, `default-features = false` (plain HTTP, no TLS) | {} | | | |",
        bare_crates.len() - 1
    )?;
    writeln!(
        text,
        "| the library's own compile (its package alone rebuilt) | {:.1} s | | {:.2} of reqwest's build | |",
        own.as_secs_f64(),
        own.as_secs_f64() / theirs.as_secs_f64()
    )?;
    let serial = theirs.as_secs_f64() + own.as_secs_f64();
    write!(
        text,
        "\nreqwest's build plus the library's own compile: {:.1} s + {:.1} s = {serial:.1} s, \
         against {:.1} s measured for the whole clean build.",
        theirs.as_secs_f64(),
        own.as_secs_f64(),
        ours.as_secs_f64(),
    )?;
    if (serial - ours.as_secs_f64()).abs() <= 0.05 * ours.as_secs_f64() {
        write!(
            text,
            " The two agree within 5 %: the library's crate compiles after reqwest, its other \
             dependencies build beside reqwest's, and the gap to reqwest alone is the compile of \
             the generated client itself ({} lines).",
            generated.lines().count()
        )?;
    }
    writeln!(text)?;
    writeln!(
        text,
        "\nThe library's crates that reqwest alone does not have: {}.\n",
        extra
            .iter()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(", ")
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

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "not met" }
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

/// The packages (`name vX.Y.Z`) of the normal dependency tree.
fn crate_set(
    cargo: &str,
    directory: &Path,
    args: &[&str],
) -> Result<std::collections::BTreeSet<String>> {
    let output = Command::new(cargo)
        .current_dir(directory)
        .args(["tree", "-e", "normal", "--prefix", "none"])
        .args(args)
        .output()
        .context("cargo tree")?;
    if !output.status.success() {
        bail!(
            "cargo tree failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8(output.stdout)?
        .lines()
        .map(|line| {
            // `name vX.Y.Z (path) (proc-macro) (*)`: keep the name and version.
            line.split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|line| !line.is_empty())
        .collect())
}
