//! `cargo xtask bench`: every measured figure of the project, printed and written to
//! BENCHMARKS.md with the commands that reproduce them. Figures are ratios and counts from one
//! run on whatever machine runs it; nothing here asserts a timing.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::{SPEC_PATH, codegen, tools, workspace_root};

pub fn run(bulk_only: bool) -> Result<()> {
    let root = workspace_root();
    if bulk_only {
        // Only section 8: every other section of BENCHMARKS.md is kept as it is.
        let previous = std::fs::read_to_string(root.join("BENCHMARKS.md")).unwrap_or_default();
        let kept = &previous[..previous.find("## 8.").unwrap_or(previous.len())];
        build_release_binaries(&root)?;
        let bulk = bulk(&root)?;
        print!("{bulk}");
        std::fs::write(root.join("BENCHMARKS.md"), format!("{kept}{bulk}"))?;
        return Ok(());
    }
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
    report.push_str(&cli_memory(&root)?);
    let bulk = bulk(&root)?;
    print!("{report}{bulk}");
    // The fuzzing section is written by `cargo xtask fuzz`; keep it.
    let previous = std::fs::read_to_string(root.join("BENCHMARKS.md")).unwrap_or_default();
    if let Some(fuzzing) = previous.find("## 7. Fuzzing") {
        // Section 8 follows and is rewritten: keep only the fuzzing section itself.
        let fuzzing = &previous[fuzzing..];
        let end = fuzzing.find("\n## 8.").unwrap_or(fuzzing.len());
        report.push_str(&fuzzing[..end]);
        if !report.ends_with("\n\n") {
            report.push('\n');
        }
    }
    report.push_str(&bulk);
    std::fs::write(root.join("BENCHMARKS.md"), &report)?;
    println!("wrote BENCHMARKS.md");
    Ok(())
}

/// Release builds of the mock binary and the command-line tool, which sections 6 and 8 run.
fn build_release_binaries(root: &Path) -> Result<()> {
    tools::run(Command::new(tools::cargo()).current_dir(root).args([
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
    ]))
}

