//! Printing results on stdout: JSON in the API's own shape, NDJSON, CSV whose columns are JSON
//! paths (`Publisher.Id`), or an aligned table. Nothing but the result goes to stdout.

use std::io::{self, Write};

use crayon_tenants::types::{CustomerTenant, CustomerTenantDetailed};
use serde::Serialize;
use serde_json::Value;

use crate::cli::Output;

/// Writes one JSON document, pretty-printed, or one line for NDJSON; for CSV, its rows (the
/// `Items` of a collection, the elements of an array, or the value itself) with a column per
/// JSON path that any row has.
pub fn document<T: Serialize>(out: &mut impl Write, format: Output, value: &T) -> io::Result<()> {
    match format {
        Output::Ndjson => serde_json::to_writer(&mut *out, value)?,
        Output::Csv => {
            let value = serde_json::to_value(value).map_err(io::Error::other)?;
            let rows: Vec<&Value> = match &value {
                Value::Object(object) if object.get("Items").is_some_and(Value::is_array) => {
                    object["Items"].as_array().into_iter().flatten().collect()
                }
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            // The JSON paths of the rows' leaves, each once, in order.
            let mut columns: Vec<String> = Vec::new();
            for row in &rows {
                for (path, _) in crayon_tenants_contract::leaves(row) {
                    if !path.is_empty() && !columns.contains(&path) {
                        columns.push(path);
                    }
                }
            }
            let mut csv = Csv::new(out, columns)?;
            for row in rows {
                csv.row(row)?;
            }
            return csv.finish();
        }
        _ => serde_json::to_writer_pretty(&mut *out, value)?,
    }
    writeln!(out)
}

/// The columns of a tenant export: every leaf of the contract's `CustomerTenant`, as the JSON
/// path an import reads (`Publisher.Id`), so that an export can be edited and fed back.
pub fn tenant_columns() -> Vec<String> {
    crayon_tenants_contract::columns("CustomerTenant")
}

/// A CSV writer whose columns are JSON paths; each row is a JSON value read at those paths.
pub struct Csv<W: Write> {
    writer: csv::Writer<W>,
    pointers: Vec<String>,
}

impl<W: Write> Csv<W> {
    /// Starts the CSV with its header.
    pub fn new(out: W, columns: Vec<String>) -> io::Result<Self> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(&columns).map_err(io::Error::other)?;
        let pointers = columns
            .iter()
            .map(|column| crayon_tenants_contract::pointer(column))
            .collect();
        Ok(Self { writer, pointers })
    }

    /// Writes one row: each column's value, empty when absent or null.
    pub fn row(&mut self, value: &Value) -> io::Result<()> {
        let cells = self.pointers.iter().map(|pointer| cell_at(value, pointer));
        self.writer.write_record(cells).map_err(io::Error::other)?;
        self.writer.flush()
    }

    /// Ends the CSV.
    pub fn finish(mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// One CSV record of `value`: each column's cell (see [`Csv::row`]).
pub fn csv_record(value: &Value, columns: &[String]) -> Vec<u8> {
    let cells: Vec<String> = columns
        .iter()
        .map(|column| cell_at(value, &crayon_tenants_contract::pointer(column)))
        .collect();
    csv_record_of(&cells)
}

/// One CSV record of these cells (a header, or a row), quoted as CSV needs.
pub fn csv_record_of(cells: &[String]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(cells);
    writer.into_inner().unwrap_or_default()
}

/// A cell: the value at the pointer, empty when absent or null, text without its quotes.
fn cell_at(value: &Value, pointer: &str) -> String {
    match value.pointer(pointer) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// The cells of a value at these columns (JSON paths), as a CSV row has them.
pub fn cells(value: &Value, columns: &[String]) -> Vec<String> {
    columns
        .iter()
        .map(|column| cell_at(value, &crayon_tenants_contract::pointer(column)))
        .collect()
}

/// Writes tenants as CSV with the columns of [`tenant_columns`].
pub fn tenant_csv<'a>(
    out: &mut impl Write,
    tenants: impl IntoIterator<Item = &'a CustomerTenant>,
) -> io::Result<()> {
    let mut csv = Csv::new(out, tenant_columns())?;
    for tenant in tenants {
        csv.row(&serde_json::to_value(tenant).map_err(io::Error::other)?)?;
    }
    csv.finish()
}

/// The columns a tenant table shows.
pub const TENANT_COLUMNS: [&str; 6] = [
    "ID",
    "NAME",
    "DOMAIN PREFIX",
    "TYPE",
    "PUBLISHER",
    "REFERENCE",
];

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

/// A table cell: the value as it displays, or empty.
pub fn cell(value: Option<impl std::fmt::Display>) -> String {
    value.map(|value| value.to_string()).unwrap_or_default()
}

/// Writes agreements as a table.
pub fn agreement_table(
    out: &mut impl Write,
    agreements: &[crayon_tenants::types::ServiceAccountAgreement],
) -> io::Result<()> {
    let rows: Vec<Vec<String>> = agreements
        .iter()
        .map(|agreement| {
            vec![
                cell(agreement.agreement_type),
                cell(agreement.date_agreed.map(|date| date.to_rfc3339())),
                text(agreement.first_name.as_deref()),
                text(agreement.last_name.as_deref()),
                text(agreement.email.as_deref()),
            ]
        })
        .collect();
    table(
        out,
        &["TYPE", "AGREED", "FIRST NAME", "LAST NAME", "EMAIL"],
        &rows,
    )
}

/// A tenant as a table row.
pub fn tenant_row(tenant: &CustomerTenant) -> Vec<String> {
    vec![
        tenant.id.map(|id| id.to_string()).unwrap_or_default(),
        text(tenant.name.as_deref()),
        text(tenant.domain_prefix.as_deref()),
        tenant
            .customer_tenant_type
            .map(|kind| kind.to_string())
            .unwrap_or_default(),
        text(
            tenant
                .publisher
                .as_ref()
                .and_then(|publisher| publisher.name.as_deref()),
        ),
        text(tenant.reference.as_deref()),
    ]
}

/// Writes tenants as a table.
pub fn tenant_table<'a>(
    out: &mut impl Write,
    tenants: impl IntoIterator<Item = &'a CustomerTenant>,
) -> io::Result<()> {
    let rows: Vec<Vec<String>> = tenants.into_iter().map(tenant_row).collect();
    table(out, &TENANT_COLUMNS, &rows)
}

/// Writes a detailed tenant as a two-column table of its useful fields.
pub fn detailed_table(out: &mut impl Write, detailed: &CustomerTenantDetailed) -> io::Result<()> {
    let tenant = detailed.tenant.clone().unwrap_or_default();
    let mut rows: Vec<Vec<String>> = TENANT_COLUMNS
        .iter()
        .zip(tenant_row(&tenant))
        .map(|(name, value)| vec![(*name).to_owned(), value])
        .collect();
    let organization = tenant
        .organization
        .as_ref()
        .and_then(|organization| organization.name.as_deref());
    let profile = detailed.profile.as_ref();
    let contact = profile.and_then(|profile| profile.contact.as_ref());
    let address = profile.and_then(|profile| profile.address.as_ref());
    for (name, value) in [
        ("ORGANIZATION", text(organization)),
        (
            "PUBLISHER CUSTOMER ID",
            text(tenant.publisher_customer_id.as_deref()),
        ),
        (
            "CONTACT",
            text(contact.and_then(|contact| contact.email.as_deref())),
        ),
        (
            "COUNTRY",
            text(address.and_then(|address| address.country_code.as_deref())),
        ),
        (
            "ADMIN USER",
            text(
                detailed
                    .user
                    .as_ref()
                    .and_then(|user| user.user_name.as_deref()),
            ),
        ),
    ] {
        rows.push(vec![name.to_owned(), value]);
    }
    table(out, &["FIELD", "VALUE"], &rows)
}

/// Writes an aligned table: a header, then one line per row, columns two spaces apart.
pub fn table(out: &mut impl Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|name| name.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    writeln!(out, "{}", line(header.to_vec()))?;
    for row in rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

/// A row of results (of `tenants import`, `tenants apply`): its CSV columns and cells.
pub trait ResultRow: serde::Serialize {
    /// The columns, as the CSV header names them (the table shows them in upper case).
    const COLUMNS: &'static [&'static str];
    /// The cells, in the order of [`COLUMNS`](Self::COLUMNS).
    fn cells(&self) -> Vec<String>;
}

/// Prints results one by one in every format: JSON as one array written element by element,
/// NDJSON and CSV line by line; a table waits for every row to align its columns.
pub struct Printer {
    format: Output,
    started: bool,
    table: Vec<Vec<String>>,
}

impl Printer {
    pub fn new(format: Output) -> Self {
        Self {
            format,
            started: false,
            table: Vec::new(),
        }
    }

    pub fn print<R: ResultRow>(&mut self, out: &mut impl Write, result: &R) -> io::Result<()> {
        let first = !self.started;
        self.started = true;
        match self.format {
            Output::Json => {
                let json = serde_json::to_string_pretty(result).map_err(io::Error::other)?;
                let indented = json.replace('\n', "\n  ");
                write!(out, "{}  {indented}", if first { "[\n" } else { ",\n" })?;
            }
            Output::Ndjson => document(out, self.format, result)?,
            Output::Csv => {
                let mut csv = csv::Writer::from_writer(Vec::new());
                if first {
                    csv.write_record(R::COLUMNS).map_err(io::Error::other)?;
                }
                csv.write_record(result.cells()).map_err(io::Error::other)?;
                let line = csv
                    .into_inner()
                    .map_err(|error| io::Error::other(error.to_string()))?;
                out.write_all(&line)?;
            }
            Output::Table => self.table.push(result.cells()),
        }
        Ok(())
    }

    /// Ends the output; `R` names the columns of an empty CSV or table.
    pub fn finish<R: ResultRow>(self, out: &mut impl Write) -> io::Result<()> {
        match self.format {
            Output::Json if self.started => writeln!(out, "\n]")?,
            Output::Json => writeln!(out, "[]")?,
            Output::Csv if !self.started => writeln!(out, "{}", R::COLUMNS.join(","))?,
            Output::Table => {
                let header: Vec<String> = R::COLUMNS
                    .iter()
                    .map(|column| table_heading(column))
                    .collect();
                let header: Vec<&str> = header.iter().map(String::as_str).collect();
                table(out, &header, &self.table)?;
            }
            _ => {}
        }
        out.flush()
    }
}

/// `DomainPrefix` as a table heading: `DOMAIN PREFIX`.
fn table_heading(column: &str) -> String {
    let mut heading = String::new();
    for (index, character) in column.chars().enumerate() {
        if index > 0 && character.is_uppercase() {
            heading.push(' ');
        }
        heading.extend(character.to_uppercase());
    }
    heading
}

/// Results that complete in any order, handed on in the order of their row numbers (from 1).
pub struct InOrder<R> {
    waiting: std::collections::BTreeMap<usize, R>,
    next: usize,
}

impl<R> InOrder<R> {
    pub fn new() -> Self {
        Self {
            waiting: std::collections::BTreeMap::new(),
            next: 1,
        }
    }

    /// Takes the result of `row`; returns every result now due, in order.
    pub fn push(&mut self, row: usize, result: R) -> Vec<R> {
        self.waiting.insert(row, result);
        let mut due = Vec::new();
        while let Some(result) = self.waiting.remove(&self.next) {
            due.push(result);
            self.next += 1;
        }
        due
    }
}

/// A progress bar of `rows` rows on stderr, when it is a terminal.
pub fn row_progress(rows: usize, message: &'static str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal as _;
    io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(rows as u64);
        bar.set_message(message);
        bar
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns_and_trim_trailing_space() {
        let mut out = Vec::new();
        table(
            &mut out,
            &["ID", "NAME"],
            &[
                vec!["1".into(), "Contoso AB".into()],
                vec!["12".into(), String::new()],
            ],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ID  NAME\n1   Contoso AB\n12\n"
        );
    }
}
