//! `tenants apply`: a file as the desired state of the tenants it names. Each row is matched to
//! a tenant of the organization (by `Id`, else by `DomainPrefix`), compared field by field, and
//! planned: `update` with the fields that differ, `create` when no tenant matches, `unchanged`,
//! or `invalid` with why. `--dry-run` prints the plan; otherwise the plan is carried out, and
//! nothing is done that it did not show. `apply` never deletes.
//!
//! The columns are the JSON paths `tenants list --output csv` writes (`Name`,
//! `InvoiceProfile.Id`, `agreement.Email`, ...), so an export edited in a spreadsheet is valid
//! input as it stands, plus the create's `Profile.*` and `Company.*` for new tenants. An empty
//! cell, or a column the file does not have, changes nothing. Only the fields an update can
//! change are sent ([`WRITABLE`]); the others (`Id`, `EntityStatus`, `PublisherCustomerId`,
//! `DomainPrefix`, the names of referenced objects, ...) are compared, never sent, and a row
//! that changes one is invalid rather than dropped in silence.
//!
//! The organization's tenants are listed once; then one request per created or changed tenant.
//! An update sends `Tenant.Id` and the changed fields only: the contract's update keeps what the
//! body leaves out, so a field someone else changed since the listing is not put back.

use std::collections::HashMap;
use std::io::Write;

use crayon_tenants::types::{CustomerTenantDetailedInput, NewCustomerTenantDetailed};
use crayon_tenants::{Client, CreatedOnce, KnownReferences};
use futures_util::StreamExt as _;
use serde::Serialize;
use serde_json::{Value, json};

use crate::cli::{ApplyArgs, Output};
use crate::credentials_file::CredentialsFile;
use crate::current::Current;
use crate::failure::Failure;
use crate::output::{self, InOrder, Printer};
use crate::rows::{self, Checker, Fields, RawRow, Source};

/// The tenant fields an update changes. Every other column is compared, never sent.
pub const WRITABLE: &[&str] = &[
    "Name",
    "Reference",
    "ExternalPublisherCustomerId",
    "CustomerTenantType",
    "InvoiceProfile.Id",
    "Program.Id",
    "Consumer.Id",
    "ResellerMarkup",
    "DefaultSubscriptionPriceType",
];

/// Whether an update may change the field at this path (`agreement.*` are the tenant's own).
fn writable(path: &str) -> bool {
    WRITABLE.contains(&path) || path.starts_with("agreement.")
}

/// Whether the path is one of the create's own parts, which a tenant listing does not show.
fn create_only(path: &str) -> bool {
    path.starts_with("Profile.") || path.starts_with("Company.")
}

/// What a row plans, or what was done with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Create,
    Update,
    Unchanged,
    Invalid,
    Created,
    Updated,
    Exists,
    Failed,
}

/// One field that differs: its path, the tenant's value and the file's.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
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

/// The result of one row, as printed.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RowResult {
    pub row: usize,
    pub domain_prefix: Option<String>,
    pub outcome: Outcome,
    pub id: Option<i32>,
    /// The changes, `Field: old -> new`, separated by `; `.
    pub changes: String,
    pub message: String,
}

/// What a row will do.
enum Action {
    Create(Box<NewCustomerTenantDetailed>),
    Update(i32, Box<CustomerTenantDetailedInput>),
    Unchanged(i32),
    Invalid(Vec<String>),
}

struct Planned {
    row: usize,
    domain_prefix: Option<String>,
    action: Action,
    changes: Vec<Change>,
    notes: Vec<String>,
}

