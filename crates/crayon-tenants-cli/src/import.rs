//! `tenants import`: bulk onboarding from CSV or NDJSON, checked against the contract before
//! anything is sent, and idempotent by domain prefix so that a re-run creates nothing twice.
//!
//! A CSV's header names the create body's fields by their JSON paths (`Tenant.Name`,
//! `Tenant.Publisher.Id`, `Profile.Contact.Email`, ...); a cell's type is the contract's for that
//! path. An NDJSON line is one create body. For each row, in order: it is checked (the contract's
//! JSON Schema, then the Rust type, then its organization, invoice profile and publisher against
//! the look-ups, read once for the whole file). The organization's tenants are listed once: a
//! row whose domain prefix is there `exists`; any other is created once by the library's
//! `create_customer_tenant_once` (a create whose answer was lost, or that lost a race for its
//! prefix, is looked up again, never repeated). The administrator's user name and password,
//! which Crayon returns once, go to the credentials file only (mode 0600, appended to).

use std::io::{IsTerminal as _, Write};

use crayon_tenants::types::{CustomerTenant, NewCustomerTenantDetailed};
use crayon_tenants::{Client, CreatedOnce, KnownReferences, MAX_PAGE_SIZE};
use futures_util::{StreamExt as _, TryStreamExt as _};
use serde::Serialize;
use serde_json::Value;

use crate::cli::{ImportArgs, Output};
use crate::credentials_file::CredentialsFile;
use crate::failure::Failure;
use crate::output;
use crate::rows::{self, Checker, Fields};

/// What happened to one row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Exists,
    Invalid,
    Failed,
    Valid,
}

/// The result of one row, as printed.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RowResult {
    pub row: usize,
    pub domain_prefix: Option<String>,
    pub outcome: Outcome,
    pub id: Option<i32>,
    pub message: String,
}

/// A row read from the file: its number (1 is the first data row) and its body or its problems.
struct Row {
    number: usize,
    body: Result<NewCustomerTenantDetailed, Vec<String>>,
    domain_prefix: Option<String>,
}

pub async fn run(
    client: &Client,
    args: ImportArgs,
    format: Output,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let mut rows = read_rows(&args)?;
    check_references(client, &mut rows).await?;
    // The organization's domain prefixes, listed once: a row whose prefix is there exists.
    let existing = if args.dry_run {
        Default::default()
    } else {
        existing_prefixes(client, args.organization_id).await?
    };
    if !args.dry_run && args.credentials_file.is_none() {
        return Err(Failure::Usage(
            "import creates tenants whose administrator password Crayon shows once: \
             give --credentials-file PATH to keep it (or --dry-run to only check the file)"
                .to_owned(),
        ));
    }
    let results: Vec<RowResult> = if args.dry_run {
        rows.into_iter().map(checked_only).collect()
    } else {
        let credentials = args
            .credentials_file
            .as_deref()
            .map(CredentialsFile::open)
            .transpose()?;
        let progress = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(rows.len() as u64);
            bar.set_message("importing");
            bar
        });
        // A domain prefix that an earlier row of the file has is not sent again: that row's
        // outcome decides (rows run concurrently, so the file's order would otherwise be lost).
        let mut first_of: std::collections::HashMap<String, usize> = Default::default();
        let duplicate_of: Vec<Option<usize>> = rows
            .iter()
            .enumerate()
            .map(|(index, row)| {
                let prefix = row.body.as_ref().ok()?.tenant.domain_prefix.to_lowercase();
                match first_of.get(&prefix) {
                    Some(first) => Some(*first),
                    None => {
                        first_of.insert(prefix, index);
                        None
                    }
                }
            })
            .collect();
        let credentials = credentials.as_ref();
        let existing = &existing;
        let results = futures_util::stream::iter(rows.into_iter().zip(&duplicate_of))
            .map(|(row, duplicate)| async move {
                match duplicate {
                    Some(_) => Ok(RowResult {
                        row: row.number,
                        domain_prefix: row.domain_prefix,
                        outcome: Outcome::Exists,
                        id: None,
                        message: String::new(),
                    }),
                    None => import_row(client, existing, row, credentials).await,
                }
            })
            // In any order (a slow answer holds no slot of the others); sorted back below.
            .buffer_unordered(args.concurrency.max(1))
            .inspect(|_| {
                if let Some(bar) = &progress {
                    bar.inc(1);
                }
            })
            .collect::<Vec<_>>()
            .await;
        if let Some(bar) = progress {
            bar.finish_and_clear();
        }
        let mut results: Vec<RowResult> = results.into_iter().collect::<Result<_, Failure>>()?;
        // Rows are numbered from 1 in the file's order: sorted, a row's result is at its index.
        results.sort_by_key(|result| result.row);
        for (index, first) in duplicate_of.iter().enumerate() {
            if let Some(first) = *first {
                let earlier = results[first].clone();
                let duplicate = &mut results[index];
                duplicate.id = earlier.id;
                duplicate.message = format!("same domain prefix as row {}", earlier.row);
                if !matches!(earlier.outcome, Outcome::Created | Outcome::Exists) {
                    duplicate.outcome = Outcome::Failed;
                }
            }
        }
        results
    };
    print(out, format, &results)?;
    let unsuccessful = results
        .iter()
        .filter(|result| {
            !matches!(
                result.outcome,
                Outcome::Created | Outcome::Exists | Outcome::Valid
            )
        })
        .count();
    if unsuccessful > 0 {
        return Err(Failure::Incomplete(format!(
            "{unsuccessful} of {} rows were not imported (see their outcomes)",
            results.len()
        )));
    }
    Ok(())
}

