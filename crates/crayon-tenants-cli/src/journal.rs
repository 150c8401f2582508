//! `--journal FILE` of `import` and `apply`: one NDJSON line when a request is about to be sent
//! and one when its outcome is known, appended and flushed line by line, so that a run that was
//! interrupted leaves a record of what it did: a request with a `sending` line and no outcome
//! line was sent, and what it came to is unknown (look at the tenant).
//!
//! A line holds the time (RFC 3339, UTC), the row, the tenant's id, the operation, the fields
//! with their old and new values, and the outcome with its status. Never a secret (the
//! administrator's password goes to the credentials file only), and never a person's data: the
//! values of the agreement's, the profile's and the company's fields (names, e-mail addresses,
//! phone numbers, addresses) are written as `<personal: redacted>`, their field names kept.

use std::io::Write as _;
use std::path::Path;
use std::sync::Mutex;

use serde_json::{Value, json};

use crate::bulk::{Request, Sent};
use crate::failure::Failure;

/// The journal file, opened for appending (mode 0600).
pub struct Journal {
    file: Mutex<std::fs::File>,
}

/// Whether a field's value is a person's data: anything of an agreement (who accepted it), of
/// a create's profile and company (contacts, addresses), or of a user, wherever it stands
/// (`agreement.Email`, `Tenant.agreement.Email`, `Profile.Contact.Email`).
pub fn personal(field: &str) -> bool {
    field
        .split('.')
        .any(|part| matches!(part, "agreement" | "Profile" | "Company" | "User"))
}

impl Journal {
    pub fn open(path: &Path) -> Result<Self, Failure> {
        Ok(Self {
            file: Mutex::new(crate::credentials_file::open_private(path, true)?),
        })
    }

    /// A field and its values as a journal line holds them.
    fn field(field: &str, old: &Value, new: &Value) -> Value {
        let shown = |value: &Value| {
            if personal(field) && !value.is_null() {
                json!("<personal: redacted>")
            } else {
                value.clone()
            }
        };
        json!({ "Field": field, "Old": shown(old), "New": shown(new) })
    }

    /// The line written before a row's request is sent.
    pub fn sending(&self, row: usize, request: &Request) -> Result<(), Failure> {
        self.write(line(row, request, "sending", request.tenant_id(), None))
    }

    /// The line written when the request's outcome is known.
    pub fn done(&self, row: usize, request: &Request, sent: &Sent) -> Result<(), Failure> {
        let (outcome, tenant, status) = match sent {
            Sent::Created { id, .. } => ("created", *id, None),
            Sent::Existing { id } => ("exists", *id, None),
            Sent::Updated => ("updated", request.tenant_id(), None),
            Sent::Failed(error) => (
                "failed",
                request.tenant_id(),
                error.status().map(|s| s.as_u16()),
            ),
        };
        self.write(line(row, request, "done", tenant, Some((outcome, status))))
    }

    /// Appends one line: `entry` with the time first.
    fn write(&self, mut entry: serde_json::Map<String, Value>) -> Result<(), Failure> {
        let time = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut line = serde_json::Map::new();
        line.insert("Time".to_owned(), json!(time));
        line.append(&mut entry);
        let mut text = serde_json::to_vec(&line).map_err(std::io::Error::other)?;
        text.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.write_all(&text)?;
        file.flush()?;
        Ok(())
    }
}

/// A line of the journal, without its time.
fn line(
    row: usize,
    request: &Request,
    event: &str,
    tenant: Option<i32>,
    outcome: Option<(&str, Option<u16>)>,
) -> serde_json::Map<String, Value> {
    let (operation, fields): (&str, Vec<Value>) = match request {
        Request::Create(body) => {
            let body = serde_json::to_value(body).unwrap_or(Value::Null);
            let fields = crayon_tenants_contract::leaves(&body)
                .iter()
                .map(|(field, new)| Journal::field(field, &Value::Null, new))
                .collect();
            ("createCustomerTenant", fields)
        }
        Request::Update { changes, .. } => (
            "updateCustomerTenant",
            changes
                .iter()
                .map(|change| Journal::field(&change.field, &change.old, &change.new))
                .collect(),
        ),
    };
    let mut entry = serde_json::Map::new();
    entry.insert("Event".into(), json!(event));
    entry.insert("Row".into(), json!(row));
    entry.insert("TenantId".into(), json!(tenant));
    entry.insert("Operation".into(), json!(operation));
    entry.insert("Fields".into(), json!(fields));
    if let Some((outcome, status)) = outcome {
        entry.insert("Outcome".into(), json!(outcome));
        entry.insert("Status".into(), json!(status));
    }
    entry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_s_data_is_redacted_wherever_it_stands_and_the_rest_is_kept() {
        for field in [
            "agreement.Email",
            "Tenant.agreement.PhoneNumber",
            "Profile.Contact.Email",
            "Company.OrganizationRegistrationNumber",
        ] {
            let line = Journal::field(field, &json!("old@example.com"), &json!("new@example.com"));
            assert_eq!(line["Old"], "<personal: redacted>", "{field}");
            assert_eq!(line["New"], "<personal: redacted>", "{field}");
            assert_eq!(line["Field"], field);
        }
        let line = Journal::field("Reference", &json!("PO-1"), &json!("PO-2"));
        assert_eq!(
            (line["Old"].as_str(), line["New"].as_str()),
            (Some("PO-1"), Some("PO-2"))
        );
        // A value that is not there is not redacted: the line says it was empty.
        assert_eq!(
            Journal::field("agreement.Email", &Value::Null, &json!("x"))["Old"],
            Value::Null
        );
    }
}
