//! Listings, printed the same way whatever they list: the look-ups a create needs
//! (`organizations list`, `invoice-profiles list`, `publishers list`: one page, or every page
//! with `--all`) and every page of `tenants list --all`. Every output format; the CSV columns are
//! the JSON paths of the contract's item schema; with `--all`, items are written as they arrive.

use std::io::Write;

use crayon_tenants::types::{CustomerTenant, InvoiceProfile, Organization, ProgramType, Publisher};
use crayon_tenants::{Client, ListRequest, Paging};
use serde::Serialize;
use serde_json::json;

use crate::cli::{
    InvoiceProfilesCommand, OrganizationsCommand, Output, PagingArgs, ProgramTypeArg,
    PublishersCommand,
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
        request = request.program_type(match program_type {
            ProgramTypeArg::License => ProgramType::License,
            ProgramTypeArg::Report => ProgramType::Report,
            ProgramTypeArg::Cloud => ProgramType::Cloud,
        });
    }
    print(request.paging(), &paging, &PUBLISHER, format, out).await
}

/// One page (`--page`, default 1) or, with `--all`, every page as it arrives.
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
    let items = if args.all {
        // Verified: read until two reads agree, so that no item is missing from an export
        // because the listing changed while it was read.
        let paging = paging.concurrency(args.concurrency);
        commands::reading(paging.verified()).await?
    } else {
        let page = paging.fetch_page(args.page.unwrap_or(1)).await?;
        if format == Output::Json && columns.is_none() {
            // One page in the API's own shape.
            let document = json!({ "Items": page.items, "TotalHits": page.total_hits });
            return Ok(output::document(out, format, &document)?);
        }
        page.items
    };
    write(items, shape, columns, format, out)
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

/// Writes items: JSON as one array element by element, NDJSON and CSV row by row, a table
/// aligned.
fn write<T: Serialize>(
    items: Vec<T>,
    shape: &Shape<T>,
    columns: Option<Vec<String>>,
    format: Output,
    out: &mut impl Write,
) -> Result<(), Failure> {
    use serde::ser::{SerializeSeq as _, Serializer as _};
    let json_failure = std::io::Error::other;
    match format {
        Output::Json => {
            let mut json = serde_json::Serializer::pretty(&mut *out);
            let mut array = json.serialize_seq(None).map_err(json_failure)?;
            for item in items {
                array.serialize_element(&item).map_err(json_failure)?;
            }
            array.end().map_err(json_failure)?;
            writeln!(out)?;
        }
        // NDJSON and CSV of tenants are what `tenants apply` reads: each row carries its
        // `Exported` stamp (unless CSV columns were chosen).
        Output::Ndjson => {
            for item in items {
                let mut value = serde_json::to_value(&item).map_err(json_failure)?;
                if let (Some(stamp), Some(object)) = (shape.stamp, value.as_object_mut()) {
                    object.insert(crate::exported::COLUMN.to_owned(), stamp(&item).into());
                }
                output::document(out, format, &value)?;
            }
        }
        Output::Csv => {
            let stamp = shape.stamp.filter(|_| columns.is_none());
            let mut columns =
                columns.unwrap_or_else(|| crayon_tenants_contract::columns(shape.schema));
            if stamp.is_some() {
                columns.push(crate::exported::COLUMN.to_owned());
            }
            let mut csv = output::Csv::new(&mut *out, columns)?;
            for item in items {
                let mut value = serde_json::to_value(&item).map_err(json_failure)?;
                if let (Some(stamp), Some(object)) = (stamp, value.as_object_mut()) {
                    object.insert(crate::exported::COLUMN.to_owned(), stamp(&item).into());
                }
                csv.row(&value)?;
            }
            csv.finish()?;
        }
        Output::Table => {
            let mut rows = Vec::new();
            for item in items {
                rows.push(match &columns {
                    Some(columns) => {
                        output::cells(&serde_json::to_value(&item).map_err(json_failure)?, columns)
                    }
                    None => (shape.row)(&item),
                });
            }
            match &columns {
                Some(columns) => {
                    let header: Vec<&str> = columns.iter().map(String::as_str).collect();
                    output::table(out, &header, &rows)?;
                }
                None => output::table(out, shape.header, &rows)?,
            }
        }
    }
    Ok(())
}
