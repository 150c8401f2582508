//! Listings, printed the same way whatever they list: the look-ups a create needs
//! (`organizations list`, `invoice-profiles list`, `publishers list`: one page, or every page
//! with `--all`) and every page of `tenants list --all`. Every output format; the CSV columns are
//! the JSON paths of the contract's item schema; with `--all`, items are written as they arrive.

use std::io::{self, Write};

use crayon_tenants::types::{CustomerTenant, InvoiceProfile, Organization, Publisher};
use crayon_tenants::{Client, ListRequest, Paging};
use serde::Serialize;
use serde_json::{Value, json};

use crate::cli::{
    InvoiceProfilesCommand, OrganizationsCommand, Output, PagingArgs, PublishersCommand,
};
use crate::commands;
use crate::failure::Failure;
use crate::output;

/// How one kind of item prints: its schema in the contract (for CSV) and its table.
pub struct Shape<T> {
    schema: &'static str,
    header: &'static [&'static str],
    row: fn(&T) -> Vec<String>,
    /// The `Exported` stamp of an item, for exports that `tenants apply` reads back.
    stamp: Option<fn(&T) -> String>,
}

pub const TENANT: Shape<CustomerTenant> = Shape {
    schema: "CustomerTenant",
    header: &output::TENANT_COLUMNS,
    row: output::tenant_row,
    stamp: Some(crate::exported::stamp),
};

const ORGANIZATION: Shape<Organization> = Shape {
    schema: "Organization",
    header: &["ID", "NAME", "PARENT", "ACCOUNT", "CRAYON COMPANY"],
    row: |organization| {
        vec![
            output::cell(organization.id),
            output::cell(organization.name.as_deref()),
            output::cell(organization.parent_id.filter(|parent| *parent != 0)),
            output::cell(organization.account_number.as_deref()),
            output::cell(organization.crayon_company_name.as_deref()),
        ]
    },
    stamp: None,
};

const INVOICE_PROFILE: Shape<InvoiceProfile> = Shape {
    schema: "InvoiceProfile",
    header: &["ID", "NAME", "ORGANIZATION", "INVOICE REFERENCE"],
    row: |profile| {
        vec![
            output::cell(profile.id),
            output::cell(profile.name.as_deref()),
            output::cell(profile.organization.as_ref().and_then(|o| o.id)),
            output::cell(profile.invoice_reference.as_deref()),
        ]
    },
    stamp: None,
};

const PUBLISHER: Shape<Publisher> = Shape {
    schema: "Publisher",
    header: &["ID", "NAME"],
    row: |publisher| {
        vec![
            output::cell(publisher.id),
            output::cell(publisher.name.as_deref()),
        ]
    },
    stamp: None,
};

pub async fn organizations(
    client: &Client,
    command: OrganizationsCommand,
    format: Output,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let OrganizationsCommand::List { search, paging } = command;
    let mut request = client.list_organizations();
    if let Some(search) = search {
        request = request.search(search);
    }
    print(request.paging(), &paging, &ORGANIZATION, format, out).await
}

pub async fn invoice_profiles(
    client: &Client,
    command: InvoiceProfilesCommand,
    format: Output,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let InvoiceProfilesCommand::List {
        organization_id,
        search,
        paging,
    } = command;
    let mut request = client
        .list_invoice_profiles()
        .organization_id(organization_id);
    if let Some(search) = search {
        request = request.search(search);
    }
    print(request.paging(), &paging, &INVOICE_PROFILE, format, out).await
}

pub async fn publishers(
    client: &Client,
    command: PublishersCommand,
    format: Output,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let PublishersCommand::List {
        names,
        search,
        program_type,
        paging,
    } = command;
    let mut request = client.list_publishers();
    if !names.is_empty() {
        request = request.names(names);
    }
    if let Some(search) = search {
        request = request.search(search);
    }
    if let Some(program_type) = program_type {
        request = request.program_type(program_type);
    }
    print(request.paging(), &paging, &PUBLISHER, format, out).await
}

/// One page (`--page`, default 1) or, with `--all`, every item of a verified listing.
pub async fn print<R>(
    mut paging: Paging<R>,
    args: &PagingArgs,
    shape: &Shape<R::Item>,
    format: Output,
    out: &mut impl Write,
) -> Result<(), Failure>
where
    R: ListRequest,
    R::Item: Serialize,
{
    let columns = match &args.columns {
        Some(columns) => Some(chosen_columns(shape.schema, columns, format)?),
        None => None,
    };
    if let Some(page_size) = args.page_size {
        paging = paging.page_size(page_size);
    }
    let rows = Rows::new(shape, columns, format);
    if !args.all {
        let page = paging.fetch_page(args.page.unwrap_or(1)).await?;
        if format == Output::Json && rows.columns.is_none() {
            // One page in the API's own shape.
            let document = json!({ "Items": page.items, "TotalHits": page.total_hits });
            return Ok(output::document(out, format, &document)?);
        }
        let rendered: Vec<Vec<u8>> = page.items.iter().map(|item| rows.render(item)).collect();
        return Ok(rows.write(out, rendered.into_iter().map(Ok))?);
    }
    // Verified: read until two reads agree, so that no item is missing from an export because
    // the listing changed while it was read. Each read's rows go, rendered, to an anonymous
    // temporary file (removed by the system when it is closed); only where the last read's rows
    // lie is kept in memory, so a long export costs little more memory than one page.
    let paging = paging.concurrency(args.concurrency);
    let mut spool = Spool::new()?;
    let kept =
        commands::reading(paging.verified_map(|item| spool.append(&rows.render(&item)))).await?;
    let kept = kept.into_iter().collect::<io::Result<Vec<_>>>()?;
    let mut file = spool.finish()?;
    let read_back = kept.into_iter().map(|(offset, length)| {
        use std::io::{Read as _, Seek as _};
        file.seek(io::SeekFrom::Start(offset))?;
        let mut row = vec![0; length];
        file.read_exact(&mut row)?;
        Ok(row)
    });
    Ok(rows.write(out, read_back)?)
}

