//! What the checks need beyond the Rust toolchain, and how a bare machine gets it.
//!
//! Each command asks for what it needs before it starts; `cargo xtask ci` asks for everything
//! at once, so that a bare machine gets one `apt-get install`. As root with `apt-get` (a CI
//! machine) the missing Debian packages are installed and named; otherwise the command fails
//! with one line naming what to install. Rust components come from rustup, which needs no root.
//! The pinned Node and Python tools themselves are installed into the checkout by `tools.rs`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// One thing a check needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Node.js and npm: Redocly CLI, Prism, Playwright, TypeScript, Optic.
    Node,
    /// A headless Chromium: the rendered reference's check.
    Chromium,
    /// Python 3 with `venv` and `ensurepip`: Schemathesis and the Python consumer.
    PythonVenv,
    /// OpenSSL's development files and pkg-config: the library's `native-tls` feature.
    OpenSsl,
    /// rustfmt and clippy.
    RustComponents,
}

/// Everything `cargo xtask ci` needs.
pub const ALL: &[Need] = &[
    Need::RustComponents,
    Need::Node,
    Need::PythonVenv,
    Need::OpenSsl,
    Need::Chromium,
];

impl Need {
    fn purpose(self) -> &'static str {
        match self {
            Need::Node => "the contract's lint, mock, consumers and diff (Node.js and npm)",
            Need::Chromium => "the rendered reference's check (Chromium)",
            Need::PythonVenv => "Schemathesis and the Python consumer (python3 with venv)",
            Need::OpenSsl => "the native-tls build (OpenSSL headers and pkg-config)",
            Need::RustComponents => "cargo fmt and cargo clippy",
        }
    }

    fn debian_packages(self) -> &'static [&'static str] {
        match self {
            Need::Node => &["nodejs", "npm"],
            Need::Chromium => &["chromium"],
            Need::PythonVenv => &["python3", "python3-venv"],
            Need::OpenSsl => &["libssl-dev", "pkg-config"],
            Need::RustComponents => &[],
        }
    }

    fn present(self) -> bool {
        match self {
            Need::Node => on_path("node").is_some() && on_path("npm").is_some(),
            Need::Chromium => chromium().is_some(),
            Need::PythonVenv => {
                succeeds(Command::new("python3").args(["-c", "import venv, ensurepip"]))
            }
            Need::OpenSsl => succeeds(Command::new("pkg-config").args(["--exists", "openssl"])),
            Need::RustComponents => {
                succeeds(Command::new(crate::tools::cargo()).args(["fmt", "--version"]))
                    && succeeds(Command::new(crate::tools::cargo()).args(["clippy", "--version"]))
            }
        }
    }
}

/// Makes sure every need is met: installs what is missing when it can, fails with one line
/// naming what to install when it cannot.
pub fn ensure(needs: &[Need]) -> Result<()> {
    let missing: Vec<Need> = needs
        .iter()
        .copied()
        .filter(|need| !need.present())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if missing.contains(&Need::RustComponents) {
        println!("installing rustfmt and clippy (rustup component add)");
        crate::tools::run(Command::new("rustup").args(["component", "add", "rustfmt", "clippy"]))
            .context("rustup component add rustfmt clippy")?;
    }
    let packages: Vec<&str> = missing
        .iter()
        .flat_map(|need| need.debian_packages().iter().copied())
        .collect();
    if !packages.is_empty() {
        let purposes: Vec<&str> = missing
            .iter()
            .filter(|need| !need.debian_packages().is_empty())
            .map(|need| need.purpose())
            .collect();
        if !(is_root() && on_path("apt-get").is_some()) {
            bail!(
                "missing {}: install the Debian packages {} (as root: apt-get install {}), or run \
                 this command as root to have it install them",
                purposes.join("; "),
                packages.join(" "),
                packages.join(" ")
            );
        }
        println!(
            "installing Debian packages {} for {}",
            packages.join(" "),
            purposes.join("; ")
        );
        crate::tools::run(Command::new("apt-get").args(["update", "-qq"]))?;
        crate::tools::run(
            Command::new("apt-get")
                .args(["install", "-y", "-qq"])
                .args(&packages)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdout(Stdio::null()),
        )?;
    }
    let still: Vec<&str> = missing
        .iter()
        .filter(|need| !need.present())
        .map(|need| need.purpose())
        .collect();
    if !still.is_empty() {
        bail!("still missing after installing: {}", still.join("; "));
    }
    Ok(())
}

/// The Chromium to drive: `$CHROMIUM` when set, else the first of Debian's and Google's names
/// on `PATH`.
pub fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path)).filter(|path| path.is_file());
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find_map(on_path)
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| is_executable(path))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    path.metadata()
        .is_ok_and(|metadata| metadata.is_file() && metadata.permissions().mode() & 0o111 != 0)
}

fn succeeds(command: &mut Command) -> bool {
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.trim_ascii() == b"0")
}
