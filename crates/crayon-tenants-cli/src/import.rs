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

use std::collections::HashMap;
use std::io::Write;

use crayon_tenants::types::NewCustomerTenantDetailed;
use crayon_tenants::{Client, KnownReferences};
use serde::Serialize;
use serde_json::Value;

use crate::bulk::{self, Job, Report, Request, Runner, Sent};
use crate::cli::{ImportArgs, Output};
use crate::current;
use crate::failure::Failure;
use crate::output;
use crate::rows::{Checker, Fields, RawRow, Source};

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
    /// The earlier row with the same domain prefix, whose outcome decides this one's.
    #[serde(skip)]
    pub same_as: Option<usize>,
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
    if !args.dry_run && args.bulk.credentials_file.is_none() {
        return Err(Failure::Usage(
            "import creates tenants whose administrator password Crayon shows once: \
             give --credentials-file PATH to keep it (or --dry-run to only check the file)"
                .to_owned(),
        ));
    }
    // Read row by row, twice (once for the organizations the rows name and the rows that
    // repeat a domain prefix, once to import): memory does not grow with the file.
    let source = Source::open(&args.file, args.format)?;
    let reader = RowReader::new(args.organization_id);
    let mut organizations = std::collections::BTreeSet::new();
    let mut first_of: HashMap<String, usize> = HashMap::new();
    // The rows an earlier row has the domain prefix of: that row's outcome decides theirs.
    let mut repeated: HashMap<usize, Option<(Outcome, Option<i32>)>> = HashMap::new();
    let mut rows = 0;
    for row in source.rows(&reader.fields)? {
        let row = reader.row(row?);
        rows += 1;
        if let Ok(body) = &row.body {
            organizations.insert(body.tenant.organization.id);
            match first_of.entry(body.tenant.domain_prefix.to_lowercase()) {
                std::collections::hash_map::Entry::Occupied(first) => {
                    repeated.insert(*first.get(), None);
                }
                std::collections::hash_map::Entry::Vacant(entry) => {
                    entry.insert(row.number);
                }
            }
        }
    }
    let known = KnownReferences::fetch(client, organizations).await?;
    // The organization's domain prefixes, listed once: a row whose prefix is there exists.
    let existing = if args.dry_run {
        Default::default()
    } else {
        current::ids_by_prefix(client, args.organization_id).await?
    };
    let creates = if args.dry_run {
        0
    } else {
        first_of
            .keys()
            .filter(|prefix| !existing.contains_key(*prefix))
            .count()
    };
    let runner = Runner::new(client, &args.bulk, creates)?;
    let (existing, known, first_of, dry_run) = (&existing, &known, &first_of, args.dry_run);
    let jobs = source.rows(&reader.fields)?.map(|row| {
        let mut row = reader.row(row?);
        if let Ok(body) = &row.body {
            let problems = known.check(&body.tenant);
            if !problems.is_empty() {
                row.body = Err(problems.iter().map(ToString::to_string).collect());
            }
        }
        Ok(job(row, first_of, existing, dry_run))
    });
    // Each repeated row is completed, in the file's order, with its first row's outcome.
    let complete = |result: &mut RowResult| {
        if let Some(outcome) = repeated.get_mut(&result.row) {
            *outcome = Some((result.outcome.clone(), result.id));
        }
        if let Some(first) = result.same_as
            && let Some(Some((outcome, id))) = repeated.get(&first)
        {
            result.id = *id;
            result.outcome = match outcome {
                Outcome::Created | Outcome::Exists => Outcome::Exists,
                Outcome::Valid => Outcome::Valid,
                _ if dry_run => Outcome::Invalid,
                _ => Outcome::Failed,
            };
        }
    };
    let unsuccessful = runner.run(jobs, rows, format, out, complete).await?;
    if unsuccessful > 0 {
        return Err(Failure::Incomplete(format!(
            "{unsuccessful} of {rows} rows were not imported (see their outcomes)"
        )));
    }
    Ok(())
}

