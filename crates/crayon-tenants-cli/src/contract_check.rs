//! `crayon-tenants contract check`: a read-only tour of the API with the user's own
//! credentials, each answer checked against the contract (the contract crate's `check`), and a
//! report per operation that holds no customer's value, ready to paste into an issue.
//!
//! It reads, never writes: the token request aside, it sends only GETs. The tour: the token;
//! the organizations (every page) and one of them; that organization's invoice profiles and
//! one; the publishers and one; the organization's tenants (every page, or one page of
//! `--sample N`); and for the sampled tenants (the first five, or the `N`) each one's get,
//! detailed, Azure plan and agreements. Each answer is taken undecoded (`raw()`, through the
//! client's one call path: token, retries, limits), so that what the contract does not describe
//! is seen too.

use std::io::Write;

use crayon_tenants::types::TokenRequest;
use crayon_tenants::{Client, Error, MAX_PAGE_SIZE, RawAnswer};
use crayon_tenants_contract::check::{self, Message};
use crayon_tenants_contract::report::Report;
use serde_json::Value;

use crate::cli::Output;
use crate::failure::Failure;

/// Tenants read one by one when `--sample` is not given.
const DEFAULT_SAMPLE: usize = 5;

/// Pages read of a listing at most (a listing longer than this many pages is left there).
const MAX_PAGES: i32 = 1000;