/// Peak resident memory of `crayon-tenants tenants list --all --output json` over 100,000
/// tenants of the mock binary, against the size of what it prints and against one page.
fn cli_memory(root: &Path) -> Result<String> {
    println!("the command-line tool listing 100,000 tenants (release build)");
    build_release_binaries(root)?;
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
        let (_, peak_bytes) = wait_sampling_peak(&mut child)?;
        Ok((peak_bytes, std::fs::metadata(&printed)?.len()))
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
            "against the mock binary with 100,000 tenants (release builds, two processes), a verified ",
            "listing (two reads that agree; each read's rows spooled to an anonymous temporary file, ",
            "only where the last read's rows lie kept in memory), JSON written to a file. Peak resident ",
            "set of the tool (VmHWM, sampled every 5 ms), against one page and against what it printed:\n"
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

/// What a consumer pays to build: one program that lists tenants with the library, and the same
/// program written with reqwest alone, each built clean (and with its tests: the library's with
/// the mock as a dev-dependency, reqwest's against a loopback server of its own); the dependency
/// counts; the library's own compile; codegen time and generated lines.
fn build_cost(root: &Path, cargo: &str) -> Result<String> {
    let spec = std::fs::read_to_string(root.join(SPEC_PATH))?;
    let started = Instant::now();
    let generated = codegen::generate(&spec)?;
    let codegen_time = started.elapsed();

    let scratch = tools::target_dir(root).join("bench");
    let library = consumer(&scratch.join("with-library"), &library_program(root))?;
    let alone = consumer(&scratch.join("reqwest-alone"), &reqwest_program())?;
    for program in [&library, &alone] {
        // The same versions as the workspace: its lock file, trimmed by cargo to what is used.
        std::fs::copy(root.join("Cargo.lock"), program.join("Cargo.lock"))?;
    }

    println!(
        "clean builds (debug) of the two programs and of their tests, alternating, twice each"
    );
    let mut times = [(); 4].map(|_| Vec::new());
    for _ in 0..2 {
        for (index, (program, tests)) in [
            (&library, false),
            (&alone, false),
            (&library, true),
            (&alone, true),
        ]
        .into_iter()
        .enumerate()
        {
            let args: &[&str] = if tests { &["--tests"] } else { &[] };
            let target = scratch.join(format!("target-{index}"));
            times[index].push(clean_build(cargo, program, args, &target)?);
        }
    }
    let [ours, theirs, our_tests, their_tests] =
        times.map(|runs| runs.into_iter().min().expect("two builds").as_secs_f64());
    // The library's own compile: only its package rebuilt, every dependency already built.
    let target_ours = scratch.join("target-0");
    tools::run(
        Command::new(cargo)
            .current_dir(&library)
            .env("CARGO_TARGET_DIR", &target_ours)
            .args(["clean", "--quiet", "-p", "crayon-tenants"]),
    )?;
    let started = Instant::now();
    tools::run(
        Command::new(cargo)
            .current_dir(&library)
            .env("CARGO_TARGET_DIR", &target_ours)
            .args(["build", "--quiet"]),
    )?;
    let own = started.elapsed().as_secs_f64();
    let ours_crates = crate_set(cargo, root, &["-p", "crayon-tenants"])?;
    let theirs_crates = crate_set(cargo, &alone, &[])?;
    let bare_crates = crate_set(
        cargo,
        root,
        &["-p", "crayon-tenants", "--no-default-features"],
    )?;
    // The library's tree includes the library; the program's, the program: neither is counted.
    let (ours_count, theirs_count) = (ours_crates.len() - 1, theirs_crates.len() - 1);
    let extra: Vec<&String> = ours_crates
        .difference(&theirs_crates)
        .filter(|name| !name.starts_with("crayon-tenants "))
        .collect();

    let mut text = String::from("## 5. Build cost\n\n");
    writeln!(
        text,
        "A program that fetches a token and lists a page of tenants, written with the library \
         (default features: TLS by rustls with aws-lc-rs), against the same program written with \
         reqwest alone (`json`, `query`, `form`, `rustls`: the same TLS) and serde_json; each also \
         with its tests: the library's against the mock (`crayon-tenants-mock` as a \
         dev-dependency), reqwest's against a loopback server of its own. Both at the versions of \
         the workspace's lock file; each clean debug build ran twice, alternating; the faster is \
         shown.\n"
    )?;
    writeln!(
        text,
        "| figure | with the library | reqwest alone | ratio or difference |"
    )?;
    writeln!(text, "|---|---|---|---|")?;
    writeln!(
        text,
        "| clean build of the program (`cargo build`) | {ours:.1} s | {theirs:.1} s | **{:.2}** |",
        ours / theirs
    )?;
    writeln!(
        text,
        "| clean build of the program and its tests (`cargo build --tests`) | {our_tests:.1} s | {their_tests:.1} s | **{:.2}** |",
        our_tests / their_tests
    )?;
    writeln!(
        text,
        "| crates in the normal dependency tree (the package itself not counted) | {ours_count} | {theirs_count} | +{} |",
        ours_count as i64 - theirs_count as i64,
    )?;
    writeln!(
        text,
        "| the library's tree with `default-features = false` (plain HTTP, no TLS) | {} | | |",
        bare_crates.len() - 1
    )?;
    writeln!(
        text,
        "| the library's own compile (its package alone rebuilt) | {own:.1} s | | {:.2} of the reqwest program's build |",
        own / theirs
    )?;
    writeln!(
        text,
        "\nThe library's crates that the reqwest program does not have: {}.\n",
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
        "\nReproduce: `cargo xtask bench` (the programs are written to `target/bench/`), or one \
         section with\n`cargo bench -p crayon-tenants --bench figures -- overhead|listing|tokens|memory`.\n"
    )?;
    Ok(text)
}

/// A consumer program: its `Cargo.toml` and files, written into `directory` (outside the
/// workspace: its own `[workspace]`).
struct Program {
    manifest: String,
    main: &'static str,
    test: &'static str,
}

fn consumer(directory: &Path, program: &Program) -> Result<std::path::PathBuf> {
    std::fs::create_dir_all(directory.join("src"))?;
    std::fs::create_dir_all(directory.join("tests"))?;
    std::fs::write(directory.join("Cargo.toml"), &program.manifest)?;
    std::fs::write(directory.join("src/main.rs"), program.main)?;
    std::fs::write(directory.join("tests/list.rs"), program.test)?;
    Ok(directory.to_path_buf())
}

fn library_program(root: &Path) -> Program {
    let crates = root.join("crates");
    Program {
        manifest: format!(
            "[package]\nname = \"with-library\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\ncrayon-tenants = {{ path = {:?} }}\n\
             tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n\n\
             [dev-dependencies]\ncrayon-tenants-mock = {{ path = {:?} }}\n\n[workspace]\n",
            crates.join("crayon-tenants"),
            crates.join("crayon-tenants-mock"),
        ),
        main: r#"use crayon_tenants::{Client, Credentials};

#[tokio::main]
async fn main() -> Result<(), crayon_tenants::Error> {
    let client = Client::builder()
        .credentials(Credentials::password("id", "secret", "user", "password"))
        .build()?;
    let page = client.list_customer_tenants().organization_id(1).await?;
    println!("{:?}", page.total_hits);
    Ok(())
}
"#,
        test: r#"#[tokio::test]
async fn lists_a_page() {
    let mock = crayon_tenants_mock::MockServer::start(Default::default()).await.unwrap();
    let demo = mock.credentials();
    let client = crayon_tenants::Client::builder()
        .base_url(mock.base_url())
        .credentials(crayon_tenants::Credentials::password(
            demo.client_id.clone(), demo.client_secret.clone(), demo.username.clone(), demo.password.clone(),
        ))
        .build()
        .unwrap();
    let page = client.list_customer_tenants().organization_id(1).await.unwrap();
    assert!(page.total_hits.is_some());
}
"#,
    }
}

fn reqwest_program() -> Program {
    Program {
    manifest: "[package]\nname = \"reqwest-alone\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
        [dependencies]\n\
        reqwest = { version = \"0.13\", default-features = false, features = [\"json\", \"query\", \"form\", \"rustls\"] }\n\
        serde_json = \"1\"\n\
        tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\", \"io-util\"] }\n\n[workspace]\n"
        .to_owned(),
    main: r#"#[tokio::main]
async fn main() -> Result<(), reqwest::Error> {
    println!("{}", list(&reqwest::Client::new(), "https://api.crayon.com").await?);
    Ok(())
}

/// A token, then a page of tenants, by hand.
pub async fn list(http: &reqwest::Client, base: &str) -> Result<serde_json::Value, reqwest::Error> {
    let token: serde_json::Value = http
        .post(format!("{base}/api/v1/connect/token/"))
        .basic_auth("id", Some("secret"))
        .form(&[("grant_type", "password"), ("username", "user"), ("password", "password"), ("scope", "CustomerApi")])
        .send().await?.error_for_status()?.json().await?;
    let bearer = token["AccessToken"].as_str().unwrap_or_default().to_owned();
    http.get(format!("{base}/api/v1/customertenants/"))
        .query(&[("organizationId", 1)])
        .bearer_auth(bearer)
        .send().await?.error_for_status()?.json().await
}
"#,
    test: r#"use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn a_loopback_server_answers() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buffer = [0u8; 1024];
        let _ = stream.read(&mut buffer).await;
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}").await;
    });
    let body = reqwest::get(format!("http://{address}/")).await.unwrap().text().await.unwrap();
    assert_eq!(body, "{}");
}
"#,
    }
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

