//! The routing table and what every request goes through: counting, faults, latency, logging.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::error::MockError;
use crate::faults;
use crate::operation::Operation;
use crate::server::App;
use crate::{tenants, token};

/// The routes, spelled as the server matches them: lower case, without the trailing slash
/// (`server::normalize_path` brings every request path to that form first).
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/api/v1/connect/token", post(token::get_user_token))
        .route(
            "/api/v1/customertenants",
            get(tenants::list).post(tenants::create),
        )
        .route(
            "/api/v1/customertenants/existing",
            post(tenants::create_existing),
        )
        .route(
            "/api/v1/customertenants/{id}",
            get(tenants::get)
                .put(tenants::update)
                .delete(tenants::delete),
        )
        .route(
            "/api/v1/customertenants/{id}/detailed",
            get(tenants::get_detailed),
        )
        .route(
            "/api/v1/customertenants/{id}/azureplan",
            get(tenants::azure_plan),
        )
        .route(
            "/api/v1/customertenants/{id}/agreements",
            get(tenants::list_agreements).post(tenants::create_agreement),
        )
        .route_layer(middleware::from_fn_with_state(app.clone(), every_operation))
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

/// The operation a matched route and method are.
fn operation_of(method: &Method, route: &str) -> Option<Operation> {
    Some(match (method.as_str(), route) {
        ("POST", "/api/v1/connect/token") => Operation::GetUserToken,
        ("GET", "/api/v1/customertenants") => Operation::ListCustomerTenants,
        ("POST", "/api/v1/customertenants") => Operation::CreateCustomerTenant,
        ("POST", "/api/v1/customertenants/existing") => Operation::CreateExistingCustomerTenant,
        ("GET", "/api/v1/customertenants/{id}") => Operation::GetCustomerTenant,
        ("PUT", "/api/v1/customertenants/{id}") => Operation::UpdateCustomerTenant,
        ("DELETE", "/api/v1/customertenants/{id}") => Operation::DeleteCustomerTenant,
        ("GET", "/api/v1/customertenants/{id}/detailed") => Operation::GetCustomerTenantDetailed,
        ("GET", "/api/v1/customertenants/{id}/azureplan") => Operation::GetCustomerTenantAzurePlan,
        ("GET", "/api/v1/customertenants/{id}/agreements") => {
            Operation::ListCustomerTenantAgreements
        }
        ("POST", "/api/v1/customertenants/{id}/agreements") => {
            Operation::CreateCustomerTenantAgreement
        }
        _ => return None,
    })
}

/// Counts the request, applies latency and any fault that hits it, runs the operation, and
/// logs the outcome to stderr.
async fn every_operation(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned());
    let Some(operation) = route.and_then(|route| operation_of(request.method(), &route)) else {
        return next.run(request).await;
    };
    let started = Instant::now();
    let count = app.counters.record(operation);
    let decision = app.faults.decide(operation);
    let latency = app.latency + decision.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let fault = decision.fault.as_ref().map(|fault| format!("{fault:?}"));
    let response = match decision.fault {
        None => next.run(request).await,
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
