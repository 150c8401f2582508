//! The pinned third-party tools, installed into the checkout on first use (never globally):
//! Node tools from `tools/package.json` + lock file into `tools/node_modules`, Python tools from
//! `tools/requirements.txt` into a virtual environment under `target/tools/venv`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::prerequisites::{self, Need};

/// `tools/node_modules/.bin`, after `npm ci` when the installed tools are not those of
/// `tools/package-lock.json` (a copy of the lock file it installed is kept beside them).
pub fn node_bin(root: &Path) -> Result<PathBuf> {
    prerequisites::ensure(&[Need::Node])?;
    let tools = root.join("tools");
    let modules = tools.join("node_modules");
    let lock = std::fs::read_to_string(tools.join("package-lock.json"))
        .context("tools/package-lock.json")?;
    install_unless_stamped(&modules.join(".installed-package-lock.json"), &lock, || {
        println!("installing the pinned Node tools of tools/package.json (npm ci)");
        run(Command::new("npm")
            .current_dir(&tools)
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            // One dependency's install script reports downloads; it is not needed.
            .env("SCARF_ANALYTICS", "false"))
        .context("npm ci in tools/")
    })?;
    Ok(modules.join(".bin"))
}

/// The `bin` directory of the Python virtual environment with `tools/requirements.txt`.
pub fn python_bin(root: &Path) -> Result<PathBuf> {
    prerequisites::ensure(&[Need::PythonVenv])?;
    let venv = target_dir(root).join("tools").join("venv");
    let bin = venv.join("bin");
    let requirements = root.join("tools").join("requirements.txt");
    let current = std::fs::read_to_string(&requirements).context("tools/requirements.txt")?;
    install_unless_stamped(&venv.join("requirements.txt"), &current, || {
        println!(
            "installing the pinned Python tools of tools/requirements.txt into {}",
            venv.display()
        );
        run(Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv))
        .context("python3 -m venv")?;
        run(Command::new(bin.join("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements))
        .context("pip install -r tools/requirements.txt")
    })?;
    Ok(bin)
}

/// Runs `install` unless `stamp` holds `pins` (the pin file it installed last time), then
/// writes `pins` to `stamp`: the tools are reinstalled exactly when their pins change.
fn install_unless_stamped(
    stamp: &Path,
    pins: &str,
    install: impl FnOnce() -> Result<()>,
) -> Result<()> {
    if std::fs::read_to_string(stamp).ok().as_deref() == Some(pins) {
        return Ok(());
    }
    install()?;
    std::fs::write(stamp, pins).with_context(|| stamp.display().to_string())
}

/// The cargo that runs this xtask (`$CARGO`), else `cargo` from `PATH`.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Cargo's target directory.
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Runs a command to completion, failing on a non-zero exit.
pub fn run(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("starting {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}

/// A child process that is killed when dropped (a server for the length of a check).
pub struct Background {
    child: Child,
    name: String,
}

impl Background {
    /// Starts `command` with its output in `log`, and waits until a line of the log contains
    /// `ready` (at most `timeout`); returns that line.
    pub fn start(
        name: &str,
        command: &mut Command,
        log: &Path,
        ready: &str,
        timeout: Duration,
    ) -> Result<(Self, String)> {
        let file = std::fs::File::create(log).with_context(|| log.display().to_string())?;
        let child = command
            .stdout(file.try_clone()?)
            .stderr(file)
            .stdin(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        let mut background = Self {
            child,
            name: name.to_owned(),
        };
        let started = Instant::now();
        loop {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            if let Some(line) = BufReader::new(text.as_bytes())
                .lines()
                .map_while(Result::ok)
                .find(|line| line.contains(ready))
            {
                return Ok((background, line));
            }
            if let Some(status) = background.child.try_wait()? {
                bail!("{name} exited ({status}) before it was ready; its output:\n{text}");
            }
            if started.elapsed() > timeout {
                bail!("{name} was not ready after {timeout:?}; its output:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if self.child.kill().is_ok() {
            let _ = self.child.wait();
        } else {
            eprintln!("{} had already stopped", self.name);
        }
    }
}

/// Starts the mock server binary on a free loopback port with `args`, its output in `log`;
/// returns it (stopped when dropped) and its base URL.
pub fn start_mock(binary: &Path, args: &[&str], log: &Path) -> Result<(Background, String)> {
    let (mock, line) = Background::start(
        "the mock server",
        Command::new(binary)
            .args(["--listen", "127.0.0.1:0"])
            .args(args),
        log,
        "listening on ",
        Duration::from_secs(60),
    )?;
    Ok((
        mock,
        line.trim().trim_start_matches("listening on ").to_owned(),
    ))
}

/// A port on loopback that is free now.
pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
