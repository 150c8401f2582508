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
//! The organization's tenants are listed once (verified); then one request per created or
//! changed tenant. An update sends `Tenant.Id` and the changed fields only: the contract's update
//! keeps what the body leaves out, so a field someone else changed since the listing is not put
//! back.
//!
//! Changes you reviewed, and only those: a row of an export carries what its tenant was when it
//! was exported (the `Exported` column, `exported.rs`); a tenant that changed since is a
//! `conflict` (each field: exported, now, the file's) and nothing of its row is sent unless
//! `--overwrite-changed`. `--dry-run --plan-out FILE` saves the plan with what each tenant was
//! when it was planned; `--plan FILE` carries out exactly that plan's requests, and a row whose
//! tenant changed since is a `conflict`. What is sent goes through the one bulk runner
//! (`bulk.rs`: concurrency, order, create once, credentials file, `--journal`).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

use crayon_tenants::types::{CustomerTenantDetailedInput, NewCustomerTenantDetailed};
use crayon_tenants::{Client, KnownReferences};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::bulk::{self, Change, Job, Report, Request, Runner, Sent};
use crate::cli::{ApplyArgs, Output};
use crate::current::Current;
use crate::exported;
use crate::failure::Failure;
use crate::output::{self, Printer};
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Create,
    Update,
    Unchanged,
    Invalid,
    /// The tenant changed since the export or the plan: nothing of the row is sent.
    Conflict,
    Created,
    Updated,
    Exists,
    Failed,
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
    /// The tenant changed since the export (or the plan): each field, and nothing sent.
    Conflict(Option<i32>, Vec<String>),
}

struct Planned {
    row: usize,
    domain_prefix: Option<String>,
    action: Action,
    changes: Vec<Change>,
    notes: Vec<String>,
    /// The tenant's fields when the row was planned (rows matched to a tenant).
    before: Option<BTreeMap<String, Value>>,
    /// When the row's export was made, if it says.
    exported_at: Option<i64>,
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
            Action::Conflict(id, problems) => {
                self.result(Outcome::Conflict, *id, problems.join("; "))
            }
        }
    }

    /// The row as the runner carries it out.
    fn into_job(self) -> Job<Self> {
        let request = match &self.action {
            Action::Create(body) => Some(Request::Create(body.clone())),
            Action::Update(id, body) => Some(Request::Update {
                id: *id,
                body: body.clone(),
                changes: self.changes.clone(),
            }),
            _ => None,
        };
        Job {
            row: self.row,
            request,
            report: self,
        }
    }
}

impl Report for Planned {
    type Result = RowResult;

    fn done(self, sent: Option<Sent>) -> RowResult {
        let id = match &self.action {
            Action::Update(id, _) => Some(*id),
            _ => None,
        };
        match sent {
            None => self.planned(),
            Some(Sent::Updated) => self.result(Outcome::Updated, id, String::new()),
            Some(Sent::Created { id, answer_lost }) => self.result(
                Outcome::Created,
                id,
                if answer_lost {
                    bulk::ANSWER_LOST.to_owned()
                } else {
                    String::new()
                },
            ),
            Some(Sent::Existing { id }) => self.result(
                Outcome::Exists,
                id,
                "created by someone else since the listing: not compared; run again".to_owned(),
            ),
            Some(Sent::Failed(error)) => self.result(Outcome::Failed, id, error.to_string()),
        }
    }

    fn unsuccessful(result: &RowResult) -> bool {
        matches!(
            result.outcome,
            Outcome::Invalid | Outcome::Failed | Outcome::Conflict
        )
    }
}

/// The fields a file for `apply` may name.
fn fields() -> Fields {
    let mut leaves = Fields::of_schema("CustomerTenant", |_| true);
    leaves.extend(Fields::of_schema("NewCustomerTenantDetailed", create_only));
    leaves.push((exported::COLUMN.to_owned(), "string".to_owned()));
    Fields {
        leaves,
        of: "a tenant (the contract's CustomerTenant, as `tenants list --output csv` writes it) \
             or a create's Profile or Company"
            .to_owned(),
    }
}

