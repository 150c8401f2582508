//! Request bodies from files: checked against the contract before anything is sent, so that a
//! typo is not taken for nothing (the API ignores properties it does not know).

use std::io::Read as _;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::failure::Failure;

/// Reads a JSON body from a file (or stdin for `-`) as `T`, the Rust type of the contract's
/// `schema`. A body that is not JSON, that has a property the schema does not know (named with
/// the closest one it does), or that misses a field the contract requires, is refused with a
/// message naming the field.
pub fn read<T: DeserializeOwned>(file: &Path, schema: &str) -> Result<T, Failure> {
    let name = file.display().to_string();
    let text = if name == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text
    } else {
        std::fs::read_to_string(file)
            .map_err(|error| Failure::Usage(format!("cannot read {name}: {error}")))?
    };
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|error| Failure::Usage(format!("{name} is not valid JSON: {error}")))?;
    let unknown = crayon_tenants_contract::unknown_properties(
        &value,
        &crayon_tenants_contract::schema_ref(schema),
    );
    if !unknown.is_empty() {
        let problems: Vec<String> = unknown.iter().map(no_property).collect();
        return Err(Failure::Usage(format!("{name}: {}", problems.join("; "))));
    }
    crayon_tenants_contract::deserialize(value).map_err(|problem| {
        Failure::Usage(match problem.kind {
            crayon_tenants_contract::ProblemKind::Required => {
                format!("{name}: {} is required", problem.path)
            }
            _ => format!("{name}: {problem}"),
        })
    })
}

/// `Tenant.Referense is no property; did you mean Tenant.Reference?`, or the properties there
/// are when none is close.
fn no_property(unknown: &crayon_tenants_contract::UnknownProperty) -> String {
    let (parent, name) = match unknown.path.rsplit_once('.') {
        Some((parent, name)) => (format!("{parent}."), name),
        None => (String::new(), unknown.path.as_str()),
    };
    match crate::failure::closest(name, unknown.known.iter().map(String::as_str)) {
        Some(known) => {
            format!(
                "{} is no property; did you mean {parent}{known}?",
                unknown.path
            )
        }
        _ => format!(
            "{} is no property (there: {})",
            unknown.path,
            unknown.known.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use crayon_tenants::types::NewCustomerTenantDetailed;

    use super::*;

    fn write(text: &str) -> tempfile_path::TempFile {
        tempfile_path::TempFile::new(text)
    }

    /// A file removed when dropped (enough for these tests; no dependency for it).
    mod tempfile_path {
        pub struct TempFile(pub std::path::PathBuf);
        impl TempFile {
            pub fn new(text: &str) -> Self {
                let path = std::env::temp_dir().join(format!(
                    "crayon-tenants-body-{}-{}.json",
                    std::process::id(),
                    next_id()
                ));
                std::fs::write(&path, text).unwrap();
                Self(path)
            }
        }
        impl Drop for TempFile {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }
        fn next_id() -> u64 {
            use std::sync::atomic::{AtomicU64, Ordering};
            static NEXT: AtomicU64 = AtomicU64::new(0);
            NEXT.fetch_add(1, Ordering::SeqCst)
        }
    }

    fn message(text: &str) -> String {
        let file = write(text);
        read::<NewCustomerTenantDetailed>(&file.0, "NewCustomerTenantDetailed")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_missing_field_is_named_with_its_path() {
        assert!(
            message("{}").ends_with(": Company is required"),
            "{}",
            message("{}")
        );
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../crayon-tenants/tests/fixtures/create_customer_tenant.request.json");
        let mut body: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        body["Tenant"]["InvoiceProfile"]
            .as_object_mut()
            .unwrap()
            .remove("Id");
        let nested = message(&body.to_string());
        assert!(
            nested.ends_with(": Tenant.InvoiceProfile.Id is required"),
            "{nested}"
        );
    }

    #[test]
    fn invalid_json_and_wrong_types_are_refused() {
        assert!(message("{").contains("is not valid JSON"));
        assert!(
            message(r#"{"Tenant": {"Name": 5}}"#).contains("Tenant.Name: invalid type"),
            "{}",
            message(r#"{"Tenant": {"Name": 5}}"#)
        );
        let missing = read::<NewCustomerTenantDetailed>(
            Path::new("/no/such/file.json"),
            "NewCustomerTenantDetailed",
        )
        .unwrap_err();
        assert!(
            missing
                .to_string()
                .starts_with("cannot read /no/such/file.json")
        );
    }

    #[test]
    fn a_property_the_contract_does_not_know_is_named_with_the_closest() {
        let file = write(r#"{"Tenant": {"Referense": "x", "Name": "Contoso"}}"#);
        let error = read::<crayon_tenants::types::CustomerTenantDetailedInput>(
            &file.0,
            "CustomerTenantDetailedInput",
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.ends_with(": Tenant.Referense is no property; did you mean Tenant.Reference?"),
            "{error}"
        );
        let far = message(r#"{"Zzzzzzzz": 1}"#);
        assert!(far.contains("Zzzzzzzz is no property (there: "), "{far}");
        // Names bind ignoring case, as the API does.
        let file = write(r#"{"tenant": {"reference": "x"}}"#);
        let body = read::<crayon_tenants::types::CustomerTenantDetailedInput>(
            &file.0,
            "CustomerTenantDetailedInput",
        );
        assert!(body.is_ok(), "{body:?}");
    }
}
