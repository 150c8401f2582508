//! `crayon-tenants`: every customer-tenant operation of Crayon's API from a shell.
//!
//! Built on the `crayon-tenants` client (its tokens, retries and paging) and, with `--mock`, on
//! the embedded `crayon-tenants-mock` server. The result goes to stdout; an error goes to
//! stderr as one line, with the exit codes of `cli::EXIT_CODES`.

mod apply;
mod body;
mod bulk;
mod cli;
mod commands;
mod contract_check;
mod credentials_file;
mod current;
mod exported;
mod failure;
mod import;
mod journal;
mod listing;
mod output;
mod rows;
mod secrets;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    show_requests(cli.global.verbose);
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

/// `-v`: one line per call on stderr when it ends (the client's `call finished` event:
/// operation, status, attempts, time, the error) and retries as warnings with their reason and
/// wait; `-vv`: every span of the client too when it closes (the call, each attempt with its URL,
/// the token request). `RUST_LOG` overrides both. Neither carries a header or a body, so no
/// secret reaches them.
fn show_requests(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::fmt::format::FmtSpan;
    let filter = match (std::env::var("RUST_LOG"), verbose) {
        (Ok(directives), _) if !directives.is_empty() => EnvFilter::new(directives),
        (_, 0) => return,
        // The embedded mock's own lines (`--mock`) only with -vv.
        (_, 1) => EnvFilter::new("crayon_tenants=debug,crayon_tenants_mock=off"),
        _ => EnvFilter::new("crayon_tenants=debug"),
    };
    let spans = if verbose >= 2 {
        FmtSpan::CLOSE
    } else {
        FmtSpan::NONE
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(spans)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}