/// Runs `tenants apply`; `api` names the API a plan is made against (`Connection::api`).
pub async fn run(
    client: &Client,
    api: &str,
    args: ApplyArgs,
    format: Output,
    out: &mut impl Write,
) -> Result<(), Failure> {
    if let Some(plan) = &args.plan {
        return apply_plan(client, api, &args, plan, format, out).await;
    }
    let file = args
        .file
        .as_deref()
        .ok_or_else(|| Failure::Usage("give --file FILE or --plan FILE".to_owned()))?;
    let fields = fields();
    // Read row by row, twice when not a dry run (once to know the plan's creates before
    // anything is sent, once to carry it out): memory does not grow with the file.
    let source = Source::open(file, args.format)?;
    let organization_id = args.organization_id;
    let current = Current::list(client, organization_id).await?;
    let checkers = Checkers::new();
    let mut known = None;

    let mut planner = Planner::new(&current, &fields, organization_id, &checkers);
    planner.overwrite_changed = args.overwrite_changed;
    let mut printer = (args.dry_run).then(|| Printer::new(format));
    let mut saved = args.plan_out.as_ref().map(|_| Vec::new());
    let (mut rows, mut creates, mut unsuccessful) = (0usize, 0usize, 0usize);
    for row in source.rows(&fields)? {
        let mut planned = planner.plan(row?);
        check_references(client, organization_id, &mut known, &mut planned).await?;
        rows += 1;
        match planned.action {
            Action::Create(_) => creates += 1,
            Action::Invalid(_) | Action::Conflict(..) => unsuccessful += 1,
            _ => {}
        }
        if let Some(printer) = &mut printer {
            printer.print(out, &planned.planned())?;
        }
        if let Some(saved) = &mut saved {
            saved.push(PlanRow::from(&planned));
        }
    }
    if let Some(printer) = printer {
        printer.finish::<RowResult>(out)?;
        if let (Some(path), Some(rows)) = (&args.plan_out, saved) {
            PlanFile::new(api, organization_id, rows).write(path)?;
        }
    } else {
        let runner = Runner::new(client, &args.bulk, creates)?;
        let mut planner = Planner::new(&current, &fields, organization_id, &checkers);
        planner.overwrite_changed = args.overwrite_changed;
        let known = &known;
        let jobs = source.rows(&fields)?.map(|row| {
            let mut planned = planner.plan(row?);
            if let Some(known) = known {
                reject_unknown_references(known, &mut planned);
            }
            Ok(planned.into_job())
        });
        unsuccessful = runner.run(jobs, rows, format, out, |_| {}).await?;
    }
    finished(unsuccessful, rows)
}

/// `--plan FILE`: carries out exactly the requests of a saved plan; a row whose tenant changed
/// since the plan was made is a conflict, and nothing of it is sent.
async fn apply_plan(
    client: &Client,
    api: &str,
    args: &ApplyArgs,
    path: &Path,
    format: Output,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let checkers = Checkers::new();
    let plan = PlanFile::read(path, api, args.organization_id)?;
    let mut planned = Vec::new();
    for row in plan.rows {
        planned.push(
            row.into_planned(&checkers, args.organization_id)
                .map_err(|problem| {
                    Failure::Usage(format!("{}: {problem}; nothing was sent", path.display()))
                })?,
        );
    }
    let current = Current::list(client, args.organization_id).await?;
    let mut creates = 0;
    for row in &mut planned {
        recheck(row, &current);
        if matches!(row.action, Action::Create(_)) {
            creates += 1;
        }
    }
    let runner = Runner::new(client, &args.bulk, creates)?;
    let rows = planned.len();
    let jobs = planned.into_iter().map(|row| Ok(row.into_job()));
    let unsuccessful = runner.run(jobs, rows, format, out, |_| {}).await?;
    finished(unsuccessful, rows)
}

/// How a run ends: well, or with the count of its rows that did not do what the file asked.
fn finished(unsuccessful: usize, rows: usize) -> Result<(), Failure> {
    if unsuccessful > 0 {
        return Err(Failure::Incomplete(format!(
            "{unsuccessful} of {rows} rows were invalid, failed or in conflict (see their outcomes)"
        )));
    }
    Ok(())
}

