//! The one bulk runner of `tenants import` and `tenants apply`: rows in flight at once, results
//! printed in the file's order as soon as every earlier row's is, a progress bar, the count of
//! rows that did not succeed, the create-once handling, the credentials-file guard and the
//! journal. Each command plans its rows ([`Job`]); the runner sends what a job asks and nothing
//! else, and the command makes the row's result from what came of it ([`Report`]).

use std::io::Write;

use crayon_tenants::types::{CustomerTenantDetailedInput, NewCustomerTenantDetailed};
use crayon_tenants::{Client, CreatedOnce};
use futures_util::StreamExt as _;
use serde_json::Value;

use crate::cli::{BulkArgs, Output};
use crate::credentials_file::CredentialsFile;
use crate::failure::Failure;
use crate::journal::Journal;
use crate::output::{self, InOrder, Printer, ResultRow};

/// One field a request changes: its path, the tenant's value and the new one.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Change {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} -> {}", self.field, self.old, self.new)
    }
}

/// What a row sends.
pub enum Request {
    /// Create the tenant once (looked up again after a create whose answer was lost).
    Create(Box<NewCustomerTenantDetailed>),
    /// Update a tenant with the fields that change.
    Update {
        id: i32,
        body: Box<CustomerTenantDetailedInput>,
        changes: Vec<Change>,
    },
}

impl Request {
    /// The tenant it updates (a create's is not known before its answer).
    pub fn tenant_id(&self) -> Option<i32> {
        match self {
            Self::Create(_) => None,
            Self::Update { id, .. } => Some(*id),
        }
    }
}

/// What came of a row's request.
pub enum Sent {
    /// Created; `answer_lost` when the create's answer was lost and the tenant was found by its
    /// domain prefix (its administrator's credentials were not received).
    Created {
        id: Option<i32>,
        answer_lost: bool,
    },
    /// Someone else created a tenant with the domain prefix since the listing.
    Existing {
        id: Option<i32>,
    },
    Updated,
    Failed(crayon_tenants::Error),
}

/// A row for the runner: its number, what it sends (nothing when the plan sends nothing), and
/// how its result is made.
pub struct Job<R> {
    pub row: usize,
    pub request: Option<Request>,
    pub report: R,
}

/// How a command makes a row's result from what came of its request.
pub trait Report {
    type Result: ResultRow;
    /// The result; `sent` is `None` when the row sent nothing.
    fn done(self, sent: Option<Sent>) -> Self::Result;
    /// Whether the row did not do what the file asked (invalid, failed, in conflict).
    fn unsuccessful(result: &Self::Result) -> bool;
}

/// What every bulk run shares.
pub struct Runner<'a> {
    client: &'a Client,
    concurrency: usize,
    credentials: Option<CredentialsFile>,
    journal: Option<Journal>,
}

impl<'a> Runner<'a> {
    /// Opens the credentials file and the journal. A run that creates tenants needs the
    /// credentials file: Crayon shows an administrator's password once.
    pub fn new(client: &'a Client, args: &BulkArgs, creates: usize) -> Result<Self, Failure> {
        if creates > 0 && args.credentials_file.is_none() {
            return Err(Failure::Usage(format!(
                "this run creates {creates} tenants, whose administrator password Crayon shows \
                 once: give --credentials-file PATH to keep them (or --dry-run to see the plan)"
            )));
        }
        Ok(Self {
            client,
            concurrency: args.concurrency.max(1),
            credentials: args
                .credentials_file
                .as_deref()
                .map(CredentialsFile::open)
                .transpose()?,
            journal: args.journal.as_deref().map(Journal::open).transpose()?,
        })
    }

    /// Runs the jobs, `rows` of them, and prints each result in the file's order; `in_order`
    /// sees each result just before it is printed. Returns how many rows did not succeed.
    pub async fn run<R: Report>(
        &self,
        jobs: impl Iterator<Item = Result<Job<R>, Failure>>,
        rows: usize,
        format: Output,
        out: &mut impl Write,
        mut in_order: impl FnMut(&mut R::Result),
    ) -> Result<usize, Failure> {
        let progress = output::row_progress(rows, "carrying out");
        // Rows in flight complete in any order (a slow answer holds no slot of the others).
        let mut results = std::pin::pin!(
            futures_util::stream::iter(jobs)
                .map(|job| async move {
                    let job = job?;
                    let sent = match &job.request {
                        Some(request) => Some(self.send(job.row, request).await?),
                        None => None,
                    };
                    Ok::<_, Failure>((job.row, job.report.done(sent)))
                })
                .buffer_unordered(self.concurrency)
        );
        let mut printer = Printer::new(format);
        let mut waiting = InOrder::new();
        let mut unsuccessful = 0;
        while let Some(done) = results.next().await {
            let (row, result) = done?;
            if let Some(bar) = &progress {
                bar.inc(1);
            }
            for mut result in waiting.push(row, result) {
                in_order(&mut result);
                if R::unsuccessful(&result) {
                    unsuccessful += 1;
                }
                printer.print(out, &result)?;
            }
        }
        if let Some(bar) = progress {
            bar.finish_and_clear();
        }
        printer.finish::<R::Result>(out)?;
        Ok(unsuccessful)
    }

    /// Sends one row's request, with its journal lines before and after.
    async fn send(&self, row: usize, request: &Request) -> Result<Sent, Failure> {
        if let Some(journal) = &self.journal {
            journal.sending(row, request)?;
        }
        let sent = match request {
            Request::Create(body) => self.create(body).await?,
            Request::Update { id, body, .. } => {
                match self
                    .client
                    .update_customer_tenant()
                    .id(*id)
                    .body((**body).clone())
                    .await
                {
                    Ok(_) => Sent::Updated,
                    Err(error) => Sent::Failed(error),
                }
            }
        };
        if let Some(journal) = &self.journal {
            journal.done(row, request, &sent)?;
        }
        Ok(sent)
    }

    /// Creates a tenant once; its administrator's credentials go to the credentials file.
    async fn create(&self, body: &NewCustomerTenantDetailed) -> Result<Sent, Failure> {
        let prefix = body.tenant.domain_prefix.clone();
        Ok(
            match self
                .client
                .create_customer_tenant_once(body.clone())
                .known_absent()
                .await
            {
                Ok(CreatedOnce::Created(created)) => {
                    let id = created.tenant.as_ref().and_then(|tenant| tenant.id);
                    if let Some(file) = &self.credentials {
                        file.append(&prefix, id, &created)?;
                    }
                    Sent::Created {
                        id,
                        answer_lost: false,
                    }
                }
                Ok(CreatedOnce::CreatedAnswerLost(tenant)) => Sent::Created {
                    id: tenant.id,
                    answer_lost: true,
                },
                Ok(found) => Sent::Existing { id: found.id() },
                Err(error) => Sent::Failed(error),
            },
        )
    }
}

/// The message of a create whose answer was lost.
pub const ANSWER_LOST: &str =
    "created, but its answer was lost: the administrator's credentials were not received";