/// A row of a bulk file: a tenant there with a new `Reference`, a tenant there as it is (with
/// its `Reference`), or a new tenant.
enum BenchRow {
    Changed(String, String),
    Unchanged(String, String),
    New(String),
}

impl BenchRow {
    fn prefix(&self) -> &str {
        match self {
            Self::Changed(prefix, _) | Self::Unchanged(prefix, _) | Self::New(prefix) => prefix,
        }
    }
}

/// What one run of a bulk command cost: requests sent, wall time, peak resident set.
struct BulkRun {
    requests: usize,
    seconds: f64,
    peak_bytes: u64,
    /// Requests the mock's rate limit answered 429.
    refused: usize,
}

/// Runs a process to its end, sampling its peak resident set (VmHWM) every 5 ms; its stdout
/// and stderr as text.
fn sampled(command: &mut Command) -> Result<(f64, u64, String)> {
    let started = Instant::now();
    let mut child = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", command.get_program().to_string_lossy()))?;
    // Read both pipes on threads, so that a full pipe never stalls the process.
    let mut stdout = child.stdout.take().context("stdout")?;
    let mut stderr = child.stderr.take().context("stderr")?;
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).map(|_| text)
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut text).map(|_| text)
    });
    let (status, peak_bytes) = wait_sampling_peak(&mut child)?;
    let seconds = started.elapsed().as_secs_f64();
    let stdout = out.join().map_err(|_| anyhow::anyhow!("stdout reader"))??;
    let stderr = err.join().map_err(|_| anyhow::anyhow!("stderr reader"))??;
    if !status.success() {
        bail!("a bulk run failed ({status}):\n{stderr}");
    }
    Ok((seconds, peak_bytes, format!("{stdout}\n{stderr}")))
}

