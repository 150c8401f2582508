//! The command line: global options and commands (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use crayon_tenants::DEFAULT_BASE_URL;
use crayon_tenants::types::{AgreementTypeConsent, CustomerTenantType, ProgramType};

/// The exit codes, as `--help` prints them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  any other failure (for example a response that does not match the contract)
  2  usage error: bad arguments, no credentials, a body, rows or plan file that is not valid;
     nothing was sent
  3  the API answered with an error status not listed below (the message says which; the
     token endpoint's 5xx included), or with a redirect the client does not follow
  4  authentication failed: the token operation refused the credentials
  5  network failure: the API could not be reached, or did not answer in time (whatever the
     credentials' kind)
  6  import, apply: some rows were invalid, failed or in conflict (each row's outcome is
     printed; the others were carried out)
  7  not found: the API answered 404 (the tenant does not exist): do not try again
  8  rate limited: the API answered 429 after the retries (wait, then try again)
  9  the listing changed while it was read, read after read: try again later
  10 contract check: the API's answers diverged from the contract (the report says where)

Credentials come from CRAYON_CLIENT_ID, CRAYON_CLIENT_SECRET, CRAYON_USERNAME and CRAYON_PASSWORD
(the password grant), or CRAYON_TOKEN (a bearer token); the secrets can also come from stdin
(--client-secret-stdin, --password-stdin, --token-stdin) or, on a terminal, from a prompt.
--mock (or --mock-state FILE) needs none.";

/// Crayon customer tenants from the command line.
#[derive(Debug, Parser)]
#[command(name = "crayon-tenants", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalOptions {
    #[command(flatten)]
    pub connection: ConnectionOptions,
    /// How to print results on stdout.
    #[arg(long, value_enum, default_value_t = Output::Json, global = true)]
    pub output: Output,
    /// Show the calls on stderr (-v: one line per call with its operation, status, attempts and
    /// time, and each retry; -vv: the spans of each call, attempt and token request too).
    /// RUST_LOG overrides it.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

/// Where the API is and who calls it. Secrets are never option values (a command line is seen by
/// `ps` and kept in shell histories): they come from the environment, from stdin with the
/// `--*-stdin` flags, or from a prompt when stdin is a terminal.
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionOptions {
    /// Address of the API.
    #[arg(long, env = "CRAYON_BASE_URL", default_value = DEFAULT_BASE_URL, global = true)]
    pub base_url: String,
    /// API client id (password grant).
    #[arg(long, env = "CRAYON_CLIENT_ID", global = true)]
    pub client_id: Option<String>,
    /// API user name (password grant).
    #[arg(long, env = "CRAYON_USERNAME", global = true)]
    pub username: Option<String>,
    /// Read the API client secret from the first line of stdin (instead of CRAYON_CLIENT_SECRET).
    #[arg(long, global = true)]
    pub client_secret_stdin: bool,
    /// Read the API user's password from the next line of stdin (instead of CRAYON_PASSWORD).
    #[arg(long, global = true)]
    pub password_stdin: bool,
    /// Read a bearer token from stdin (instead of CRAYON_TOKEN), used instead of the password
    /// grant.
    #[arg(long, global = true)]
    pub token_stdin: bool,
    /// Send at most N requests a second, evenly spaced, from every worker together (set it at
    /// or below your account's rate limit). Whatever it says, a 429 or 503 with Retry-After
    /// holds back every worker until the wait has passed.
    #[arg(long, value_name = "N", global = true)]
    pub max_rps: Option<f64>,
    /// Run against an embedded mock server with demo data and its demo credentials: no account,
    /// no setup.
    #[arg(long, global = true)]
    pub mock: bool,
    /// Run against the embedded mock (as --mock) whose world is kept in this file across runs:
    /// created on first use, seeded with --mock-seed-tenants tenants; a file that is not a mock
    /// state file is refused and left as it is.
    #[arg(long, value_name = "FILE", global = true)]
    pub mock_state: Option<PathBuf>,
    /// Demo tenants of organization 1 in a new mock world.
    #[arg(long, value_name = "N", default_value_t = 25, global = true)]
    pub mock_seed_tenants: usize,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// One JSON document, in the API's own PascalCase shape.
    Json,
    /// An aligned table of the useful columns.
    Table,
    /// One JSON object per line (tenants as their pages arrive).
    Ndjson,
    /// CSV with a header of JSON paths (`Publisher.Id`): for tenants, every property of the
    /// contract's CustomerTenant, so that an export can be edited and fed back.
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum ContractCommand {
    /// Read the API as a strict client would and check every answer against the contract:
    /// the token, the organizations, an organization's invoice profiles, the publishers, the
    /// organization's tenants, and for some of them the tenant, its details, its Azure plan and
    /// its agreements. Sends nothing but GETs (and the token request): it changes nothing.
    /// Prints, per operation, the requests made, how many held and each divergence with its
    /// JSON path, what the contract expects and what came, as a JSON type and length: no name,
    /// e-mail address, phone number, address, password or token. Exit 0 when the contract held,
    /// 10 when it diverged.
    Check {
        /// The organization whose invoice profiles and tenants are read (default: the first
        /// one listed).
        #[arg(long)]
        organization_id: Option<i32>,
        /// Read one page of N tenants, and each of them in detail (default: every page, and
        /// the first 5 in detail).
        #[arg(long, value_name = "N")]
        sample: Option<usize>,
    },
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch a token and print its type and lifetime (not the token itself unless --show-token).
    Token {
        /// Print the access token too.
        #[arg(long)]
        show_token: bool,
    },
    /// List, read, create, add, update and delete customer tenants.
    #[command(subcommand)]
    Tenants(TenantsCommand),
    /// The organizations the API user has access to (a create's Tenant.Organization.Id).
    #[command(subcommand)]
    Organizations(OrganizationsCommand),
    /// An organization's invoice profiles (a create's Tenant.InvoiceProfile.Id).
    #[command(subcommand)]
    InvoiceProfiles(InvoiceProfilesCommand),
    /// The publishers (a create's Tenant.Publisher.Id; Microsoft is 2).
    #[command(subcommand)]
    Publishers(PublishersCommand),
    /// Check the contract against the API: a read-only tour with your credentials.
    #[command(subcommand)]
    Contract(ContractCommand),
    /// Print a completion script for a shell.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum TenantsCommand {
    /// List an organization's customer tenants: one page, or every page with --all.
    List(ListArgs),
    /// Show one customer tenant.
    Get {
        /// The customer tenant's id.
        id: i32,
        /// With its profile, company and administrator user name.
        #[arg(long)]
        detailed: bool,
    },
    /// Create a customer tenant from a JSON body (the contract's NewCustomerTenantDetailed). Its
    /// organization, invoice profile and publisher are checked against the look-ups first.
    Create {
        /// The body: a JSON file, or - for stdin.
        #[arg(long, value_name = "BODY.json")]
        file: PathBuf,
    },
    /// Add a customer tenant that exists at the publisher (Tenant.ExternalPublisherCustomerId).
    AddExisting {
        /// The body: a JSON file, or - for stdin.
        #[arg(long, value_name = "BODY.json")]
        file: PathBuf,
        /// Copy the tenant's details from the publisher.
        #[arg(long)]
        sync_from_publisher: bool,
    },
    /// Update a customer tenant: the properties the body has are changed.
    Update {
        /// The customer tenant's id.
        id: i32,
        /// The body: a JSON file, or - for stdin.
        #[arg(long, value_name = "BODY.json")]
        file: PathBuf,
    },
    /// Delete a customer tenant.
    Delete {
        /// The customer tenant's id.
        id: i32,
    },
    /// Create many customer tenants from a CSV or NDJSON file: checked first, idempotent by
    /// domain prefix, administrators' credentials to a file of their own.
    Import(ImportArgs),
    /// Make an organization's tenants as a CSV or NDJSON file describes them: per row, update
    /// the fields that differ, create a tenant that is not there (once), or leave it unchanged;
    /// never delete. An export of `tenants list --output csv` is valid input as it stands, and
    /// its Exported column makes a tenant changed by someone else since a conflict.
    Apply(ApplyArgs),
    /// Show a customer tenant's Azure plan.
    AzurePlan {
        /// The customer tenant's id.
        id: i32,
    },
    /// A customer tenant's Microsoft agreements.
    #[command(subcommand)]
    Agreements(AgreementsCommand),
}

/// `tenants import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The organization the tenants go to (`Tenant.Organization.Id` of rows that do not name one).
    #[arg(long)]
    pub organization_id: i32,
    /// The rows: a .csv file whose header names create-body fields by JSON path
    /// (`Tenant.Name`, `Tenant.Publisher.Id`, `Profile.Contact.Email`, ...), or a .ndjson file
    /// of create bodies; - reads stdin (with --format).
    #[arg(long, value_name = "FILE")]
    pub file: PathBuf,
    /// The file's format, when its name does not say.
    #[arg(long, value_enum)]
    pub format: Option<ImportFormat>,
    /// Check every row against the contract and report every problem; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub bulk: BulkArgs,
}

/// How `import` and `apply` carry out their rows (`bulk.rs`).
#[derive(Debug, Args)]
pub struct BulkArgs {
    /// Rows in flight at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Where the administrator user name and password of each created tenant go (created with
    /// mode 0600, appended to). Required when the run creates a tenant: Crayon shows a password
    /// once.
    #[arg(long, value_name = "PATH")]
    pub credentials_file: Option<PathBuf>,
    /// Append one NDJSON line per request to FILE when it is sent and when its outcome is known
    /// (time, row, tenant id, operation, fields old and new, outcome and status; no secret,
    /// personal values redacted).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

/// `tenants apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The organization whose tenants the file describes.
    #[arg(long)]
    pub organization_id: i32,
    /// The desired state: a .csv file whose header names tenant fields by JSON path, as
    /// `tenants list --output csv` writes them (`Id`, `Name`, `InvoiceProfile.Id`, ...; plus
    /// `Profile.*` and `Company.*` for new tenants), or a .ndjson file of tenants; - reads stdin
    /// (with --format). An empty cell, or a column the file does not have, changes nothing.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "plan",
        conflicts_with = "plan"
    )]
    pub file: Option<PathBuf>,
    /// The file's format, when its name does not say.
    #[arg(long, value_enum)]
    pub format: Option<ImportFormat>,
    /// Print the plan (per row: create, update with each field old -> new, unchanged, conflict,
    /// invalid and why); send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run: save the plan to FILE, for --plan to carry out exactly.
    #[arg(long, value_name = "FILE", requires = "dry_run")]
    pub plan_out: Option<PathBuf>,
    /// Carry out exactly the plan saved by --plan-out (its requests as planned); a row whose
    /// tenant changed since the plan was made is a conflict and nothing of it is sent. A plan of
    /// another organization or API, older than its export, or not valid is refused whole.
    #[arg(long, value_name = "FILE", conflicts_with = "dry_run")]
    pub plan: Option<PathBuf>,
    /// Update a tenant that changed since the export (its `Exported` column) to the file's
    /// values anyway, instead of planning it as a conflict.
    #[arg(long)]
    pub overwrite_changed: bool,
    #[command(flatten)]
    pub bulk: BulkArgs,
}

