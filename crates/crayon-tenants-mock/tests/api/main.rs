//! The mock over real HTTP on loopback: every operation, its success and error paths, routing
//! and binding as the real API's, bad input, concurrency, faults, the binary. Every response any
//! test receives is checked against the contract by `support::Api::send`.

mod support;

mod bad_input;
mod binary;
mod concurrency;
mod conformance;
mod faults;
mod lookups;
mod proxy;
mod routing;
mod sdk;
mod tenants;
mod token;
