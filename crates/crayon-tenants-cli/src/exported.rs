//! The `Exported` column of a tenants export (`tenants list --output csv|ndjson`): what the
//! tenant was when it was exported, so that `tenants apply` tells "the file changes this field"
//! from "someone changed the tenant since the export". A spreadsheet keeps it as any other text
//! cell: `v1.<seconds since 1970>.<the tenant's fields as base64url JSON>` (it starts with a
//! letter, so no spreadsheet reads it as a formula). It holds the same fields as the row, a
//! person's data (the agreement's names, e-mail address, phone number) only as a digest
//! (`rows::kept`).

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// The column's name, in the CSV header and as an NDJSON property.
pub const COLUMN: &str = "Exported";

/// What the tenant was when it was exported, and when.
#[derive(Debug, PartialEq)]
pub struct Exported {
    /// Seconds since 1970 (UTC).
    pub at: i64,
    /// The tenant's non-null fields by path.
    pub leaves: BTreeMap<String, Value>,
}

/// Seconds since 1970, now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

/// The stamp of a tenant exported now.
pub fn stamp(tenant: &crayon_tenants::types::CustomerTenant) -> String {
    let leaves = crate::rows::tenant_leaves(&serde_json::to_value(tenant).unwrap_or(Value::Null));
    let json = serde_json::to_vec(&leaves).unwrap_or_default();
    format!("v1.{}.{}", now(), URL_SAFE_NO_PAD.encode(json))
}

/// Reads a stamp; why it is not one otherwise.
pub fn parse(text: &str) -> Result<Exported, String> {
    let invalid = || format!("{COLUMN}: not a stamp of `tenants list` (keep the cell as exported)");
    let rest = text.trim().strip_prefix("v1.").ok_or_else(invalid)?;
    let (at, data) = rest.split_once('.').ok_or_else(invalid)?;
    let at = at.parse().map_err(|_| invalid())?;
    let json = URL_SAFE_NO_PAD.decode(data).map_err(|_| invalid())?;
    let leaves = serde_json::from_slice(&json).map_err(|_| invalid())?;
    Ok(Exported { at, leaves })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_reads_back_and_damage_is_refused() {
        let tenant = crayon_tenants::types::CustomerTenant {
            id: Some(7),
            reference: Some("PO-1".to_owned()),
            ..Default::default()
        };
        let stamp = stamp(&tenant);
        let read = parse(&stamp).unwrap();
        assert_eq!(read.leaves["Id"], 7);
        assert_eq!(read.leaves["Reference"], "PO-1");
        assert!((read.at - now()).abs() < 5);
        // A person's data is kept as a digest: the stamp says it changed, never what it is.
        let with_email = crayon_tenants::types::CustomerTenant {
            agreement: Some(crayon_tenants::types::CustomerTenantAgreement {
                email: Some("ada@example.com".to_owned()),
                ..Default::default()
            }),
            ..tenant
        };
        let stamp = super::stamp(&with_email);
        let kept = &parse(&stamp).unwrap().leaves["agreement.Email"];
        assert!(kept.as_str().unwrap().starts_with("sha256:"), "{kept}");
        let decoded = URL_SAFE_NO_PAD
            .decode(stamp.rsplit('.').next().unwrap())
            .unwrap();
        assert!(!String::from_utf8(decoded).unwrap().contains("ada@"));
        for damaged in [
            "",
            "v2.1.e30",
            "v1.x.e30",
            "v1.1.!!",
            &stamp[..stamp.len() - 3],
        ] {
            assert!(parse(damaged).is_err(), "{damaged}");
        }
    }
}
