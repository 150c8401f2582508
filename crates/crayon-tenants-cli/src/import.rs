//! `tenants import`: bulk onboarding from CSV or NDJSON, checked against the contract before
//! anything is sent, and idempotent by domain prefix so that a re-run creates nothing twice.
//!
//! A CSV's header names the create body's fields by their JSON paths (`Tenant.Name`,
//! `Tenant.Publisher.Id`, `Profile.Contact.Email`, ...); a cell's type is the contract's for that
//! path. An NDJSON line is one create body. For each row, in order: it is checked (the contract's
//! JSON Schema, then the Rust type, then its organization, invoice profile and publisher against
//! the look-ups, read once for the whole file); a tenant with its domain prefix is looked up in the
//! organization (found: `exists`); otherwise it is created once. A create is never repeated: when
//! its answer is lost, the tenant is looked up again. The administrator's user name and password,
//! which Crayon returns once, go to the credentials file only (mode 0600, appended to).

use std::fs::OpenOptions;
use std::io::{BufRead as _, IsTerminal as _, Write};
use std::path::Path;

use crayon_tenants::types::{CustomerTenantDetailed, NewCustomerTenantDetailed};
use crayon_tenants::{Client, Error, KnownReferences};
use crayon_tenants_contract as contract;
use futures_util::StreamExt as _;
use jsonschema::error::ValidationErrorKind;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::cli::{ImportArgs, ImportFormat, Output};
use crate::failure::Failure;
use crate::output;

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
        let organization_id = args.organization_id;
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
                    None => import_row(client, organization_id, row, credentials).await,
                }
            })
            .buffered(args.concurrency.max(1))
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

/// Imports one row: looks it up by domain prefix, creates it when absent, and after a create
/// whose answer was lost (or that lost a race for its prefix) looks it up again.
async fn import_row(
    client: &Client,
    organization_id: i32,
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
    match find(client, organization_id, &prefix).await {
        Ok(Some(id)) => return Ok(result(Outcome::Exists, Some(id), String::new())),
        Ok(None) => {}
        Err(error) => return Ok(result(Outcome::Failed, None, format!("lookup: {error}"))),
    }
    match client.create_customer_tenant().body(body).await {
        Ok(created) => {
            let id = created.tenant.as_ref().and_then(|tenant| tenant.id);
            if let Some(file) = credentials {
                file.append(&prefix, id, &created)?;
            }
            Ok(result(Outcome::Created, id, String::new()))
        }
        Err(error) => {
            // The answer was lost, or another create took the prefix meanwhile: what is there?
            let lost = matches!(
                error,
                Error::Timeout(_) | Error::Connection(_) | Error::DeadlineExceeded(_)
            );
            match find(client, organization_id, &prefix).await {
                Ok(Some(id)) if lost => Ok(result(
                    Outcome::Created,
                    Some(id),
                    "created, but its answer was lost: the administrator's credentials were not received".to_owned(),
                )),
                Ok(Some(id)) => Ok(result(Outcome::Exists, Some(id), String::new())),
                _ => Ok(result(Outcome::Failed, None, error.to_string())),
            }
        }
    }
}

/// The id of the organization's tenant with this domain prefix, if there is one.
async fn find(client: &Client, organization_id: i32, prefix: &str) -> Result<Option<i32>, Error> {
    let page = client
        .list_customer_tenants()
        .organization_id(organization_id)
        .domain_prefix(prefix)
        .await?;
    Ok(page
        .items
        .unwrap_or_default()
        .into_iter()
        .find_map(|tenant| {
            tenant
                .domain_prefix
                .as_deref()
                .is_some_and(|found| found.eq_ignore_ascii_case(prefix))
                .then_some(tenant.id)
                .flatten()
        }))
}

/// Reads and checks every row of the file.
fn read_rows(args: &ImportArgs) -> Result<Vec<Row>, Failure> {
    let format = match (args.format, args.file.extension().and_then(|e| e.to_str())) {
        (Some(format), _) => format,
        (None, Some("csv")) => ImportFormat::Csv,
        (None, Some("ndjson" | "jsonl")) => ImportFormat::Ndjson,
        _ => {
            return Err(Failure::Usage(format!(
                "{}: give a .csv or .ndjson file, or --format csv|ndjson",
                args.file.display()
            )));
        }
    };
    let reader: Box<dyn std::io::Read> = if args.file == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(&args.file).map_err(|error| {
            Failure::Usage(format!("cannot read {}: {error}", args.file.display()))
        })?)
    };
    let values: Vec<Result<Value, Vec<String>>> = match format {
        ImportFormat::Csv => csv_values(reader)?,
        ImportFormat::Ndjson => std::io::BufReader::new(reader)
            .lines()
            .filter(|line| line.as_ref().map_or(true, |line| !line.trim().is_empty()))
            .map(|line| {
                let line = line?;
                Ok(serde_json::from_str(&line).map_err(|error| vec![format!("not JSON: {error}")]))
            })
            .collect::<Result<_, std::io::Error>>()?,
    };
    let validator = contract::validator(&contract::schema_ref("NewCustomerTenantDetailed"));
    Ok(values
        .into_iter()
        .enumerate()
        .map(|(index, value)| {
            let number = index + 1;
            let mut value = match value {
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
            let problems: Vec<String> = validator
                .iter_errors(&value)
                .map(|error| {
                    let mut path = error
                        .instance_path()
                        .as_str()
                        .trim_start_matches('/')
                        .replace('/', ".");
                    if let ValidationErrorKind::Required { property } = error.kind() {
                        let property = property.as_str().unwrap_or_default();
                        path = if path.is_empty() {
                            property.to_owned()
                        } else {
                            format!("{path}.{property}")
                        };
                        return format!("{path}: required");
                    }
                    if path.is_empty() {
                        path = "(row)".to_owned();
                    }
                    format!("{path}: {error}")
                })
                .collect();
            let body = if problems.is_empty() {
                serde_path_to_error::deserialize(value)
                    .map_err(|error| vec![format!("{}: {}", error.path(), error.inner())])
            } else {
                Err(problems)
            };
            Row {
                number,
                body,
                domain_prefix,
            }
        })
        .collect())
}