/// Runs the tour and prints the report; [`Failure::Diverged`] when an answer diverged.
pub async fn run(
    client: &Client,
    token_request: Option<TokenRequest>,
    organization_id: Option<i32>,
    sample: Option<usize>,
    format: Output,
    out: &mut impl Write,
) -> Result<(), Failure> {
    if !matches!(format, Output::Json | Output::Table) {
        return Err(Failure::Usage(
            "contract check prints --output json or --output table".to_owned(),
        ));
    }
    let mut tour = Tour {
        report: Report::default(),
    };
    if let Some(form) = token_request {
        tour.read("getUserToken", client.get_user_token().body(form).raw())
            .await?;
    }
    let organizations = tour
        .pages("listOrganizations", None, |page, size| {
            client.list_organizations().page(page).page_size(size).raw()
        })
        .await?;
    let organization = organization_id.or(organizations.first().copied());
    if let Some(id) = organization {
        tour.read("getOrganization", client.get_organization().id(id).raw())
            .await?;
        let profiles = tour
            .pages("listInvoiceProfiles", None, |page, size| {
                client
                    .list_invoice_profiles()
                    .organization_id(id)
                    .page(page)
                    .page_size(size)
                    .raw()
            })
            .await?;
        if let Some(profile) = profiles.first() {
            tour.read(
                "getInvoiceProfile",
                client.get_invoice_profile().id(*profile).raw(),
            )
            .await?;
        }
    }
    let publishers = tour
        .pages("listPublishers", None, |page, size| {
            client.list_publishers().page(page).page_size(size).raw()
        })
        .await?;
    if let Some(publisher) = publishers.first() {
        tour.read("getPublisher", client.get_publisher().id(*publisher).raw())
            .await?;
    }
    if let Some(id) = organization {
        let tenants = tour
            .pages("listCustomerTenants", sample, |page, size| {
                client
                    .list_customer_tenants()
                    .organization_id(id)
                    .page(page)
                    .page_size(size)
                    .raw()
            })
            .await?;
        for tenant in tenants
            .iter()
            .copied()
            .take(sample.unwrap_or(DEFAULT_SAMPLE))
        {
            tour.read(
                "getCustomerTenant",
                client.get_customer_tenant().id(tenant).raw(),
            )
            .await?;
            tour.read(
                "getCustomerTenantDetailed",
                client.get_customer_tenant_detailed().id(tenant).raw(),
            )
            .await?;
            tour.read(
                "getCustomerTenantAzurePlan",
                client.get_customer_tenant_azure_plan().id(tenant).raw(),
            )
            .await?;
            tour.read(
                "listCustomerTenantAgreements",
                client.list_customer_tenant_agreements().id(tenant).raw(),
            )
            .await?;
        }
    }
    let report = tour.report;
    match format {
        Output::Table => out.write_all(report.table().as_bytes())?,
        _ => {
            serde_json::to_writer_pretty(&mut *out, &report).map_err(std::io::Error::other)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    if report.diverged {
        return Err(Failure::Diverged);
    }
    Ok(())
}

struct Tour {
    report: Report,
}

impl Tour {
    /// One read, checked and recorded; its body when it answered. Refused credentials and an
    /// unreachable API end the tour (their own exit codes); any other failure is recorded.
    async fn read(
        &mut self,
        operation: &str,
        call: impl Future<Output = Result<RawAnswer, Error>>,
    ) -> Result<Option<Value>, Failure> {
        let answer = match call.await {
            Ok(answer) => answer,
            Err(error @ (Error::Authentication(_) | Error::Connection(_) | Error::Timeout(_))) => {
                return Err(Failure::Api(error));
            }
            // A token the API does not take (a bearer token), after the client's one refresh:
            // nothing more can be read.
            Err(error) if error.status() == Some(crayon_tenants::StatusCode::UNAUTHORIZED) => {
                return Err(Failure::Api(error));
            }
            Err(error) => {
                // The kind and the status only: an error's text may quote the API's message.
                let why = match error.status() {
                    Some(status) => format!("answered {status} after the retries"),
                    None => format!("failed ({})", kind(&error)),
                };
                self.report.record_failure(operation, why);
                return Ok(None);
            }
        };
        let content_type = answer
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok());
        let divergences = check::check_response(Message {
            operation,
            status: answer.status().as_u16(),
            content_type,
            body: answer.body(),
        });
        let headers = answer
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes()));
        self.report
            .record(operation, answer.status().as_u16(), headers, divergences);
        Ok(answer
            .status()
            .is_success()
            .then(|| serde_json::from_slice(answer.body()).ok())
            .flatten())
    }

    /// Every page of a listing (or one page of `sample` items), checked and recorded; the ids
    /// of its items.
    async fn pages<F, C>(
        &mut self,
        operation: &str,
        sample: Option<usize>,
        call: F,
    ) -> Result<Vec<i32>, Failure>
    where
        F: Fn(i32, i32) -> C,
        C: Future<Output = Result<RawAnswer, Error>>,
    {
        let size = sample.map_or(MAX_PAGE_SIZE, |sample| {
            i32::try_from(sample)
                .unwrap_or(MAX_PAGE_SIZE)
                .clamp(1, MAX_PAGE_SIZE)
        });
        let mut ids = Vec::new();
        for page in 1..=MAX_PAGES {
            let Some(mut body) = self.read(operation, call(page, size)).await? else {
                break;
            };
            // Read as tolerantly as a lenient client: a name in another case still names it
            // (the report has said so already).
            if let Some(schema) = check::response_schema(operation, 200) {
                crayon_tenants_contract::fold_case(&mut body, schema);
            }
            let items = body["Items"].as_array().cloned().unwrap_or_default();
            ids.extend(
                items
                    .iter()
                    // An id sent as a string (reported) still leads to its tenant.
                    .filter_map(|item| {
                        let id = &item["Id"];
                        id.as_i64().or_else(|| id.as_str()?.parse().ok())
                    })
                    .filter_map(|id| i32::try_from(id).ok()),
            );
            let total = body["TotalHits"].as_u64();
            let done = sample.is_some()
                || items.len() < size as usize
                || total.is_some_and(|total| ids.len() as u64 >= total);
            if done {
                break;
            }
        }
        Ok(ids)
    }
}

/// What kind of failure, without its text.
fn kind(error: &Error) -> &'static str {
    match error {
        Error::Redirect { .. } => "a redirect the client does not follow",
        Error::BodyTooLarge { .. } => "a body over the client's limit",
        Error::DeadlineExceeded(_) => "the deadline passed",
        Error::InvalidRequest(_) => "an invalid request",
        _ => "an HTTP failure",
    }
}