/// Marks invalid every row whose organization, invoice profile or publisher the look-ups do not
/// have, naming what they do have; nothing of such a row is sent.
async fn check_references(client: &Client, rows: &mut [Row]) -> Result<(), Failure> {
    let organizations = rows
        .iter()
        .filter_map(|row| row.body.as_ref().ok())
        .map(|body| body.tenant.organization.id);
    let known = KnownReferences::fetch(client, organizations.collect::<Vec<_>>()).await?;
    for row in rows {
        if let Ok(body) = &row.body {
            let problems = known.check(&body.tenant);
            if !problems.is_empty() {
                row.body = Err(problems.iter().map(ToString::to_string).collect());
            }
        }
    }
    Ok(())
}

fn checked_only(row: Row) -> RowResult {
    match row.body {
        Ok(_) => RowResult {
            row: row.number,
            domain_prefix: row.domain_prefix,
            outcome: Outcome::Valid,
            id: None,
            message: String::new(),
        },
        Err(problems) => invalid(row.number, row.domain_prefix, problems),
    }
}

fn invalid(row: usize, domain_prefix: Option<String>, problems: Vec<String>) -> RowResult {
    RowResult {
        row,
        domain_prefix,
        outcome: Outcome::Invalid,
        id: None,
        message: problems.join("; "),
    }
}

/// The organization's tenants' ids by domain prefix (lower case), from one listing.
async fn existing_prefixes(
    client: &Client,
    organization_id: i32,
) -> Result<std::collections::HashMap<String, Option<i32>>, Failure> {
    let tenants: Vec<CustomerTenant> = client
        .list_customer_tenants()
        .organization_id(organization_id)
        .paging()
        .page_size(MAX_PAGE_SIZE)
        .stream()
        .try_collect()
        .await?;
    Ok(tenants
        .into_iter()
        .filter_map(|tenant| Some((tenant.domain_prefix?.to_lowercase(), tenant.id)))
        .collect())
}

/// Imports one row: a prefix the listing has exists; otherwise the library creates it once
/// (a create whose answer was lost, or that lost a race for its prefix, is looked up again).
async fn import_row(
    client: &Client,
    existing: &std::collections::HashMap<String, Option<i32>>,
    row: Row,
    credentials: Option<&CredentialsFile>,
) -> Result<RowResult, Failure> {
    let body = match row.body {
        Ok(body) => body,
        Err(problems) => return Ok(invalid(row.number, row.domain_prefix, problems)),
    };
    let prefix = body.tenant.domain_prefix.clone();
    let result = |outcome, id, message: String| RowResult {
        row: row.number,
        domain_prefix: Some(prefix.clone()),
        outcome,
        id,
        message,
    };
    if let Some(id) = existing.get(&prefix.to_lowercase()) {
        return Ok(result(Outcome::Exists, *id, String::new()));
    }
    match client
        .create_customer_tenant_once(body)
        .known_absent()
        .await
    {
        Ok(CreatedOnce::Created(created)) => {
            let id = created.tenant.as_ref().and_then(|tenant| tenant.id);
            if let Some(file) = credentials {
                file.append(&prefix, id, &created)?;
            }
            Ok(result(Outcome::Created, id, String::new()))
        }
        Ok(CreatedOnce::CreatedAnswerLost(tenant)) => Ok(result(
            Outcome::Created,
            tenant.id,
            "created, but its answer was lost: the administrator's credentials were not received"
                .to_owned(),
        )),
        Ok(found) => Ok(result(Outcome::Exists, found.id(), String::new())),
        Err(error) => Ok(result(Outcome::Failed, None, error.to_string())),
    }
}

/// Reads and checks every row of the file.
fn read_rows(args: &ImportArgs) -> Result<Vec<Row>, Failure> {
    let fields = Fields {
        leaves: Fields::of_schema("NewCustomerTenantDetailed", |_| true),
        of: "the create body (NewCustomerTenantDetailed; an export of `tenants list` is input \
             for `tenants apply`)"
            .to_owned(),
    };
    let checker = Checker::new("NewCustomerTenantDetailed");
    Ok(rows::read(&args.file, args.format, &fields)?
        .into_iter()
        .map(|row| {
            let number = row.number;
            let mut value = match row.value {
                Ok(value) => value,
                Err(problems) => {
                    return Row {
                        number,
                        body: Err(problems),
                        domain_prefix: None,
                    };
                }
            };
            // The organization of --organization-id, unless the row names one.
            if value.pointer("/Tenant/Organization/Id").is_none()
                && let Some(tenant) = value.get_mut("Tenant").and_then(Value::as_object_mut)
            {
                tenant.insert(
                    "Organization".to_owned(),
                    serde_json::json!({ "Id": args.organization_id }),
                );
            }
            let domain_prefix = value
                .pointer("/Tenant/DomainPrefix")
                .and_then(Value::as_str)
                .map(str::to_owned);
            Row {
                number,
                body: checker.typed(value),
                domain_prefix,
            }
        })
        .collect())
}

fn print(out: &mut impl Write, format: Output, results: &[RowResult]) -> Result<(), Failure> {
    match format {
        Output::Json => output::document(out, format, &results)?,
        Output::Ndjson => results
            .iter()
            .try_for_each(|result| output::document(out, format, result))?,
        Output::Csv => output::document(out, format, &results)?,
        Output::Table => {
            let rows: Vec<Vec<String>> = results
                .iter()
                .map(|result| {
                    vec![
                        result.row.to_string(),
                        result.domain_prefix.clone().unwrap_or_default(),
                        serde_json::to_value(&result.outcome)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default(),
                        output::cell(result.id),
                        result.message.clone(),
                    ]
                })
                .collect();
            output::table(
                out,
                &["ROW", "DOMAIN PREFIX", "OUTCOME", "ID", "MESSAGE"],
                &rows,
            )?;
        }
    }
    Ok(())
}