/// An anonymous temporary file that rows are appended to, and where each one lies.
struct Spool {
    writer: io::BufWriter<std::fs::File>,
    length: u64,
}

impl Spool {
    fn new() -> io::Result<Self> {
        Ok(Self {
            writer: io::BufWriter::new(tempfile::tempfile()?),
            length: 0,
        })
    }

    /// Appends a row; where it lies.
    fn append(&mut self, row: &[u8]) -> io::Result<(u64, usize)> {
        let offset = self.length;
        self.writer.write_all(row)?;
        self.length += row.len() as u64;
        Ok((offset, row.len()))
    }

    fn finish(self) -> io::Result<std::fs::File> {
        self.writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)
    }
}

/// How items become output rows in a format: a JSON array's element, an NDJSON line, a CSV
/// record, a table's cells (as a JSON array until the table is aligned).
struct Rows<'a, T> {
    shape: &'a Shape<T>,
    columns: Option<Vec<String>>,
    format: Output,
    /// CSV: the columns written and the `Exported` stamp, when the export carries it.
    csv_columns: Vec<String>,
    stamp: Option<fn(&T) -> String>,
}

impl<'a, T: Serialize> Rows<'a, T> {
    fn new(shape: &'a Shape<T>, columns: Option<Vec<String>>, format: Output) -> Self {
        // NDJSON and CSV of tenants are what `tenants apply` reads: each row carries its
        // `Exported` stamp (unless CSV columns were chosen).
        let stamp = match format {
            Output::Ndjson => shape.stamp,
            Output::Csv => shape.stamp.filter(|_| columns.is_none()),
            _ => None,
        };
        let mut csv_columns = columns
            .clone()
            .unwrap_or_else(|| crayon_tenants_contract::columns(shape.schema));
        if format == Output::Csv && stamp.is_some() {
            csv_columns.push(crate::exported::COLUMN.to_owned());
        }
        Self {
            shape,
            columns,
            format,
            csv_columns,
            stamp,
        }
    }

    fn value(&self, item: &T) -> Value {
        let mut value = serde_json::to_value(item).unwrap_or(Value::Null);
        if let (Some(stamp), Some(object)) = (self.stamp, value.as_object_mut()) {
            object.insert(crate::exported::COLUMN.to_owned(), stamp(item).into());
        }
        value
    }

    /// One item's row.
    fn render(&self, item: &T) -> Vec<u8> {
        match self.format {
            Output::Json => serde_json::to_vec_pretty(item).unwrap_or_default(),
            Output::Ndjson => {
                let mut line = serde_json::to_vec(&self.value(item)).unwrap_or_default();
                line.push(b'\n');
                line
            }
            Output::Csv => output::csv_record(&self.value(item), &self.csv_columns),
            Output::Table => {
                let cells = match &self.columns {
                    Some(columns) => output::cells(&self.value(item), columns),
                    None => (self.shape.row)(item),
                };
                serde_json::to_vec(&cells).unwrap_or_default()
            }
        }
    }

    /// Writes the rows with what the format puts around them.
    fn write(
        &self,
        out: &mut impl Write,
        rows: impl Iterator<Item = io::Result<Vec<u8>>>,
    ) -> io::Result<()> {
        match self.format {
            Output::Json => {
                let mut first = true;
                for row in rows {
                    let row = String::from_utf8_lossy(&row?).replace('\n', "\n  ");
                    write!(out, "{}  {row}", if first { "[\n" } else { ",\n" })?;
                    first = false;
                }
                writeln!(out, "{}", if first { "[]" } else { "\n]" })?;
            }
            Output::Ndjson => {
                for row in rows {
                    out.write_all(&row?)?;
                }
            }
            Output::Csv => {
                out.write_all(&output::csv_record_of(&self.csv_columns))?;
                for row in rows {
                    out.write_all(&row?)?;
                }
            }
            Output::Table => {
                let mut table = Vec::new();
                for row in rows {
                    table.push(serde_json::from_slice(&row?).map_err(io::Error::other)?);
                }
                match &self.columns {
                    Some(columns) => {
                        let header: Vec<&str> = columns.iter().map(String::as_str).collect();
                        output::table(out, &header, &table)?;
                    }
                    None => output::table(out, self.shape.header, &table)?,
                }
            }
        }
        Ok(())
    }
}

/// The columns asked for, each a JSON path of the item schema's fields (CSV and table only).
fn chosen_columns(schema: &str, asked: &[String], format: Output) -> Result<Vec<String>, Failure> {
    if matches!(format, Output::Json | Output::Ndjson) {
        return Err(Failure::Usage(
            "--columns chooses the columns of CSV and table output (--output csv or table)"
                .to_owned(),
        ));
    }
    let known = crayon_tenants_contract::columns(schema);
    for column in asked {
        if !known.contains(column) {
            let closest = crate::failure::closest(column, known.iter().map(String::as_str));
            return Err(Failure::Usage(match closest {
                Some(path) => {
                    format!("--columns: `{column}` is no field of {schema}; did you mean `{path}`?")
                }
                None => format!(
                    "--columns: `{column}` is no field of {schema} (its fields: {})",
                    known.join(", ")
                ),
            }));
        }
    }
    Ok(asked.to_vec())
}
