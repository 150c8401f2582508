//! Any bytes as the JSON body of every operation of the mock that takes one: it accepts the body
//! or refuses it with an `ApiError`, never panics.
#![no_main]

use crayon_tenants_mock::{Operation, bind_request_body};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    for operation in [
        Operation::CreateCustomerTenant,
        Operation::CreateExistingCustomerTenant,
        Operation::UpdateCustomerTenant,
        Operation::CreateCustomerTenantAgreement,
    ] {
        if let Err(error) = bind_request_body(operation, body) {
            assert!(error.contains("ErrorCode"), "{error}");
        }
    }
});
