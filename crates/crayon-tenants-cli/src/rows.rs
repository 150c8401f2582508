//! Reading a file of rows for `tenants import` and `tenants apply`: a CSV whose header names
//! fields by their JSON paths (`Tenant.Name`, `InvoiceProfile.Id`), each cell typed as the
//! contract types its field, or NDJSON, one JSON object per line. A row that cannot be read is
//! kept, with its problems, so that it is reported in its place.

use std::io::BufRead as _;
use std::path::Path;

use crayon_tenants_contract as contract;
use serde_json::{Map, Value};

use crate::cli::ImportFormat;
use crate::failure::Failure;

/// A row's value, or the problems that kept it from being read.
pub type RowValue = Result<Value, Vec<String>>;

/// One row of the file: its number (1 is the first data row) and its value or its problems.
pub struct RawRow {
    pub number: usize,
    pub value: RowValue,
}

/// The fields a file may name: their JSON paths and JSON types, and what they belong to (for
/// the error that names a column the file should not have).
pub struct Fields {
    /// `(path, JSON type)` of every field a column may name.
    pub leaves: Vec<(String, String)>,
    /// What the columns are fields of, as an error names it.
    pub of: String,
}

impl Fields {
    /// Every leaf of the contract's schema `name`, under `prefix` (`""` or `"Profile."`).
    pub fn of_schema(name: &str, prefix_filter: impl Fn(&str) -> bool) -> Vec<(String, String)> {
        let schema = contract::schema_ref(name);
        contract::columns(name)
            .into_iter()
            .filter(|path| prefix_filter(path))
            .filter_map(|path| contract::leaf_type(&schema, &path).map(|kind| (path, kind)))
            .collect()
    }

    fn kind(&self, path: &str) -> Option<&str> {
        self.leaves
            .iter()
            .find(|(leaf, _)| leaf == path)
            .map(|(_, kind)| kind.as_str())
    }

    fn unknown(&self, path: &str) -> Failure {
        let leaves = self.leaves.iter().map(|(leaf, _)| leaf.as_str());
        Failure::Usage(match crate::failure::closest(path, leaves) {
            Some(leaf) => {
                format!(
                    "the CSV column `{path}` is no field of {}; did you mean `{leaf}`?",
                    self.of
                )
            }
            None => format!("the CSV column `{path}` is no field of {}", self.of),
        })
    }
}

/// A file of rows that can be read more than once, row by row: a path, or stdin read once into
/// memory (`-`).
pub struct Source {
    file: std::path::PathBuf,
    format: ImportFormat,
    stdin: Option<Vec<u8>>,
}

impl Source {
    /// The file (`-` is stdin) in the format given, or the one its name says.
    pub fn open(file: &Path, format: Option<ImportFormat>) -> Result<Self, Failure> {
        let format = match (format, file.extension().and_then(|e| e.to_str())) {
            (Some(format), _) => format,
            (None, Some("csv")) => ImportFormat::Csv,
            (None, Some("ndjson" | "jsonl")) => ImportFormat::Ndjson,
            _ => {
                return Err(Failure::Usage(format!(
                    "{}: give a .csv or .ndjson file, or --format csv|ndjson",
                    file.display()
                )));
            }
        };
        let stdin = if file == Path::new("-") {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)?;
            Some(bytes)
        } else {
            None
        };
        Ok(Self {
            file: file.to_owned(),
            format,
            stdin,
        })
    }

    /// Its rows, read as they are asked for; a CSV header that names a field `fields` does not
    /// have is an error before any row.
    pub fn rows<'a>(
        &'a self,
        fields: &Fields,
    ) -> Result<Box<dyn Iterator<Item = Result<RawRow, Failure>> + 'a>, Failure> {
        let reader: Box<dyn std::io::Read + 'a> = match &self.stdin {
            Some(bytes) => Box::new(&bytes[..]),
            None => Box::new(std::fs::File::open(&self.file).map_err(|error| {
                Failure::Usage(format!("cannot read {}: {error}", self.file.display()))
            })?),
        };
        let values: Box<dyn Iterator<Item = Result<RowValue, Failure>> + 'a> = match self.format {
            ImportFormat::Csv => Box::new(csv_values(reader, fields)?.map(Ok)),
            ImportFormat::Ndjson => Box::new(
                std::io::BufReader::new(reader)
                    .lines()
                    .filter(|line| line.as_ref().map_or(true, |line| !line.trim().is_empty()))
                    .map(|line| {
                        let line = line?;
                        Ok(serde_json::from_str(&line)
                            .map_err(|error| vec![format!("not JSON: {error}")]))
                    }),
            ),
        };
        Ok(Box::new(values.enumerate().map(|(index, value)| {
            Ok(RawRow {
                number: index + 1,
                value: value?,
            })
        })))
    }
}

