//! The connection's secrets: from the environment, from stdin (`--client-secret-stdin`,
//! `--password-stdin`, `--token-stdin`, one line each, in that order), or from a prompt when
//! stdin is a terminal. Never from an option's value, which `ps` and shell histories see.

use std::io::{BufRead as _, IsTerminal as _};

use crate::cli::ConnectionOptions;
use crate::failure::Failure;

/// What was found; `None` where nothing was given.
pub struct Secrets {
    pub client_secret: Option<String>,
    pub password: Option<String>,
    pub token: Option<String>,
}

/// Reads the secrets the options and the environment point to.
pub fn read(options: &ConnectionOptions) -> Result<Secrets, Failure> {
    let line = |flag: &str| -> Result<String, Failure> {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            return Err(Failure::Usage(format!(
                "{flag}: stdin gave no line to read the secret from"
            )));
        }
        Ok(line)
    };
    let from = |flag: bool, name: &str, variable: &str| -> Result<Option<String>, Failure> {
        if flag {
            line(name).map(Some)
        } else {
            Ok(std::env::var(variable)
                .ok()
                .filter(|value| !value.is_empty()))
        }
    };
    let mut secrets = Secrets {
        client_secret: from(
            options.client_secret_stdin,
            "--client-secret-stdin",
            "CRAYON_CLIENT_SECRET",
        )?,
        password: from(
            options.password_stdin,
            "--password-stdin",
            "CRAYON_PASSWORD",
        )?,
        token: from(options.token_stdin, "--token-stdin", "CRAYON_TOKEN")?,
    };
    // The password grant on a terminal: ask for what is still missing, without echo.
    let wants_password_grant =
        secrets.token.is_none() && options.client_id.is_some() && options.username.is_some();
    if wants_password_grant && std::io::stdin().is_terminal() {
        if secrets.client_secret.is_none() {
            secrets.client_secret = Some(rpassword::prompt_password("API client secret: ")?);
        }
        if secrets.password.is_none() {
            secrets.password = Some(rpassword::prompt_password("API user's password: ")?);
        }
    }
    Ok(secrets)
}