impl Planned {
    fn result(&self, outcome: Outcome, id: Option<i32>, message: String) -> RowResult {
        let mut message = message;
        for note in &self.notes {
            if !message.is_empty() {
                message.push_str("; ");
            }
            message.push_str(note);
        }
        RowResult {
            row: self.row,
            domain_prefix: self.domain_prefix.clone(),
            outcome,
            id,
            changes: self
                .changes
                .iter()
                .map(Change::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            message,
        }
    }

    /// The row as the plan shows it.
    fn planned(&self) -> RowResult {
        match &self.action {
            Action::Create(_) => self.result(Outcome::Create, None, String::new()),
            Action::Update(id, _) => self.result(Outcome::Update, Some(*id), String::new()),
            Action::Unchanged(id) => self.result(Outcome::Unchanged, Some(*id), String::new()),
            Action::Invalid(problems) => self.result(Outcome::Invalid, None, problems.join("; ")),
        }
    }
}

/// The fields a file for `apply` may name.
fn fields() -> Fields {
    let mut leaves = Fields::of_schema("CustomerTenant", |_| true);
    leaves.extend(Fields::of_schema("NewCustomerTenantDetailed", create_only));
    Fields {
        leaves,
        of: "a tenant (the contract's CustomerTenant, as `tenants list --output csv` writes it) \
             or a create's Profile or Company"
            .to_owned(),
    }
}

pub async fn run(
    client: &Client,
    args: ApplyArgs,
    format: Output,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let fields = fields();
    // Read row by row, twice when not a dry run (once to know the plan's creates before
    // anything is sent, once to carry it out): memory does not grow with the file.
    let source = Source::open(&args.file, args.format)?;
    let organization_id = args.organization_id;
    let current = Current::list(client, organization_id).await?;
    let checkers = Checkers::new();
    let mut known = None;

    let mut planner = Planner::new(&current, &fields, organization_id, &checkers);
    let mut printer = (args.dry_run).then(|| Printer::new(format));
    let (mut rows, mut creates, mut unsuccessful) = (0usize, 0usize, 0usize);
    for row in source.rows(&fields)? {
        let mut planned = planner.plan(row?);
        check_references(client, organization_id, &mut known, &mut planned).await?;
        rows += 1;
        match planned.action {
            Action::Create(_) => creates += 1,
            Action::Invalid(_) => unsuccessful += 1,
            _ => {}
        }
        if let Some(printer) = &mut printer {
            printer.print(out, &planned.planned())?;
        }
    }
    if let Some(printer) = printer {
        printer.finish::<RowResult>(out)?;
    } else {
        if creates > 0 && args.credentials_file.is_none() {
            return Err(Failure::Usage(format!(
                "the plan creates {creates} tenants, whose administrator password Crayon shows \
                 once: give --credentials-file PATH to keep them (or --dry-run to see the plan)"
            )));
        }
        let credentials = args
            .credentials_file
            .as_deref()
            .map(CredentialsFile::open)
            .transpose()?;
        let credentials = credentials.as_ref();
        let progress = output::row_progress(rows, "applying");
        let mut planner = Planner::new(&current, &fields, organization_id, &checkers);
        let known = &known;
        let plans = futures_util::stream::iter(source.rows(&fields)?).then(|row| {
            let planned = row.map(|row| planner.plan(row));
            async move {
                let mut planned = planned?;
                if let Some(known) = known {
                    reject_unknown_references(known, &mut planned);
                }
                Ok::<_, Failure>(planned)
            }
        });
        // Rows in flight complete in any order (a slow answer holds no slot of the others);
        // results are printed in the file's order as soon as every earlier row's is.
        let mut results = std::pin::pin!(
            plans
                .map(|planned| async move { carry_out(client, planned?, credentials).await })
                .buffer_unordered(args.concurrency.max(1))
        );
        let mut printer = Printer::new(format);
        let mut in_order = InOrder::new();
        unsuccessful = 0;
        while let Some(result) = results.next().await {
            let result = result?;
            if let Some(bar) = &progress {
                bar.inc(1);
            }
            for result in in_order.push(result.row, result) {
                if matches!(result.outcome, Outcome::Invalid | Outcome::Failed) {
                    unsuccessful += 1;
                }
                printer.print(out, &result)?;
            }
        }
        if let Some(bar) = progress {
            bar.finish_and_clear();
        }
        printer.finish::<RowResult>(out)?;
    }
    if unsuccessful > 0 {
        return Err(Failure::Incomplete(format!(
            "{unsuccessful} of {rows} rows were invalid or failed (see their outcomes)"
        )));
    }
    Ok(())
}

/// The schemas a planned body is checked against before it is planned.
struct Checkers {
    create: Checker,
    update: Checker,
}

impl Checkers {
    fn new() -> Self {
        Self {
            create: Checker::new("NewCustomerTenantDetailed"),
            update: Checker::new("CustomerTenantDetailedInput"),
        }
    }
}

/// Plans rows one after the other; a row naming a tenant an earlier row names is invalid.
struct Planner<'a> {
    current: &'a Current,
    fields: &'a Fields,
    organization_id: i32,
    checkers: &'a Checkers,
    first_row_of: HashMap<String, usize>,
}

