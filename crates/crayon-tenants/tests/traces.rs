//! The spans of a call retried once and of the token request before it, captured by a layer of
//! our own: their names, their parents, and every field recorded exactly once.
//!
//! A test binary of its own: `tracing` caches per call site whether anyone listens.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

mod support;

use crayon_tenants::{Client, RetryPolicy};
use crayon_tenants_mock::{Fault, FaultRule, MockConfig, MockServer, Operation};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;

/// A span as captured: its name, its parent's name, and each field with how often it was set.
#[derive(Clone, Debug, Default)]
struct Captured {
    name: String,
    parent: Option<String>,
    fields: BTreeMap<String, (String, usize)>,
}

/// An event as captured: its level and fields.
#[derive(Clone, Debug)]
struct Event {
    level: tracing::Level,
    fields: BTreeMap<String, String>,
}

#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<BTreeMap<u64, Captured>>>,
    events: Arc<Mutex<Vec<Event>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, (String, usize)>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let entry = self.0.entry(field.name().to_owned()).or_default();
        entry.0 = format!("{value:?}").trim_matches('"').to_owned();
        entry.1 += 1;
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attributes: &Attributes<'_>, id: &Id, context: Context<'_, S>) {
        let mut captured = Captured {
            name: attributes.metadata().name().to_owned(),
            parent: context
                .span(id)
                .and_then(|span| span.parent().map(|parent| parent.name().to_owned())),
            ..Default::default()
        };
        attributes.record(&mut Fields(&mut captured.fields));
        self.spans.lock().unwrap().insert(id.into_u64(), captured);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        if let Some(span) = self.spans.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(&mut Fields(&mut span.fields));
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(Event {
            level: *event.metadata().level(),
            fields: fields
                .into_iter()
                .map(|(name, (value, _))| (name, value))
                .collect(),
        });
    }
}

#[tokio::test]
async fn a_retried_call_has_one_span_one_child_per_attempt_and_the_token_its_own() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start(MockConfig::default()).await.unwrap();
    server.add_fault(
        FaultRule::new(
            Operation::GetCustomerTenant,
            Fault::Status {
                status: 503,
                retry_after: None,
            },
        )
        .times(1),
    );
    let client = Client::builder()
        .base_url(server.base_url())
        .credentials(support::demo_credentials())
        .retry(RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(5)))
        .build()
        .unwrap();
    client.get_customer_tenant().id(1).await.unwrap();

    let spans: Vec<Captured> = capture
        .spans
        .lock()
        .unwrap()
        .values()
        .filter(|span| span.name.starts_with("crayon_tenants."))
        .cloned()
        .collect();
    let named = |name: &str| {
        spans
            .iter()
            .filter(|span| span.name == name)
            .cloned()
            .collect::<Vec<_>>()
    };
    let value =
        |span: &Captured, field: &str| span.fields.get(field).map(|(value, _)| value.clone());

    let calls = named("crayon_tenants.call");
    assert_eq!(calls.len(), 1, "{spans:#?}");
    let call = &calls[0];
    assert_eq!(
        value(call, "operation").as_deref(),
        Some("getCustomerTenant")
    );
    assert_eq!(value(call, "http.request.method").as_deref(), Some("GET"));
    assert_eq!(value(call, "server.address").as_deref(), Some("127.0.0.1"));
    assert_eq!(value(call, "attempts").as_deref(), Some("2"));
    assert_eq!(
        value(call, "http.response.status_code").as_deref(),
        Some("200")
    );

    let attempts = named("crayon_tenants.attempt");
    assert_eq!(attempts.len(), 2, "{spans:#?}");
    for (attempt, status) in attempts.iter().zip(["503", "200"]) {
        assert_eq!(attempt.parent.as_deref(), Some("crayon_tenants.call"));
        assert_eq!(
            value(attempt, "http.response.status_code").as_deref(),
            Some(status)
        );
        let url = value(attempt, "url.full").unwrap();
        assert!(url.ends_with("/api/v1/customertenants/1/"), "{url}");
    }
    assert_eq!(
        value(&attempts[0], "http.request.resend_count").as_deref(),
        Some("0")
    );
    assert_eq!(
        value(&attempts[1], "http.request.resend_count").as_deref(),
        Some("1")
    );
    assert_eq!(value(&attempts[0], "error.type").as_deref(), Some("503"));

    let tokens = named("crayon_tenants.token");
    assert_eq!(tokens.len(), 1, "{spans:#?}");
    assert_eq!(tokens[0].parent.as_deref(), Some("crayon_tenants.call"));
    assert_eq!(
        value(&tokens[0], "http.request.method").as_deref(),
        Some("POST")
    );
    assert_eq!(
        value(&tokens[0], "http.response.status_code").as_deref(),
        Some("200")
    );
    assert!(
        value(&tokens[0], "url.full")
            .unwrap()
            .ends_with("/api/v1/connect/token/")
    );

    // Nothing recorded twice, nothing secret anywhere.
    for span in &spans {
        for (field, (value, times)) in &span.fields {
            assert_eq!(*times, 1, "{}.{field} recorded {times} times", span.name);
            for secret in ["demo-secret", "demo-password", "Bearer"] {
                assert!(!value.contains(secret), "{}.{field} = {value}", span.name);
            }
        }
    }

    let events = capture.events.lock().unwrap();
    let retries: Vec<&Event> = events
        .iter()
        .filter(|event| event.fields.get("message").map(String::as_str) == Some("retrying"))
        .collect();
    assert_eq!(retries.len(), 1, "{events:#?}");
    assert_eq!(retries[0].level, tracing::Level::WARN);
    assert!(
        retries[0].fields["reason"].contains("503"),
        "{:?}",
        retries[0]
    );
    assert!(retries[0].fields.contains_key("wait_ms"));

    // One DEBUG event when the call ends, with what the call span records.
    let finished: Vec<&Event> = events
        .iter()
        .filter(|event| event.fields.get("message").map(String::as_str) == Some("call finished"))
        .collect();
    assert_eq!(finished.len(), 1, "{events:#?}");
    assert_eq!(finished[0].level, tracing::Level::DEBUG);
    let field = |name: &str| finished[0].fields.get(name).map(String::as_str);
    assert_eq!(field("operation"), Some("getCustomerTenant"));
    assert_eq!(field("status"), Some("200"));
    assert_eq!(field("attempts"), Some("2"));
    assert!(field("elapsed_ms").unwrap().parse::<f64>().unwrap() > 0.0);
}