/// Makes a planned row a conflict when its tenant is no longer as it was planned.
fn recheck(row: &mut Planned, current: &Current) {
    let conflict = match (&row.action, &row.before) {
        (Action::Update(id, _) | Action::Unchanged(id), Some(before)) => {
            match current.by_id.get(id) {
                None => Some((Some(*id), vec!["the tenant no longer exists".to_owned()])),
                Some(tenant) => {
                    let tenant = serde_json::to_value(tenant).unwrap_or(Value::Null);
                    let differences = differences(before, &rows::tenant_leaves(&tenant));
                    (!differences.is_empty()).then(|| {
                        (
                            Some(*id),
                            std::iter::once("changed since the plan was made".to_owned())
                                .chain(differences)
                                .collect(),
                        )
                    })
                }
            }
        }
        (Action::Create(body), _) => current
            .id_by_prefix
            .get(&body.tenant.domain_prefix.to_lowercase())
            .map(|id| {
                (
                    Some(*id),
                    vec![format!(
                        "a tenant with this domain prefix ({id}) exists since the plan was made"
                    )],
                )
            }),
        _ => None,
    };
    if let Some((id, problems)) = conflict {
        row.action = Action::Conflict(id, problems);
    }
}

/// Each field that differs between the tenant as planned and as it is now, as
/// `Field: planned X, now Y`.
fn differences(before: &BTreeMap<String, Value>, now: &BTreeMap<String, Value>) -> Vec<String> {
    let value =
        |map: &BTreeMap<String, Value>, field: &str| map.get(field).cloned().unwrap_or(Value::Null);
    let mut fields: Vec<&String> = before.keys().chain(now.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|field| !same_field(field, &value(before, field), &value(now, field)))
        .map(|field| {
            format!(
                "{field}: planned {}, now {}",
                value(before, field),
                value(now, field)
            )
        })
        .collect()
}

/// The fields of a row that someone else changed since the export and that the file would set
/// otherwise: `Field: exported X, now Y, file Z`. A field whose value now is the file's (this
/// file was applied already, or the same change was made) is no conflict, nor is one the file
/// leaves empty.
fn changed_since(
    exported: &BTreeMap<String, Value>,
    now: &BTreeMap<String, Value>,
    file: &BTreeMap<String, Value>,
) -> Vec<String> {
    let value =
        |map: &BTreeMap<String, Value>, field: &str| map.get(field).cloned().unwrap_or(Value::Null);
    file.iter()
        .map(|(field, new)| (field, rows::kept(field, new)))
        .filter(|(field, new)| {
            let (then, now) = (value(exported, field), value(now, field));
            !same_field(field, &then, &now) && !same_field(field, new, &now)
        })
        .map(|(field, new)| {
            format!(
                "{field}: exported {}, now {}, file {new}",
                value(exported, field),
                value(now, field)
            )
        })
        .collect()
}

/// A saved plan (`--plan-out`): what each row does, its request, and what its tenant was.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct PlanFile {
    format: String,
    version: u32,
    /// When it was made (RFC 3339).
    made_at: String,
    /// The API it was made against (its base URL; `mock:<state file>` for the embedded mock).
    api: String,
    organization_id: i32,
    rows: Vec<PlanRow>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct PlanRow {
    row: usize,
    domain_prefix: Option<String>,
    outcome: Outcome,
    id: Option<i32>,
    changes: Vec<Change>,
    #[serde(default)]
    problems: Vec<String>,
    #[serde(default)]
    notes: Vec<String>,
    before: Option<BTreeMap<String, Value>>,
    exported_at: Option<i64>,
    /// The request's body (create and update).
    body: Option<Value>,
}

const PLAN_FORMAT: &str = "crayon-tenants-apply-plan";

impl PlanFile {
    fn new(api: &str, organization_id: i32, rows: Vec<PlanRow>) -> Self {
        Self {
            format: PLAN_FORMAT.to_owned(),
            version: 1,
            made_at: chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            api: api.to_owned(),
            organization_id,
            rows,
        }
    }