impl<'a> Planner<'a> {
    fn new(
        current: &'a Current,
        fields: &'a Fields,
        organization_id: i32,
        checkers: &'a Checkers,
    ) -> Self {
        Self {
            current,
            fields,
            organization_id,
            checkers,
            first_row_of: HashMap::new(),
        }
    }

    fn plan(&mut self, row: RawRow) -> Planned {
        let mut planned = self.plan_row(row.number, row.value);
        let key = match &planned.action {
            Action::Update(id, _) | Action::Unchanged(id) => Some(format!("#{id}")),
            Action::Create(body) => Some(body.tenant.domain_prefix.to_lowercase()),
            Action::Invalid(_) => None,
        };
        if let Some(key) = key {
            if let Some(first) = self.first_row_of.get(&key) {
                planned.action = Action::Invalid(vec![format!(
                    "names the same tenant as row {first}: nothing of it is sent"
                )]);
                planned.changes.clear();
            } else {
                self.first_row_of.insert(key, planned.row);
            }
        }
        planned
    }

    /// Plans one row against the listing, on its own.
    fn plan_row(&self, number: usize, value: rows::RowValue) -> Planned {
        let (current, fields, organization_id, checkers) = (
            self.current,
            self.fields,
            self.organization_id,
            self.checkers,
        );
        let mut planned = Planned {
            row: number,
            domain_prefix: None,
            action: Action::Invalid(Vec::new()),
            changes: Vec::new(),
            notes: Vec::new(),
        };
        let value = match value {
            Ok(value) if value.is_object() => value,
            Ok(_) => {
                planned.action = Action::Invalid(vec!["not a JSON object".to_owned()]);
                return planned;
            }
            Err(problems) => {
                planned.action = Action::Invalid(problems);
                return planned;
            }
        };
        // The row's fields, by path: the tenant's, and the create's own.
        let mut desired = Vec::new();
        let mut unknown = Vec::new();
        leaves(&value, "", &mut desired);
        desired.retain(|(path, leaf)| {
            let known = fields.leaves.iter().any(|(field, _)| field == path);
            if !known {
                unknown.push(path.clone());
            }
            known && !leaf.is_null()
        });
        if !unknown.is_empty() {
            planned.action = Action::Invalid(
                unknown
                    .into_iter()
                    .map(|path| format!("{path} is no field of a tenant"))
                    .collect(),
            );
            return planned;
        }
        let text = |path: &str| {
            desired
                .iter()
                .find(|(field, _)| field == path)
                .map(|(_, value)| value.clone())
        };
        planned.domain_prefix = text("DomainPrefix").and_then(|v| v.as_str().map(str::to_owned));
        if let Some(organization) = text("Organization.Id")
            && organization.as_i64() != Some(i64::from(organization_id))
        {
            planned.action = Action::Invalid(vec![format!(
                "Organization.Id is {organization}, but this run is for organization {organization_id}"
            )]);
            return planned;
        }
        let matched = match text("Id") {
            Some(id) => match id.as_i64().and_then(|id| i32::try_from(id).ok()) {
                Some(id) if current.by_id.contains_key(&id) => Some(id),
                _ => {
                    planned.action = Action::Invalid(vec![format!(
                        "no tenant {id} in organization {organization_id} (apply matches by Id when \
                         the row has one, and never creates a tenant with a given Id)"
                    )]);
                    return planned;
                }
            },
            None => match &planned.domain_prefix {
                Some(prefix) => current.id_by_prefix.get(&prefix.to_lowercase()).copied(),
                None => {
                    planned.action = Action::Invalid(vec![
                        "the row has neither Id nor DomainPrefix: it names no tenant".to_owned(),
                    ]);
                    return planned;
                }
            },
        };
        match matched {
            Some(id) => {
                let tenant = serde_json::to_value(&current.by_id[&id]).unwrap_or(Value::Null);
                plan_update(&mut planned, id, &tenant, &desired, checkers);
            }
            None => plan_create(&mut planned, &desired, organization_id, checkers),
        }
        planned
    }
}

