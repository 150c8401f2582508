//! A stand-in for Crayon's customer-tenants API, for tests and demos: nobody can test against the
//! real API without a reseller account.
//!
//! It speaks the contract of the `crayon-tenants` crate (its request and response bodies are the
//! generated types) and behaves as the real API does where the documentation and the facts about
//! it say how: the password grant with HTTP Basic client credentials, bearer tokens that expire,
//! case-insensitive routes and query parameters, `ApiError` bodies that name every problem,
//! 403 for organizations the user may not see. Faults can be injected per operation.
//!
//! - [`MockServer`]: start one on loopback, read its base URL, seed and inspect its data, count
//!   its requests, add faults. It stops when dropped.
//! - [`MockConfig`]: credentials, demo data, token lifetime, latency, faults.
//! - [`FaultRule`] and [`Fault`]: what to break, where, and how often.
//!
//! The world it serves: organizations 1 and 2 are the demo user's (organization 1 holds the
//! [`MockConfig::seed_tenants`] demo tenants, 2 holds three), organization 3 belongs to someone
//! else (two tenants, answered with 403). Publisher 2 is Microsoft.

mod auth;
mod config;
mod error;
mod faults;
mod operation;
mod request;
mod routes;
mod seed;
mod server;
mod state;
mod tenants;
mod token;

pub use config::{MockConfig, MockCredentials};
pub use faults::{Fault, FaultParseError, FaultRule};
pub use operation::{Operation, UnknownOperation};
pub use request::MAX_BODY_BYTES;
pub use seed::{MICROSOFT, MockOrganization, ORGANIZATIONS};
pub use server::MockServer;
pub use state::{MockState, StoredTenant};
pub use tenants::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
