//! A stand-in for Crayon's customer-tenants API, for tests and demos: nobody can test against the
//! real API without a reseller account.
//!
//! It speaks the contract of the `crayon-tenants` crate (its request and response bodies are the
//! generated types) and behaves as the real API does where the documentation and the facts about
//! it say how: the password grant with HTTP Basic client credentials, bearer tokens that expire,
//! case-insensitive routes and query parameters, `ApiError` bodies that name every problem,
//! 403 for organizations the user may not see. What a request may hold is the contract's to say:
//! every query and body is validated against the operation's schemas in the contract, and no
//! rule is enforced that the contract does not state. Faults can be injected per operation.
//!
//! - [`MockServer`]: start one on loopback, read its base URL, seed and inspect its data, count
//!   its requests, add faults. It stops when dropped.
//! - [`MockConfig`]: credentials, demo data, token lifetime, latency, faults.
//! - [`FaultRule`] and [`Fault`]: what to break, where, and how often.
//! - Requests are bound with the `crayon-tenants-contract` crate: the contract as JSON Schema,
//!   the one reading of it (depend on that crate to use it yourself).
//! - [`Proxy`]: the recording proxy (`crayon-tenants-mock proxy --upstream URL --record DIR`):
//!   between any client and the real API, it forwards each request as it is, checks both
//!   directions against the contract, and writes a redacted HAR 1.2 ([`HAR_FILE`]) and a report.
//! - [`MockConfig::seed_from`]: a world built from such a recording (`--seed-from DIR`), so that
//!   tests run against the shapes of your own organization.
//!
//! The world it serves, one and consistent: organizations 1 and 2 are the demo user's
//! (organization 1 holds the [`MockConfig::seed_tenants`] demo tenants, 2 holds three and is a
//! subsidiary of 1), organization 3 belongs to someone else (two tenants, answered with 403).
//! Each organization has its own invoice profiles ([`INVOICE_PROFILES`]: 7 and 10 of
//! organization 1, 8 of 2, 9 of 3); the publishers ([`PUBLISHERS`]) are 2, Microsoft, and 3,
//! Adobe. Every demo tenant refers to what the look-ups list.
//!
//! # In another project's tests
//!
//! Add it as a dev-dependency beside the client:
//!
//! ```toml
//! [dev-dependencies]
//! crayon-tenants-mock = { git = "<URL of this repository>", package = "crayon-tenants-mock" }
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! and point the code under test at the mock: [`MockServer::client`] is a client of it signed in
//! with its demo credentials (or [`MockServer::base_url`] for a client you build), and
//! [`new_tenant_body`] a create body it accepts:
//!
//! ```
//! use crayon_tenants_mock::{Fault, FaultRule, MockConfig, MockServer, Operation, new_tenant_body};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = MockServer::start(MockConfig::default().seed_tenants(5)).await?;
//! let client = server.client()?;
//!
//! let page = client.list_customer_tenants().organization_id(1).await?;
//! assert_eq!(page.total_hits, Some(5));
//! assert_eq!(server.requests(Operation::GetUserToken), 1);
//!
//! // Make the next create fail as a gateway would, and check that the code under test copes.
//! server.add_fault(FaultRule::new(Operation::CreateCustomerTenant, Fault::Status { status: 502, retry_after: None }));
//! let error = client.create_customer_tenant().body(new_tenant_body(1, "contoso-new")).await.unwrap_err();
//! assert_eq!(error.status().map(|status| status.as_u16()), Some(502));
//! assert_eq!(server.state().tenant_count_in(1), 5, "nothing was created");
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod app;
mod auth;
mod config;
mod error;
mod faults;
mod lookups;
mod operation;
mod proxy;
mod rate_limit;
mod recording;
mod request;
mod routes;
mod seed;
mod server;
mod state;
mod state_file;
mod tenants;
mod token;
mod world;

pub use config::{MockConfig, MockCredentials};
pub use faults::{Fault, FaultParseError, FaultRule};
pub use operation::{Operation, UnknownOperation};
pub use proxy::{Proxy, ProxyConfig};
pub use recording::HAR_FILE;
pub use request::{MAX_BODY_BYTES, bind_request_body};
pub use seed::{
    CRAYON_COMPANY, INVOICE_PROFILES, MICROSOFT, MockInvoiceProfile, MockOrganization,
    MockPublisher, ORGANIZATIONS, PUBLISHERS, new_tenant_body,
};
pub use server::MockServer;
pub use state::{MockState, StoredTenant, WorldChange};
pub use state_file::StateFileError;
pub use tenants::DEFAULT_PAGE_SIZE;
