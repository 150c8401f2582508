//! The routing table and what every request goes through: counting, faults, latency, logging.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::app::App;
use crate::error::MockError;
use crate::faults::{self, Fault};
use crate::operation::Operation;
use crate::rate_limit::RateLimit;
use crate::{lookups, tenants, token};

/// The routes: every operation of [`Operation::ALL`] at its contract path, spelled as the server
/// matches it (lower case, without the trailing slash: `server::normalize_path` brings every
/// request path to that form first).
pub(crate) fn router(app: Arc<App>) -> Router {
    let mut router = Router::new();
    for operation in Operation::ALL {
        let path = operation.path().to_ascii_lowercase();
        let route = handler(operation).route_layer(middleware::from_fn_with_state(
            (app.clone(), operation),
            every_operation,
        ));
        router = router.route(path.trim_end_matches('/'), route);
    }
    router
        .fallback(|| async {
            MockError::new(
                StatusCode::NOT_FOUND,
                "No resource matches the request URI.",
            )
        })
        .method_not_allowed_fallback(|| async {
            MockError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "The requested resource does not support this HTTP method.",
            )
        })
        .with_state(app)
}

/// The handler of an operation, for the operation's method only.
fn handler(operation: Operation) -> MethodRouter<Arc<App>> {
    let method = match operation.method() {
        "GET" => MethodFilter::GET,
        "POST" => MethodFilter::POST,
        "PUT" => MethodFilter::PUT,
        "DELETE" => MethodFilter::DELETE,
        other => unreachable!("the operation table has no {other} operation"),
    };
    match operation {
        Operation::GetUserToken => on(method, token::get_user_token),
        Operation::ListCustomerTenants => on(method, tenants::list),
        Operation::CreateCustomerTenant => on(method, tenants::create),
        Operation::CreateExistingCustomerTenant => on(method, tenants::create_existing),
        Operation::GetCustomerTenant => on(method, tenants::get),
        Operation::UpdateCustomerTenant => on(method, tenants::update),
        Operation::DeleteCustomerTenant => on(method, tenants::delete),
        Operation::GetCustomerTenantDetailed => on(method, tenants::get_detailed),
        Operation::GetCustomerTenantAzurePlan => on(method, tenants::azure_plan),
        Operation::ListCustomerTenantAgreements => on(method, tenants::list_agreements),
        Operation::CreateCustomerTenantAgreement => on(method, tenants::create_agreement),
        Operation::ListOrganizations => on(method, lookups::list_organizations),
        Operation::GetOrganization => on(method, lookups::get_organization),
        Operation::ListInvoiceProfiles => on(method, lookups::list_invoice_profiles),
        Operation::GetInvoiceProfile => on(method, lookups::get_invoice_profile),
        Operation::ListPublishers => on(method, lookups::list_publishers),
        Operation::GetPublisher => on(method, lookups::get_publisher),
    }
}

/// Counts the request, applies latency and any fault that hits it, runs the operation, and
/// logs the outcome to stderr.
async fn every_operation(
    State((app, operation)): State<(Arc<App>, Operation)>,
    mut request: Request,
    next: Next,
) -> Response {
    // The request's binding reads the operation's contract (`request.rs`).
    request.extensions_mut().insert(operation);
    let started = Instant::now();
    let count = app.counters.record(operation);
    if let Some(refused) = app.rate_limit.as_ref().and_then(RateLimit::check) {
        app.rate_limited.fetch_add(1, Ordering::Relaxed);
        tracing::info!(
            operation = operation.operation_id(),
            request = count,
            status = refused.status().as_u16(),
            "rate limited"
        );
        return refused;
    }
    let decision = app.faults.decide(operation);
    let latency = app.latency + decision.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let fault = decision.fault.as_ref().map(|fault| format!("{fault:?}"));
    let organization_id = organization_id(request.uri());
    let response = match decision.fault {
        None => next.run(request).await,
        Some(Fault::Change(change)) => {
            let response = next.run(request).await;
            if let Some(organization_id) = organization_id {
                app.state.change_world(organization_id, change);
            }
            response
        }
        Some(fault) => faults::respond(fault, next.run(request)).await,
    };
    tracing::info!(
        operation = operation.operation_id(),
        request = count,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        fault,
        "handled"
    );
    response.into_response()
}

/// The `organizationId` of a request's query (any case of the name), for a fault that changes
/// that organization's tenants.
fn organization_id(uri: &axum::http::Uri) -> Option<i32> {
    uri.query()?.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.eq_ignore_ascii_case("organizationId")
            .then(|| value.parse().ok())
            .flatten()
    })
}
