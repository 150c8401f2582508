//! `crayon-tenants`: every customer-tenant operation of Crayon's API from a shell.
//!
//! Built on the `crayon-tenants` client (its tokens, retries and paging) and, with `--mock`, on
//! the embedded `crayon-tenants-mock` server. The result goes to stdout; an error goes to
//! stderr as one line, with the exit codes of `cli::EXIT_CODES`.

mod body;
mod cli;
mod commands;
mod failure;
mod output;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    let result = runtime
        .block_on(commands::run(cli, &mut stdout))
        .and_then(|()| Ok(stdout.flush()?));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that went away (`| head`) is not a failure.
        Err(failure::Failure::Io(error)) if error.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("error: {failure}");
            failure.exit_code()
        }
    }
}