/// Compares the row with the tenant; plans the update of the fields that differ.
fn plan_update(
    planned: &mut Planned,
    id: i32,
    tenant: &Value,
    desired: &[(String, Value)],
    checkers: &Checkers,
) {
    let mut read_only = Vec::new();
    let mut profile_columns = false;
    let current = |path: &str| {
        tenant
            .pointer(&format!("/{}", path.replace('.', "/")))
            .cloned()
            .unwrap_or(Value::Null)
    };
    for (path, new) in desired {
        if create_only(path) {
            profile_columns = true;
            continue;
        }
        let old = current(path);
        // A domain prefix is a domain name: matched, and so compared, ignoring ASCII case.
        if path == "DomainPrefix"
            && let (Some(old), Some(new)) = (old.as_str(), new.as_str())
            && old.eq_ignore_ascii_case(new)
        {
            continue;
        }
        // The name of a referenced object whose id the row changes names the object the tenant
        // has now: kept, the same file would plan a change of it once the update is done.
        if let Some(object) = path.strip_suffix(".Name")
            && let Some((_, new_id)) = desired.iter().find(|(p, _)| *p == format!("{object}.Id"))
            && !same(&current(&format!("{object}.Id")), new_id)
        {
            read_only.push(format!(
                "{path}: empty this cell when changing {object}.Id (it names the object the \
                 tenant has now, {old}; the server names the new one)"
            ));
            continue;
        }
        if same(&old, new) {
            continue;
        }
        let change = Change {
            field: path.clone(),
            old,
            new: new.clone(),
        };
        if writable(path) {
            planned.changes.push(change);
        } else {
            read_only.push(format!(
                "{change} (read-only: apply compares it, never sends it)"
            ));
        }
    }
    if profile_columns {
        planned
            .notes
            .push("Profile and Company columns are used when creating only".to_owned());
    }
    if !read_only.is_empty() {
        planned.changes.clear();
        planned.action = Action::Invalid(read_only);
        return;
    }
    if planned.changes.is_empty() {
        planned.action = Action::Unchanged(id);
        return;
    }
    let mut body = json!({ "Id": id });
    for change in &planned.changes {
        match change.field.split_once('.') {
            // A referenced object is named by its id alone.
            Some((object, "Id")) if object != "agreement" => {
                body[object] = json!({ "Id": change.new });
            }
            // The agreement is sent whole, as it is with this change, so that its other fields
            // keep their values whatever the server does with a partial object.
            Some((object, field)) => {
                if body.get(object).is_none() {
                    body[object] = tenant.get(object).cloned().unwrap_or_else(|| json!({}));
                    if !body[object].is_object() {
                        body[object] = json!({});
                    }
                }
                body[object][field] = change.new.clone();
            }
            None => body[change.field.as_str()] = change.new.clone(),
        }
    }
    match checkers
        .update
        .typed::<CustomerTenantDetailedInput>(json!({ "Tenant": body }))
    {
        Ok(body) => planned.action = Action::Update(id, Box::new(body)),
        Err(problems) => planned.action = Action::Invalid(problems),
    }
}

/// Plans the create of a row that names no tenant of the organization.
fn plan_create(
    planned: &mut Planned,
    desired: &[(String, Value)],
    organization_id: i32,
    checkers: &Checkers,
) {
    let mut body = json!({ "Tenant": { "Organization": { "Id": organization_id } } });
    let mut not_sent = Vec::new();
    for (path, value) in desired {
        if create_only(path) {
            rows::set(&mut body, path, value.clone());
        } else if writable(path) || matches!(path.as_str(), "DomainPrefix" | "Publisher.Id") {
            rows::set(&mut body, &format!("Tenant.{path}"), value.clone());
        } else if path != "Organization.Id" {
            not_sent.push(path.as_str());
        }
    }
    if !not_sent.is_empty() {
        planned.notes.push(format!(
            "not sent (the server assigns them): {}",
            not_sent.join(", ")
        ));
    }
    match checkers.create.typed::<NewCustomerTenantDetailed>(body) {
        Ok(body) => planned.action = Action::Create(Box::new(body)),
        Err(problems) => planned.action = Action::Invalid(problems),
    }
}

