//! `crayon-tenants-mock`: the mock Crayon customer-tenants API as a standalone server.
//!
//! Prints exactly one line on stdout, `listening on http://ADDRESS`, once it accepts
//! connections; logs go to stderr. Stops on Ctrl-C or SIGTERM. `crayon-tenants-mock proxy`
//! is the recording proxy instead, which prints the same line.

use std::io::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, Subcommand};
use crayon_tenants_mock::{FaultRule, MockConfig, MockCredentials, MockServer, Proxy, ProxyConfig};

#[derive(Parser)]
#[command(
    name = "crayon-tenants-mock",
    version,
    about = "A stand-in for Crayon's customer-tenants API, for tests and demos",
    after_help = "\
Default credentials (the token operation's HTTP Basic client and password-grant user):
  client id      demo-client
  client secret  demo-secret
  user           demo@example.com
  password       demo-password
The user may see organizations 1 and 2; organization 3 belongs to someone else (403).

Fault examples:
  --fault createCustomerTenant:status=502
  --fault listCustomerTenants:status=503:retry-after=1:rate=0.2
  --fault '*:latency=50'   --fault getCustomerTenant:html-page=502   --fault getUserToken:empty-unauthorized
  --fault listCustomerTenants:malformed-json:times=1   --fault getCustomerTenant:truncated-body   --fault deleteCustomerTenant:drop-after-running
  --fault listCustomerTenants:change=delete-first:times=1   (the world changes after page 1 is answered;
    also insert-first, rename-last-first, replace, repeat)"
)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Number of demo tenants in organization 1.
    #[arg(long, default_value_t = 25)]
    seed_tenants: usize,
    /// Lifetime of issued tokens, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    token_ttl: u64,
    /// Latency added to every response, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency_ms: u64,
    /// A fault to inject: OPERATION:KIND[:OPTION...] (repeatable; see below).
    #[arg(long = "fault", value_name = "OPERATION:KIND[:OPTION...]")]
    faults: Vec<FaultRule>,
    /// Seed for faults with a rate below 1 (the same seed gives the same failures).
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
    /// Cap list pages (tenants and look-ups) at this many items, whatever page size is asked for.
    #[arg(long, value_name = "N")]
    page_size_cap: Option<i32>,
    /// Answer requests over this many a second (on average; bursts of one second's worth) 429
    /// with a Retry-After, as an API gateway's rate limit does.
    #[arg(long, value_name = "N")]
    rate_limit_rps: Option<f64>,
    /// Keep the world in this file across runs: read at start (created, seeded, when it does
    /// not exist; refused, never overwritten, when it is not a state file), written when the
    /// server stops.
    #[arg(long, value_name = "FILE")]
    state: Option<std::path::PathBuf>,
    /// Build the world (organizations, invoice profiles, publishers, tenants) from the answers
    /// recorded in this directory by `crayon-tenants-mock proxy --record DIR`, instead of the
    /// demo world: the shapes of your own organization, with placeholders for personal values.
    #[arg(long, value_name = "DIR", conflicts_with = "state")]
    seed_from: Option<std::path::PathBuf>,
    /// API client id accepted by the token operation.
    #[arg(long, env = "CRAYON_MOCK_CLIENT_ID", default_value = MockCredentials::DEMO_CLIENT_ID)]
    client_id: String,
    /// API client secret accepted by the token operation.
    #[arg(long, env = "CRAYON_MOCK_CLIENT_SECRET", default_value = MockCredentials::DEMO_CLIENT_SECRET, hide_env_values = true)]
    client_secret: String,
    /// API user accepted by the token operation.
    #[arg(long, env = "CRAYON_MOCK_USERNAME", default_value = MockCredentials::DEMO_USERNAME)]
    username: String,
    /// API user's password accepted by the token operation.
    #[arg(long, env = "CRAYON_MOCK_PASSWORD", default_value = MockCredentials::DEMO_PASSWORD, hide_env_values = true)]
    password: String,
}

#[derive(Subcommand)]
enum Command {
    /// Forward every request as it is to the real API, answer with what it answered, check
    /// both against the contract, and record each exchange, secrets and personal values
    /// redacted, as DIR/recording.har (HAR 1.2) beside DIR/report.json and DIR/report.txt.
    Proxy {
        /// The API to forward to, such as https://api.crayon.com.
        #[arg(long, value_name = "URL")]
        upstream: String,
        /// The directory to record into (created when it does not exist).
        #[arg(long, value_name = "DIR")]
        record: std::path::PathBuf,
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
    },
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    if let Some(Command::Proxy {
        upstream,
        record,
        listen,
    }) = args.command
    {
        let proxy = Proxy::start(ProxyConfig {
            upstream,
            record: record.clone(),
            listen,
        })
        .await
        .unwrap_or_else(|error| fail(&error));
        announce(&proxy.base_url())?;
        tracing::info!(record = %record.display(), "recording");
        shutdown_signal().await;
        eprintln!("{}", proxy.report().table());
        return Ok(());
    }
    let config = MockConfig {
        listen: args.listen,
        credentials: MockCredentials {
            client_id: args.client_id,
            client_secret: args.client_secret,
            username: args.username,
            password: args.password,
        },
        seed_tenants: args.seed_tenants,
        token_ttl: Duration::from_secs(args.token_ttl),
        latency: Duration::from_millis(args.latency_ms),
        faults: args.faults,
        fault_seed: args.fault_seed,
        page_size_cap: args.page_size_cap.map(|cap| cap.max(1)),
        rate_limit_rps: args.rate_limit_rps,
        state_file: args.state,
        seed_from: args.seed_from,
    };
    let server = MockServer::start(config)
        .await
        .unwrap_or_else(|error| fail(&error));
    announce(&server.base_url())?;
    tracing::info!(tenants = server.state().tenant_count(), "serving");
    shutdown_signal().await;
    tracing::info!("stopping");
    server.save_state()?;
    Ok(())
}

/// One line that says why it cannot start (a port in use, a file that is no state file), and
/// exit 1.
fn fail(error: &std::io::Error) -> ! {
    eprintln!("error: {error}");
    std::process::exit(1);
}

/// The one line on stdout: where it listens.
fn announce(base_url: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on {base_url}")?;
    stdout.flush()
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