    /// Writes the plan (mode 0600: it holds the tenants' fields, as the export does).
    fn write(&self, path: &Path) -> Result<(), Failure> {
        let file = crate::credentials_file::open_private(path, false)?;
        serde_json::to_writer_pretty(std::io::BufWriter::new(file), self)
            .map_err(std::io::Error::other)?;
        Ok(())
    }

    /// Reads a plan and refuses one that is no plan, is of another API or organization, or is
    /// older than the export it came from.
    fn read(path: &Path, api: &str, organization_id: i32) -> Result<Self, Failure> {
        let refused = |why: String| {
            Failure::Usage(format!(
                "{} is refused: {why}; nothing was sent",
                path.display()
            ))
        };
        let text = std::fs::read(path).map_err(|error| refused(error.to_string()))?;
        let plan: Self = serde_json::from_slice(&text).map_err(|error| {
            refused(format!(
                "not a plan of `tenants apply --plan-out` ({error})"
            ))
        })?;
        if plan.format != PLAN_FORMAT || plan.version != 1 {
            return Err(refused(format!("not a version 1 {PLAN_FORMAT}")));
        }
        if plan.organization_id != organization_id {
            return Err(refused(format!(
                "it is a plan for organization {}, not {organization_id}",
                plan.organization_id
            )));
        }
        if plan.api != api {
            return Err(refused(format!(
                "it was made against {}, not {api}",
                plan.api
            )));
        }
        let made_at = chrono::DateTime::parse_from_rfc3339(&plan.made_at)
            .map_err(|error| refused(format!("MadeAt: {error}")))?
            .timestamp();
        if let Some(row) = plan
            .rows
            .iter()
            .find(|row| row.exported_at.is_some_and(|at| at > made_at))
        {
            return Err(refused(format!(
                "row {} comes from an export newer than the plan: make the plan again",
                row.row
            )));
        }
        Ok(plan)
    }
}

impl From<&Planned> for PlanRow {
    fn from(planned: &Planned) -> Self {
        let result = planned.planned();
        let (body, problems) = match &planned.action {
            Action::Create(body) => (serde_json::to_value(body).ok(), Vec::new()),
            Action::Update(_, body) => (serde_json::to_value(body).ok(), Vec::new()),
            Action::Invalid(problems) | Action::Conflict(_, problems) => (None, problems.clone()),
            Action::Unchanged(_) => (None, Vec::new()),
        };
        Self {
            row: planned.row,
            domain_prefix: planned.domain_prefix.clone(),
            outcome: result.outcome,
            id: result.id,
            changes: planned.changes.clone(),
            problems,
            notes: planned.notes.clone(),
            before: planned.before.clone(),
            exported_at: planned.exported_at,
            body,
        }
    }
}