/// Whether two values are the same (numbers by value: `10` is `10.0`).
fn same(old: &Value, new: &Value) -> bool {
    match (old.as_f64(), new.as_f64()) {
        (Some(old), Some(new)) => old == new,
        _ => old == new,
    }
}

/// Every leaf of a JSON value with its dotted path.
fn leaves(value: &Value, prefix: &str, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(object) => {
            for (name, value) in object {
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                leaves(value, &path, out);
            }
        }
        leaf => out.push((prefix.to_owned(), leaf.clone())),
    }
}

/// Marks a planned create invalid when the look-ups do not have its invoice profile or
/// publisher, naming what they have; the look-ups are read at the first create.
async fn check_references(
    client: &Client,
    organization_id: i32,
    known: &mut Option<KnownReferences>,
    planned: &mut Planned,
) -> Result<(), Failure> {
    if !matches!(planned.action, Action::Create(_)) {
        return Ok(());
    }
    if known.is_none() {
        *known = Some(KnownReferences::fetch(client, [organization_id]).await?);
    }
    if let Some(known) = known {
        reject_unknown_references(known, planned);
    }
    Ok(())
}

/// Marks a planned create invalid when `known` does not have its references.
fn reject_unknown_references(known: &KnownReferences, planned: &mut Planned) {
    if let Action::Create(body) = &planned.action {
        let problems = known.check(&body.tenant);
        if !problems.is_empty() {
            planned.action = Action::Invalid(problems.iter().map(ToString::to_string).collect());
        }
    }
}

/// Carries out one row's plan.
async fn carry_out(
    client: &Client,
    planned: Planned,
    credentials: Option<&CredentialsFile>,
) -> Result<RowResult, Failure> {
    match &planned.action {
        Action::Invalid(_) | Action::Unchanged(_) => Ok(planned.planned()),
        Action::Update(id, body) => {
            match client
                .update_customer_tenant()
                .id(*id)
                .body((**body).clone())
                .await
            {
                Ok(_) => Ok(planned.result(Outcome::Updated, Some(*id), String::new())),
                Err(error) => Ok(planned.result(Outcome::Failed, Some(*id), error.to_string())),
            }
        }
        Action::Create(body) => {
            let prefix = body.tenant.domain_prefix.clone();
            match client
                .create_customer_tenant_once((**body).clone())
                .known_absent()
                .await
            {
                Ok(CreatedOnce::Created(created)) => {
                    let id = created.tenant.as_ref().and_then(|tenant| tenant.id);
                    if let Some(file) = credentials {
                        file.append(&prefix, id, &created)?;
                    }
                    Ok(planned.result(Outcome::Created, id, String::new()))
                }
                Ok(CreatedOnce::CreatedAnswerLost(tenant)) => Ok(planned.result(
                    Outcome::Created,
                    tenant.id,
                    "created, but its answer was lost: the administrator's credentials were \
                     not received"
                        .to_owned(),
                )),
                Ok(found) => Ok(planned.result(
                    Outcome::Exists,
                    found.id(),
                    "created by someone else since the listing: not compared; run again".to_owned(),
                )),
                Err(error) => Ok(planned.result(Outcome::Failed, None, error.to_string())),
            }
        }
    }
}

/// The columns of a result in CSV and table output.
impl output::ResultRow for RowResult {
    const COLUMNS: &'static [&'static str] =
        &["Row", "DomainPrefix", "Outcome", "Id", "Changes", "Message"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.row.to_string(),
            self.domain_prefix.clone().unwrap_or_default(),
            outcome_name(self.outcome),
            output::cell(self.id),
            self.changes.clone(),
            self.message.clone(),
        ]
    }
}

fn outcome_name(outcome: Outcome) -> String {
    serde_json::to_value(outcome)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}
