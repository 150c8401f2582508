//! The file the administrators' credentials of created tenants go to: Crayon shows a new
//! tenant's password once, in the create's answer, and it must not reach stdout or a log.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use crayon_tenants::types::CustomerTenantDetailed;

use crate::failure::Failure;
use crate::output;

/// Opens a file of this tool's readable by its owner only (created with mode 0600): appended
/// to (the credentials file, the journal), or written anew (a saved plan).
pub fn open_private(path: &Path, append: bool) -> Result<std::fs::File, Failure> {
    let mut options = OpenOptions::new();
    options.create(true);
    if append {
        options.append(true);
    } else {
        options.write(true).truncate(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map_err(|error| Failure::Usage(format!("cannot open {}: {error}", path.display())))
}

/// The file the administrators' credentials go to: created with mode 0600, appended to, one
/// CSV line per created tenant.
pub struct CredentialsFile {
    file: std::sync::Mutex<std::fs::File>,
}

impl CredentialsFile {
    pub fn open(path: &Path) -> Result<Self, Failure> {
        let file = open_private(path, true)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        if file.metadata()?.len() == 0 {
            writeln!(&file, "DomainPrefix,TenantId,UserName,Password")?;
        }
        Ok(Self {
            file: std::sync::Mutex::new(file),
        })
    }

    pub fn append(
        &self,
        prefix: &str,
        id: Option<i32>,
        created: &CustomerTenantDetailed,
    ) -> Result<(), Failure> {
        let user = created.user.as_ref();
        let mut line = csv::Writer::from_writer(Vec::new());
        line.write_record([
            prefix,
            &output::cell(id),
            user.and_then(|user| user.user_name.as_deref())
                .unwrap_or_default(),
            user.and_then(|user| user.password.as_deref())
                .unwrap_or_default(),
        ])
        .map_err(std::io::Error::other)?;
        let line = line
            .into_inner()
            .map_err(|error| std::io::Error::other(error.to_string()))?;
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        file.write_all(&line)?;
        file.flush()?;
        Ok(())
    }
}