/// Waits for the process to end, reading its peak resident set (VmHWM, the peak so far) every
/// 5 ms; the last reading before it exits is its peak.
fn wait_sampling_peak(child: &mut std::process::Child) -> Result<(std::process::ExitStatus, u64)> {
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0u64;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((status, peak_kib * 1024));
        }
        if let Ok(text) = std::fs::read_to_string(&status_file)
            && let Some(kib) = text
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        {
            peak_kib = kib;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// `tenants import` and `tenants apply` of files where half the rows are there already and a
/// quarter changed, against the mock with 20 ms of latency, concurrency 8: requests and time
/// against the ideal and against the one-call-per-row loop; peak memory against the rows.
fn bulk(root: &Path) -> Result<String> {
    const LATENCY_MS: f64 = 20.0;
    let release = tools::target_dir(root).join("release");
    let out = tools::target_dir(root).join("bench").join("bulk");
    std::fs::create_dir_all(&out)?;
    let python = tools::python_bin(root)?;
    let cli = |url: &str| {
        let mut command = Command::new(release.join("crayon-tenants"));
        command
            .env("CRAYON_BASE_URL", url)
            .env("CRAYON_CLIENT_ID", "demo-client")
            .env("CRAYON_CLIENT_SECRET", "demo-secret")
            .env("CRAYON_USERNAME", "demo@example.com")
            .env("CRAYON_PASSWORD", "demo-password");
        command
    };
    // The files of `rows` rows over an organization seeded with half of them, a quarter of all
    // rows changed (their Reference).
    let prepare =
        |rows: usize, extra: &[&str]| -> Result<(tools::Background, String, Vec<String>)> {
            let existing = rows / 2;
            let existing_text = existing.to_string();
            let args = [
                &["--seed-tenants", &existing_text, "--latency-ms", "20"][..],
                extra,
            ]
            .concat();
            let (mock, url) = tools::start_mock(
                &release.join("crayon-tenants-mock"),
                &args,
                &out.join("mock.log"),
            )?;
            let (_, _, export) = sampled(cli(&url).args([
                "--output",
                "ndjson",
                "tenants",
                "list",
                "--organization-id",
                "1",
                "--all",
                "--page-size",
                "1000",
            ]))?;
            let prefixes: Vec<String> = export
                .lines()
                .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
                .filter_map(|tenant| tenant["DomainPrefix"].as_str().map(str::to_owned))
                .collect();
            if prefixes.len() != existing {
                bail!("the mock listed {} tenants, not {existing}", prefixes.len());
            }
            Ok((mock, url, prefixes))
        };
    let create_body = |prefix: &str| {
        serde_json::json!({
            "Tenant": {"Name": format!("{prefix} AB"), "DomainPrefix": prefix, "CustomerTenantType": 2,
                       "Publisher": {"Id": 2}, "InvoiceProfile": {"Id": 7}, "Organization": {"Id": 1}},
            "Profile": {
                "Contact": {"FirstName": "Ada", "LastName": "L", "Email": "a@b.c", "PhoneNumber": "1"},
                "Address": {"FirstName": "Ada", "LastName": "L", "AddressLine1": "S 1", "City": "C",
                            "Region": "R", "PostalCode": "1", "CountryCode": "GB"}
            },
            "Company": {"OrganizationRegistrationNumber": "123"}
        })
    };
    // The rows of a file over `prefixes`: the existing tenants first (every other one with a
    // new Reference), then the new ones.
    let rows_of = |prefixes: &[String], rows: usize| -> Vec<BenchRow> {
        (0..rows)
            .map(|i| match prefixes.get(i) {
                Some(prefix) if i % 2 == 0 => {
                    BenchRow::Changed(prefix.clone(), format!("BENCH-{i}"))
                }
                // The seed's own reference of the i-th demo tenant.
                Some(prefix) => BenchRow::Unchanged(prefix.clone(), format!("REF-1-{i:04}")),
                None => BenchRow::New(format!("bench-new-{i}")),
            })
            .collect()
    };
    let count_requests = |log: &str| {
        log.lines()
            .filter(|line| {
                // The close of each attempt span and of each token request's span.
                line.contains(": close")
                    && (line.contains("crayon_tenants.attempt{")
                        || line.contains("crayon_tenants.token{"))
            })
            .count()
    };
    let measure =
        |command: &str, rows: usize, mock_args: &[&str], cli_args: &[&str]| -> Result<BulkRun> {
            let (_mock, url, prefixes) = prepare(rows, mock_args)?;
            let refused_before = refusals(&out.join("mock.log"));
            let file = out.join(format!("{command}-{rows}.ndjson"));
            let mut text = String::new();
            for row in rows_of(&prefixes, rows) {
                let line = match (command, row) {
                    ("import", row) => create_body(row.prefix()),
                    (_, BenchRow::Changed(prefix, reference)) => {
                        serde_json::json!({ "DomainPrefix": prefix, "Reference": reference })
                    }
                    // Unchanged: the row names the tenant and nothing else.
                    (_, BenchRow::Unchanged(prefix, _)) => {
                        serde_json::json!({ "DomainPrefix": prefix })
                    }
                    (_, BenchRow::New(prefix)) => {
                        let mut body = create_body(&prefix);
                        let mut tenant = body["Tenant"].take();
                        tenant["Profile"] = body["Profile"].take();
                        tenant["Company"] = body["Company"].take();
                        tenant
                    }
                };
                writeln!(text, "{line}")?;
            }
            std::fs::write(&file, text)?;
            let credentials = out.join(format!("{command}-{rows}.credentials.csv"));
            let _ = std::fs::remove_file(&credentials);
            let (seconds, peak_bytes, log) = sampled(
                cli(&url)
                    .args([
                        "-vv",
                        "--output",
                        "ndjson",
                        "tenants",
                        command,
                        "--organization-id",
                        "1",
                        "--concurrency",
                        "8",
                        "--credentials-file",
                    ])
                    .arg(&credentials)
                    .arg("--file")
                    .arg(&file)
                    .args(cli_args),
            )?;
            Ok(BulkRun {
                requests: count_requests(&log),
                seconds,
                peak_bytes,
                refused: refusals(&out.join("mock.log")) - refused_before,
            })
        };
    let loop_run = |rows: usize| -> Result<BulkRun> {
        let (_mock, url, prefixes) = prepare(rows, &[])?;
        let file = out.join(format!("loop-{rows}.ndjson"));
        let mut text = String::new();
        for row in rows_of(&prefixes, rows) {
            let (prefix, reference) = match &row {
                BenchRow::Changed(prefix, reference) | BenchRow::Unchanged(prefix, reference) => {
                    (prefix.as_str(), reference.as_str())
                }
                // A new tenant's reference: none the loop would find on a tenant.
                BenchRow::New(prefix) => (prefix.as_str(), ""),
            };
            writeln!(
                text,
                "{}",
                serde_json::json!({
                    "DomainPrefix": prefix, "Reference": reference, "Create": create_body(prefix)
                })
            )?;
        }
        std::fs::write(&file, text)?;
        let (seconds, peak_bytes, log) = sampled(
            Command::new(python.join("python"))
                .arg(root.join("tools/bench/provision_loop.py"))
                .arg(&url)
                .arg(&file),
        )?;
        let requests = log
            .lines()
            .find_map(|line| line.strip_prefix("requests="))
            .and_then(|n| n.trim().parse().ok())
            .context("the loop's request count")?;
        Ok(BulkRun {
            requests,
            seconds,
            peak_bytes,
            refused: 0,
        })
    };

    println!("bulk: import and apply of 1,000 rows against the mock with 20 ms latency");
    let rows = 1000;
    let (creates, changed) = (rows / 2, rows / 4);
    let ideal = |writes: usize| {
        (
            1 + writes,
            (1.0 + (writes as f64 / 8.0).ceil()) * LATENCY_MS / 1000.0,
        )
    };
    let import = measure("import", rows, &[], &[])?;
    let apply = measure("apply", rows, &[], &[])?;
    let apply_large = measure("apply", rows * 4, &[], &[])?;
    let import_large = measure("import", rows * 4, &[], &[])?;
    let looped = loop_run(rows)?;
    let mut text = String::from("## 8. Bulk onboarding and changes\n\n");
    writeln!(
        text,
        "`crayon-tenants tenants import` and `tenants apply` (release build, `--concurrency 8`) of \
         {rows} rows against the mock binary with 20 ms of latency on every response: half the rows \
         name tenants the organization has, a quarter change one (`Reference`; `apply` only), the \
         other half are new. The ideal: the organization's tenants listed once, then one request per \
         create or changed tenant, eight at a time. The loop: the community Python SDK's \
         provisioning pattern (look each row up, then create or update; one request at a time; \
         `tools/bench/provision_loop.py`, httpx) on the same mock and rows. Requests counted from \
         the tool's `-vv` trace (every attempt and token request).\n"
    )?;
    writeln!(
        text,
        "| run | requests | ideal | wall time | ideal | time / ideal | loop's time / this |"
    )?;
    writeln!(text, "|---|---|---|---|---|---|---|")?;
    for (name, run, writes) in [
        ("`tenants import`", &import, creates),
        ("`tenants apply`", &apply, creates + changed),
    ] {
        let (ideal_requests, ideal_seconds) = ideal(writes);
        writeln!(
            text,
            "| {name} | {} | {ideal_requests} | {:.2} s | {:.2} s | **{:.2}** | **{:.1}** |",
            run.requests,
            run.seconds,
            ideal_seconds,
            run.seconds / ideal_seconds,
            looped.seconds / run.seconds,
        )?;
    }
    writeln!(
        text,
        "| the loop | {} | | {:.2} s | | | |\n",
        looped.requests, looped.seconds
    )?;
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    writeln!(
        text,
        "Peak resident set (VmHWM, sampled every 5 ms; the file is read row by row, the \
         organization's tenants are held once, and it has half as many as the file has rows):\n"
    )?;
    writeln!(
        text,
        "| command | {rows} rows | {} rows | ratio for 4x the rows |",
        rows * 4
    )?;
    writeln!(text, "|---|---|---|---|")?;
    for (name, small, large) in [
        ("`tenants import`", &import, &import_large),
        ("`tenants apply`", &apply, &apply_large),
    ] {
        writeln!(
            text,
            "| {name} | {:.1} MiB | {:.1} MiB | **{:.2}** |",
            mib(small.peak_bytes),
            mib(large.peak_bytes),
            large.peak_bytes as f64 / small.peak_bytes.max(1) as f64
        )?;
    }
    text.push('\n');
    let _ = looped.peak_bytes;

    // Against a rate limit: the mock answers requests over RATE a second 429 with Retry-After.
    const RATE: f64 = 100.0;
    println!("bulk: apply of 1,000 rows against a rate limit of {RATE} requests a second");
    let rate = RATE.to_string();
    let limit = ["--rate-limit-rps", rate.as_str()];
    let uncapped = measure("apply", rows, &limit, &[])?;
    let capped = measure("apply", rows, &limit, &["--max-rps", rate.as_str()])?;
    // The requests a run needs: the token, the listing, one per create or change.
    let needed = 2 + creates + changed;
    let ideal_seconds = needed as f64 / RATE;
    writeln!(
        text,
        "## 9. Bulk changes against a rate limit
"
    )?;
    writeln!(
        text,
        "`tenants apply` of the same {rows} rows (`--concurrency 8`, 20 ms of latency) against the mock \
         binary with `--rate-limit-rps {RATE}`: a token bucket of one second's requests; a request over \
         it is answered 429 with `Retry-After` (whole seconds) and not run. A 429 or 503 pauses every \
         worker of the client (one shared backoff); `--max-rps` spaces the requests. The ideal: the \
         {needed} requests the run needs at {RATE} a second. Goal: no row fails, 429s under 5% of the \
         requests, time within 1.2x of the ideal.\n"
    )?;
    writeln!(
        text,
        "| run | requests | answered 429 | share | wall time | ideal | time / ideal |"
    )?;
    writeln!(text, "|---|---|---|---|---|---|---|")?;
    for (name, run) in [
        ("without a cap", &uncapped),
        (&*format!("`--max-rps {RATE}`"), &capped),
    ] {
        writeln!(
            text,
            "| {name} | {} | {} | **{:.1}%** | {:.2} s | {:.2} s | **{:.2}** |",
            run.requests,
            run.refused,
            100.0 * run.refused as f64 / run.requests.max(1) as f64,
            run.seconds,
            ideal_seconds,
            run.seconds / ideal_seconds,
        )?;
    }
    text.push('\n');
    Ok(text)
}

/// Requests the mock's rate limit refused, as its log says so far.
fn refusals(log: &Path) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|line| line.contains("rate limited"))
        .count()
}
