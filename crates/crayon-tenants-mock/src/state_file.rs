//! The mock's world kept in a file across runs (`--state FILE`, [`MockConfig::state_file`]):
//! created and seeded on first use, read at start, written back (whole, through a temporary
//! file renamed over it) by [`MockServer::save_state`](crate::MockServer::save_state) and when
//! the binary stops. A file that is not a state file is refused and never overwritten.
//!
//! It holds the tenants with their agreements and the last id given; never a token, and never
//! an administrator's password (shown once, in the create's answer).
//!
//! [`MockConfig::state_file`]: crate::MockConfig::state_file

use std::path::{Path, PathBuf};

use crayon_tenants::types::{CustomerTenantDetailed, ServiceAccountAgreement};
use serde::{Deserialize, Serialize};

use crate::state::StoredTenant;

/// What marks a file as the mock's state.
const FORMAT: &str = "crayon-tenants-mock-state";

/// Why a state file could not be used.
#[derive(Debug)]
pub struct StateFileError {
    path: PathBuf,
    reason: String,
}

impl std::fmt::Display for StateFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is not a usable mock state file ({}); it was left as it is",
            self.path.display(),
            self.reason
        )
    }
}

impl std::error::Error for StateFileError {}

impl From<StateFileError> for std::io::Error {
    fn from(error: StateFileError) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidData, error)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub(crate) struct StateFile {
    format: String,
    version: u32,
    last_id: i32,
    tenants: Vec<SavedTenant>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct SavedTenant {
    organization_id: i32,
    tenant: CustomerTenantDetailed,
    agreements: Vec<ServiceAccountAgreement>,
}

impl StateFile {
    pub(crate) fn new(last_id: i32, tenants: Vec<StoredTenant>) -> Self {
        Self {
            format: FORMAT.to_owned(),
            version: 1,
            last_id,
            tenants: tenants
                .into_iter()
                .map(|stored| SavedTenant {
                    organization_id: stored.organization_id,
                    tenant: stored.detailed_without_password(),
                    agreements: stored.agreements,
                })
                .collect(),
        }
    }

    /// The last id given and the tenants.
    pub(crate) fn into_parts(self) -> (i32, Vec<StoredTenant>) {
        let tenants = self
            .tenants
            .into_iter()
            .map(|saved| StoredTenant {
                organization_id: saved.organization_id,
                detailed: saved.tenant,
                agreements: saved.agreements,
            })
            .collect();
        (self.last_id, tenants)
    }

    /// Reads a state file; `None` when there is no file at `path`.
    pub(crate) fn read(path: &Path) -> Result<Option<Self>, StateFileError> {
        let refused = |reason: String| StateFileError {
            path: path.to_owned(),
            reason,
        };
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(refused(error.to_string())),
        };
        let marker: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|error| refused(format!("not JSON: {error}")))?;
        if marker.get("Format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(refused(format!("no \"Format\": \"{FORMAT}\"")));
        }
        let file: Self =
            serde_json::from_value(marker).map_err(|error| refused(error.to_string()))?;
        if file.version != 1 {
            return Err(refused(format!("version {} is not 1", file.version)));
        }
        Ok(Some(file))
    }

    /// Writes the file whole: to a temporary file beside it, then renamed over it, so that an
    /// interrupted write leaves the old file.
    pub(crate) fn write(&self, path: &Path) -> std::io::Result<()> {
        let directory = path.parent().filter(|p| !p.as_os_str().is_empty());
        let mut temporary = tempfile::NamedTempFile::new_in(directory.unwrap_or(Path::new(".")))?;
        serde_json::to_writer(std::io::BufWriter::new(&mut temporary), self)?;
        temporary.as_file().sync_all()?;
        temporary.persist(path).map_err(|error| error.error)?;
        Ok(())
    }
}