impl PlanRow {
    /// The row as planned, its body checked against the contract again: a plan edited into
    /// something the API would refuse is refused before anything is sent.
    fn into_planned(self, checkers: &Checkers, organization_id: i32) -> Result<Planned, String> {
        let row = self.row;
        let problem = |what: String| format!("row {row}: {what}");
        let body = || {
            self.body
                .clone()
                .ok_or_else(|| problem("no Body".to_owned()))
        };
        let action = match (self.outcome, self.id) {
            (Outcome::Create, None) => {
                let body: NewCustomerTenantDetailed = checkers
                    .create
                    .typed(body()?)
                    .map_err(|p| problem(p.join("; ")))?;
                if body.tenant.organization.id != organization_id {
                    return Err(problem(
                        "creates a tenant of another organization".to_owned(),
                    ));
                }
                Action::Create(Box::new(body))
            }
            (Outcome::Update, Some(id)) => {
                let body: CustomerTenantDetailedInput = checkers
                    .update
                    .typed(body()?)
                    .map_err(|p| problem(p.join("; ")))?;
                if body.tenant.as_ref().and_then(|t| t.id) != Some(id) {
                    return Err(problem(format!("its Body's Tenant.Id is not {id}")));
                }
                if self.before.is_none() {
                    return Err(problem("no Before".to_owned()));
                }
                Action::Update(id, Box::new(body))
            }
            (Outcome::Unchanged, Some(id)) => Action::Unchanged(id),
            (Outcome::Invalid, _) => Action::Invalid(self.problems),
            (Outcome::Conflict, id) => Action::Conflict(id, self.problems),
            (outcome, id) => {
                return Err(problem(format!(
                    "{outcome:?} with Id {id:?} is not a planned row"
                )));
            }
        };
        Ok(Planned {
            row,
            domain_prefix: self.domain_prefix,
            action,
            changes: self.changes,
            notes: self.notes,
            before: self.before,
            exported_at: self.exported_at,
        })
    }
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
    /// `--overwrite-changed`: a tenant changed since the export is updated to the file's values.
    overwrite_changed: bool,
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
            overwrite_changed: false,
        }
    }

    fn plan(&mut self, row: RawRow) -> Planned {
        let mut planned = self.plan_row(row.number, row.value);
        let key = match &planned.action {
            Action::Update(id, _) | Action::Unchanged(id) | Action::Conflict(Some(id), _) => {
                Some(format!("#{id}"))
            }
            Action::Create(body) => Some(body.tenant.domain_prefix.to_lowercase()),
            Action::Invalid(_) | Action::Conflict(None, _) => None,
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
            before: None,
            exported_at: None,
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
        let mut desired: Vec<(String, Value)> = crayon_tenants_contract::leaves(&value)
            .into_iter()
            .map(|(path, leaf)| (path, leaf.clone()))
            .collect();
        let mut unknown = Vec::new();
        desired.retain(|(path, leaf)| {
            let known = fields.leaves.iter().any(|(field, _)| field == path);
            if !known {
                unknown.push(path.clone());
            }
            known && !leaf.is_null()
        });
        // What the tenant was when the row was exported, when the file says.
        let exported = match desired
            .iter()
            .position(|(path, _)| path == exported::COLUMN)
        {
            Some(index) => {
                let (_, stamp) = desired.remove(index);
                match exported::parse(stamp.as_str().unwrap_or_default()) {
                    Ok(exported) => Some(exported),
                    Err(problem) => {
                        planned.action = Action::Invalid(vec![problem]);
                        return planned;
                    }
                }
            }
            None => None,
        };
        planned.exported_at = exported.as_ref().map(|exported| exported.at);
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
                let now = rows::tenant_leaves(&tenant);
                match &exported {
                    Some(exported) => {
                        let file: BTreeMap<String, Value> = desired.iter().cloned().collect();
                        let since = changed_since(&exported.leaves, &now, &file);
                        if !since.is_empty() && !self.overwrite_changed {
                            planned.action = Action::Conflict(
                                Some(id),
                                std::iter::once(
                                    "changed since the export (nothing sent; \
                                     --overwrite-changed sends the file's values)"
                                        .to_owned(),
                                )
                                .chain(since)
                                .collect(),
                            );
                            return planned;
                        }
                        if !since.is_empty() {
                            planned.notes.push(format!(
                                "changed since the export, overwritten: {}",
                                since.join("; ")
                            ));
                        }
                    }
                    None => planned.notes.push(
                        "no Exported column: changes since the export cannot be seen".to_owned(),
                    ),
                }
                planned.before = Some(now);
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
        if same_field(path, &old, new) {
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
            crayon_tenants_contract::set(&mut body, path, value.clone());
        } else if writable(path) || matches!(path.as_str(), "DomainPrefix" | "Publisher.Id") {
            crayon_tenants_contract::set(&mut body, &format!("Tenant.{path}"), value.clone());
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

/// Whether a field's two values are the same: a domain prefix is a domain name, matched and
/// so compared ignoring ASCII case; any other field as [`same`].
fn same_field(field: &str, old: &Value, new: &Value) -> bool {
    match (field, old.as_str(), new.as_str()) {
        ("DomainPrefix", Some(old), Some(new)) => old.eq_ignore_ascii_case(new),
        _ => same(old, new),
    }
}

/// Whether two values are the same (numbers by value: `10` is `10.0`).
fn same(old: &Value, new: &Value) -> bool {
    match (old.as_f64(), new.as_f64()) {
        (Some(old), Some(new)) => old == new,
        _ => old == new,
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
