//! What the integration tests share: the contract, the documentation's fixtures, comparing
//! JSON up to null-versus-absent, the demo credentials, and a writer that keeps what `tracing`
//! prints.

#![allow(dead_code)] // each test binary uses part of it

use std::path::Path;

use serde_json::Value;

/// `openapi/crayon-tenants.yaml` as JSON, as the mock reads it (`crayon_tenants_contract`).
pub fn contract() -> Value {
    crayon_tenants_contract::document().clone()
}

/// A fixture of `tests/fixtures/` (a JSON example of the documentation).
pub fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not valid JSON: {e}"))
}

/// The documented create request, as the body of a create.
pub fn create_body() -> crayon_tenants::types::NewCustomerTenantDetailed {
    serde_json::from_value(fixture("create_customer_tenant.request.json")).unwrap()
}

/// Removes `null` members: the models skip absent optional fields when serializing, so a
/// documented `"CountryName": null` comes back absent, which means the same thing.
pub fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// The mock's demo credentials.
pub fn demo_credentials() -> crayon_tenants::Credentials {
    crayon_tenants::Credentials::password(
        "demo-client",
        "demo-secret",
        "demo@example.com",
        "demo-password",
    )
}

/// Everything written to it, kept: give a clone to `tracing_subscriber::fmt().with_writer(..)`.
#[derive(Clone, Default)]
pub struct Captured(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Everything `tracing` says on this thread while the guard lives, as the `fmt` subscriber
    /// prints it: every event of every level, and every span with its fields when it closes.
    pub fn everything() -> (Self, tracing::subscriber::DefaultGuard) {
        let captured = Self::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        (captured, tracing::subscriber::set_default(subscriber))
    }

    /// What was written, as text.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}