/// A row's job: decided already (invalid, repeated, listed, or checked in a dry run), or its
/// create.
fn job(
    row: Row,
    first_of: &HashMap<String, usize>,
    existing: &HashMap<String, i32>,
    dry_run: bool,
) -> Job<Decided> {
    let number = row.number;
    let result = |outcome, id, message: String, same_as| RowResult {
        row: number,
        domain_prefix: row.domain_prefix.clone(),
        outcome,
        id,
        message,
        same_as,
    };
    let decided = match &row.body {
        Err(problems) => Some(result(Outcome::Invalid, None, problems.join("; "), None)),
        Ok(body) => {
            let prefix = body.tenant.domain_prefix.to_lowercase();
            match first_of
                .get(&prefix)
                .copied()
                .filter(|first| *first != number)
            {
                // Not sent again: completed when the earlier row's outcome is known.
                Some(first) => Some(result(
                    Outcome::Exists,
                    None,
                    format!("same domain prefix as row {first}"),
                    Some(first),
                )),
                None if dry_run => Some(result(Outcome::Valid, None, String::new(), None)),
                None => existing
                    .get(&prefix)
                    .map(|id| result(Outcome::Exists, Some(*id), String::new(), None)),
            }
        }
    };
    let report = Decided {
        row: number,
        domain_prefix: row.domain_prefix,
        result: decided.clone(),
    };
    let request = match (decided, row.body) {
        (None, Ok(body)) => Some(Request::Create(Box::new(body))),
        _ => None,
    };
    Job {
        row: number,
        request,
        report,
    }
}

/// A row's result when it is decided before anything is sent, else what makes it.
struct Decided {
    row: usize,
    domain_prefix: Option<String>,
    result: Option<RowResult>,
}

impl Report for Decided {
    type Result = RowResult;

    fn done(self, sent: Option<Sent>) -> RowResult {
        let result = |outcome, id, message: &str| RowResult {
            row: self.row,
            domain_prefix: self.domain_prefix.clone(),
            outcome,
            id,
            message: message.to_owned(),
            same_as: None,
        };
        match (self.result, sent) {
            (Some(decided), _) => decided,
            (None, Some(Sent::Created { id, answer_lost })) => result(
                Outcome::Created,
                id,
                if answer_lost { bulk::ANSWER_LOST } else { "" },
            ),
            (None, Some(Sent::Existing { id })) => result(Outcome::Exists, id, ""),
            (None, Some(Sent::Failed(error))) => result(Outcome::Failed, None, &error.to_string()),
            (None, Some(Sent::Updated) | None) => result(Outcome::Failed, None, "nothing was sent"),
        }
    }

    fn unsuccessful(result: &RowResult) -> bool {
        !matches!(
            result.outcome,
            Outcome::Created | Outcome::Exists | Outcome::Valid
        )
    }
}

/// Reads a row into a create body: checked against the contract, then as its type.
struct RowReader {
    fields: Fields,
    checker: Checker,
    organization_id: i32,
}

impl RowReader {
    fn new(organization_id: i32) -> Self {
        Self {
            fields: Fields {
                leaves: Fields::of_schema("NewCustomerTenantDetailed", |_| true),
                of: "the create body (NewCustomerTenantDetailed; an export of `tenants list` is \
                     input for `tenants apply`)"
                    .to_owned(),
            },
            checker: Checker::new("NewCustomerTenantDetailed"),
            organization_id,
        }
    }

    fn row(&self, row: RawRow) -> Row {
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
                serde_json::json!({ "Id": self.organization_id }),
            );
        }
        let domain_prefix = value
            .pointer("/Tenant/DomainPrefix")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Row {
            number,
            body: self.checker.typed(value),
            domain_prefix,
        }
    }
}

impl output::ResultRow for RowResult {
    const COLUMNS: &'static [&'static str] = &["Row", "DomainPrefix", "Outcome", "Id", "Message"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.row.to_string(),
            self.domain_prefix.clone().unwrap_or_default(),
            serde_json::to_value(&self.outcome)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            output::cell(self.id),
            self.message.clone(),
        ]
    }
}