/// Formats an import reads.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ImportFormat {
    Csv,
    Ndjson,
}

#[derive(Debug, Subcommand)]
pub enum AgreementsCommand {
    /// List the agreements accepted for a customer tenant.
    List {
        /// The customer tenant's id.
        id: i32,
        /// Only agreements of this type.
        #[arg(long, value_enum)]
        consent_type: Option<AgreementTypeConsent>,
    },
    /// Record an agreement accepted for a customer tenant, from a JSON body (the contract's
    /// ServiceAccountAgreementInput).
    Create {
        /// The customer tenant's id.
        id: i32,
        /// The body: a JSON file, or - for stdin.
        #[arg(long, value_name = "BODY.json")]
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// The organization whose tenants to list.
    #[arg(long)]
    pub organization_id: i32,
    /// Only tenants whose name or reference contains this text.
    #[arg(long)]
    pub search: Option<String>,
    /// Only tenants with this domain prefix.
    #[arg(long)]
    pub domain_prefix: Option<String>,
    /// Only tenants of this publisher (2 is Microsoft).
    #[arg(long)]
    pub publisher_id: Option<i32>,
    /// Only tenants of this type.
    #[arg(long = "type", value_enum)]
    pub tenant_type: Option<CustomerTenantType>,
    #[command(flatten)]
    pub paging: PagingArgs,
}

/// Paging of a listing.
#[derive(Debug, Args)]
pub struct PagingArgs {
    /// The page to show (from 1); not with --all.
    #[arg(long, conflicts_with = "all")]
    pub page: Option<i32>,
    /// Items per page (within the contract's bounds of `pageSize`: 1 to 1000).
    #[arg(long, value_parser = page_size)]
    pub page_size: Option<i32>,
    /// Every page, fetched a few at a time and printed as they arrive.
    #[arg(long)]
    pub all: bool,
    /// Pages in flight at once with --all.
    #[arg(long, requires = "all", default_value_t = crayon_tenants::DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// The columns of CSV and table output, by the JSON paths the CSV header uses
    /// (`Id,Name,DomainPrefix,Publisher.Name`); default: every field (CSV), a summary (table).
    #[arg(long, value_delimiter = ',', value_name = "PATH,...")]
    pub columns: Option<Vec<String>>,
}

#[derive(Debug, Subcommand)]
pub enum OrganizationsCommand {
    /// List the organizations the API user has access to.
    List {
        /// Only organizations whose name contains this text.
        #[arg(long)]
        search: Option<String>,
        #[command(flatten)]
        paging: PagingArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum InvoiceProfilesCommand {
    /// List an organization's invoice profiles.
    List {
        /// The organization whose invoice profiles to list.
        #[arg(long)]
        organization_id: i32,
        /// Only invoice profiles that match this text.
        #[arg(long)]
        search: Option<String>,
        #[command(flatten)]
        paging: PagingArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum PublishersCommand {
    /// List the publishers.
    List {
        /// Only the publisher with this name (repeat for several).
        #[arg(long = "name", value_name = "NAME")]
        names: Vec<String>,
        /// Only publishers or programs whose name contains this text.
        #[arg(long)]
        search: Option<String>,
        /// Only publishers with programs of this type.
        #[arg(long, value_enum)]
        program_type: Option<ProgramType>,
        #[command(flatten)]
        paging: PagingArgs,
    },
}

/// A `--page-size`, refused unless it is within the bounds the contract gives every list's
/// `pageSize` (read from the contract, not kept here).
fn page_size(text: &str) -> Result<i32, String> {
    let size: i32 = text
        .parse()
        .map_err(|_| format!("{text} is not a whole number"))?;
    let schema = crayon_tenants_contract::operation("listCustomerTenants")
        .and_then(|operation| operation["parameters"].as_array())
        .into_iter()
        .flatten()
        .find(|parameter| parameter["name"] == "pageSize")
        .map(|parameter| &parameter["schema"]);
    let bound = |key: &str| schema.and_then(|schema| schema[key].as_i64());
    let (low, high) = (
        bound("minimum").unwrap_or(1),
        bound("maximum").unwrap_or(i64::MAX),
    );
    if (low..=high).contains(&i64::from(size)) {
        Ok(size)
    } else {
        Err(format!(
            "{size} is not within {low} to {high}, the contract's bounds of pageSize"
        ))
    }
}