/// The rows of a CSV whose header names JSON paths, as JSON values typed by the contract.
fn csv_values(reader: impl std::io::Read) -> Result<Vec<Result<Value, Vec<String>>>, Failure> {
    let mut csv = csv::Reader::from_reader(reader);
    let header: Vec<String> = csv
        .headers()
        .map_err(|error| Failure::Usage(format!("the CSV header: {error}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    let body = contract::schema_ref("NewCustomerTenantDetailed");
    let kinds: Vec<(String, String)> = header
        .iter()
        .map(|path| match leaf_kind(&body, path) {
            Some(kind) => Ok((path.clone(), kind)),
            None => Err(Failure::Usage(format!(
                "the CSV column `{path}` is no field of the create body (NewCustomerTenantDetailed)"
            ))),
        })
        .collect::<Result<_, _>>()?;
    let mut rows = Vec::new();
    for record in csv.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                rows.push(Err(vec![format!("not CSV: {error}")]));
                continue;
            }
        };
        let mut value = Value::Object(Map::new());
        for ((path, kind), cell) in kinds.iter().zip(record.iter()) {
            if cell.is_empty() {
                continue;
            }
            // A cell that is not of its field's type stays text, so that the contract's check
            // reports it beside every other problem of the row.
            let typed = match kind.as_str() {
                "integer" => cell.trim().parse::<i64>().map(Value::from).ok(),
                "number" => cell.trim().parse::<f64>().ok().map(Value::from),
                "boolean" => cell.trim().parse::<bool>().map(Value::from).ok(),
                _ => None,
            };
            set(&mut value, path, typed.unwrap_or_else(|| Value::from(cell)));
        }
        rows.push(Ok(value));
    }
    Ok(rows)
}

/// The JSON type of the field at `path` (`Tenant.Publisher.Id`) of `schema`, per the contract.
fn leaf_kind(schema: &Value, path: &str) -> Option<String> {
    let mut schema = contract::effective(schema);
    for name in path.split('.') {
        schema = contract::effective(schema.get("properties")?.get(name)?);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object" | "array") | None if schema.get("enum").is_none() => None,
        Some(kind) => Some(kind.to_owned()),
        None => Some("integer".to_owned()),
    }
}

fn set(value: &mut Value, path: &str, leaf: Value) {
    let mut current = value;
    let names: Vec<&str> = path.split('.').collect();
    for (index, name) in names.iter().enumerate() {
        let Value::Object(object) = current else {
            return;
        };
        if index + 1 == names.len() {
            object.insert((*name).to_owned(), leaf);
            return;
        }
        current = object
            .entry((*name).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
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

/// The file the administrators' credentials go to: created with mode 0600, appended to, one
/// CSV line per created tenant.
struct CredentialsFile {
    file: std::sync::Mutex<std::fs::File>,
}

impl CredentialsFile {
    fn open(path: &Path) -> Result<Self, Failure> {
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(path)
            .map_err(|error| Failure::Usage(format!("cannot open {}: {error}", path.display())))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        if file.metadata()?.len() == 0 {
            writeln!(&file, "DomainPrefix,TenantId,UserName,Password")?;
        }
        Ok(Self {
            file: std::sync::Mutex::new(file),
        })
    }

    fn append(
        &self,
        prefix: &str,
        id: Option<i32>,
        created: &CustomerTenantDetailed,
    ) -> Result<(), Failure> {
        let user = created.user.as_ref();
        let mut line = csv::Writer::from_writer(Vec::new());
        line.write_record([
            prefix,
            &output::cell(id),
            user.and_then(|user| user.user_name.as_deref())
                .unwrap_or_default(),
            user.and_then(|user| user.password.as_deref())
                .unwrap_or_default(),
        ])
        .map_err(std::io::Error::other)?;
        let line = line
            .into_inner()
            .map_err(|error| std::io::Error::other(error.to_string()))?;
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        file.write_all(&line)?;
        file.flush()?;
        Ok(())
    }
}
