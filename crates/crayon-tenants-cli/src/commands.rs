//! Running a command: connect (to the API or the embedded mock), call, print.

use std::io::{IsTerminal as _, Write};

use crayon_tenants::types::{
    CustomerTenantDetailed, CustomerTenantDetailedInput, ExistingCustomerTenantDetailed,
    NewCustomerTenantDetailed, ServiceAccountAgreementInput, TokenRequest,
};
use crayon_tenants::{Client, Credentials, KnownReferences};
use crayon_tenants_mock::{MockConfig, MockServer, StateFileError};
use serde_json::json;

use crate::body;
use crate::cli::{
    AgreementsCommand, Cli, Command, ContractCommand, GlobalOptions, ListArgs, Output,
    TenantsCommand,
};
use crate::failure::Failure;
use crate::secrets;
use crate::{listing, output};

/// A connected client, and the embedded mock it talks to when `--mock` is on (it stops when
/// this is dropped).
struct Connection {
    client: Client,
    token_request: Option<TokenRequest>,
    mock: Option<MockServer>,
    mock_state: Option<std::path::PathBuf>,
}

impl Connection {
    /// Which API a plan was made against: the base URL, or for the embedded mock its state
    /// file (its address changes from run to run; its world is the file's).
    fn api(&self) -> String {
        match (&self.mock, &self.mock_state) {
            (Some(_), Some(path)) => format!(
                "mock:{}",
                std::fs::canonicalize(path)
                    .unwrap_or_else(|_| path.clone())
                    .display()
            ),
            (Some(_), None) => "mock".to_owned(),
            (None, _) => self.client.base_url().to_owned(),
        }
    }

    /// Writes the embedded mock's world to its state file (`--mock-state`), if any.
    fn save_mock_state(&self) -> Result<(), Failure> {
        match &self.mock {
            Some(mock) => Ok(mock.save_state()?),
            None => Ok(()),
        }
    }
}

async fn connect(global: &GlobalOptions) -> Result<Connection, Failure> {
    let options = &global.connection;
    let (base_url, credentials, token, mock) = if options.mock || options.mock_state.is_some() {
        let mut config = MockConfig::default().seed_tenants(options.mock_seed_tenants);
        config.state_file = options.mock_state.clone();
        let mock = MockServer::start(config).await.map_err(|error| {
            match error
                .get_ref()
                .and_then(|e| e.downcast_ref::<StateFileError>())
            {
                Some(refused) => Failure::Usage(refused.to_string()),
                None => Failure::Io(error),
            }
        })?;
        let demo = mock.credentials().clone();
        let credentials = (
            Some(demo.client_id),
            Some(demo.client_secret),
            Some(demo.username),
            Some(demo.password),
        );
        (mock.base_url(), credentials, None, Some(mock))
    } else {
        let secrets = secrets::read(options)?;
        let credentials = (
            options.client_id.clone(),
            secrets.client_secret,
            options.username.clone(),
            secrets.password,
        );
        (options.base_url.clone(), credentials, secrets.token, None)
    };
    let mut builder = Client::builder().base_url(base_url);
    if let Some(rate) = options.max_rps {
        builder = builder.max_requests_per_second(rate);
    }
    let (builder, token_request) = match (credentials, token) {
        ((Some(client_id), Some(client_secret), Some(username), Some(password)), _) => {
            let token_request = TokenRequest::password(&username, &password);
            (
                builder.credentials(Credentials::password(
                    client_id,
                    client_secret,
                    username,
                    password,
                )),
                Some(token_request),
            )
        }
        (_, Some(token)) => (builder.bearer_token(token), None),
        _ => {
            return Err(Failure::Usage(
                "no credentials: set CRAYON_CLIENT_ID, CRAYON_CLIENT_SECRET, CRAYON_USERNAME and CRAYON_PASSWORD, \
                 or CRAYON_TOKEN, or run with --mock"
                    .to_owned(),
            ));
        }
    };
    Ok(Connection {
        client: builder.build()?,
        token_request,
        mock,
        mock_state: options.mock_state.clone(),
    })
}