/// The rows of a CSV whose header names JSON paths, as JSON values typed by the contract, read
/// as they are asked for. An empty cell is no value.
fn csv_values<'a>(
    reader: impl std::io::Read + 'a,
    fields: &Fields,
) -> Result<impl Iterator<Item = RowValue> + 'a, Failure> {
    let mut csv = csv::Reader::from_reader(reader);
    let header: Vec<String> = csv
        .headers()
        .map_err(|error| Failure::Usage(format!("the CSV header: {error}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    let kinds: Vec<(String, String)> = header
        .iter()
        .map(|path| match fields.kind(path) {
            Some(kind) => Ok((path.clone(), kind.to_owned())),
            None => Err(fields.unknown(path)),
        })
        .collect::<Result<_, _>>()?;
    Ok(csv.into_records().map(move |record| {
        let record = record.map_err(|error| vec![format!("not CSV: {error}")])?;
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
            contract::set(&mut value, path, typed.unwrap_or_else(|| Value::from(cell)));
        }
        Ok(value)
    }))
}

/// A schema of the contract that rows are checked against, every problem named by its path.
pub struct Checker {
    validator: jsonschema::Validator,
}

impl Checker {
    /// The checker of the contract's schema `name` (`NewCustomerTenantDetailed`).
    pub fn new(name: &str) -> Self {
        Self {
            validator: contract::validator(&contract::schema_ref(name)),
        }
    }

    /// Every problem of the value: `Tenant.Name: required`, `Tenant.CustomerTenantType: 9 is
    /// not one of ...`; the row itself is `(row)`.
    pub fn problems(&self, value: &Value) -> Vec<String> {
        contract::problems(&self.validator, value)
            .into_iter()
            .map(|problem| match problem.path.is_empty() {
                true => format!("(row): {problem}"),
                false => problem.to_string(),
            })
            .collect()
    }

    /// The value as its type, when the schema has no problem with it.
    pub fn typed<T: serde::de::DeserializeOwned>(&self, value: Value) -> Result<T, Vec<String>> {
        let problems = self.problems(&value);
        if !problems.is_empty() {
            return Err(problems);
        }
        contract::deserialize(value).map_err(|problem| vec![problem.to_string()])
    }
}

/// The non-null leaves of a tenant (as JSON) by path, as an export's stamp and a saved plan
/// keep them and as they are compared to tell whether it changed since: a person's data (the
/// agreement's names, e-mail address, phone number) as a digest ([`kept`]).
pub fn tenant_leaves(tenant: &Value) -> std::collections::BTreeMap<String, Value> {
    contract::leaves(tenant)
        .into_iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(field, value)| {
            let value = kept(&field, value);
            (field, value)
        })
        .collect()
}

/// A field's value as the files this tool writes keep it: a person's data as `sha256:` and 16
/// hex digits of its SHA-256, enough to tell that it changed and nothing of what it is.
pub fn kept(field: &str, value: &Value) -> Value {
    if !crate::journal::personal(field) || value.is_null() {
        return value.clone();
    }
    let digest = ring::digest::digest(&ring::digest::SHA256, value.to_string().as_bytes());
    let hex: String = digest.as_ref()[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    Value::from(format!("sha256:{hex}"))
}