/// The list command's filters on the generated list builder, which both one page and `--all`
/// (its paging stream) start from.
fn filtered(client: &Client, args: &ListArgs) -> crayon_tenants::builder::ListCustomerTenants {
    let mut builder = client
        .list_customer_tenants()
        .organization_id(args.organization_id);
    if let Some(search) = args.search.clone() {
        builder = builder.search(search);
    }
    if let Some(prefix) = args.domain_prefix.clone() {
        builder = builder.domain_prefix(prefix);
    }
    if let Some(publisher) = args.publisher_id {
        builder = builder.publisher_id(publisher);
    }
    if let Some(kind) = args.tenant_type {
        builder = builder.customer_tenant_type(kind);
    }
    builder
}

/// Runs the command; the result goes to `out`.
pub async fn run(cli: Cli, out: &mut impl Write) -> Result<(), Failure> {
    let format = cli.global.output;
    match cli.command {
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "crayon-tenants",
                out,
            );
            Ok(())
        }
        Command::Token { show_token } => {
            let connection = connect(&cli.global).await?;
            let request = connection.token_request.ok_or_else(|| {
                Failure::Usage(
                    "the token command needs the password-grant credentials, not a token".into(),
                )
            })?;
            let token = connection.client.get_user_token().body(request).await?;
            let mut shown = json!({ "TokenType": token.token_type, "ExpiresIn": token.expires_in });
            if show_token {
                shown["AccessToken"] = json!(token.access_token);
            }
            match format {
                Output::Table => {
                    let mut header = vec!["TYPE", "EXPIRES IN (S)"];
                    let mut row = vec![
                        token.token_type.unwrap_or_default(),
                        token.expires_in.map(|s| s.to_string()).unwrap_or_default(),
                    ];
                    if show_token {
                        header.push("ACCESS TOKEN");
                        row.push(token.access_token.unwrap_or_default());
                    }
                    output::table(out, &header, &[row])?;
                }
                _ => output::document(out, format, &shown)?,
            }
            Ok(())
        }
        Command::Tenants(command) => {
            let connection = connect(&cli.global).await?;
            let result = tenants(&connection, command, format, out).await;
            // The mock's world as this command left it, whether it succeeded or not.
            connection.save_mock_state()?;
            result
        }
        Command::Contract(ContractCommand::Check {
            organization_id,
            sample,
        }) => {
            let connection = connect(&cli.global).await?;
            crate::contract_check::run(
                &connection.client,
                connection.token_request.clone(),
                organization_id,
                sample,
                format,
                out,
            )
            .await
        }
        Command::Organizations(command) => {
            let connection = connect(&cli.global).await?;
            listing::organizations(&connection.client, command, format, out).await
        }
        Command::InvoiceProfiles(command) => {
            let connection = connect(&cli.global).await?;
            listing::invoice_profiles(&connection.client, command, format, out).await
        }
        Command::Publishers(command) => {
            let connection = connect(&cli.global).await?;
            listing::publishers(&connection.client, command, format, out).await
        }
    }
}

async fn tenants(
    connection: &Connection,
    command: TenantsCommand,
    format: Output,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let client = &connection.client;
    match command {
        TenantsCommand::List(args) => {
            let paging = filtered(client, &args).paging();
            listing::print(paging, &args.paging, &listing::TENANT, format, out).await
        }
        TenantsCommand::Get { id, detailed: true } => {
            let detailed = client.get_customer_tenant_detailed().id(id).await?;
            detailed_result(out, format, &detailed)
        }
        TenantsCommand::Get {
            id,
            detailed: false,
        } => {
            let tenant = client.get_customer_tenant().id(id).await?;
            match format {
                Output::Table => output::tenant_table(out, [&tenant])?,
                Output::Csv => output::tenant_csv(out, [&tenant])?,
                _ => output::document(out, format, &tenant)?,
            }
            Ok(())
        }
        TenantsCommand::Create { file } => {
            let body: NewCustomerTenantDetailed = body::read(&file, "NewCustomerTenantDetailed")?;
            let organization_id = body.tenant.organization.id;
            let known = KnownReferences::fetch(client, [organization_id]).await?;
            let problems = known.check(&body.tenant);
            if !problems.is_empty() {
                let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
                return Err(Failure::Usage(format!(
                    "{}: {} (nothing was sent)",
                    file.display(),
                    problems.join("; ")
                )));
            }
            let created = client.create_customer_tenant().body(body).await?;
            detailed_result(out, format, &created)
        }
        TenantsCommand::AddExisting {
            file,
            sync_from_publisher,
        } => {
            // The contract requires `Tenant.ExternalPublisherCustomerId`: reading the body as
            // its request type refuses a body without it, naming the field.
            let body: ExistingCustomerTenantDetailed =
                body::read(&file, "ExistingCustomerTenantDetailed")?;
            let mut request = client.create_existing_customer_tenant().body(body);
            if sync_from_publisher {
                request = request.sync_from_publisher(true);
            }
            detailed_result(out, format, &request.await?)
        }
        TenantsCommand::Update { id, file } => {
            let body: CustomerTenantDetailedInput =
                body::read(&file, "CustomerTenantDetailedInput")?;
            let updated = client.update_customer_tenant().id(id).body(body).await?;
            detailed_result(out, format, &updated)
        }
        TenantsCommand::Delete { id } => {
            client.delete_customer_tenant().id(id).await?;
            match format {
                Output::Table => output::table(
                    out,
                    &["ID", "DELETED"],
                    &[vec![id.to_string(), "yes".to_owned()]],
                )?,
                _ => output::document(out, format, &json!({ "Id": id, "Deleted": true }))?,
            }
            Ok(())
        }
        TenantsCommand::Import(args) => crate::import::run(client, args, format, out).await,
        TenantsCommand::Apply(args) => {
            crate::apply::run(client, &connection.api(), args, format, out).await
        }
        TenantsCommand::AzurePlan { id } => {
            let plan = client.get_customer_tenant_azure_plan().id(id).await?;
            match format {
                Output::Table => output::table(
                    out,
                    &["ID", "NAME", "STATUS", "SUBSCRIPTION"],
                    &[vec![
                        output::cell(plan.id),
                        output::cell(plan.name.as_deref()),
                        output::cell(plan.status),
                        output::cell(plan.publisher_subscription_id.as_deref()),
                    ]],
                )?,
                _ => output::document(out, format, &plan)?,
            }
            Ok(())
        }
        TenantsCommand::Agreements(AgreementsCommand::List { id, consent_type }) => {
            let mut request = client.list_customer_tenant_agreements().id(id);
            if let Some(consent_type) = consent_type {
                request = request.agreement_type_consent(consent_type);
            }
            let agreements = request.await?;
            let items = agreements.items.as_deref().unwrap_or_default();
            match format {
                Output::Json | Output::Csv => output::document(out, format, &agreements)?,
                Output::Ndjson => items
                    .iter()
                    .try_for_each(|agreement| output::document(out, format, agreement))?,
                Output::Table => output::agreement_table(out, items)?,
            }
            Ok(())
        }
        TenantsCommand::Agreements(AgreementsCommand::Create { id, file }) => {
            let body: ServiceAccountAgreementInput =
                body::read(&file, "ServiceAccountAgreementInput")?;
            let agreement = client
                .create_customer_tenant_agreement()
                .id(id)
                .body(body)
                .await?;
            match format {
                Output::Table => output::agreement_table(out, std::slice::from_ref(&agreement))?,
                _ => output::document(out, format, &agreement)?,
            }
            Ok(())
        }
    }
}

fn detailed_result(
    out: &mut impl Write,
    format: Output,
    detailed: &CustomerTenantDetailed,
) -> Result<(), Failure> {
    match format {
        Output::Table => output::detailed_table(out, detailed)?,
        _ => output::document(out, format, detailed)?,
    }
    Ok(())
}

/// Waits for a whole listing, with a spinner on stderr when stderr is a terminal.
pub async fn reading<T>(
    listing: impl Future<Output = Result<Vec<T>, crayon_tenants::Error>>,
) -> Result<Vec<T>, Failure> {
    let spinner = std::io::stderr().is_terminal().then(|| {
        let spinner = indicatif::ProgressBar::new_spinner();
        spinner.set_message("reading the listing, then again to verify it");
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        spinner
    });
    let items = listing.await;
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    Ok(items?)
}
